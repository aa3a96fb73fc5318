import type { Market } from '../market.js';
import type { Random } from '../random.js';
import { Manipulator } from './manipulator.js';

export const QUOTE_STUFFER_DEFAULTS = {
  everySeconds: 180,
  /** Orders in one burst, sent evenly over burstSeconds. */
  orders: 300,
  burstSeconds: 0.15,
  /** Each order rests this many ticks or more behind its side's best (up to minDistanceTicks + rangeTicks − 1). */
  minDistanceTicks: 5,
  rangeTicks: 10,
  /** Each order is cancelled this many microseconds after it was placed. */
  lifetimeMicros: 100,
  size: 100,
};
export type QuoteStufferParams = typeof QUOTE_STUFFER_DEFAULTS;

/**
 * A quote stuffer: bursts of orders far from the touch, each cancelled microseconds later — a message
 * rate far above the market's, with no intent (and almost no chance) to trade.
 */
export class QuoteStuffer extends Manipulator {
  private ids: number[] = [];
  private sent = 0;
  private startNs = 0;
  private lastCancelNs = 0;
  private live = 0;
  private fills = 0;

  constructor(name: string, owner: string, random: Random, private readonly p: QuoteStufferParams) {
    super(name, 'quote_stuffer', owner, random, p.everySeconds);
  }

  protected begin(market: Market): void {
    this.ids = [];
    this.sent = 0;
    this.live = 0;
    this.fills = 0;
    this.startNs = market.now;
    this.step(market);
  }

  protected step(market: Market): void {
    const p = this.p;
    if (this.sent < p.orders) {
      const side = this.random.uniform() < 0.5 ? 1 : -1;
      const price = market.reference(side) - side * (p.minDistanceTicks + this.random.int(p.rangeTicks)) * market.tick;
      const id = market.limit(this.id, side, price, p.size);
      this.ids.push(id);
      this.sent++;
      if (market.resting(id) > 0) {
        this.live++;
        market.timerIn(this, p.lifetimeMicros / 1e6, id);
      }
      if (this.sent < p.orders) return market.wakeIn(this, p.burstSeconds / p.orders);
    }
    if (this.live > 0) return market.wakeIn(this, (2 * p.lifetimeMicros) / 1e6);
    const seconds = (this.lastCancelNs - this.startNs) / 1e9;
    const rate = this.ids.length / Math.max(seconds, 1e-9);
    market.record(
      'quote_stuffing',
      this,
      this.startNs,
      Math.max(this.lastCancelNs, this.startNs),
      0,
      NaN,
      this.ids,
      `${this.ids.length} orders of ${p.size}, ${p.minDistanceTicks}–${p.minDistanceTicks + p.rangeTicks - 1} ticks behind the touch, each cancelled after ${p.lifetimeMicros} µs: ${2 * this.ids.length} messages in ${(seconds * 1e3).toFixed(1)} ms (${Math.round(2 * rate).toLocaleString('en-US')} per second), ${this.fills} fills`,
    );
    this.labelled++;
    this.finish(market);
  }

  override onTimer(market: Market, orderId: number): void {
    if (market.cancel(orderId)) this.lastCancelNs = market.now;
    this.live--;
    if (this.live === 0 && this.sent >= this.p.orders) market.wakeIn(this, 1e-6);
  }

  override onFill(_market: Market, _orderId: number, _side: number, _price: number, _size: number): void {
    this.fills++;
  }
}
