import type { EventBatch } from '../core/batch.js';
import { DROPPED_ORDERS, ORDER_COUNT, SCRATCH_VALUES } from './book-module.js';
import { LadderBook } from './ladder-book.js';

/** How an order left the book: executed in full, cancelled, or dropped with a level that emptied unseen. */
export type OrderEnd = 'filled' | 'cancelled' | 'dropped';

/** The life of one order, reported when it leaves the book. Times are ns offsets from the stream's time base. */
export interface OrderLife {
  orderId: number;
  side: number;
  price: number;
  addedNs: number;
  endedNs: number;
  /** Size executed over the order's life. */
  filled: number;
  /** Size it still had when cancelled or dropped. */
  remaining: number;
  end: OrderEnd;
}

/**
 * An order-by-order book: every order with its price, remaining size, side and time of entry, in a
 * FIFO queue per price level. Its levels aggregate exactly as an L2 book fed the same flow would.
 *
 * Where the data shows liquidity without its orders (a snapshot of levels, a LOBSTER level entering the
 * window) the level holds it as `anonymous` size, counted ahead of every known order in the queue.
 * A cancel, delete or fill of an unknown order takes its size from the anonymous part of the level at its
 * price: `TookAnonymous` when that covered it, else `UnknownOrder` (with `levelTotalsFollowVenue` all of
 * the size is taken even so, and the anonymous part goes negative: known orders listed there are in fact
 * gone). A level whose total reaches zero is removed with any orders still listed in it (they left while
 * out of sight); `droppedOrders` counts them.
 *
 * ```ts
 * const book = new L3Book();
 * book.add(7, Side.Bid, 100, 5, 0);
 * book.fill(7, 2);
 * book.bestBidSize(); // 3
 * ```
 *
 * The book itself is kept in WebAssembly (wasm/book.ts; see LadderBook).
 */
export class L3Book extends LadderBook {
  private listener: ((life: OrderLife) => void) | null = null;
  private follow = false;
  private readonly life: OrderLife = { orderId: 0, side: 0, price: 0, addedNs: 0, endedNs: 0, filled: 0, remaining: 0, end: 'cancelled' };

  /** `capacity`: orders the book holds before its arrays first double. */
  constructor(capacity = 4096) {
    super(capacity);
  }

  /**
   * Whether an unknown order's size leaves its level even beyond the level's anonymous liquidity. True
   * for sources that only show a window of levels (LOBSTER level N), where the level total is the
   * venue's and listed orders may be stale; false (the default) for full-depth sources, where an order
   * the book never held cannot take liquidity from the orders it does hold.
   */
  get levelTotalsFollowVenue(): boolean {
    return this.follow;
  }
  set levelTotalsFollowVenue(on: boolean) {
    this.follow = on;
    this.wasm.setFollowVenue(this.handle, on ? 1 : 0);
  }

  /** Called when an order leaves the book, with its life: see OrderEnd. */
  get onOrderEnd(): ((life: OrderLife) => void) | null {
    return this.listener;
  }
  set onOrderEnd(listener: ((life: OrderLife) => void) | null) {
    this.listener = listener;
    this.listen(listener !== null);
  }

  /** Number of resting orders. */
  get orderCount(): number {
    return this.stateValue(ORDER_COUNT);
  }
  /** Orders removed together with a level that emptied while they were still listed. */
  get droppedOrders(): number {
    return this.stateValue(DROPPED_ORDERS);
  }

  /**
   * Adds an order at the back of its level's queue, entered at `tsNs` (by default `nowNs`, the time of the
   * event being applied).
   */
  add(orderId: number, side: number, price: number, size: number, tsNs?: number): number {
    return this.module.done(this.wasm.add(this.handle, orderId, side, price, size, tsNs === undefined ? this.nowNs : tsNs, this.nowNs));
  }

  /**
   * `add` for the order `ids[row]`, entered at `nowNs`. The replay passes the event's id column and row:
   * a double passed to a call that is not inlined is boxed, an allocation per event where ids exceed 2^31
   * (Databento, Bitfinex, concatenated days). The same holds for cancelAt, deleteAt, fillAt and modifyAt.
   */
  addAt(ids: Float64Array, row: number, side: number, price: number, size: number): number {
    return this.module.done(this.wasm.add(this.handle, ids[row]!, side, price, size, this.nowNs, this.nowNs));
  }

  /** Shrinks an order by `size` (partial cancel); removes it at zero. */
  cancel(orderId: number, side: number, price: number, size: number): number {
    return this.module.done(this.wasm.cancel(this.handle, orderId, side, price, size, this.nowNs));
  }

  cancelAt(ids: Float64Array, row: number, side: number, price: number, size: number): number {
    return this.module.done(this.wasm.cancel(this.handle, ids[row]!, side, price, size, this.nowNs));
  }

  /**
   * Removes an order entirely (full cancel). The level loses the size the event states: if the book
   * held the order at another size, the difference stays on the level as anonymous liquidity (or is
   * taken from it), so level totals follow the venue, and the mismatch is reported.
   */
  delete(orderId: number, side: number, price: number, size: number): number {
    return this.module.done(this.wasm.remove(this.handle, orderId, side, price, size, this.nowNs));
  }

