import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { secondsText, unit } from './detector.js';

/** Most order ids an episode names. */
const MAX_IDS = 200;

/**
 * Quote stuffing (REFERENCES.md; Egginton, Van Ness & Van Ness 2016): bursts of order messages far above
 * the baseline rate, with almost no executions.
 *
 * Rule: messages (L3: adds, cancels, deletes, modifies; L2: book messages, however many levels each changes) are counted in windows of
 * `window` seconds. The baseline is an exponential average of the counts of quiet windows (span
 * `baseline_windows`). A window is a burst when its count is at least `min_messages` and at least
 * `multiple` × the baseline, and its fills (L3) or trades (L2) are at most `max_fill_ratio` of its
 * messages. Consecutive burst windows form one episode. Score: 50 + up to 40 for the rate over the
 * baseline (twice the multiple = full) + 10 with no execution at all.
 */
class QuoteStuffing implements Detector {
  private readonly windowNs: number;
  private readonly multiple: number;
  private readonly minMessages: number;
  private readonly maxFillRatio: number;
  private readonly alpha: number;
  /** (1 − alpha)^n by n, NaN until first needed. */
  private readonly decays = new Float64Array(1024).fill(NaN);
  private windowStart = NaN;
  private levelRows = false;
  private messages = 0;
  private fills = 0;
  private baseline = NaN;
  /** Ids of the window's first adds (at most MAX_IDS). */
  private readonly ids = new Float64Array(MAX_IDS);
  private idCount = 0;
  private episode: { start: number; end: number; messages: number; fills: number; peak: number; ids: number[] } | null = null;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.windowNs = num(params, 'window') * 1e9;
    this.multiple = num(params, 'multiple');
    this.minMessages = num(params, 'min_messages');
    this.maxFillRatio = num(params, 'max_fill_ratio');
    this.alpha = 2 / (num(params, 'baseline_windows') + 1);
  }

  row(batch: EventBatch, i: number): void {
    const ts = this.context.state.ts;
    if (Number.isNaN(this.windowStart)) this.windowStart = ts - (ts % this.windowNs);
    if (ts >= this.windowStart + this.windowNs) {
      this.closeWindow();
      // Empty windows in between: no burst, and the baseline decays toward zero in closed form.
      const empty = Math.floor((ts - this.windowStart) / this.windowNs);
      if (empty > 0) {
        this.flush();
        this.baseline *= this.decay(empty);
        this.windowStart += empty * this.windowNs;
      }
    }
    const action = batch.action[i]!;
    if (action === Action.Fill || (action === Action.Trade && this.context.state.granularity !== 'L3')) this.fills++;
    else if (action === Action.Add || action === Action.Cancel || action === Action.Delete || action === Action.Modify) {
      this.messages++;
      if (action === Action.Add && this.idCount < MAX_IDS) this.ids[this.idCount++] = batch.orderId[i]!;
    } else if (action === Action.LevelSet || action === Action.LevelDelete) this.levelRows = true;
  }

  /** On L2 a book message counts once, however many levels it changes (a venue's diff batches many). */
  update(): void {
    if (this.levelRows) this.messages++;
    this.levelRows = false;
  }

  finish(): void {
    this.closeWindow();
    this.flush();
  }

  /** (1 − alpha)^windows: remembered for the shorter gaps, which recur on nearly every row of a sparse stream. */
  private decay(windows: number): number {
    if (windows >= this.decays.length) return (1 - this.alpha) ** windows;
    let factor = this.decays[windows]!;
    if (Number.isNaN(factor)) factor = this.decays[windows] = (1 - this.alpha) ** windows;
    return factor;
  }

  private closeWindow(): void {
    const { messages, fills } = this;
    const burst = messages >= this.minMessages && messages >= this.multiple * this.baseline && fills <= this.maxFillRatio * messages;
    if (burst) {
      const end = this.windowStart + this.windowNs;
      if (this.episode && this.episode.end === this.windowStart) {
        this.episode.end = end;
        this.episode.messages += messages;
        this.episode.fills += fills;
        this.episode.peak = Math.max(this.episode.peak, messages);
        const ids = this.episode.ids;
        for (let k = 0; k < this.idCount && ids.length < MAX_IDS; k++) ids.push(this.ids[k]!);
      } else {
        this.flush();
        this.episode = { start: this.windowStart, end, messages, fills, peak: messages, ids: Array.from(this.ids.subarray(0, this.idCount)) };
      }
    } else {
      this.flush();
      // Only quiet windows move the baseline, so a long burst does not raise its own bar.
      this.baseline = Number.isNaN(this.baseline) ? Math.max(1, messages) : this.baseline + this.alpha * (messages - this.baseline);
    }
    this.messages = 0;
    this.fills = 0;
    this.idCount = 0;
    this.windowStart += this.windowNs;
  }

  private flush(): void {
    const episode = this.episode;
    if (!episode) return;
    this.episode = null;
    const rate = episode.peak / Math.max(this.baseline, 1e-9);
    this.context.emit({
      kind: 'quote_stuffing',
      instrument: this.context.state.index,
      startNs: episode.start,
      endNs: episode.end,
      side: 0,
      price: NaN,
      orderIds: episode.ids,
      score: Math.round(50 + 40 * unit((rate - this.multiple) / this.multiple) + (episode.fills === 0 ? 10 : 0)),
      explanation: `${episode.messages} order messages in ${secondsText(episode.end - episode.start)} (peak ${episode.peak} per ${secondsText(this.windowNs)} window, ${rate.toFixed(1)}× the baseline ${this.baseline.toFixed(1)}), ${episode.fills} execution(s)`,
    });
  }
}

export const quoteStuffing: DetectorDefinition = {
  name: 'quote_stuffing',
  doc: 'bursts of order messages far above the baseline rate with near-zero executions',
  l2: 'counts book messages (one per venue update, however many levels it changes) and trades as executions',
  params: [
    { name: 'window', default: 0.1, doc: 'counting window, seconds' },
    { name: 'multiple', default: 10, doc: 'burst rate as a multiple of the baseline' },
    { name: 'min_messages', default: 50, doc: 'fewest messages in a burst window' },
    { name: 'max_fill_ratio', default: 0.05, doc: 'most executions per message in a burst' },
    { name: 'baseline_windows', default: 600, doc: 'span of the baseline average, in windows' },
  ],
  create: (params, context) => new QuoteStuffing(params, context),
};
