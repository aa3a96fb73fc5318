import type { Market } from '../market.js';
import type { Random } from '../random.js';
import { Manipulator } from './manipulator.js';
import { pickSide } from './params.js';

export const ICEBERG_DEFAULTS = {
  everySeconds: 300,
  side: 'random',
  /** Total size of the order and the size it shows at a time. */
  totalSize: 10000,
  displaySize: 200,
  /** Ticks the order improves on its side's best, when the spread leaves room (0: it joins the touch). */
  improveTicks: 0,
  /** The order is withdrawn after maxLifeSeconds, or when the touch has moved abandonTicks away from it. */
  maxLifeSeconds: 120,
  abandonTicks: 8,
  checkSeconds: 1,
};
export type IcebergParams = typeof ICEBERG_DEFAULTS;

/**
 * An iceberg user: one large order at its side's touch showing only `displaySize`; each time the display
 * is executed in full the engine shows a new one at once from the reserve (an Add of the same id flagged
 * AfterFill), so more executes at that price than was ever displayed. Labelled when it did.
 */
export class IcebergUser extends Manipulator {
  private orderId = 0;
  private price = 0;
  private side = 1;
  private startNs = 0;
  private executed = 0;
  private refills = 0;
  private shown = 0;
  private lastFillNs = 0;

  constructor(name: string, owner: string, random: Random, private readonly p: IcebergParams) {
    super(name, 'iceberg', owner, random, p.everySeconds);
  }

  protected begin(market: Market): void {
    this.side = pickSide(this.p.side, this.random.uniform());
    const touch = market.reference(this.side);
    const improved = touch + this.side * this.p.improveTicks * market.tick;
    const opposite = market.best(-this.side);
    this.price = Number.isNaN(opposite) || (opposite - improved) * this.side > 0 ? improved : touch;
    this.startNs = market.now;
    this.executed = 0;
    this.refills = 0;
    this.shown = this.p.displaySize;
    this.lastFillNs = market.now;
    this.orderId = market.limit(this.id, this.side, this.price, this.p.totalSize, this.p.displaySize);
    this.step(market);
  }

  protected step(market: Market): void {
    const p = this.p;
    const resting = market.resting(this.orderId);
    const touch = market.best(this.side);
    const away = Number.isNaN(touch) ? 0 : ((touch - this.price) * this.side) / market.tick;
    if (resting > 0 && market.now - this.startNs < p.maxLifeSeconds * 1e9 && away < p.abandonTicks) return market.wakeIn(this, p.checkSeconds);
    if (resting > 0) market.cancel(this.orderId);
    if (this.executed > p.displaySize) {
      market.record(
        'iceberg',
        this,
        this.startNs,
        Math.max(this.lastFillNs, this.startNs),
        this.side,
        this.price,
        [this.orderId],
        `${this.side === 1 ? 'bid' : 'ask'} at ${market.priceText(this.price)} showing ${p.displaySize} of ${p.totalSize}: ${this.executed} executed at that price (${(this.executed / p.displaySize).toFixed(1)}× the display), the display refilled ${this.refills} times right after being taken`,
      );
      this.labelled++;
    } else this.giveUp('never executed beyond its display');
    this.finish(market);
  }

  override onFill(market: Market, orderId: number, _side: number, _price: number, size: number, remaining: number): void {
    if (!this.active || orderId !== this.orderId) return;
    this.executed += size;
    this.lastFillNs = market.now;
    if (size >= this.shown && remaining > 0) this.refills++;
    this.shown = remaining;
    if (remaining === 0) market.wakeIn(this, 1e-6);
  }
}
