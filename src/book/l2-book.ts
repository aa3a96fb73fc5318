import type { Ladder } from '../core/ladder.js';
import { Applied, LadderBook } from './ladder-book.js';

/**
 * A price-level book: each level is a total size. Fed by L2 events (LevelSet, LevelDelete).
 *
 * ```ts
 * const book = new L2Book();
 * book.setLevel(Side.Bid, 100, 5);
 * book.bestBidPrice(); // 100
 * ```
 */
export class L2Book extends LadderBook {
  /** Sets the level at `price` to `size` in total; size <= 0 removes it. */
  setLevel(side: number, price: number, size: number): number {
    if (side !== 1 && side !== -1) return Applied.BadEvent;
    const ladder = this.ladder(side);
    if (size <= 0) return this.deleteLevel(side, price);
    const slot = ladder.ensure(price);
    ladder.size[slot] = size;
    ladder.changes++;
    ladder.anonymous[slot] = size;
    return Applied.Ok;
  }

  /** Removes the level at `price`; a missing level is not an error (venues delete idempotently). */
  deleteLevel(side: number, price: number): number {
    if (side !== 1 && side !== -1) return Applied.BadEvent;
    const ladder = this.ladder(side);
    const slot = ladder.find(price);
    if (slot >= 0) ladder.remove(slot);
    return Applied.Ok;
  }

  protected removeLevel(ladder: Ladder, slot: number): void {
    ladder.remove(slot);
  }

  /** Empties the book. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }
}
