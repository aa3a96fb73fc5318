import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { priceText, secondsText, sizeText, unit } from './detector.js';
import type { TrackedOrder } from './order-tracker.js';

/** A size is round when it is one significant digit times a power of ten in real units (1, 20, 0.5, 3000). */
function isRound(units: number, sizeScale: number): boolean {
  const real = units / sizeScale;
  const magnitude = 10 ** Math.floor(Math.log10(real));
  return Math.abs(real / magnitude - Math.round(real / magnitude)) < 1e-9;
}

/** What an episode needs of an instant match. */
interface InstantMatch {
  id: number;
  side: number;
  addedNs: number;
  endedNs: number;
}

/**
 * Wash trading (REFERENCES.md; Cong, Li, Tang & Yang 2023): trades that change nothing in the book —
 * an order rests only for the instant its own counterpart needs to hit it, in full, at the same size —
 * repeated back and forth, often in round sizes.
 *
 * Rule (L3): an "instant match" is an order placed strictly inside the spread and filled in full by a
 * single fill at most `max_gap` seconds after it arrived: the trade prints and the visible book is as it
 * was. At least `min_repeats` instant matches of the same size within `window` seconds make an episode
 * (public data has no accounts, so the back and forth between two accounts shows as the repetition).
 * Score: 50 + up to 25 for repeats (twice the minimum = full) + 15 for a round size + 10 for instant gaps
 * (at most a tenth of max_gap).
 */
class WashTrading implements Detector {
  /** Recent instant matches by size. */
  private readonly recent = new Map<number, InstantMatch[]>();
  private readonly maxGapNs: number;
  private readonly windowNs: number;
  private readonly minRepeats: number;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.maxGapNs = num(params, 'max_gap') * 1e9;
    this.windowNs = num(params, 'window') * 1e9;
    this.minRepeats = num(params, 'min_repeats');
  }

  orderEnded(order: TrackedOrder): void {
    if (order.end !== 'filled' || order.fills !== 1 || order.filled !== order.size || !(order.endedNs - order.addedNs <= this.maxGapNs)) return;
    if (!(order.ticksFromBest < 0)) return;
    let list = this.recent.get(order.size);
    if (!list) this.recent.set(order.size, (list = []));
    list.push({ id: order.id, side: order.side, addedNs: order.addedNs, endedNs: order.endedNs });
    while (list.length > 0 && list[0]!.endedNs < order.endedNs - this.windowNs) list.shift();
    if (list.length < this.minRepeats) return;
    const state = this.context.state;
    const gap = Math.max(...list.map((match) => match.endedNs - match.addedNs));
    const round = isRound(order.size, state.sizeScale);
    this.context.emit({
      kind: 'wash_trading',
      instrument: state.index,
      startNs: list[0]!.addedNs,
      endNs: order.endedNs,
      side: 0,
      price: order.price,
      orderIds: list.map((match) => match.id),
      score: Math.round(50 + 25 * unit((list.length - this.minRepeats) / this.minRepeats) + (round ? 15 : 0) + (gap <= this.maxGapNs / 10 ? 10 : 0)),
      explanation:
        `${list.length} orders of exactly ${sizeText(order.size, state)}${round ? ' (a round size)' : ''} each filled in full by one trade at most ${secondsText(gap)} after arriving, ` +
        `${list.filter((match) => match.side > 0).length} resting bids and ${list.filter((match) => match.side < 0).length} resting asks, around ${priceText(order.price, state)}, ` +
        `within ${secondsText(order.endedNs - list[0]!.addedNs)}: trades that leave the book as it was`,
    });
    this.recent.delete(order.size);
  }
}

export const washTrading: DetectorDefinition = {
  name: 'wash_trading',
  doc: 'orders placed inside the spread and filled in full the same instant by one trade of their size, repeated in one size, round sizes',
  l2: 'on L2 reads orders inferred from level changes: where the venue publishes every change, an instant match is a level inside the spread filled by one trade of its size; a conflated stream never shows such an order, and nothing is reported',
  params: [
    { name: 'max_gap', default: 0.001, doc: 'longest time between an order’s arrival and its full fill, seconds' },
    { name: 'window', default: 60, doc: 'seconds over which repeats are counted' },
    { name: 'min_repeats', default: 3, doc: 'instant matches of one size in an episode' },
  ],
  create: (params, context) => new WashTrading(params, context),
};
