import type { Market } from '../market.js';
import type { Random } from '../random.js';
import { Manipulator } from './manipulator.js';
import { pickSide } from './params.js';

export const PINGER_DEFAULTS = {
  everySeconds: 60,
  side: 'random',
  /** Orders per episode, gapSeconds apart, each of `size`. */
  pings: 30,
  gapSeconds: 0.002,
  size: 1,
  /** An order that does not execute at once is cancelled after this many microseconds. */
  lifetimeMicros: 300,
  /** Episodes start only when the spread is at least this many ticks (room to walk). */
  minSpreadTicks: 3,
};
export type PingerParams = typeof PINGER_DEFAULTS;

/**
 * A pinger: tiny orders walking the price levels from one tick inside its side's best to the opposite
 * best, one level further each time (then again from the start), each cancelled microseconds later
 * unless it executed — searching for hidden liquidity; only the ones that reach the opposite touch fill.
 * While the spread is narrower than minSpreadTicks it waits instead of pinging.
 */
export class Pinger extends Manipulator {
  private side = 1;
  private level = 1;
  /** The side's best when the walk (re)started: pings go one tick further from it each time. */
  private anchor = 0;
  private sent = 0;
  private waits = 0;
  private fills = 0;
  private ids: number[] = [];
  private low = Infinity;
  private high = -Infinity;
  private startNs = 0;
  private lastNs = 0;

  constructor(name: string, owner: string, random: Random, private readonly p: PingerParams) {
    super(name, 'pinger', owner, random, p.everySeconds);
  }

  protected override ready(market: Market): boolean {
    return market.spreadTicks() >= this.p.minSpreadTicks;
  }

  protected begin(market: Market): void {
    this.side = pickSide(this.p.side, this.random.uniform());
    this.level = 1;
    this.anchor = market.reference(this.side);
    this.sent = 0;
    this.waits = 0;
    this.fills = 0;
    this.ids = [];
    this.low = Infinity;
    this.high = -Infinity;
    this.startNs = market.now;
    this.step(market);
  }

  protected step(market: Market): void {
    const p = this.p;
    if (this.sent >= p.pings || this.waits > p.pings) return this.end(market);
    if (!(market.spreadTicks() >= p.minSpreadTicks)) {
      // No room to walk in: wait for the spread to open again.
      this.waits++;
      return market.wakeIn(this, p.gapSeconds);
    }
    const side = this.side;
    const opposite = market.best(-side);
    let price = this.anchor + side * this.level * market.tick;
    if (!Number.isNaN(opposite) && (price - opposite) * side > 0) {
      // Past the opposite best: the walk starts again from the side's best as it is now.
      this.level = 1;
      this.anchor = market.reference(side);
      price = this.anchor + side * market.tick;
    }
    const id = market.limit(this.id, side, price, p.size);
    this.ids.push(id);
    this.low = Math.min(this.low, price);
    this.high = Math.max(this.high, price);
    if (market.resting(id) > 0) market.timerIn(this, p.lifetimeMicros / 1e6, id);
    this.lastNs = market.now;
    this.sent++;
    this.level++;
    market.wakeIn(this, p.gapSeconds);
  }

  override onTimer(market: Market, orderId: number): void {
    if (market.cancel(orderId)) this.lastNs = Math.max(this.lastNs, market.now);
  }

  override onFill(_market: Market, _orderId: number, _side: number, _price: number, _size: number, _remaining: number, aggressor: boolean): void {
    if (this.active && aggressor) this.fills++;
  }

  private end(market: Market): void {
    const p = this.p;
    if (this.sent < 2) {
      this.giveUp('the spread stayed too narrow to walk');
      return this.finish(market);
    }
    market.record(
      'pinging',
      this,
      this.startNs,
      this.lastNs,
      this.side,
      NaN,
      this.ids,
      `${this.sent} ${this.side === 1 ? 'buy' : 'sell'} orders of ${p.size} walking prices ${market.priceText(this.low)}–${market.priceText(this.high)} one tick at a time every ${(p.gapSeconds * 1e3).toFixed(1)} ms while the spread left room, each cancelled after ${p.lifetimeMicros} µs unless executed: ${this.fills} executed (${((100 * this.fills) / Math.max(1, this.sent)).toFixed(0)}%)`,
    );
    this.labelled++;
    this.finish(market);
  }
}
