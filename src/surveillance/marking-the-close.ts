import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { zoneOffsetMs } from '../core/time.js';
import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { actionMask, priceText, sizeText, unit } from './detector.js';

/** Spacing of the recorded (time, mid, cumulative volume) samples. */
const SAMPLE_NS = 1e9;
/** Venues whose reference times are funding times (every 8 h from 00:00 UTC) rather than a daily close. */
const CRYPTO = /^(binance|bybit|bitmex|deribit|okx|kraken|coinbase|bitstamp|bitfinex|huobi|ftx)/;

/**
 * The reference time at or after `epochMs`: the next 8-hour funding time (UTC) for crypto venues, the next
 * 16:00 America/New_York close for the others.
 */
function nextReference(venue: string, epochMs: number): number {
  if (CRYPTO.test(venue)) return Math.ceil(epochMs / 28_800_000) * 28_800_000;
  const offset = zoneOffsetMs(epochMs, 'America/New_York');
  const local = epochMs + offset;
  let close = Math.floor(local / 86_400_000) * 86_400_000 + 16 * 3_600_000;
  if (close < local) close += 86_400_000;
  return close - offset;
}

/**
 * Marking the close (REFERENCES.md; Comerton-Forde & Putniņš 2011): volume and price impact concentrated
 * in the window before a reference price is fixed — the close; in crypto, funding times — then a reversal.
 *
 * Rule: for each reference time C in the data, with `window` minutes before it and the `baseline` minutes
 * before that: the window's volume rate is at least `volume_multiple` × the baseline's, the mid moves at
 * least `k` × σ over the window (σ: standard deviation of the mid's moves over window-long stretches of
 * the baseline), and within `after` minutes after C the mid gives back at least `reversal` of the move.
 * When the data ends before C + after, the reversal is not observable: the episode is kept only if the rest
 * holds, with its score capped at 60 and the explanation saying so. Score: 50 + up to 20 for the volume
 * multiple, 15 for the move in σ, 15 for the reversal.
 */
class MarkingTheClose implements Detector {
  readonly rowActions = actionMask(Action.Trade);
  private readonly times: number[] = [];
  private readonly mids: number[] = [];
  private readonly volumes: number[] = [];
  private cumulative = 0;
  private sampleStart = NaN;
  private reference = NaN;
  private readonly windowNs: number;
  private readonly baselineNs: number;
  private readonly afterNs: number;

  constructor(private readonly params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.windowNs = num(params, 'window') * 60e9;
    this.baselineNs = num(params, 'baseline') * 60e9;
    this.afterNs = num(params, 'after') * 60e9;
  }

  row(batch: EventBatch, i: number): void {
    if (batch.action[i] === Action.Trade) this.cumulative += batch.size[i]!;
  }

  update(): void {
    const state = this.context.state;
    const mid = (state.top.bidPrice[0]! + state.top.askPrice[0]!) / 2;
    if (Number.isNaN(mid)) return;
    if (Number.isNaN(this.reference)) this.reference = this.referenceAfter(state.ts);
    while (state.ts >= this.reference + this.afterNs) {
      this.evaluate(true);
      this.reference = this.referenceAfter(this.reference + 1e6);
    }
    // Minute-scale windows need no finer record than a sample a second: within a second the last sample
    // moves on to the latest update (its time with it), so a sample is always the state as of its time.
    const last = this.times.length - 1;
    if (last >= 0 && state.ts - this.sampleStart < SAMPLE_NS) {
      this.times[last] = state.ts;
      this.mids[last] = mid;
      this.volumes[last] = this.cumulative;
      return;
    }
    this.sampleStart = state.ts;
    this.times.push(state.ts);
    this.mids.push(mid);
    this.volumes.push(this.cumulative);
    // Drop what the next evaluation cannot need, a thousand samples at a time.
    if (this.times.length > 2048 && this.times[1024]! < this.reference - this.windowNs - this.baselineNs) {
      this.times.splice(0, 1024);
      this.mids.splice(0, 1024);
      this.volumes.splice(0, 1024);
    }
  }

  finish(): void {
    if (this.times.length > 0 && this.times[this.times.length - 1]! >= this.reference) this.evaluate(false);
  }

