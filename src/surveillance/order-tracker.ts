import type { EventBatch } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import { NumberMap } from '../core/number-map.js';
import { grown } from '../core/typed-arrays.js';
import type { StreamState } from '../features/feature.js';

/** What the tracker knows of one order (L3). Prices and sizes in units; times ns after the time base. */
export interface TrackedOrder {
  id: number;
  side: number;
  price: number;
  /** Largest displayed size it had (its size at entry, or after a size-increasing modify). */
  size: number;
  remaining: number;
  filled: number;
  /** Number of fills it took. */
  fills: number;
  addedNs: number;
  endedNs: number;
  /** Ticks behind (positive) or through (negative) its side's best when it arrived; NaN if the side was empty. */
  ticksFromBest: number;
  /** Size resting at its side's best just before it arrived. */
  bestSizeBefore: number;
  /** Queue imbalance (bid − ask)/(bid + ask) at the touch before and after it arrived. */
  imbalanceBefore: number;
  imbalanceAfter: number;
  /** Typical order size when it arrived (exponential average of arriving sizes). */
  typicalSize: number;
  /** How it ended: filled in full or cancelled; '' while resting. */
  end: '' | 'filled' | 'cancelled';
  modifies: number;
}

/** Per-order columns of the tracker, indexed by slot. */
const COLUMNS = ['price', 'size', 'remaining', 'filled', 'fills', 'addedNs', 'ticksFromBest', 'bestSizeBefore', 'imbalanceBefore', 'imbalanceAfter', 'typicalSize', 'modifies', 'side'] as const;
type Column = (typeof COLUMNS)[number];

/**
 * Follows every order of an L3 stream by id: where it arrived relative to the touch, how big it was
 * against the typical order, how the visible imbalance moved when it arrived, fills and cancels, and how
 * it ended. Orders placed before the data began are not tracked. Detectors read it and are told of
 * every order that ends. Hot: orders live in typed-array columns by slot, found through a NumberMap;
 * nothing is allocated per order. The `TrackedOrder` handed to `onEnd` is one reused object: copy what
 * you keep.
 */
export class OrderTracker {
  private readonly index = new NumberMap(4096);
  private readonly columns = {} as Record<Column, Float64Array>;
  private ids = new Float64Array(4096);
  private free = new Int32Array(4096);
  private freeCount = 0;
  private slots = 0;
  private readonly ended: TrackedOrder = {
    id: 0,
    side: 0,
    price: 0,
    size: 0,
    remaining: 0,
    filled: 0,
    fills: 0,
    addedNs: 0,
    endedNs: 0,
    ticksFromBest: 0,
    bestSizeBefore: 0,
    imbalanceBefore: 0,
    imbalanceAfter: 0,
    typicalSize: 0,
    end: '',
    modifies: 0,
  };
  /** Orders that have arrived so far, and the side of the last one (detectors watch arrivals through these). */
  arrivals = 0;
  lastArrivalSide = 0;
  /** Exponential average of arriving order sizes (units), span ~200 orders. */
  typicalSize = NaN;
  /** Venue time of the last fill of a resting order on each side: [bid, ask]. */
  readonly lastFillNs = [NaN, NaN];
  readonly lastFillSize = [0, 0];
  onEnd: ((order: TrackedOrder) => void) | null = null;
  private readonly tick: number;

  constructor(private readonly state: StreamState) {
    this.tick = Math.max(1, state.instrument.tickUnits);
    for (const column of COLUMNS) this.columns[column] = new Float64Array(4096);
  }

  // L2 only: level sizes as last seen, the inferred orders resting at each level (oldest first), and
  // the volume traded at each price since the book last changed.
  private readonly levels = new Map<number, number>();
  private readonly queues = new Map<number, number[]>();
  private readonly traded = new Map<number, number>();
  private bookChanged = false;
  private nextInferredId = -1;

  /** True while the order with this id rests (as far as the tracker has seen it). */
  has(id: number): boolean {
    return this.index.get(id) >= 0;
  }

  /**
   * L2 data shows levels, not orders: a level that grows is an inferred order of the increase (ids
   * negative, never a venue's); one that shrinks was filled, oldest inferred orders first, as far as
   * trades at its price since the book last changed account for, and cancelled for the rest, newest
   * first. Size present before the data began belongs to no inferred order. After a snapshot the levels
   * are read again and the inferred orders are forgotten (they end unreported).
   */
  rowL2(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    const price = batch.price[i]!;
    if (action === Action.Trade) {
      this.traded.set(price, (this.traded.get(price) ?? 0) + batch.size[i]!);
      return;
    }
    if (action !== Action.LevelSet && action !== Action.LevelDelete) return;
    this.bookChanged = true;
    const side = batch.side[i]!;
    const key = side > 0 ? price * 2 + 1 : price * 2;
    const before = this.levels.get(key) ?? 0;
    const after = action === Action.LevelSet ? batch.size[i]! : 0;
    if (after > 0) this.levels.set(key, after);
    else this.levels.delete(key);
    let queue = this.queues.get(key);
    if (after > before) {
      const id = this.nextInferredId--;
      this.arrive(id, side, price, after - before);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push(id);
      return;
    }
    if (!queue || after === before) return;
    const traded = this.traded.get(price) ?? 0;
    let fill = Math.min(traded, before - after);
    let cancel = before - after - fill;
    if (fill > 0) this.traded.set(price, traded - fill);
    const c = this.columns;
    while (fill > 0 && queue.length > 0) {
      const slot = this.index.get(queue[0]!);
      const take = Math.min(fill, c.remaining[slot]!);
      fill -= take;
      c.filled[slot]! += take;
      c.fills[slot]!++;
      c.remaining[slot]! -= take;
      if (c.remaining[slot]! > 0) break;
      queue.shift();
      this.end(slot, 'filled');
    }
    while (cancel > 0 && queue.length > 0) {
      const slot = this.index.get(queue[queue.length - 1]!);
      const take = Math.min(cancel, c.remaining[slot]!);
      cancel -= take;
      c.remaining[slot]! -= take;
      if (c.remaining[slot]! > 0) break;
      queue.pop();
      this.end(slot, c.filled[slot]! > 0 ? 'filled' : 'cancelled');
    }
    if (queue.length === 0) this.queues.delete(key);
  }

