import { Ladder } from '../core/ladder.js';
import type { BookView } from './view.js';

/** The read side shared by L2 and L3 books: two ladders answering BookView. */
export abstract class LadderBook implements BookView {
  readonly bids = new Ladder(1);
  readonly asks = new Ladder(-1);

  protected ladder(side: number): Ladder {
    return side === 1 ? this.bids : this.asks;
  }

  bestBidPrice(): number {
    return this.bids.bestPrice();
  }
  bestAskPrice(): number {
    return this.asks.bestPrice();
  }
  bestBidSize(): number {
    return this.bids.bestSize();
  }
  bestAskSize(): number {
    return this.asks.bestSize();
  }
  depth(side: number): number {
    return this.ladder(side).depth;
  }
  priceAt(side: number, rank: number): number {
    const ladder = this.ladder(side);
    const slot = ladder.slotAt(rank);
    return slot < 0 ? NaN : ladder.price[slot]!;
  }
  sizeAt(side: number, rank: number): number {
    const ladder = this.ladder(side);
    const slot = ladder.slotAt(rank);
    return slot < 0 ? 0 : ladder.size[slot]!;
  }
  sizeAtPrice(side: number, price: number): number {
    const ladder = this.ladder(side);
    const slot = ladder.find(price);
    return slot < 0 ? 0 : ladder.size[slot]!;
  }

  /** True when both sides are present and the best bid is at or above the best ask. */
  isCrossedOrLocked(): boolean {
    return this.bids.depth > 0 && this.asks.depth > 0 && this.bids.bestPrice() >= this.asks.bestPrice();
  }
}

/** Outcome of applying one event to a book; anything but Ok is an integrity finding for the replay driver. */
export const Applied = {
  Ok: 0,
  /** Cancel, delete, fill or modify of an order the book does not hold, and no anonymous liquidity to take it from. */
  UnknownOrder: 1,
  /** Add of an order id the book already holds (the old order is replaced). */
  DuplicateOrder: 2,
  /** Cancel or fill larger than the order's remaining size (the order is removed). */
  ExceedsSize: 3,
  /** A level event on a side other than bid or ask, or a non-positive size where one is required. */
  BadEvent: 4,
  /** The unknown order was resolved against anonymous liquidity at its price. */
  TookAnonymous: 5,
  /** A delete stated another size than the book held for the order (the level follows the event). */
  SizeMismatch: 6,
} as const;
export const APPLIED_KINDS = ['ok', 'unknown_order_id', 'duplicate_order_id', 'size_exceeds_order', 'bad_book_event', 'took_anonymous_liquidity', 'delete_size_mismatch'];