  private referenceAfter(ts: number): number {
    const baseMs = Number(this.context.state.timeBaseNs / 1_000_000n);
    return (nextReference(this.context.state.instrument.venue, baseMs + ts / 1e6) - baseMs) * 1e6;
  }

  /** Index of the last sample at or before `ts`, or −1. */
  private at(ts: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private evaluate(afterObserved: boolean): void {
    const c = this.reference;
    const open = this.at(c - this.windowNs);
    const close = this.at(c);
    const baseStart = this.at(c - this.windowNs - this.baselineNs);
    if (open < 0 || close <= open || baseStart < 0 || this.times[baseStart]! > c - this.windowNs - this.baselineNs + this.windowNs) return;
    const windowRate = (this.volumes[close]! - this.volumes[open]!) / this.windowNs;
    const baseRate = (this.volumes[open]! - this.volumes[baseStart]!) / this.baselineNs;
    const volumeMultiple = windowRate / baseRate;
    const move = this.mids[close]! - this.mids[open]!;
    const moves: number[] = [];
    for (let t = c - this.windowNs - this.baselineNs; t + this.windowNs <= c - this.windowNs; t += this.windowNs) {
      const a = this.at(t);
      const b = this.at(t + this.windowNs);
      if (a >= 0 && b >= 0) moves.push(this.mids[b]! - this.mids[a]!);
    }
    const mean = moves.reduce((sum, m) => sum + m, 0) / moves.length;
    const sigma = Math.sqrt(moves.reduce((sum, m) => sum + (m - mean) ** 2, 0) / Math.max(1, moves.length - 1));
    const k = num(this.params, 'k');
    if (!(volumeMultiple >= num(this.params, 'volume_multiple')) || !(Math.abs(move) >= k * Math.max(sigma, this.context.state.instrument.tickUnits))) return;
    let givenBack = NaN;
    if (afterObserved) {
      const after = this.at(c + this.afterNs);
      givenBack = ((this.mids[close]! - this.mids[after]!) * Math.sign(move)) / Math.abs(move);
      if (!(givenBack >= num(this.params, 'reversal'))) return;
    }
    const state = this.context.state;
    let score = 50 + 20 * unit(volumeMultiple / (2 * num(this.params, 'volume_multiple'))) + 15 * unit(Math.abs(move) / (2 * k * sigma));
    score = afterObserved ? score + 15 * unit(givenBack) : Math.min(60, score);
    const volume = this.volumes[close]! - this.volumes[open]!;
    this.context.emit({
      kind: 'marking_the_close',
      instrument: state.index,
      startNs: this.times[open]!,
      endNs: afterObserved ? c + this.afterNs : this.times[close]!,
      side: Math.sign(move),
      // The mid may fall between two price units: the episode's price is a price the book can show.
      price: Math.round(this.mids[close]!),
      orderIds: [],
      score: Math.round(score),
      explanation:
        `${sizeText(volume, state)} traded in the ${this.windowNs / 60e9} min before the reference time, ${volumeMultiple.toFixed(1)}× the rate of the ${this.baselineNs / 60e9} min before; ` +
        `mid ${priceText(this.mids[open]!, state)} → ${priceText(this.mids[close]!, state)} (${(Math.abs(move) / sigma).toFixed(1)}σ); ` +
        (afterObserved ? `${Math.round(givenBack * 100)}% given back within ${this.afterNs / 60e9} min` : 'the data ends before any reversal could be seen'),
    });
  }
}

export const markingTheClose: DetectorDefinition = {
  name: 'marking_the_close',
  doc: 'volume and impact concentrated before a reference time (equity close 16:00 New York; crypto funding times), then a reversal',
  l2: 'works on L2 (trades and the touch)',
  params: [
    { name: 'window', default: 5, doc: 'minutes before the reference time' },
    { name: 'baseline', default: 60, doc: 'minutes of baseline before the window' },
    { name: 'after', default: 10, doc: 'minutes after the reference time to see the reversal' },
    { name: 'volume_multiple', default: 3, doc: 'window volume rate over the baseline rate' },
    { name: 'k', default: 2, doc: 'move of the mid over the window in σ' },
    { name: 'reversal', default: 0.5, doc: 'share of the move given back' },
  ],
  create: (params, context) => new MarkingTheClose(params, context),
};

