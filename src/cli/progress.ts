import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';

// Loaded only when a bar is drawn: most runs (pipes, CI, benchmarks) never draw one, and loading it costs start-up time.
const loadCliProgress = () => createRequire(import.meta.url)('cli-progress') as typeof cliProgress;

/**
 * Progress on standard error for long work: events processed and their rate. Silent when stderr is not
 * a terminal (pipes, CI), so outputs and logs stay clean.
 */
export class Progress {
  private readonly bar: cliProgress.SingleBar | null;
  private count = 0;
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(label: string, enabled = process.stderr.isTTY === true && process.env.CI !== 'true') {
    const bars = enabled ? loadCliProgress() : null;
    this.bar = bars
      ? new bars.SingleBar(
          { format: `${label} {value} events | {rate} events/s | {duration}s`, stream: process.stderr, hideCursor: true, noTTYOutput: false },
          bars.Presets.shades_classic,
        )
      : null;
    this.bar?.start(0, 0, { rate: 0 });
  }

  /** Adds `n` processed events; redraws at most four times a second. */
  add(n: number): void {
    this.count += n;
    if (!this.bar) return;
    const now = performance.now();
    if (now - this.lastDraw < 250) return;
    this.lastDraw = now;
    const rate = Math.round(this.count / ((now - this.started) / 1000));
    this.bar.setTotal(this.count);
    this.bar.update(this.count, { rate: rate.toLocaleString('en-US') });
  }

  stop(): void {
    this.bar?.stop();
  }
}
