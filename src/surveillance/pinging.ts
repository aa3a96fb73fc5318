import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { num } from '../features/feature.js';
import { TradeSigner } from '../features/signing.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { actionMask, priceText, secondsText, sideName, sizeText, unit } from './detector.js';
import type { TrackedOrder } from './order-tracker.js';

/**
 * Pinging (REFERENCES.md): many tiny orders walking the levels to find hidden or resting liquidity, each
 * withdrawn at once unless it executes; little volume, a low fill rate.
 *
 * Rule (L3): a ping is an order of at most `max_size` × the typical arriving order that left the book —
 * cancelled or filled — within `max_life` seconds. At least `min_count` pings on one side within `window`
 * seconds, at `min_levels` or more distinct prices, make an episode (each ping in one episode at most).
 * On L2 data the orders are inferred from level changes (a tiny level growth gone again within
 * `max_life` is a ping, judged as on L3: it shows where the venue publishes every change), and the pings
 * that execute are seen as tiny trades (at most `max_size` × the typical trade), counted the same way by
 * aggressor side, apart from the inferred orders, and walking: at least half of them at a price not hit
 * before in the episode; prints of one venue time count once (a sweep is one order). Score: 50 + up to 30
 * for the count (twice the minimum = full) + up to 20 for the levels walked.
 */
class Pinging implements Detector {
  /** Trades, on L2 only (on L3 pings are orders). */
  readonly rowActions: number;
  private readonly signer = new TradeSigner('aggressor');
  private typical = NaN;
  /** Recent pings per side [bid, ask] seen as orders (L3, or inferred on L2), then per side seen only as trades (L2). */
  private readonly tiny: { ts: number; price: number; size: number; id: number; filled: boolean }[][] = [[], [], [], []];
  private readonly maxLifeNs: number;
  private readonly windowNs: number;
  private readonly maxSize: number;
  private readonly minCount: number;
  private readonly minLevels: number;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.windowNs = num(params, 'window') * 1e9;
    this.maxSize = num(params, 'max_size');
    this.minCount = num(params, 'min_count');
    this.minLevels = num(params, 'min_levels');
    this.maxLifeNs = num(params, 'max_life') * 1e9;
    this.rowActions = context.state.granularity === 'L3' ? 0 : actionMask(Action.Trade);
  }

  orderEnded(order: TrackedOrder): void {
    if (!(order.endedNs - order.addedNs <= this.maxLifeNs) || !(order.size <= this.maxSize * order.typicalSize)) return;
    this.ping(order.side, order.price, order.size, order.id, order.endedNs, order.end === 'filled', order.typicalSize, false);
  }

  row(batch: EventBatch, i: number): void {
    if (batch.action[i] !== Action.Trade || this.context.state.granularity === 'L3') return;
    const state = this.context.state;
    const size = batch.size[i]!;
    const sign = this.signer.sign(batch.price[i]!, batch.side[i]!, state.prevBidPrice, state.prevAskPrice);
    const isTiny = size <= this.maxSize * this.typical;
    this.typical = Number.isNaN(this.typical) ? size : this.typical + (2 / 201) * (size - this.typical);
    if (!isTiny || sign === 0) return;
    this.ping(sign, batch.price[i]!, size, 0, state.ts, true, this.typical, true);
  }

  private ping(side: number, price: number, size: number, id: number, ts: number, filled: boolean, typical: number, trade: boolean): void {
    const list = this.tiny[(side > 0 ? 0 : 1) + (trade ? 2 : 0)]!;
    // Prints of one venue time are one sweeping order, not separate pings.
    if (trade && list.length > 0 && list[list.length - 1]!.ts === ts) return;
    list.push({ ts, price, size, id, filled });
    while (list.length > 0 && list[0]!.ts < ts - this.windowNs) list.shift();
    if (list.length < this.minCount) return;
    const levels = new Set(list.map((ping) => ping.price)).size;
    const state = this.context.state;
    // Small trades are common: pings seen only as trades (L2) must walk, half of them at a new price. Tiny
    // orders that came and went (L3, or inferred from a level's change on L2) are judged as on L3.
    const walk = trade ? Math.max(this.minLevels, list.length / 2) : this.minLevels;
    if (levels < walk) return;
    const prices = list.map((ping) => ping.price);
    const volume = list.reduce((sum, ping) => sum + ping.size, 0);
    const filledCount = list.filter((ping) => ping.filled).length;
    this.context.emit({
      kind: 'pinging',
      instrument: state.index,
      startNs: list[0]!.ts,
      endNs: ts,
      side,
      price: list[list.length - 1]!.price,
      orderIds: list.map((ping) => ping.id).filter((pingId) => pingId !== 0),
      score: Math.round(50 + 30 * unit((list.length - this.minCount) / this.minCount) + 20 * unit((levels - this.minLevels + 1) / this.minLevels)),
      explanation: !trade
        ? `${list.length} tiny ${sideName(side)} orders${state.granularity === 'L3' ? '' : ' inferred from level changes'} (${sizeText(volume, state)} in all, typical order ${sizeText(typical, state)}) each gone within ${secondsText(this.maxLifeNs)}, ${filledCount} of them filled, in ${secondsText(ts - list[0]!.ts)}, walking ${levels} prices ${priceText(Math.min(...prices), state)}–${priceText(Math.max(...prices), state)}`
        : `${list.length} tiny ${side > 0 ? 'buy' : 'sell'} trades (${sizeText(volume, state)} in all, typical trade ${sizeText(typical, state)}) in ${secondsText(ts - list[0]!.ts)}, walking ${levels} prices ${priceText(Math.min(...prices), state)}–${priceText(Math.max(...prices), state)}`,
    });
    list.length = 0;
  }
}

export const pinging: DetectorDefinition = {
  name: 'pinging',
  doc: 'many tiny orders walking the levels, each gone at once unless it executes; little volume',
  l2: 'on L2 reads tiny orders inferred from level changes (seen where the venue publishes every change; a conflated stream hides orders that live less than its interval) and, apart from them, the pings that execute: tiny trades by aggressor side that walk the levels',
  params: [
    { name: 'max_size', default: 0.2, doc: 'largest ping as a share of the typical order (L3) or trade (L2)' },
    { name: 'max_life', default: 0.01, doc: 'longest life of a ping, seconds (L3)' },
    { name: 'min_count', default: 10, doc: 'pings in an episode' },
    { name: 'min_levels', default: 2, doc: 'distinct prices hit' },
    { name: 'window', default: 2, doc: 'seconds' },
  ],
  create: (params, context) => new Pinging(params, context),
};
