import { FlowmineError } from '../core/errors.js';
import { wasmInstance, type WasmMemory } from '../core/wasm-module.js';

/**
 * wasm/book.ts's exports. Every book of a process lives in one instance, named by the handle `newBook`
 * returns; sides are 1 (bids) and -1 (asks); mutating calls return an `Applied` code, plus GREW when they
 * grew the memory. `nowNs` is the time of the event (an order's end), `tsNs` when an added order entered.
 */
export interface BookExports {
  memory: WasmMemory;
  newBook(capacity: number): number;
  freeBook(book: number): void;
  stateBlock(book: number): number;
  scratchBlock(): number;
  lifeRecord(): number;
  listen(book: number, on: number): void;
  setFollowVenue(book: number, on: number): void;
  add(book: number, id: number, side: number, price: number, size: number, tsNs: number, nowNs: number): number;
  cancel(book: number, id: number, side: number, price: number, size: number, nowNs: number): number;
  remove(book: number, id: number, side: number, price: number, size: number, nowNs: number): number;
  fill(book: number, id: number, side: number, price: number, size: number, nowNs: number): number;
  modify(book: number, id: number, side: number, price: number, size: number, tsNs: number, nowNs: number): number;
  setLevel(book: number, side: number, price: number, size: number, nowNs: number): number;
  deleteLevel(book: number, side: number, price: number, nowNs: number): number;
  clear(book: number): number;
  beginSnapshot(book: number, side: number, depth: number, nowNs: number): number;
  snapshotLevel(book: number, side: number, price: number, size: number, nowNs: number): number;
  endSnapshot(book: number, nowNs: number): number;
  truncate(book: number, depth: number, nowNs: number): number;
  priceAt(book: number, side: number, rank: number): number;
  sizeAt(book: number, side: number, rank: number): number;
  sizeAtPrice(book: number, side: number, price: number): number;
  copyBest(book: number, side: number, from: number, n: number): number;
  orderSizeOf(book: number, id: number): number;
  orderAddedNs(book: number, id: number): number;
  queueAhead(book: number, id: number): number;
  frontOrderId(book: number, side: number, price: number): number;
  ordersAt(book: number, side: number, price: number, from: number): number;
}

// The module's layout (wasm/book.ts), checked against its exports when it is loaded.
/** Added to a call's result when it grew the memory. */
export const GREW = 1 << 16;
// A book's state block: values the module writes after every call, read here without one.
export const BID_PRICE = 0;
export const BID_SIZE = 1;
export const ASK_PRICE = 2;
export const ASK_SIZE = 3;
export const BID_CHANGES = 4;
export const ASK_CHANGES = 5;
export const ORDER_COUNT = 6;
export const DROPPED_ORDERS = 7;
export const SNAPSHOT_CHANGES = 8;
export const SNAPSHOT_REMOVED_LEVELS = 9;
export const BID_DEPTH = 10;
export const ASK_DEPTH = 11;
const STATE_VALUES = 12;
/** Values of the scratch: `copyBest` writes prices to its first half and sizes to its second, `ordersAt` ids. */
export const SCRATCH_VALUES = 2048;

/**
 * The process's instance of the book module, with views of its memory (every book's state block, the
 * scratch, the life record) that `renew` makes afresh when the memory has grown (which empties the old ones).
 */
export class BookModule {
  readonly exports: BookExports;
  /** The whole memory as doubles: a book's state block starts at its `stateBlock(book) / 8`. */
  f64: Float64Array;
  readonly scratchAt: number;
  readonly lifeAt: number;

  constructor(orderEnded: (book: number) => void) {
    this.exports = wasmInstance<BookExports>('book', { book: { orderEnded } });
    const exported = this.exports as unknown as Record<string, { value: number } | undefined>;
    const layout: Record<string, number> = {
      GREW,
      STATE_VALUES,
      SCRATCH_VALUES,
      BID_PRICE,
      BID_SIZE,
      ASK_PRICE,
      ASK_SIZE,
      BID_CHANGES,
      ASK_CHANGES,
      ORDER_COUNT,
      DROPPED_ORDERS,
      SNAPSHOT_CHANGES,
      SNAPSHOT_REMOVED_LEVELS,
      BID_DEPTH,
      ASK_DEPTH,
    };
    for (const [name, value] of Object.entries(layout)) {
      if (exported[name]?.value !== value) throw new FlowmineError('dist/src/wasm/book.wasm does not match this build: run `npm run build`');
    }
    this.f64 = new Float64Array(this.exports.memory.buffer);
    this.scratchAt = this.exports.scratchBlock() / 8;
    this.lifeAt = this.exports.lifeRecord() / 8;
  }

  /** A call's result, the views renewed when it grew the memory. */
  done(result: number): number {
    if (result < GREW) return result;
    this.renew();
    return result - GREW;
  }

  /** Makes the views afresh if the memory has grown since they were made (a view of a detached buffer is empty). */
  renew(): void {
    if (this.f64.length === 0) this.f64 = new Float64Array(this.exports.memory.buffer);
  }
}
