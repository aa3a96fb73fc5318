import { Agent, type Market } from '../market.js';
import type { Random } from '../random.js';
import { OrderSet } from './order-set.js';

export const INFORMED_DEFAULTS = {
  /** The trader knows the fundamental value this many seconds ahead. */
  horizonSeconds: 30,
  /** It trades when that value is more than this many ticks away from the mid. */
  thresholdTicks: 2,
  /** Mean time between decisions (exponential), in seconds. */
  wakeSeconds: 1,
  /** Order size, and the share of orders sent as market orders (the rest join the touch as limit orders). */
  size: 100,
  aggressiveShare: 0.6,
  /** Lifetime of its passive orders, in seconds. */
  passiveSeconds: 5,
  /** Position limit in shares (0: none). */
  maxPosition: 0,
};
export type InformedParams = typeof INFORMED_DEFAULTS;

/**
 * An informed trader: it knows the fundamental value `horizonSeconds` ahead (FundamentalValue) and
 * trades toward it — buying while that future value is above the mid, selling while below — with
 * market orders or passive orders at the touch. Its flow is the signal a miner should find, at that
 * horizon — when the market makers anchor on the published value (`anchor`); otherwise its own orders
 * move the price to what it knows within seconds.
 */
export class InformedTrader extends Agent {
  position = 0;
  private readonly orders = new OrderSet();

  constructor(
    name: string,
    owner: string,
    random: Random,
    private readonly p: InformedParams,
    private readonly startNs: number,
  ) {
    super(name, 'informed', owner, random);
  }

  start(market: Market): void {
    if (market.fundamental === null) throw new Error('informed traders need the scenario fundamental value');
    market.wakeAt(this, this.startNs + this.random.exponential(this.p.wakeSeconds) * 1e9);
  }

  wake(market: Market): void {
    const p = this.p;
    const target = market.fundamental!.at(market.now + p.horizonSeconds * 1e9);
    const gap = (target - market.mid()) / market.tick;
    if (Math.abs(gap) > p.thresholdTicks) {
      const side = gap > 0 ? 1 : -1;
      if (p.maxPosition === 0 || Math.abs(this.position + side * p.size) <= p.maxPosition) {
        if (this.random.uniform() < p.aggressiveShare) market.market(this.id, side, p.size);
        else {
          const id = market.limit(this.id, side, market.reference(side), p.size);
          if (market.resting(id) > 0) {
            this.orders.add(id);
            market.timerIn(this, p.passiveSeconds, id);
          }
        }
      }
    }
    market.wakeIn(this, this.random.exponential(p.wakeSeconds));
  }

  override onTimer(market: Market, orderId: number): void {
    if (this.orders.remove(orderId)) market.cancel(orderId);
  }

  override onFill(_market: Market, orderId: number, side: number, _price: number, size: number, remaining: number): void {
    this.position += side * size;
    if (remaining === 0) this.orders.remove(orderId);
  }
}
