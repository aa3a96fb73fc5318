import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { priceText, secondsText, sideName, sizeText, unit } from './detector.js';

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
  private readonly runs = [this.fresh(), this.fresh()];
  private readonly multiple: number;
  private readonly minTrades: number;
  private readonly minDurationNs: number;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.multiple = num(params, 'multiple');
    this.minTrades = num(params, 'min_trades');
    this.minDurationNs = num(params, 'min_duration') * 1e9;
  }

  private fresh() {
    return { price: NaN, start: NaN, last: NaN, volume: 0, trades: 0, displayedSum: 0, updates: 0 };
  }

  // Hot: every trade and every update pass here; no allocation.
  row(batch: EventBatch, i: number): void {
    if (batch.action[i] !== Action.Trade) return;
    const state = this.context.state;
    this.absorb(0, state.prevBidPrice, batch.price[i]!, batch.size[i]!, state.ts);
    this.absorb(1, state.prevAskPrice, batch.price[i]!, batch.size[i]!, state.ts);
  }

  update(): void {
    const book = this.context.state.book;
    this.hold(0, book.bestBidPrice(), book.bestBidSize());
    this.hold(1, book.bestAskPrice(), book.bestAskSize());
  }

  /** A trade at `price` into side `slot` whose best was `best` before the update. */
  private absorb(slot: number, best: number, price: number, size: number, ts: number): void {
    const run = this.runs[slot]!;
    if (price !== best || run.price !== best) return;
    run.volume += size;
    run.trades++;
    run.last = ts;
  }

  /** The side's best after an update: the run goes on while its price holds. */
  private hold(slot: number, price: number, size: number): void {
    const run = this.runs[slot]!;
    if (price !== run.price) {
      this.close(slot, false);
      // Reset in place: the best price changes on a large share of updates.
      run.price = price;
      run.start = this.context.state.ts;
      run.last = NaN;
      run.volume = 0;
      run.trades = 0;
      run.displayedSum = 0;
      run.updates = 0;
    }
    run.displayedSum += size;
    run.updates++;
  }

  finish(): void {
    this.close(0, true);
    this.close(1, true);
  }

  private close(slot: number, standing: boolean): void {
    const run = this.runs[slot]!;
    if (run.trades < this.minTrades || !(run.last - run.start >= this.minDurationNs)) return;
    const displayed = run.displayedSum / run.updates;
    const ratio = run.volume / displayed;
    if (!(ratio >= this.multiple)) return;
    const state = this.context.state;
    const side = slot === 0 ? 1 : -1;
    this.context.emit({
      kind: 'absorption',
      instrument: state.index,
      startNs: run.start,
      endNs: run.last,
      side,
      price: run.price,
      orderIds: [],
      score: Math.round(50 + 40 * unit((ratio - this.multiple) / this.multiple) + (standing ? 10 : 0)),
      explanation: `${run.trades} aggressive trades (${sizeText(run.volume, state)}) into the best ${sideName(side)} at ${priceText(run.price, state)} over ${secondsText(run.last - run.start)}, ${ratio.toFixed(1)}× its average displayed size ${sizeText(displayed, state)}, and the level ${standing ? 'still stands' : 'held until then'}`,
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
