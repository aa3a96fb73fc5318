import { Applied, LadderBook } from './ladder-book.js';
import type { Ladder } from '../core/ladder.js';
import { NumberMap } from '../core/number-map.js';
import { grown } from '../core/typed-arrays.js';

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
 * Cancels and fills of unknown orders take from it (see takeAnonymous). A level whose total reaches zero
 * is removed with any orders still listed in it (they left while out of sight); `droppedOrders` counts them.
 *
 * ```ts
 * const book = new L3Book();
 * book.add(7, Side.Bid, 100, 5, 0);
 * book.fill(7, 2);
 * book.bestBidSize(); // 3
 * ```
 */
export class L3Book extends LadderBook {
  private readonly index = new NumberMap(4096);
  private id: Float64Array;
  private price: Float64Array;
  private size: Float64Array;
  private filled: Float64Array;
  private addedNs: Float64Array;
  private side: Int8Array;
  private level: Int32Array;
  private prev: Int32Array;
  private next: Int32Array;
  private free: Int32Array;
  private freeCount = 0;
  private nextSlot = 0;
  /** Orders removed together with a level that emptied while they were still listed. */
  droppedOrders = 0;
  /**
   * Whether an unknown order's size leaves its level even beyond the level's anonymous liquidity. True
   * for sources that only show a window of levels (LOBSTER level N), where the level total is the
   * venue's and listed orders may be stale; false (the default) for full-depth sources, where an order
   * the book never held cannot take liquidity from the orders it does hold.
   */
  levelTotalsFollowVenue = false;
  /** Time of the event being applied (ns offset from the stream's time base); set by the replay. */
  nowNs = NaN;
  /** Called when an order leaves the book, with its life: see OrderEnd. */
  onOrderEnd: ((life: OrderLife) => void) | null = null;
  private readonly life: OrderLife = { orderId: 0, side: 0, price: 0, addedNs: 0, endedNs: 0, filled: 0, remaining: 0, end: 'cancelled' };

  constructor(capacity = 4096) {
    super();
    this.id = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
    this.size = new Float64Array(capacity);
    this.filled = new Float64Array(capacity);
    this.addedNs = new Float64Array(capacity);
    this.side = new Int8Array(capacity);
    this.level = new Int32Array(capacity);
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
  }

  /** Number of resting orders. */
  get orderCount(): number {
    return this.index.size;
  }

  /**
   * Adds an order at the back of its level's queue, entered at `tsNs` (by default `nowNs`, the time of the
   * event being applied: the replay passes none, as a double passed to a call is boxed, an allocation).
   */
  add(orderId: number, side: number, price: number, size: number, tsNs?: number): number {
    ONE_ID[0] = orderId;
    return this.addAt(ONE_ID, 0, side, price, size, tsNs);
  }

  /**
   * `add` for the order `ids[row]`. The replay passes the event's id column and row: a double passed to a
   * call is boxed, an allocation per event where ids exceed 2^31 (Databento, Bitfinex, concatenated days).
   * The same holds for cancelAt, deleteAt, fillAt and modifyAt.
   */
  addAt(ids: Float64Array, row: number, side: number, price: number, size: number, tsNs?: number): number {
    const orderId = ids[row]!;
    if ((side !== 1 && side !== -1) || !(size > 0)) return Applied.BadEvent;
    let result: number = Applied.Ok;
    // The slot the order will take is claimed in the index by the probe that looks for a duplicate.
    let slot = this.freeCount > 0 ? this.free[this.freeCount - 1]! : this.nextSlot;
    const existing = this.index.getOrInsertAt(ids, row, slot);
    if (existing < 0) this.allocate();
    else {
      this.removeOrder(existing);
      result = Applied.DuplicateOrder;
      slot = this.allocate();
      this.index.set(orderId, slot);
    }
    this.id[slot] = orderId;
    this.price[slot] = price;
    this.size[slot] = size;
    this.filled[slot] = 0;
    // Not a default parameter (a parameter given a double inside the call is boxed), nor one expression
    // (`nowNs` would be boxed to be merged with `tsNs`).
    if (tsNs === undefined) this.addedNs[slot] = this.nowNs;
    else this.addedNs[slot] = tsNs;
    this.side[slot] = side;
    this.enqueue(slot, this.ladder(side), price);
    return result;
  }

