import type { LevelsView } from '../core/source.js';

/** The best bid and offer of a book; prices and sizes are integer units of the instrument (see Instrument). */
export interface BestLevels {
  /** Best bid price, NaN when the side is empty. */
  bestBidPrice(): number;
  /** Best ask price, NaN when the side is empty. */
  bestAskPrice(): number;
  /** Size at the best bid, 0 when the side is empty. */
  bestBidSize(): number;
  /** Size at the best ask, 0 when the side is empty. */
  bestAskSize(): number;
}

/**
 * The read interface every book answers (L2 and L3 alike). Sides are `Side.Bid` (1) and `Side.Ask` (-1);
 * prices and sizes are integer units of the instrument (see Instrument). Rank 0 is the best level.
 */
export interface BookView extends LevelsView, BestLevels {
  /** Number of price levels on a side. */
  depth(side: number): number;
  /** Price of the level at `rank` (0 = best) on a side, NaN beyond the depth. */
  priceAt(side: number, rank: number): number;
  /** Total size of the level at `rank` on a side, 0 beyond the depth. */
  sizeAt(side: number, rank: number): number;
  /** Total size resting at `price` on a side, 0 when there is no level. */
  sizeAtPrice(side: number, price: number): number;
}

/**
 * What a replay drives (L2 and L3 books alike): level events, snapshots and the venue's depth limit,
 * read through BookView.
 */
export interface Book extends BookView {
  /** Sets the level at `price` to a total of `size` (size <= 0 removes it); returns an `Applied` code. */
  setLevel(side: number, price: number, size: number): number;
  /** Removes the level at `price` (an L3 book with the orders still listed in it). */
  deleteLevel(side: number, price: number): number;
  /** Empties the book. */
  clear(): void;
  /** Starts a snapshot of one side (1, -1) or both (0): full (`depth` 0) or of the top `depth` levels. */
  beginSnapshot(side: number, depth: number): void;
  /** Lists a level in the current snapshot: sets it and marks it as shown. */
  snapshotLevel(side: number, price: number, size: number): number;
  /** Ends the snapshot: a depth-N snapshot removes the levels in its range that it did not list. */
  endSnapshot(): void;
  /** Drops the worst levels of each side beyond `depth` (a venue subscription depth the client must keep to). */
  truncate(depth: number): void;
  /** True when both sides are present and the best bid is at or above the best ask. */
  isCrossedOrLocked(): boolean;
  /** Levels removed by depth-N snapshots because the snapshot no longer lists them. */
  readonly snapshotRemovedLevels: number;
  /** Levels whose total a snapshot changed, plus levels it removed: what the book could not know otherwise. */
  readonly snapshotChanges: number;
  /**
   * Copies the prices and sizes of a side's best `levels` levels, best first, into `prices` and `sizes`;
   * returns how many there were (at most `levels`).
   */
  copyBest(side: number, levels: number, prices: Float64Array, sizes: Float64Array): number;
  /**
   * Counts the changes to a side's levels (a level added or removed, a size set): while it stays the same,
   * so do they, and a reader that has copied them can skip the side.
   */
  sideChanges(side: number): number;
}
