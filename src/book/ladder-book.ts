import { ASK_CHANGES, ASK_DEPTH, ASK_PRICE, ASK_SIZE, BID_CHANGES, BID_DEPTH, BID_PRICE, BID_SIZE, BookModule, type BookExports, SCRATCH_VALUES, SNAPSHOT_CHANGES, SNAPSHOT_REMOVED_LEVELS } from './book-module.js';
import type { EventBatch } from '../core/batch.js';
import type { Book } from './view.js';

/**
 * The side shared by L2 and L3 books: a book of the process's book module (wasm/book.ts, where both
 * sides' levels and an L3 book's orders are kept), its level events and snapshots, and the read
 * interface. Each call applies one event in the module; after it, the module's state block holds the
 * best levels and the counters, read here without a call. The module's memory for a book is returned
 * when the book is garbage-collected.
 */
export abstract class LadderBook implements Book {
  protected readonly module: BookModule;
  protected readonly wasm: BookExports;
  /** The book's handle in the module. */
  protected readonly handle: number;
  /** Where the book's state block starts in `module.f64`. */
  private readonly stateAt: number;
  /** Time of the event being applied (ns offset from the stream's time base); set by the replay. */
  nowNs = NaN;

  /** `capacity`: orders the book holds before its arrays first double. */
  protected constructor(capacity: number) {
    this.module = shared ??= new BookModule(orderEnded);
    this.wasm = this.module.exports;
    this.handle = this.wasm.newBook(capacity);
    this.module.renew();
    this.stateAt = this.wasm.stateBlock(this.handle) / 8;
    collected.register(this, this.handle);
  }

  /** Levels removed by depth-N snapshots because the snapshot no longer lists them. */
  get snapshotRemovedLevels(): number {
    return this.module.f64[this.stateAt + SNAPSHOT_REMOVED_LEVELS]!;
  }
  /** Levels whose total a snapshot changed, plus levels it removed: what the book could not know otherwise. */
  get snapshotChanges(): number {
    return this.module.f64[this.stateAt + SNAPSHOT_CHANGES]!;
  }

  /**
   * Sets the level at `price` to a total of `size` (size <= 0 removes it); in an L3 book, by adjusting the
   * level's anonymous part. Returns an `Applied` code.
   */
  setLevel(side: number, price: number, size: number): number {
    return this.module.done(this.wasm.setLevel(this.handle, side, price, size, this.nowNs));
  }

  /**
   * Removes the level at `price` (in an L3 book with every order still listed in it); a missing level is
   * not an error (venues delete idempotently).
   */
  deleteLevel(side: number, price: number): number {
    return this.module.done(this.wasm.deleteLevel(this.handle, side, price, this.nowNs));
  }

  /** Empties the book. */
  clear(): void {
    this.module.done(this.wasm.clear(this.handle));
  }

  /** Starts a snapshot of one side (1, -1) or both (0): full (`depth` 0) or of the top `depth` levels. */
  beginSnapshot(side: number, depth: number): void {
    this.module.done(this.wasm.beginSnapshot(this.handle, side, depth, this.nowNs));
  }

  /** Lists a level in the current snapshot: sets it and marks it as shown. */
  snapshotLevel(side: number, price: number, size: number): number {
    return this.module.done(this.wasm.snapshotLevel(this.handle, side, price, size, this.nowNs));
  }

  /** Ends the snapshot: a depth-N snapshot removes the levels in its range that it did not list. */
  endSnapshot(): void {
    this.module.done(this.wasm.endSnapshot(this.handle, this.nowNs));
  }

  /** Drops the worst levels of each side beyond `depth` (a venue subscription depth the client must keep to). */
  truncate(depth: number): void {
    this.module.done(this.wasm.truncate(this.handle, depth, this.nowNs));
  }