  /** Shrinks an order by `size` (partial cancel); removes it at zero. */
  cancel(orderId: number, side: number, price: number, size: number): number {
    ONE_ID[0] = orderId;
    return this.cancelAt(ONE_ID, 0, side, price, size);
  }

  cancelAt(ids: Float64Array, row: number, side: number, price: number, size: number): number {
    const orderId = ids[row]!;
    const slot = this.index.get(orderId);
    if (slot < 0) return this.takeAnonymous(side, price, size);
    return this.reduce(slot, size, 'cancelled');
  }

  /**
   * Removes an order entirely (full cancel). The level loses the size the event states: if the book
   * held the order at another size, the difference stays on the level as anonymous liquidity (or is
   * taken from it), so level totals follow the venue, and the mismatch is reported.
   */
  delete(orderId: number, side: number, price: number, size: number): number {
    ONE_ID[0] = orderId;
    return this.deleteAt(ONE_ID, 0, side, price, size);
  }

  deleteAt(ids: Float64Array, row: number, side: number, price: number, size: number): number {
    const orderId = ids[row]!;
    const slot = this.index.get(orderId);
    if (slot < 0) return this.takeAnonymous(side, price, size);
    const excess = size > 0 ? this.size[slot]! - size : 0;
    if (excess !== 0) {
      const ladder = this.ladder(this.side[slot]!);
      ladder.anonymous[this.level[slot]!] += excess;
      ladder.size[this.level[slot]!] += excess;
      ladder.changes++;
    }
    this.ended(slot, 'cancelled');
    this.removeOrder(slot);
    return excess === 0 ? Applied.Ok : Applied.SizeMismatch;
  }

  /**
   * Executes `size` of a resting order; removes it when nothing displayed remains. A fill beyond the
   * displayed size executed hidden reserve (an iceberg): the order leaves the book until the venue
   * restates its refilled display, and the result says so.
   */
  fill(orderId: number, side: number, price: number, size: number): number {
    ONE_ID[0] = orderId;
    return this.fillAt(ONE_ID, 0, side, price, size);
  }

  fillAt(ids: Float64Array, row: number, side: number, price: number, size: number): number {
    const orderId = ids[row]!;
    const slot = this.index.get(orderId);
    if (slot < 0) return this.takeAnonymous(side, price, size);
    this.filled[slot] += size;
    return this.reduce(slot, size, 'filled') === Applied.ExceedsSize ? Applied.BeyondDisplayed : Applied.Ok;
  }

  /**
   * Gives an order a new price and size. It keeps its queue place only when the price is unchanged and
   * the size does not grow (the rule of CME, Nasdaq and most venues); otherwise it goes to the back.
   * An unknown order is added (and reported), entered at `tsNs` (by default `nowNs`, as for add).
   */
  modify(orderId: number, side: number, price: number, size: number, tsNs?: number): number {
    ONE_ID[0] = orderId;
    return this.modifyAt(ONE_ID, 0, side, price, size, tsNs);
  }

  modifyAt(ids: Float64Array, row: number, side: number, price: number, size: number, tsNs?: number): number {
    const orderId = ids[row]!;
    const slot = this.index.get(orderId);
    if (slot < 0) {
      if (size > 0) this.add(orderId, side, price, size, tsNs);
      return Applied.UnknownOrder;
    }
    if (!(size > 0)) {
      this.ended(slot, 'cancelled');
      this.removeOrder(slot);
      return Applied.Ok;
    }
    const ladder = this.ladder(this.side[slot]!);
    if (price === this.price[slot] && size <= this.size[slot]! && side === this.side[slot]) {
      const levelSlot = this.level[slot]!;
      ladder.size[levelSlot] += size - this.size[slot]!;
      ladder.changes++;
      this.size[slot] = size;
      return Applied.Ok;
    }
    const filled = this.filled[slot]!;
    const added = this.addedNs[slot]!;
    this.removeOrder(slot);
    this.add(orderId, side, price, size, added);
    this.filled[this.index.get(orderId)] = filled;
    return Applied.Ok;
  }