  deleteAt(ids: Float64Array, row: number, side: number, price: number, size: number): number {
    return this.module.done(this.wasm.remove(this.handle, ids[row]!, side, price, size, this.nowNs));
  }

  /**
   * Executes `size` of a resting order; removes it when nothing displayed remains. A fill beyond the
   * displayed size executed hidden reserve (an iceberg): the order leaves the book until the venue
   * restates its refilled display, and the result says so.
   */
  fill(orderId: number, side: number, price: number, size: number): number {
    return this.module.done(this.wasm.fill(this.handle, orderId, side, price, size, this.nowNs));
  }

  fillAt(ids: Float64Array, row: number, side: number, price: number, size: number): number {
    return this.module.done(this.wasm.fill(this.handle, ids[row]!, side, price, size, this.nowNs));
  }

  /**
   * Gives an order a new price and size. It keeps its queue place only when the price is unchanged and
   * the size does not grow (the rule of CME, Nasdaq and most venues); otherwise it goes to the back.
   * An unknown order is added (and reported), entered at `tsNs` (by default `nowNs`, as for add).
   */
  modify(orderId: number, side: number, price: number, size: number, tsNs?: number): number {
    return this.module.done(this.wasm.modify(this.handle, orderId, side, price, size, tsNs === undefined ? this.nowNs : tsNs, this.nowNs));
  }

  modifyAt(ids: Float64Array, row: number, side: number, price: number, size: number): number {
    return this.module.done(this.wasm.modify(this.handle, ids[row]!, side, price, size, this.nowNs, this.nowNs));
  }

  /**
   * Applies the rows of `batch` from `from` in the book module, as far as `applyOrders` in wasm/book.ts
   * goes (the book in a snapshot at `from` when `inSnapshot`; event times are the rows' plus `shift`; each
   * complete update cut to `depth` levels a side, -1 for none; `to - from` below 2^23). Returns the rows it
   * went through × 256 + why it stopped (book-module.ts: BEFORE_ROW, COMPLETED) × 16; its findings and
   * updates are in `records` from `recordsAt` (book-module.ts: RECORDS).
   */
  applyOrders(batch: EventBatch, from: number, to: number, inSnapshot: boolean, shift: number, depth: number): number {
    if (this.module.ordersOf !== batch) this.module.loadRows(batch, true);
    const outcome = this.wasm.applyOrders(this.handle, from, to, inSnapshot ? 1 : 0, shift, depth);
    this.module.renew();
    return outcome;
  }

  /** The module's memory as doubles, where the last `applyOrders` left what it did (valid until the next call into the module). */
  get records(): Float64Array {
    return this.module.f64;
  }
  get recordsAt(): number {
    return this.module.recordsAt;
  }

  /** See `BookModule.holdRecords`. */
  holdRecords(): Float64Array | null {
    return this.module.holdRecords();
  }
  releaseRecords(saved: Float64Array | null): void {
    this.module.releaseRecords(saved);
  }

  /** Remaining size of an order, or NaN when the book does not hold it. */
  orderSize(orderId: number): number {
    return this.wasm.orderSizeOf(this.handle, orderId);
  }

  /** Time the order entered the book (ns offset from the stream's time base), or NaN. */
  orderAddedNs(orderId: number): number {
    return this.wasm.orderAddedNs(this.handle, orderId);
  }

  /** Size queued ahead of an order at its price (anonymous liquidity first), or NaN for an unknown order. */
  queueAhead(orderId: number): number {
    return this.wasm.queueAhead(this.handle, orderId);
  }

  /** Id of the order at the front of the queue at `price`, or NaN when no known order rests there. */
  frontOrderId(side: number, price: number): number {
    return this.wasm.frontOrderId(this.handle, side, price);
  }

  /** Order ids resting at a level, front of the queue first (tests and evidence, not hot paths). */
  ordersAt(side: number, price: number): number[] {
    const ids: number[] = [];
    for (;;) {
      const n = this.wasm.ordersAt(this.handle, side, price, ids.length);
      for (let k = 0; k < n; k++) ids.push(this.module.f64[this.module.scratchAt + k]!);
      if (n < SCRATCH_VALUES) return ids;
    }
  }

  /** Reports the module's life record to `onOrderEnd` (the one object is reused: copy what you keep). */
  protected override orderEnded(): void {
    const listener = this.listener;
    if (listener === null) return;
    // The call that ended the order may have grown the memory before reporting it.
    this.module.renew();
    const f64 = this.module.f64;
    const at = this.module.lifeAt;
    const life = this.life;
    life.orderId = f64[at]!;
    life.side = f64[at + 1]!;
    life.price = f64[at + 2]!;
    life.addedNs = f64[at + 3]!;
    life.endedNs = f64[at + 4]!;
    life.filled = f64[at + 5]!;
    life.remaining = f64[at + 6]!;
    life.end = ENDS[f64[at + 7]!]!;
    listener(life);
  }
}

/** The life record's `end` codes (wasm/book.ts). */
const ENDS: OrderEnd[] = ['filled', 'cancelled', 'dropped'];