  /** L2, after each update: traded volume is matched only against the next book change; snapshots resync. */
  updateL2(): void {
    if (this.bookChanged) this.traded.clear();
    this.bookChanged = false;
    if (!this.state.snapshot) return;
    for (const queue of this.queues.values()) {
      for (const id of queue) {
        const slot = this.index.get(id);
        this.index.delete(id);
        this.release(slot);
      }
    }
    this.queues.clear();
    this.levels.clear();
    const book = this.state.book;
    for (const side of [1, -1]) {
      for (let rank = 0; rank < book.depth(side); rank++) {
        const price = book.priceAt(side, rank);
        this.levels.set(side > 0 ? price * 2 + 1 : price * 2, book.sizeAt(side, rank));
      }
    }
  }

  // Rows of one complete update, in order; `state.book` is the book after the whole update.
  row(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    const id = batch.orderId[i]!;
    const state = this.state;
    const c = this.columns;
    switch (action) {
      case Action.Add:
        this.arrive(id, batch.side[i]!, batch.price[i]!, batch.size[i]!);
        return;
      case Action.Fill: {
        const slotSide = batch.side[i]! > 0 ? 0 : 1;
        this.lastFillNs[slotSide] = state.ts;
        this.lastFillSize[slotSide] = batch.size[i]!;
        const slot = this.index.get(id);
        if (slot < 0) return;
        c.filled[slot]! += batch.size[i]!;
        c.fills[slot]!++;
        c.remaining[slot]! -= batch.size[i]!;
        if (c.remaining[slot]! <= 0) this.end(slot, 'filled');
        return;
      }
      case Action.Cancel: {
        const slot = this.index.get(id);
        if (slot < 0 || batch.flags[i]! & Flag.AfterFill) return;
        c.remaining[slot]! -= batch.size[i]!;
        if (c.remaining[slot]! <= 0) this.end(slot, 'cancelled');
        return;
      }
      case Action.Delete: {
        const slot = this.index.get(id);
        if (slot >= 0) this.end(slot, c.remaining[slot]! > 0 || c.filled[slot] === 0 ? 'cancelled' : 'filled');
        return;
      }
      case Action.Modify: {
        const slot = this.index.get(id);
        if (slot < 0 || batch.flags[i]! & Flag.AfterFill) return;
        c.modifies[slot]!++;
        c.price[slot] = batch.price[i]!;
        c.remaining[slot] = batch.size[i]!;
        c.size[slot] = Math.max(c.size[slot]!, batch.size[i]!);
        return;
      }
    }
  }

  /** A new resting order (or, on L2, an inferred one). */
  private arrive(id: number, side: number, price: number, size: number): void {
    const state = this.state;
    const c = this.columns;
    const best = side > 0 ? state.prevBidPrice : state.prevAskPrice;
    const bid = state.prevBidSize;
    const ask = state.prevAskSize;
    const atTouch = side > 0 ? price >= best || Number.isNaN(best) : price <= best || Number.isNaN(best);
    const bidAfter = side > 0 && atTouch ? (price === best ? bid + size : size) : bid;
    const askAfter = side < 0 && atTouch ? (price === best ? ask + size : size) : ask;
    let slot = this.index.get(id);
    if (slot < 0) {
      slot = this.allocate();
      this.index.set(id, slot);
      this.ids[slot] = id;
    }
    c.side[slot] = side;
    c.price[slot] = price;
    c.size[slot] = size;
    c.remaining[slot] = size;
    c.filled[slot] = 0;
    c.fills[slot] = 0;
    c.addedNs[slot] = state.ts;
    c.ticksFromBest[slot] = Number.isNaN(best) ? NaN : (side > 0 ? best - price : price - best) / this.tick;
    c.bestSizeBefore[slot] = side > 0 ? bid : ask;
    c.imbalanceBefore[slot] = (bid - ask) / (bid + ask);
    c.imbalanceAfter[slot] = (bidAfter - askAfter) / (bidAfter + askAfter);
    c.typicalSize[slot] = this.typicalSize;
    c.modifies[slot] = 0;
    this.typicalSize = Number.isNaN(this.typicalSize) ? size : this.typicalSize + (2 / 201) * (size - this.typicalSize);
    this.arrivals++;
    this.lastArrivalSide = side;
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    if (this.slots === this.ids.length) {
      const capacity = this.slots * 2;
      this.ids = grown(this.ids, capacity);
      for (const column of COLUMNS) this.columns[column] = grown(this.columns[column], capacity);
    }
    return this.slots++;
  }

  private release(slot: number): void {
    if (this.freeCount === this.free.length) this.free = grown(this.free, this.free.length * 2);
    this.free[this.freeCount++] = slot;
  }

  private end(slot: number, end: 'filled' | 'cancelled'): void {
    const id = this.ids[slot]!;
    this.index.delete(id);
    this.release(slot);
    if (!this.onEnd) return;
    const order = this.ended;
    const c = this.columns;
    order.id = id;
    for (const column of COLUMNS) order[column] = c[column][slot]!;
    order.endedNs = this.state.ts;
    order.end = end;
    this.onEnd(order);
  }
}