  /** Sets a level's total to `size` by adjusting its anonymous part (size <= 0 removes the level). */
  setLevel(side: number, price: number, size: number): number {
    if (side !== 1 && side !== -1) return Applied.BadEvent;
    if (size <= 0) return this.deleteLevel(side, price);
    const ladder = this.ladder(side);
    const slot = ladder.ensure(price);
    ladder.anonymous[slot] += size - ladder.size[slot]!;
    ladder.size[slot] = size;
    ladder.changes++;
    return Applied.Ok;
  }

  /** Removes a level with every order still listed in it. */
  deleteLevel(side: number, price: number): number {
    if (side !== 1 && side !== -1) return Applied.BadEvent;
    const ladder = this.ladder(side);
    const slot = ladder.find(price);
    if (slot >= 0) this.dropLevel(ladder, slot);
    return Applied.Ok;
  }

  /** Empties the book. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.index.clear();
    this.freeCount = 0;
    this.nextSlot = 0;
  }

  /** Remaining size of an order, or NaN when the book does not hold it. */
  orderSize(orderId: number): number {
    const slot = this.index.get(orderId);
    return slot < 0 ? NaN : this.size[slot]!;
  }

  /** Time the order entered the book (ns offset from the stream's time base), or NaN. */
  orderAddedNs(orderId: number): number {
    const slot = this.index.get(orderId);
    return slot < 0 ? NaN : this.addedNs[slot]!;
  }

  /** Size queued ahead of an order at its price (anonymous liquidity first), or NaN for an unknown order. */
  queueAhead(orderId: number): number {
    const slot = this.index.get(orderId);
    if (slot < 0) return NaN;
    const ladder = this.ladder(this.side[slot]!);
    let ahead = Math.max(0, ladder.anonymous[this.level[slot]!]!);
    for (let at = this.prev[slot]!; at >= 0; at = this.prev[at]!) ahead += this.size[at]!;
    return ahead;
  }

  /** Id of the order at the front of the queue at `price`, or NaN when no known order rests there. */
  frontOrderId(side: number, price: number): number {
    const ladder = this.ladder(side);
    const slot = ladder.find(price);
    return slot < 0 || ladder.head[slot]! < 0 ? NaN : this.id[ladder.head[slot]!]!;
  }

  /** Order ids resting at a level, front of the queue first (tests and evidence, not hot paths). */
  ordersAt(side: number, price: number): number[] {
    const ladder = this.ladder(side);
    const slot = ladder.find(price);
    const ids: number[] = [];
    if (slot >= 0) for (let at = ladder.head[slot]!; at >= 0; at = this.next[at]!) ids.push(this.id[at]!);
    return ids;
  }

  /**
   * An unknown order left the level at `price`: its size is taken from the level's anonymous part; with
   * `levelTotalsFollowVenue` all of it is (the anonymous part goes negative when known orders listed
   * there are in fact gone). Returns TookAnonymous when anonymous liquidity covered it, UnknownOrder
   * otherwise (or when there is no level).
   */
  private takeAnonymous(side: number, price: number, size: number): number {
    if (side !== 1 && side !== -1) return Applied.UnknownOrder; // e.g. an auction fill with no side
    const ladder = this.ladder(side);
    const slot = ladder.find(price);
    if (slot < 0) return Applied.UnknownOrder;
    const available = Math.max(0, ladder.anonymous[slot]!);
    const covered = available >= size;
    const taken = covered || this.levelTotalsFollowVenue ? size : available;
    ladder.anonymous[slot] -= taken;
    ladder.size[slot] -= taken;
    ladder.changes++;
    if (!(ladder.size[slot]! > 0)) this.dropLevel(ladder, slot);
    return covered ? Applied.TookAnonymous : Applied.UnknownOrder;
  }

