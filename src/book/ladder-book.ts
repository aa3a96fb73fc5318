import { Ladder } from '../core/ladder.js';
import type { BookView } from './view.js';

/** The read side shared by L2 and L3 books: two ladders answering BookView, and snapshot handling. */
export abstract class LadderBook implements BookView {
  readonly bids = new Ladder(1);
  readonly asks = new Ladder(-1);
  /** Levels removed by depth-N snapshots because the snapshot no longer lists them. */
  snapshotRemovedLevels = 0;
  /** Levels whose total a snapshot changed, plus levels it removed: what the book could not know otherwise. */
  snapshotChanges = 0;
  private generation = 0;
  private snapshotSide = 0;
  private snapshotDepth = 0;

  /** Sets the level at `price` to a total of `size` (size <= 0 removes it). */
  abstract setLevel(side: number, price: number, size: number): number;
  /** Removes the level in `slot` of `ladder` (an L3 book drops the orders still listed in it). */
  protected abstract removeLevel(ladder: Ladder, slot: number): void;
  /** Empties the book. */
  abstract clear(): void;

  /** Starts a snapshot of one side (1, -1) or both (0): full (`depth` 0) or of the top `depth` levels. */
  beginSnapshot(side: number, depth: number): void {
    this.snapshotSide = side;
    this.snapshotDepth = depth;
    this.generation++;
    if (depth > 0) return;
    if (side === 0) this.clear();
    else {
      const ladder = this.ladder(side);
      while (ladder.depth > 0) this.removeLevel(ladder, ladder.slotAt(0));
    }
  }

  /** Lists a level in the current snapshot: sets it and marks it as shown. */
  snapshotLevel(side: number, price: number, size: number): number {
    const ladder = this.ladder(side);
    const before = ladder.find(price);
    if (before < 0 || ladder.size[before] !== size) this.snapshotChanges++;
    const result = this.setLevel(side, price, size);
    // A level that was there and keeps a size keeps its slot.
    const slot = before >= 0 && size > 0 ? before : ladder.find(price);
    if (slot >= 0) ladder.stamp[slot] = this.generation;
    return result;
  }

  /** Ends the snapshot: a depth-N snapshot removes the levels in its range that it did not list. */
  endSnapshot(): void {
    if (this.snapshotDepth === 0) return;
    if (this.snapshotSide !== -1) this.trimUnlisted(this.bids);
    if (this.snapshotSide !== 1) this.trimUnlisted(this.asks);
    this.snapshotDepth = 0;
  }

  private trimUnlisted(ladder: Ladder): void {
    let listed = 0;
    for (let rank = 0; rank < ladder.depth && listed < this.snapshotDepth; rank++) if (ladder.stamp[ladder.slotAt(rank)] === this.generation) listed++;
    // With N levels listed the snapshot says nothing below the worst of them; with fewer, the side ends there.
    for (let rank = 0, seen = 0; rank < ladder.depth && (listed < this.snapshotDepth || seen < listed); ) {
      const slot = ladder.slotAt(rank);
      if (ladder.stamp[slot] === this.generation) {
        seen++;
        rank++;
      } else {
        this.removeLevel(ladder, slot);
        this.snapshotRemovedLevels++;
        this.snapshotChanges++;
      }
    }
  }

  protected ladder(side: number): Ladder {
    return side === 1 ? this.bids : this.asks;
  }

  bestBidPrice(): number {
    const bids = this.bids;
    return bids.bestSlot >= 0 ? bids.price[bids.bestSlot]! : NaN;
  }
  bestAskPrice(): number {
    const asks = this.asks;
    return asks.bestSlot >= 0 ? asks.price[asks.bestSlot]! : NaN;
  }
  bestBidSize(): number {
    const bids = this.bids;
    return bids.bestSlot >= 0 ? bids.size[bids.bestSlot]! : 0;
  }
  bestAskSize(): number {
    const asks = this.asks;
    return asks.bestSlot >= 0 ? asks.size[asks.bestSlot]! : 0;
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

  /** Drops the worst levels of each side beyond `depth` (a venue subscription depth the client must keep to). */
  truncate(depth: number): void {
    for (const ladder of [this.bids, this.asks]) while (ladder.depth > depth) this.removeLevel(ladder, ladder.slotAt(ladder.depth - 1));
  }

  /** True when both sides are present and the best bid is at or above the best ask. */
  isCrossedOrLocked(): boolean {
    const { bids, asks } = this;
    return bids.bestSlot >= 0 && asks.bestSlot >= 0 && bids.price[bids.bestSlot]! >= asks.price[asks.bestSlot]!;
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
  /** A fill larger than the order's displayed size: the rest came from hidden reserve (an iceberg). */
  BeyondDisplayed: 7,
} as const;
export const APPLIED_KINDS = ['ok', 'unknown_order_id', 'duplicate_order_id', 'size_exceeds_order', 'bad_book_event', 'took_anonymous_liquidity', 'delete_size_mismatch', 'fill_beyond_displayed'];