  bestBidPrice(): number {
    return this.module.f64[this.stateAt + BID_PRICE]!;
  }
  bestAskPrice(): number {
    return this.module.f64[this.stateAt + ASK_PRICE]!;
  }
  bestBidSize(): number {
    return this.module.f64[this.stateAt + BID_SIZE]!;
  }
  bestAskSize(): number {
    return this.module.f64[this.stateAt + ASK_SIZE]!;
  }
  depth(side: number): number {
    return this.module.f64[this.stateAt + (side === 1 ? BID_DEPTH : ASK_DEPTH)]!;
  }
  priceAt(side: number, rank: number): number {
    return this.wasm.priceAt(this.handle, side, rank);
  }
  sizeAt(side: number, rank: number): number {
    return this.wasm.sizeAt(this.handle, side, rank);
  }
  sizeAtPrice(side: number, price: number): number {
    return this.wasm.sizeAtPrice(this.handle, side, price);
  }

  /** True when both sides are present and the best bid is at or above the best ask. */
  isCrossedOrLocked(): boolean {
    // An empty side's price is NaN, which compares false.
    const f64 = this.module.f64;
    return f64[this.stateAt + BID_PRICE]! >= f64[this.stateAt + ASK_PRICE]!;
  }

  copyBest(side: number, levels: number, prices: Float64Array, sizes: Float64Array): number {
    const f64 = this.module.f64;
    const at = this.module.scratchAt;
    const chunk = SCRATCH_HALF;
    let held = 0;
    for (let n = chunk; n === chunk && held < levels; ) {
      n = this.wasm.copyBest(this.handle, side, held, Math.min(chunk, levels - held));
      for (let k = 0; k < n; k++, held++) {
        prices[held] = f64[at + k]!;
        sizes[held] = f64[at + chunk + k]!;
      }
    }
    return held;
  }

  sideChanges(side: number): number {
    return this.module.f64[this.stateAt + (side === 1 ? BID_CHANGES : ASK_CHANGES)]!;
  }

  /**
   * Copies the columns of `batch` that level rows use into the book module (for every book of it), for
   * `applyLevels`: once a batch, as its rows are not read before (a recycled batch object holds new rows).
   */
  loadRows(batch: EventBatch): void {
    this.module.loadRows(batch);
  }

  /**
   * Applies the level rows of `batch` (loaded by `loadRows`; again if another batch was loaded since, by a
   * replay nested in an update handler) from row `from`, as far as
   * `applyLevels` in wasm/book.ts goes (as snapshot levels when `inSnapshot`; `to - from` below 2^23):
   * returns the rows it went through × 256 + why it stopped (book-module.ts: BEFORE_ROW, COMPLETED,
   * FOUND) × 16 + the last row's `Applied` code.
   */
  applyLevels(batch: EventBatch, from: number, to: number, inSnapshot: boolean): number {
    if (this.module.rowsOf !== batch) this.module.loadRows(batch);
    const outcome = this.wasm.applyLevels(this.handle, from, to, inSnapshot ? 1 : 0);
    this.module.renew();
    return outcome;
  }

  /** The book's state block value at `index` (book-module.ts's constants). */
  protected stateValue(index: number): number {
    return this.module.f64[this.stateAt + index]!;
  }

  /** Reports to whoever listens to this book that an order left it (the module's life record holds how); L3 books do. */
  protected orderEnded(): void {}

  /** Asks the module to report the orders that leave this book (`orderEnded`), or to stop. */
  protected listen(on: boolean): void {
    if (on) listening.set(this.handle, new WeakRef(this));
    else listening.delete(this.handle);
    this.wasm.listen(this.handle, on ? 1 : 0);
  }
}

const SCRATCH_HALF = SCRATCH_VALUES / 2;
/** The module every book of the process lives in, loaded with the first book. */
let shared: BookModule | null = null;
/** The books whose order ends are reported, by handle. */
const listening = new Map<number, WeakRef<LadderBook>>();
/** Frees a book's memory in the module once the book is garbage-collected. */
const collected = new FinalizationRegistry<number>((handle) => {
  listening.delete(handle);
  shared!.exports.freeBook(handle);
});

function orderEnded(handle: number): void {
  // Through a cast: `orderEnded` is protected, for the module's import alone.
  (listening.get(handle)?.deref() as { orderEnded(): void } | undefined)?.orderEnded();
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