  private reduce(slot: number, size: number, end: OrderEnd): number {
    const remaining = this.size[slot]! - size;
    if (remaining > 0) {
      const ladder = this.ladder(this.side[slot]!);
      const levelSlot = this.level[slot]!;
      this.size[slot] = remaining;
      ladder.size[levelSlot] -= size;
      ladder.changes++;
      return Applied.Ok;
    }
    this.ended(slot, end);
    this.removeOrder(slot);
    return remaining === 0 ? Applied.Ok : Applied.ExceedsSize;
  }

  private enqueue(slot: number, ladder: Ladder, price: number): void {
    const levelSlot = ladder.ensure(price);
    const tail = ladder.tail[levelSlot]!;
    this.level[slot] = levelSlot;
    this.prev[slot] = tail;
    this.next[slot] = -1;
    if (tail >= 0) this.next[tail] = slot;
    else ladder.head[levelSlot] = slot;
    ladder.tail[levelSlot] = slot;
    ladder.orders[levelSlot]++;
    ladder.size[levelSlot] += this.size[slot]!;
    ladder.changes++;
  }

  /** Unlinks an order from its level and frees it; removes the level when its total reaches zero. */
  private removeOrder(slot: number): void {
    const ladder = this.ladder(this.side[slot]!);
    const levelSlot = this.level[slot]!;
    const prev = this.prev[slot]!;
    const next = this.next[slot]!;
    if (prev >= 0) this.next[prev] = next;
    else ladder.head[levelSlot] = next;
    if (next >= 0) this.prev[next] = prev;
    else ladder.tail[levelSlot] = prev;
    ladder.orders[levelSlot]--;
    ladder.size[levelSlot] -= this.size[slot]!;
    ladder.changes++;
    this.release(slot);
    if (!(ladder.size[levelSlot]! > 0)) this.dropLevel(ladder, levelSlot);
  }

  protected removeLevel(ladder: Ladder, slot: number): void {
    this.dropLevel(ladder, slot);
  }

  private dropLevel(ladder: Ladder, levelSlot: number): void {
    for (let at = ladder.head[levelSlot]!; at >= 0; ) {
      const after = this.next[at]!;
      this.ended(at, 'dropped');
      this.release(at);
      this.droppedOrders++;
      at = after;
    }
    ladder.remove(levelSlot);
  }

  /** Reports an order's life to `onOrderEnd` (the one object is reused: copy what you keep). */
  private ended(slot: number, end: OrderEnd): void {
    if (this.onOrderEnd === null) return;
    const life = this.life;
    life.orderId = this.id[slot]!;
    life.side = this.side[slot]!;
    life.price = this.price[slot]!;
    life.addedNs = this.addedNs[slot]!;
    life.endedNs = this.nowNs;
    life.filled = this.filled[slot]!;
    life.remaining = end === 'filled' ? 0 : this.size[slot]!;
    life.end = end;
    this.onOrderEnd(life);
  }

  private release(slot: number): void {
    this.index.delete(this.id[slot]!);
    if (this.freeCount === this.free.length) this.free = grown(this.free, this.free.length * 2);
    this.free[this.freeCount++] = slot;
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    const slot = this.nextSlot++;
    if (slot === this.id.length) this.grow();
    return slot;
  }

  private grow(): void {
    const capacity = this.id.length * 2;
    this.id = grown(this.id, capacity);
    this.price = grown(this.price, capacity);
    this.size = grown(this.size, capacity);
    this.filled = grown(this.filled, capacity);
    this.addedNs = grown(this.addedNs, capacity);
    this.side = grown(this.side, capacity);
    this.level = grown(this.level, capacity);
    this.prev = grown(this.prev, capacity);
    this.next = grown(this.next, capacity);
  }
}

/** The id of a call by id (add, cancel, …) as a column of one, for the `…At` method that does the work. */
const ONE_ID = new Float64Array(1);
