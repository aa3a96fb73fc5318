import { fstatSync, writeSync } from 'node:fs';
import type cliProgress from 'cli-progress';
import { lazyModule } from '../core/lazy-module.js';

// Loaded only when a bar is drawn: most runs (pipes, CI, benchmarks) never draw one, and loading it costs start-up time.
const loadCliProgress = lazyModule<typeof cliProgress>('cli-progress');

/**
 * Progress on standard error for long work: events processed and their rate. Silent when stderr is not
 * a terminal (pipes, CI), so outputs and logs stay clean.
 */
export class Progress {
  private readonly bar: cliProgress.SingleBar | null;
  private count = 0;
  private lastDraw = 0;
  /** When the bar was started (`performance`, which Node loads on first use, only for a bar). */
  private started = 0;

  constructor(label: string, enabled = stderrIsTerminal() && process.env.CI !== 'true') {
    const bars = enabled ? loadCliProgress() : null;
    this.bar = bars
      ? new bars.SingleBar(
          { format: `${label} {value} events | {rate} events/s | {duration}s`, stream: process.stderr, hideCursor: true, noTTYOutput: false },
          bars.Presets.shades_classic,
        )
      : null;
    if (!this.bar) return;
    this.started = performance.now();
    this.bar.start(0, 0, { rate: 0 });
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

// Node makes `process.stderr` a stream when it is first read: for a pipe that loads `net` and more, some
// 5 ms of a short run. A command that only writes its closing line has no use for it.

/** Whether standard error is a terminal; `process.stderr` is only made when it may be one (a character device). */
function stderrIsTerminal(): boolean {
  try {
    if (!fstatSync(2).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.stderr.isTTY === true;
}

/** Writes a line to standard error, straight to its descriptor (through `process.stderr` where that cannot take it now). */
export function stderrLine(text: string): void {
  const bytes = Buffer.from(`${text}\n`);
  let written = 0;
  try {
    written = writeSync(2, bytes);
  } catch {
    // A descriptor made non-blocking (EAGAIN), or closed: the stream reports it as it always did.
  }
  if (written < bytes.length) process.stderr.write(bytes.subarray(written));
}
