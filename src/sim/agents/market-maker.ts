import { Agent, type Market } from '../market.js';
import type { Random } from '../random.js';

export const MARKET_MAKER_DEFAULTS = {
  /** Size of each quote. */
  quoteSize: 200,
  /** Minimum half-spread around the reservation price, in ticks. */
  halfSpreadTicks: 1,
  /** Extra half-spread per tick of recent mid volatility (EWMA of squared mid changes between re-quotes). */
  volatilityWeight: 0.5,
  /** Reservation price shift, in ticks, per quoteSize of inventory (Avellaneda–Stoikov's q·γ·σ²·(T−t), held constant). */
  skewTicks: 0.6,
  /** Beyond this inventory the maker stops quoting the side that would add to it. */
  maxInventory: 2000,
  /** Mean time between re-quotes (exponential), and the reaction delay after a fill, in seconds. */
  requoteSeconds: 0.25,
  reactSeconds: 0.002,
  /**
   * Share of the reservation price taken from the public value V(now) (the scenario's fundamental, news
   * everyone has at time now) instead of the mid. 0: the maker knows only the book.
   */
  anchor: 0,
};
export type MarketMakerParams = typeof MARKET_MAKER_DEFAULTS;

/**
 * An inventory-aware market maker in the spirit of Avellaneda & Stoikov (2008), "High-frequency trading
 * in a limit order book": it quotes one bid and one ask around a reservation price r = mid − skew·q
 * (q its inventory in quote sizes), at a half-spread that widens with recent volatility, never crossing
 * the book (post-only). Quotes move by `Modify`; the side that would grow an inventory past the limit
 * is withdrawn. With `anchor` a > 0 the centre is a·V(now) + (1 − a)·mid, V the public value: news moves
 * the quotes when it is published, and flow that is not news (noise, or information not yet public)
 * moves them only through the inventory, so its impact fades once the maker has laid it off.
 */
export class MarketMaker extends Agent {
  private bidId = 0;
  private askId = 0;
  inventory = 0;
  private variance = 1;
  private lastMid = NaN;

  constructor(
    name: string,
    owner: string,
    random: Random,
    private readonly p: MarketMakerParams,
    private readonly startNs: number,
  ) {
    super(name, 'market_maker', owner, random);
  }

  start(market: Market): void {
    if (this.p.anchor > 0 && market.fundamental === null) throw new Error('a market maker anchored on the public value needs the scenario fundamental value');
    market.wakeAt(this, this.startNs + this.random.exponential(this.p.requoteSeconds) * 1e9);
  }

  wake(market: Market): void {
    this.quote(market);
    market.wakeIn(this, this.random.exponential(this.p.requoteSeconds));
  }

  private quote(market: Market): void {
    const p = this.p;
    const tick = market.tick;
    const mid = market.mid();
    if (!Number.isNaN(this.lastMid)) {
      const change = (mid - this.lastMid) / tick;
      this.variance = 0.95 * this.variance + 0.05 * change * change;
    }
    this.lastMid = mid;
    const half = p.halfSpreadTicks + p.volatilityWeight * Math.sqrt(this.variance);
    // Unanchored makers never read the value: a scenario may have none, and their quotes are the mid's alone.
    const centre = p.anchor > 0 ? p.anchor * market.fundamental!.at(market.now) + (1 - p.anchor) * mid : mid;
    const reservation = centre / tick - (p.skewTicks * this.inventory) / p.quoteSize;
    let bid = Math.floor(reservation - half) * tick;
    let ask = Math.ceil(reservation + half) * tick;
    if (ask - bid < 2 * tick) ask = bid + 2 * tick;
    const bidSize = this.inventory >= p.maxInventory ? 0 : p.quoteSize;
    const askSize = this.inventory <= -p.maxInventory ? 0 : p.quoteSize;
    // Move the side that retreats first, so the other never meets this maker's own stale quote.
    if (bid > market.bestBid()) {
      this.askId = this.place(market, -1, this.askId, ask, askSize);
      this.bidId = this.place(market, 1, this.bidId, bid, bidSize);
    } else {
      this.bidId = this.place(market, 1, this.bidId, bid, bidSize);
      this.askId = this.place(market, -1, this.askId, ask, askSize);
    }
  }

  /** Puts one quote at `price` (post-only: kept a tick off the opposite best); returns its id, 0 for none. */
  private place(market: Market, side: number, id: number, price: number, size: number): number {
    const opposite = market.best(-side);
    if (!Number.isNaN(opposite) && (price - opposite) * side >= 0) {
      // The opposite best may be this maker's own quote (already moved): the book decides, not the plan.
      price = opposite - side * market.tick;
    }
    const resting = id > 0 ? market.resting(id) : 0;
    if (size === 0) {
      if (resting > 0) market.cancel(id);
      return 0;
    }
    if (resting > 0) {
      market.modify(id, price, size);
      return id;
    }
    const fresh = market.limit(this.id, side, price, size);
    return market.resting(fresh) > 0 ? fresh : 0;
  }

  override onFill(market: Market, orderId: number, side: number, _price: number, size: number, remaining: number): void {
    this.inventory += side * size;
    if (remaining === 0) {
      if (orderId === this.bidId) this.bidId = 0;
      if (orderId === this.askId) this.askId = 0;
    }
    market.wakeIn(this, this.p.reactSeconds);
  }
}
