import { Agent, type Market } from '../market.js';
import type { Random } from '../random.js';

export const MOMENTUM_DEFAULTS = {
  /** Time constant of the moving average the mid is compared with, in seconds. */
  lookbackSeconds: 10,
  /** The trader buys (sells) when the mid is this many ticks above (below) its average. */
  thresholdTicks: 3,
  /** Mean time between looks at the market (exponential), in seconds. */
  wakeSeconds: 0.5,
  /** Probability of acting on a signal at a look, and the market order size. */
  probability: 0.5,
  size: 100,
  /** Position limit in shares (0: none). */
  maxPosition: 3000,
};
export type MomentumParams = typeof MOMENTUM_DEFAULTS;

/** A trend follower: buys with market orders when the mid runs above its exponential moving average, sells below. */
export class MomentumTrader extends Agent {
  private average = NaN;
  private lastNs = 0;
  position = 0;

  constructor(
    name: string,
    owner: string,
    random: Random,
    private readonly p: MomentumParams,
    private readonly startNs: number,
  ) {
    super(name, 'momentum', owner, random);
  }

  start(market: Market): void {
    market.wakeAt(this, this.startNs + this.random.exponential(this.p.wakeSeconds) * 1e9);
  }

  wake(market: Market): void {
    const p = this.p;
    const mid = market.mid();
    if (Number.isNaN(this.average)) this.average = mid;
    else this.average += (mid - this.average) * (1 - Math.exp(-(market.now - this.lastNs) / (p.lookbackSeconds * 1e9)));
    this.lastNs = market.now;
    const signal = (mid - this.average) / market.tick;
    if (Math.abs(signal) >= p.thresholdTicks && this.random.uniform() < p.probability) {
      const side = signal > 0 ? 1 : -1;
      if (p.maxPosition === 0 || Math.abs(this.position + side * p.size) <= p.maxPosition) market.market(this.id, side, p.size);
    }
    market.wakeIn(this, this.random.exponential(p.wakeSeconds));
  }

  override onFill(_market: Market, _orderId: number, side: number, _price: number, size: number): void {
    this.position += side * size;
  }
}
