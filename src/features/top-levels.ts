import type { Book } from '../book/view.js';

/**
 * The best levels of each side of a book, read once per complete update by the engine and shared by
 * every feature of the stream (see `StreamState.top`). As `BookView` answers: rank 0 is the best level,
 * prices are NaN and sizes 0 beyond a side's depth, up to the first `min(levels, 64)` ranks at least
 * (the arrays grow with the book when more levels are asked for: read them afresh each time).
 */
export class TopLevels {
  bidPrice: Float64Array;
  bidSize: Float64Array;
  askPrice: Float64Array;
  askSize: Float64Array;
  /** Levels held per side: the book's depth, at most `levels`. */
  bidLevels = 0;
  askLevels = 0;
  /**
   * False when the last `read` found the side's levels as the read before it left them (the ladder counted
   * no change): a feature that compares the two states can skip that side. True when they may differ.
   */
  bidChanged = true;
  askChanged = true;
  private readonly levels: number;
  /** The book last read and its sides' change counts then (see `Book.sideChanges`). */
  private book: Book | null = null;
  private bidChanges = 0;
  private askChanges = 0;

  constructor(levels: number) {
    this.levels = Math.max(1, Math.ceil(levels));
    const capacity = Math.min(this.levels, 64);
    this.bidPrice = new Float64Array(capacity).fill(NaN);
    this.bidSize = new Float64Array(capacity);
    this.askPrice = new Float64Array(capacity).fill(NaN);
    this.askSize = new Float64Array(capacity);
  }

  /** Reads the best `levels` levels of each side of `book`. */
  read(book: Book): void {
    const needed = Math.min(this.levels, Math.max(book.depth(1), book.depth(-1)));
    if (needed > this.bidPrice.length) this.grow(needed);
    const same = book === this.book;
    const bidChanges = book.sideChanges(1);
    const askChanges = book.sideChanges(-1);
    this.bidChanged = !same || bidChanges !== this.bidChanges;
    if (this.bidChanged) {
      this.bidLevels = readSide(book, 1, this.levels, this.bidLevels, this.bidPrice, this.bidSize);
      this.bidChanges = bidChanges;
    }
    this.askChanged = !same || askChanges !== this.askChanges;
    if (this.askChanged) {
      this.askLevels = readSide(book, -1, this.levels, this.askLevels, this.askPrice, this.askSize);
      this.askChanges = askChanges;
    }
    this.book = book;
  }

  /** Mid-price in price units, NaN when a side is empty. */
  mid(): number {
    return (this.bidPrice[0]! + this.askPrice[0]!) / 2;
  }

  /** Room for `needed` levels per side (at most `levels`); both sides are read again. */
  private grow(needed: number): void {
    this.book = null;
    const capacity = Math.min(this.levels, Math.max(needed, 2 * this.bidPrice.length));
    const widened = (array: Float64Array, fill: number) => {
      const next = new Float64Array(capacity).fill(fill);
      next.set(array);
      return next;
    };
    this.bidPrice = widened(this.bidPrice, NaN);
    this.bidSize = widened(this.bidSize, 0);
    this.askPrice = widened(this.askPrice, NaN);
    this.askSize = widened(this.askSize, 0);
  }
}

/** Copies a side's best levels; clears the ranks the side held before and no longer has. */
function readSide(book: Book, side: number, levels: number, before: number, prices: Float64Array, sizes: Float64Array): number {
  const held = book.copyBest(side, levels, prices, sizes);
  for (let rank = held; rank < before; rank++) {
    prices[rank] = NaN;
    sizes[rank] = 0;
  }
  return held;
}
