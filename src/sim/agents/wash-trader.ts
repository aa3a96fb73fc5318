import type { Market } from '../market.js';
import type { Random } from '../random.js';
import { Manipulator } from './manipulator.js';

export const WASH_TRADER_DEFAULTS = {
  everySeconds: 120,
  /** Trades per episode, alternating which account sells, gapSeconds apart. */
  trades: 6,
  gapSeconds: 0.5,
  /** Size of every trade (a round number). */
  size: 1000,
  /** A trade needs a spread of two ticks or more (a price strictly inside it); otherwise it retries. */
  retrySeconds: 0.1,
  /** An episode gives up waiting for such a spread after this long. */
  maxWaitSeconds: 10,
};
export type WashTraderParams = typeof WASH_TRADER_DEFAULTS;

/**
 * A wash trader: one owner with two accounts trading the same round size back and forth with each
 * other at a price strictly inside the spread — one account's order rests there, the other's takes it
 * within the same nanosecond — so the trades print while the book is left exactly as it was.
 */
export class WashTrader extends Manipulator {
  /** The second account (the first is the agent's own identity). */
  private other = -1;
  private done = 0;
  private ids: number[] = [];
  private prices: number[] = [];
  private startNs = 0;
  private waitingSince = 0;
  private lastTradeNs = 0;

  constructor(name: string, owner: string, random: Random, private readonly p: WashTraderParams, private readonly secondAccount: string) {
    super(name, 'wash_trader', owner, random, p.everySeconds);
  }

  override start(market: Market): void {
    this.other = market.account(this, this.secondAccount);
    super.start(market);
  }

  protected override ready(market: Market): boolean {
    return market.spreadTicks() >= 2;
  }

  protected begin(market: Market): void {
    this.done = 0;
    this.ids = [];
    this.prices = [];
    this.startNs = market.now;
    this.waitingSince = market.now;
    this.step(market);
  }

  protected step(market: Market): void {
    const p = this.p;
    const spread = market.spreadTicks();
    if (!(spread >= 2)) {
      if (market.now - this.waitingSince > p.maxWaitSeconds * 1e9) return this.end(market);
      return market.wakeIn(this, p.retrySeconds);
    }
    const price = market.bestBid() + Math.floor(spread / 2) * market.tick;
    // Trade k: account A sells to B when k is even, B sells to A when odd; the seller's order rests first.
    const seller = this.done % 2 === 0 ? this.id : this.other;
    const buyer = seller === this.id ? this.other : this.id;
    this.ids.push(market.limit(seller, -1, price, p.size));
    this.ids.push(market.limit(buyer, 1, price, p.size));
    this.prices.push(price);
    this.lastTradeNs = market.now;
    this.done++;
    this.waitingSince = market.now;
    if (this.done >= p.trades) return this.end(market);
    market.wakeIn(this, p.gapSeconds);
  }

  private end(market: Market): void {
    if (this.done >= 2) {
      const texts = [...new Set(this.prices.map((price) => market.priceText(price)))];
      market.record(
        'wash_trading',
        this,
        this.startNs,
        this.lastTradeNs,
        0,
        this.prices[0]!,
        this.ids,
        `${this.done} trades of ${this.p.size} between two accounts of one owner, alternating seller, at ${texts.join(', ')}, inside the spread: each order rested and was taken in the same nanosecond, the book unchanged`,
      );
      this.labelled++;
    } else this.giveUp('the spread did not leave room for two trades');
    this.finish(market);
  }
}
