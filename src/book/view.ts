import type { LevelsView } from '../core/source.js';

/**
 * The read interface every book answers (L2 and L3 alike). Sides are `Side.Bid` (1) and `Side.Ask` (-1);
 * prices and sizes are integer units of the instrument (see Instrument). Rank 0 is the best level.
 */
export interface BookView extends LevelsView {
  /** Best bid price, NaN when the side is empty. */
  bestBidPrice(): number;
  /** Best ask price, NaN when the side is empty. */
  bestAskPrice(): number;
  /** Size at the best bid, 0 when the side is empty. */
  bestBidSize(): number;
  /** Size at the best ask, 0 when the side is empty. */
  bestAskSize(): number;
  /** Number of price levels on a side. */
  depth(side: number): number;
  /** Price of the level at `rank` (0 = best) on a side, NaN beyond the depth. */
  priceAt(side: number, rank: number): number;
  /** Total size of the level at `rank` on a side, 0 beyond the depth. */
  sizeAt(side: number, rank: number): number;
  /** Total size resting at `price` on a side, 0 when there is no level. */
  sizeAtPrice(side: number, price: number): number;
}
