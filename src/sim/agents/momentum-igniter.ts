import type { Market } from '../market.js';
import type { Random } from '../random.js';
import { Manipulator } from './manipulator.js';
import { pickSide } from './params.js';

export const MOMENTUM_IGNITER_DEFAULTS = {
  everySeconds: 300,
  side: 'random',
  /** The mid is sampled every sampleSeconds; σ is the standard deviation of its sigmaHorizonSeconds changes over the last sigmaWindowSeconds. */
  sampleSeconds: 1,
  sigmaHorizonSeconds: 10,
  sigmaWindowSeconds: 300,
  /** The burst goes on until the mid has moved k·σ (at least minMoveTicks) or maxOrders were sent. */
  k: 3,
  minMoveTicks: 4,
  orderSize: 300,
  maxOrders: 30,
  gapSeconds: 0.02,
  /** The position is then offered passively at the touch, re-placed as the touch moves, for at most unwindSeconds. */
  unwindSeconds: 30,
  checkSeconds: 0.25,
};
export type MomentumIgniterParams = typeof MOMENTUM_IGNITER_DEFAULTS;

/**
 * A momentum igniter: a burst of same-side market orders that moves the price k·σ, hoping trend
 * followers join, then the position is unwound passively on the other side as the price comes back.
 * The episode runs from the first aggressive order to the last unwinding fill (or the end of the wait).
 */
export class MomentumIgniter extends Manipulator {
  private readonly mids: number[] = [];
  private phase: 'burst' | 'unwind' = 'burst';
  private side = 1;
  private ids: number[] = [];
  private startNs = 0;
  private startMid = 0;
  private firstPrice = NaN;
  /** Time of the first aggressive execution: the episode starts there (an order that met nothing is not in the stream). */
  private firstFillNs = 0;
  private peakMove = 0;
  private target = 0;
  private sigma = 0;
  private sent = 0;
  private position = 0;
  private bought = 0;
  private burstEndNs = 0;
  private unwindId = 0;
  private unwound = 0;
  private lastFillNs = 0;

  constructor(name: string, owner: string, random: Random, private readonly p: MomentumIgniterParams) {
    super(name, 'momentum_igniter', owner, random, p.everySeconds);
  }

  override start(market: Market): void {
    super.start(market);
    market.timerIn(this, this.p.sampleSeconds, 1);
  }

  /** The sampling clock runs on a timer, independent of the episodes. */
  override onTimer(market: Market): void {
    this.mids.push(market.mid());
    const keep = Math.ceil(this.p.sigmaWindowSeconds / this.p.sampleSeconds) + 1;
    if (this.mids.length > keep) this.mids.splice(0, this.mids.length - keep);
    if (!this.plannedOnly || this.planned.length > 0 || this.active) market.timerIn(this, this.p.sampleSeconds, 1);
  }

  protected override ready(market: Market): boolean {
    const lag = Math.round(this.p.sigmaHorizonSeconds / this.p.sampleSeconds);
    return super.ready(market) && this.mids.length > lag + 10;
  }

  protected begin(market: Market): void {
    const p = this.p;
    const lag = Math.round(p.sigmaHorizonSeconds / p.sampleSeconds);
    let sum = 0;
    let squares = 0;
    let n = 0;
    for (let k = lag; k < this.mids.length; k++) {
      const change = (this.mids[k]! - this.mids[k - lag]!) / market.tick;
      sum += change;
      squares += change * change;
      n++;
    }
    const mean = sum / n;
    this.sigma = Math.sqrt(Math.max(0, squares / n - mean * mean));
    this.target = Math.max(p.minMoveTicks, p.k * this.sigma);
    this.side = pickSide(p.side, this.random.uniform());
    this.ids = [];
    this.phase = 'burst';
    this.startNs = market.now;
    this.startMid = market.mid();
    this.firstPrice = NaN;
    this.peakMove = 0;
    this.sent = 0;
    this.position = 0;
    this.bought = 0;
    this.unwindId = 0;
    this.unwound = 0;
    this.lastFillNs = market.now;
    this.step(market);
  }

  protected step(market: Market): void {
    const p = this.p;
    const side = this.side;
    const moved = (side * (market.mid() - this.startMid)) / market.tick;
    this.peakMove = Math.max(this.peakMove, moved);
    if (this.phase === 'burst') {
      if (moved < this.target && this.sent < p.maxOrders) {
        this.ids.push(market.market(this.id, side, p.orderSize));
        this.sent++;
        return market.wakeIn(this, p.gapSeconds);
      }
      this.phase = 'unwind';
      this.burstEndNs = market.now;
      if (this.position === 0) return this.end(market, moved);
    }
    // Unwind: keep the position offered at the other side's touch.
    if (this.position === 0 || market.now - this.burstEndNs >= p.unwindSeconds * 1e9) return this.end(market, moved);
    const touch = market.best(-side);
    const price = Number.isNaN(touch) ? market.reference(-side) : touch;
    const size = Math.abs(this.position);
    if (market.resting(this.unwindId) > 0) market.modify(this.unwindId, price, size);
    else {
      this.unwindId = market.limit(this.id, -side, price, size);
      this.ids.push(this.unwindId);
    }
    market.wakeIn(this, p.checkSeconds);
  }

  private end(market: Market, moved: number): void {
    if (this.unwindId > 0) market.cancel(this.unwindId);
    const endNs = Math.max(this.lastFillNs, this.burstEndNs);
    const verb = this.side === 1 ? 'buys' : 'sells';
    const explanation =
      `${this.sent} market ${verb} of ${this.p.orderSize} in ${((this.burstEndNs - this.startNs) / 1e6).toFixed(0)} ms executed ${this.bought} and moved the mid ${this.peakMove.toFixed(1)} ticks ` +
      `(target ${this.target.toFixed(1)} = max(${this.p.minMoveTicks}, ${this.p.k}σ), σ of ${this.p.sigmaHorizonSeconds}-s mid changes ${this.sigma.toFixed(2)} ticks); ` +
      `${this.unwound} unwound passively by ${((endNs - this.startNs) / 1e9).toFixed(2)} s, the mid then ${moved.toFixed(1)} ticks from the start (${(this.peakMove - moved).toFixed(1)} ticks of reversal)`;
    if (this.bought > 0) {
      market.record('momentum_ignition', this, this.firstFillNs, endNs, this.side, this.firstPrice, this.ids, explanation);
      this.labelled++;
    } else this.giveUp('the burst found nothing to execute');
    this.finish(market);
  }

  override onFill(market: Market, orderId: number, side: number, price: number, size: number, _remaining: number, aggressor: boolean): void {
    if (!this.active) return;
    this.position += side * size;
    if (aggressor && side === this.side) {
      this.bought += size;
      if (Number.isNaN(this.firstPrice)) {
        this.firstPrice = price;
        this.firstFillNs = market.now;
      }
    } else if (orderId === this.unwindId) {
      this.unwound += size;
      this.lastFillNs = market.now;
    }
  }
}
