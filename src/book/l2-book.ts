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

  /** Sets the level at `price` to `size` in total; size <= 0 removes it. Returns an `Applied` code. */
  setLevel(side: number, price: number, size: number): number {
    return this.module.done(this.wasm.setLevel(this.handle, side, price, size, this.nowNs));
  }

  /** Removes the level at `price`; a missing level is not an error (venues delete idempotently). */
  deleteLevel(side: number, price: number): number {
    return this.module.done(this.wasm.deleteLevel(this.handle, side, price, this.nowNs));
  }
}
