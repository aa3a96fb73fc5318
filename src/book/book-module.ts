import type { EventBatch } from '../core/batch.js';
import { FlowmineError } from '../core/errors.js';
import { Action, Flag } from '../core/event.js';
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
  recordBlock(): number;
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
  configure(...codes: number[]): void;
  reserveRows(rows: number): number;
  rowsAction(): number;
  rowsSide(): number;
  rowsPrice(): number;
  rowsSize(): number;
  rowsFlags(): number;
  rowsInstrument(): number;
  rowsOrderId(): number;
  rowsTs(): number;
  applyLevels(book: number, from: number, to: number, inSnapshot: number): number;
  applyOrders(book: number, from: number, to: number, inSnapshot: number, shift: number, depth: number): number;
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
 * Why `applyLevels` stopped: before a row it does not apply, after a row that completed an update, after a
 * row whose outcome was not Ok. `applyOrders` stops before a row it does not apply, or after a row once its
 * records are nearly full (COMPLETED).
 */
export const BEFORE_ROW = 0;
export const COMPLETED = 1;
export const FOUND = 2;
/**
 * What `applyOrders` did, in row order, from `BookModule.recordsAt`: the number of records, whether the
 * book was in a snapshot when it stopped (1 or 0), then RECORD_VALUES values a record. A complete update:
 * its last row, the best bid price and size, the best ask price and size (NaN and 0 for an empty side, as
 * the state block), the book's snapshot changes. A finding: -1 - its row, its `Applied` code. At most RECORDS.
 */
export const RECORDS = 256;
export const RECORD_VALUES = 6;
export const RECORD_COUNT = 0;
export const RECORD_IN_SNAPSHOT = 1;
export const RECORD_FIRST = 2;
export const RECORD_ROW = 0;
/** A finding's `Applied` code. */
export const RECORD_OUTCOME = 1;
export const RECORD_BID_PRICE = 1;
export const RECORD_BID_SIZE = 2;
export const RECORD_ASK_PRICE = 3;
export const RECORD_ASK_SIZE = 4;
export const RECORD_SNAPSHOT_CHANGES = 5;

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
  /** Where `applyOrders` writes what it did (see RECORDS), in `f64`. */
  readonly recordsAt: number;
  /** The batch whose level rows are loaded (`loadRows`), and the batch whose order ids and times are too. */
  rowsOf: EventBatch | null = null;
  ordersOf: EventBatch | null = null;

  constructor(orderEnded: (book: number) => void) {
    this.exports = wasmInstance<BookExports>('book', { book: { orderEnded } });
    const exported = this.exports as unknown as Record<string, { value: number } | undefined>;
    const layout: Record<string, number> = {
      GREW,
      STATE_VALUES,
      SCRATCH_VALUES,
      BEFORE_ROW,
      COMPLETED,
      FOUND,
      RECORDS,
      RECORD_VALUES,
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
    const { Add, Cancel, Delete, Modify, Fill, Trade, Clear, LevelSet, LevelDelete, SnapshotBegin, SnapshotEnd } = Action;
    this.exports.configure(Add, Cancel, Delete, Modify, Fill, Trade, Clear, LevelSet, LevelDelete, SnapshotBegin, SnapshotEnd, Flag.Last);
    this.f64 = new Float64Array(this.exports.memory.buffer);
    this.scratchAt = this.exports.scratchBlock() / 8;
    this.lifeAt = this.exports.lifeRecord() / 8;
    this.recordsAt = this.exports.recordBlock() / 8;
  }

  /** Replays reading the records now (see `holdRecords`). */
  private recordReaders = 0;

  /**
   * Called by a replay before its `applyOrders` call, whose records it reads in place, and `releaseRecords`
   * once it has read them. Inside another replay's reading (this replay runs in that one's handler), returns
   * a copy of that one's records, which this replay's call writes over, for `releaseRecords` to put back.
   */
  holdRecords(): Float64Array | null {
    const saved = this.recordReaders > 0 ? this.f64.slice(this.recordsAt, this.recordsAt + RECORD_FIRST + RECORDS * RECORD_VALUES) : null;
    this.recordReaders++;
    return saved;
  }

  releaseRecords(saved: Float64Array | null): void {
    this.recordReaders--;
    if (saved === null) return;
    this.renew();
    this.f64.set(saved, this.recordsAt);
  }

  /** A call's result, the views renewed when it grew the memory. */
  done(result: number): number {
    if (result < GREW) return result;
    this.renew();
    return result - GREW;
  }

  /**
   * Copies the columns of `batch` that level rows use into the module, for `applyLevels`; with `orders`, its
   * order ids and times too, for `applyOrders`.
   */
  loadRows(batch: EventBatch, orders = false): void {
    const wasm = this.exports;
    wasm.reserveRows(batch.length);
    this.renew();
    const { buffer } = wasm.memory;
    const n = batch.length;
    new Uint8Array(buffer, wasm.rowsAction(), n).set(batch.action.subarray(0, n));
    new Int8Array(buffer, wasm.rowsSide(), n).set(batch.side.subarray(0, n));
    new Float64Array(buffer, wasm.rowsPrice(), n).set(batch.price.subarray(0, n));
    new Float64Array(buffer, wasm.rowsSize(), n).set(batch.size.subarray(0, n));
    new Uint8Array(buffer, wasm.rowsFlags(), n).set(batch.flags.subarray(0, n));
    new Int32Array(buffer, wasm.rowsInstrument(), n).set(batch.instrument.subarray(0, n));
    if (orders) {
      new Float64Array(buffer, wasm.rowsOrderId(), n).set(batch.orderId.subarray(0, n));
      new Float64Array(buffer, wasm.rowsTs(), n).set(batch.tsEvent.subarray(0, n));
    }
    this.rowsOf = batch;
    this.ordersOf = orders ? batch : null;
  }

  /** Makes the views afresh if the memory has grown since they were made (a view of a detached buffer is empty). */
  renew(): void {
    if (this.f64.length === 0) this.f64 = new Float64Array(this.exports.memory.buffer);
  }
}
