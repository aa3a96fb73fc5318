import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { actionMask, priceText, secondsText, sideName, sizeText, unit } from './detector.js';

/**
 * Absorption (REFERENCES.md; order-flow trading practice): heavy aggressive volume into a level that does
 * not give way.
 *
 * Rule: while a side's best price stays the same, the aggressive volume traded into it (trades at that
 * price against that side) is summed, with the average displayed size there. When the best price changes
 * or the input ends, a run that absorbed at least `multiple` × the average displayed size, at least
 * `min_trades` trades, for at least `min_duration` seconds, is an episode. Score: 50 + up to 40 for the
 * multiple (twice = full) + 10 when the level still stands at the end of the input.
 */
class Absorption implements Detector {
  readonly rowActions = actionMask(Action.Trade);
  /**
   * Per side [bid, ask], the run at its best price: the price, when it became the best and the last trade
   * into it, the volume and number of those trades, and the displayed size summed over its updates.
   */
  private readonly price = new Float64Array([NaN, NaN]);
  private readonly start = new Float64Array([NaN, NaN]);
  private readonly last = new Float64Array([NaN, NaN]);
  private readonly volume = new Float64Array(2);
  private readonly trades = new Float64Array(2);
  private readonly displayedSum = new Float64Array(2);
  private readonly updates = new Float64Array(2);
  private readonly multiple: number;
  private readonly minTrades: number;
  private readonly minDurationNs: number;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.multiple = num(params, 'multiple');
    this.minTrades = num(params, 'min_trades');
    this.minDurationNs = num(params, 'min_duration') * 1e9;
  }

  // Hot: every trade and every update pass here; no allocation.
  row(batch: EventBatch, i: number): void {
    if (batch.action[i] !== Action.Trade) return;
    const state = this.context.state;
    this.absorb(0, state.prevBidPrice, batch.price[i]!, batch.size[i]!, state.ts);
    this.absorb(1, state.prevAskPrice, batch.price[i]!, batch.size[i]!, state.ts);
  }

  update(): void {
    const top = this.context.state.top;
    this.hold(0, top.bidPrice[0]!, top.bidSize[0]!);
    this.hold(1, top.askPrice[0]!, top.askSize[0]!);
  }

  /** A trade at `price` into side `slot` whose best was `best` before the update. */
  private absorb(slot: number, best: number, price: number, size: number, ts: number): void {
    if (price !== best || this.price[slot] !== best) return;
    this.volume[slot]! += size;
    this.trades[slot]!++;
    this.last[slot] = ts;
  }

  /** The side's best after an update: the run goes on while its price holds. */
  private hold(slot: number, price: number, size: number): void {
    if (price !== this.price[slot]) {
      // Most runs are too short to close as an episode: skip the call for them.
      if (!(this.trades[slot]! < this.minTrades)) this.close(slot, false);
      this.price[slot] = price;
      this.start[slot] = this.context.state.ts;
      this.last[slot] = NaN;
      this.volume[slot] = 0;
      this.trades[slot] = 0;
      this.displayedSum[slot] = 0;
      this.updates[slot] = 0;
    }
    this.displayedSum[slot]! += size;
    this.updates[slot]!++;
  }

  finish(): void {
    this.close(0, true);
    this.close(1, true);
  }

  private close(slot: number, standing: boolean): void {
    const trades = this.trades[slot]!;
    const start = this.start[slot]!;
    const last = this.last[slot]!;
    if (trades < this.minTrades || !(last - start >= this.minDurationNs)) return;
    const displayed = this.displayedSum[slot]! / this.updates[slot]!;
    const volume = this.volume[slot]!;
    const ratio = volume / displayed;
    if (!(ratio >= this.multiple)) return;
    const state = this.context.state;
    const side = slot === 0 ? 1 : -1;
    const price = this.price[slot]!;
    this.context.emit({
      kind: 'absorption',
      instrument: state.index,
      startNs: start,
      endNs: last,
      side,
      price,
      orderIds: [],
      score: Math.round(50 + 40 * unit((ratio - this.multiple) / this.multiple) + (standing ? 10 : 0)),
      explanation: `${trades} aggressive trades (${sizeText(volume, state)}) into the best ${sideName(side)} at ${priceText(price, state)} over ${secondsText(last - start)}, ${ratio.toFixed(1)}× its average displayed size ${sizeText(displayed, state)}, and the level ${standing ? 'still stands' : 'held until then'}`,
    });
  }
}

export const absorption: DetectorDefinition = {
  name: 'absorption',
  doc: 'heavy aggressive volume into a best level whose price does not move',
  l2: 'works on L2 (trades and the touch)',
  params: [
    { name: 'multiple', default: 5, doc: 'absorbed volume as a multiple of the average displayed size' },
    { name: 'min_trades', default: 10, doc: 'fewest trades into the level' },
    { name: 'min_duration', default: 5, doc: 'shortest run, seconds' },
  ],
  create: (params, context) => new Absorption(params, context),
};
