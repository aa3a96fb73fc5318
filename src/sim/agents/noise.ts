import { HawkesClock } from '../hawkes.js';
import { Agent, type Market } from '../market.js';
import { powerLawTable, type Random } from '../random.js';
import { OrderSet } from './order-set.js';

export const NOISE_DEFAULTS = {
  /** Hawkes base rate μ (events per second), branching ratio α/β and kernel decay 1/β (seconds). */
  baseRate: 2,
  branching: 0.7,
  decaySeconds: 20,
  /** Share of events that are market orders; the rest are limit orders. */
  marketShare: 0.12,
  /** Share of limit orders that improve on their side's best by one tick when the spread allows. */
  improveShare: 0.2,
  /** Limit orders rest k−1 ticks behind their side's best, P(k) ∝ k^−placementAlpha, k ≤ maxTicks. */
  placementAlpha: 1.4,
  maxTicks: 40,
  /** Market orders buy with probability ½ + ½·imbalanceSensitivity·QI (QI: queue imbalance at the touch). */
  imbalanceSensitivity: 0.4,
  /** Limit order sizes: log-normal (median, log-sd); a share of them are rounded to whole lots of 100. */
  sizeMedian: 80,
  sizeSigma: 0.9,
  roundLotShare: 0.5,
  /** Market order sizes: Pareto with minimum marketSizeMin and tail index marketTailAlpha, capped. */
  marketSizeMin: 40,
  marketTailAlpha: 1.7,
  marketSizeMax: 3000,
  /** Each limit order is cancelled after a log-normal lifetime (median seconds, log-sd) unless filled first. */
  lifetimeMedianSeconds: 4,
  lifetimeSigma: 1.8,
  /** Share of limit orders that are fleeting instead: cancelled after an exponential lifetime with mean fleetingMillis. */
  fleetingShare: 0,
  fleetingMillis: 2,
};
export type NoiseParams = typeof NOISE_DEFAULTS;

/**
 * A noise trader: order arrivals follow a Hawkes process (clustered in time), each arrival a market
 * order (side leaning toward the heavier side of the touch) or a limit order placed a power-law number
 * of ticks behind its side's best (Bouchaud, Mézard & Potters 2002 found such placement), living a
 * log-normal lifetime before it is cancelled — or, for a share of them, a fleeting one of milliseconds
 * (Hasbrouck & Saar 2009, "Technology and liquidity provision: the blurring of traditional definitions").
 */
export class NoiseTrader extends Agent {
  private readonly clock: HawkesClock;
  private readonly placement: Float64Array;
  private readonly orders = new OrderSet();
  private t = 0;

  constructor(
    name: string,
    owner: string,
    random: Random,
    private readonly p: NoiseParams,
    private readonly startNs: number,
  ) {
    super(name, 'noise', owner, random);
    this.clock = new HawkesClock(p.baseRate, p.branching, p.decaySeconds);
    this.placement = powerLawTable(p.maxTicks, p.placementAlpha);
  }

  start(market: Market): void {
    this.t = this.clock.next(0, this.random);
    market.wakeAt(this, this.startNs + this.t * 1e9);
  }

  wake(market: Market): void {
    this.act(market);
    this.t = this.clock.next(this.t, this.random);
    market.wakeAt(this, this.startNs + this.t * 1e9);
  }

  private act(market: Market): void {
    const random = this.random;
    const p = this.p;
    if (random.uniform() < p.marketShare) {
      const buy = random.uniform() < 0.5 + 0.5 * p.imbalanceSensitivity * market.imbalance();
      const size = Math.min(p.marketSizeMax, Math.round(random.pareto(p.marketSizeMin, p.marketTailAlpha)));
      market.market(this.id, buy ? 1 : -1, size);
      return;
    }
    const side = random.uniform() < 0.5 ? 1 : -1;
    const tick = market.tick;
    const own = market.best(side);
    const opposite = market.best(-side);
    let price: number;
    if (Number.isNaN(own)) price = market.reference(side);
    else if (!Number.isNaN(opposite) && (opposite - own) * side > tick && random.uniform() < p.improveShare) price = own + side * tick;
    else price = own - side * (random.powerLawInt(this.placement) - 1) * tick;
    let size = Math.max(1, Math.round(random.logNormal(p.sizeMedian, p.sizeSigma)));
    if (random.uniform() < p.roundLotShare) size = Math.max(100, Math.round(size / 100) * 100);
    const id = market.limit(this.id, side, price, size);
    if (market.resting(id) > 0) {
      this.orders.add(id);
      const lifetime = random.uniform() < p.fleetingShare ? random.exponential(p.fleetingMillis / 1e3) : random.logNormal(p.lifetimeMedianSeconds, p.lifetimeSigma);
      market.timerIn(this, lifetime, id);
    }
  }

  override onTimer(market: Market, orderId: number): void {
    if (this.orders.remove(orderId)) market.cancel(orderId);
  }

  override onFill(_market: Market, orderId: number, _side: number, _price: number, _size: number, remaining: number): void {
    if (remaining === 0) this.orders.remove(orderId);
  }
}
