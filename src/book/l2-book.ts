import { LadderBook } from './ladder-book.js';

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
  constructor() {
    // A book of levels holds no orders.
    super(1);
  }
}
