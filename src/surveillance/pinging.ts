import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { num } from '../features/feature.js';
import { TradeSigner } from '../features/signing.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { priceText, secondsText, sideName, sizeText, unit } from './detector.js';

/**
 * Pinging (REFERENCES.md): many tiny marketable orders walking the levels to find hidden or resting
 * liquidity, with little volume each.
 *
 * Rule: a trade is tiny when its size is at most `max_size` × the typical trade size (exponential
 * average, span 200 trades). At least `min_count` tiny trades on one side (aggressor, else tick rule)
 * within `window` seconds, at `min_levels` or more distinct prices, make an episode (each trade in one
 * episode at most). Score: 50 + up to 30 for the count (twice the minimum = full) + up to 20 for the
 * levels walked.
 */
class Pinging implements Detector {
  private readonly signer = new TradeSigner('aggressor');
  private typical = NaN;
  private readonly tiny: { ts: number; price: number; size: number; id: number }[][] = [[], []];
  private readonly windowNs: number;
  private readonly maxSize: number;
  private readonly minCount: number;
  private readonly minLevels: number;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.windowNs = num(params, 'window') * 1e9;
    this.maxSize = num(params, 'max_size');
    this.minCount = num(params, 'min_count');
    this.minLevels = num(params, 'min_levels');
  }

  row(batch: EventBatch, i: number): void {
    if (batch.action[i] !== Action.Trade) return;
    const state = this.context.state;
    const size = batch.size[i]!;
    const sign = this.signer.sign(batch.price[i]!, batch.side[i]!, state.prevBidPrice, state.prevAskPrice);
    const isTiny = size <= this.maxSize * this.typical;
    this.typical = Number.isNaN(this.typical) ? size : this.typical + (2 / 201) * (size - this.typical);
    if (!isTiny || sign === 0) return;
    const list = this.tiny[sign > 0 ? 0 : 1]!;
    list.push({ ts: state.ts, price: batch.price[i]!, size, id: batch.orderId[i]! });
    while (list.length > 0 && list[0]!.ts < state.ts - this.windowNs) list.shift();
    const levels = new Set(list.map((trade) => trade.price)).size;
    if (list.length < this.minCount || levels < this.minLevels) return;
    const prices = list.map((trade) => trade.price);
    const volume = list.reduce((sum, trade) => sum + trade.size, 0);
    this.context.emit({
      kind: 'pinging',
      instrument: state.index,
      startNs: list[0]!.ts,
      endNs: state.ts,
      side: sign,
      price: list[list.length - 1]!.price,
      orderIds: list.map((trade) => trade.id).filter((id) => id !== 0),
      score: Math.round(50 + 30 * unit((list.length - this.minCount) / this.minCount) + 20 * unit((levels - this.minLevels + 1) / this.minLevels)),
      explanation:
        `${list.length} tiny ${sideName(sign) === 'bid' ? 'buy' : 'sell'} trades (${sizeText(volume, state)} in all, typical trade ${sizeText(this.typical, state)}) in ${secondsText(state.ts - list[0]!.ts)}, ` +
        `walking ${levels} prices ${priceText(Math.min(...prices), state)}–${priceText(Math.max(...prices), state)}`,
    });
    list.length = 0;
  }
}

export const pinging: DetectorDefinition = {
  name: 'pinging',
  doc: 'many tiny marketable orders walking the levels in a short time, little volume',
  l2: 'works on L2 (trades only)',
  params: [
    { name: 'max_size', default: 0.2, doc: 'largest tiny trade as a share of the typical trade' },
    { name: 'min_count', default: 5, doc: 'tiny trades in an episode' },
    { name: 'min_levels', default: 2, doc: 'distinct prices hit' },
    { name: 'window', default: 2, doc: 'seconds' },
  ],
  create: (params, context) => new Pinging(params, context),
};
