import type { EventBatch } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import { L3Book } from '../book/l3-book.js';
import { NumberMap } from '../core/number-map.js';
import { grown } from '../core/typed-arrays.js';
import type { StreamState } from '../features/feature.js';
import { Withdrawals } from './withdrawals.js';

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

/** One number per (side, price) of an L2 level: prices are integers far below 2^52. */
function levelKey(side: number, price: number): number {
  return side > 0 ? price * 2 + 1 : price * 2;
}

/**
 * Where each field of an order sits in its record of STRIDE numbers: arriving and ending (which touch
 * every field) read and write one place.
 */
const ID = 0;
const SIDE = 1;
const PRICE = 2;
const SIZE = 3;
const REMAINING = 4;
const FILLED = 5;
const FILLS = 6;
const ADDED_NS = 7;
const TICKS_FROM_BEST = 8;
const BEST_SIZE_BEFORE = 9;
const IMBALANCE_BEFORE = 10;
const IMBALANCE_AFTER = 11;
const TYPICAL_SIZE = 12;
const MODIFIES = 13;
const STRIDE = 14;
/**
 * Records are kept in chunks of 2^CHUNK_SHIFT slots: a stream whose orders are not all seen to end (a
 * LOBSTER level-N window) keeps adding slots, and chunks grow without copying what is there.
 */
const CHUNK_SHIFT = 12;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

/**
 * Follows every order of an L3 stream by id: where it arrived relative to the touch, how big it was
 * against the typical order, how the visible imbalance moved when it arrived, fills and cancels, and how
 * it ended. Orders placed before the data began are not tracked. Detectors read it and are told of
 * every order that ends. An order the L3 book drops, because its level emptied out of sight (a LOBSTER
 * level-N window), is forgotten after the update without an end: nothing says how it ended, and kept it
 * would never end, so the records would grow with the input (by 1.7 M orders on 10 M AMZN messages).
 * Hot: orders live in typed-array records by slot, found through a NumberMap; nothing is allocated per
 * order. The `TrackedOrder` handed to `onEnd` is one reused object: copy what you keep.
 */
export class OrderTracker {
  private readonly index = new NumberMap(4096);
  /** The order records: slot s is at `(s & CHUNK_MASK) * STRIDE` in chunk `s >>> CHUNK_SHIFT`. */
  private readonly chunks: Float64Array[] = [];
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
  /** Orders that arrived at or through their side's best, per side [bid, ask] (on L2 several arrive per update, read after it). */
  readonly sideArrivals = [0, 0];
  /** Exponential average of arriving order sizes (units), span ~200 orders. */
  typicalSize = NaN;
  /** Venue time of the last fill of a resting order on each side: [bid, ask]. */
  readonly lastFillNs = [NaN, NaN];
  readonly lastFillSize = [0, 0];
  onEnd: ((order: TrackedOrder) => void) | null = null;
  /**
   * L3: the orders cancelled unfilled in the last second (and the last 1,024 at least), noted before
   * detectors are told of each: they look for ones cancelled within a millisecond or so of an order they
   * judge, and judge it at the first update that much after its cancel.
   */
  readonly withdrawals = new Withdrawals(1e9);
  private readonly tick: number;

  /** Orders forgotten because the book dropped them (see above). */
  droppedOrders = 0;
  /** Ids of the orders the book dropped during the current update. */
  private dropped = new Float64Array(64);
  private droppedCount = 0;

  constructor(private readonly state: StreamState) {
    this.tick = Math.max(1, state.instrument.tickUnits);
    const book = state.book;
    if (book instanceof L3Book) {
      const previous = book.onOrderEnd;
      book.onOrderEnd = (life) => {
        previous?.(life);
        if (life.end !== 'dropped') return;
        if (this.droppedCount === this.dropped.length) this.dropped = grown(this.dropped, this.droppedCount * 2);
        this.dropped[this.droppedCount++] = life.orderId;
      };
    }
  }

  /** L3, after each update (its rows seen): forgets the orders the book dropped in it. */
  updateL3(): void {
    for (let k = 0; k < this.droppedCount; k++) {
      const slot = this.index.delete(this.dropped[k]!);
      if (slot < 0) continue;
      this.release(slot);
      this.droppedOrders++;
    }
    this.droppedCount = 0;
  }

  // L2 only: level sizes as last seen, the inferred orders resting at each level (oldest first), the
  // volume traded at each price since the book last changed, and the level changes of the current update.
  private readonly levels = new Map<number, number>();
  private readonly queues = new Map<number, number[]>();
  private readonly traded = new Map<number, number>();
  private bookChanged = false;
  private nextInferredId = -1;
  /**
   * L2: venue time of the book change before the current update's. A change a diff message shows happened
   * after it, not necessarily at the message's time (a venue that conflates publishes once per interval).
   */
  changedAfterNs = NaN;
  private lastChangeNs = NaN;
  private changes = 0;
  private changeSide = new Int8Array(64);
  private changePrice = new Float64Array(64);
  private changeBefore = new Float64Array(64);
  private changeAfter = new Float64Array(64);
  /** Per change: the part of a shrink that trades do not explain; the part of a growth read as orders moved there. */
  private changeRest = new Float64Array(64);
  private changeMoved = new Float64Array(64);

  /** True while the order with this id rests (as far as the tracker has seen it). */
  has(id: number): boolean {
    return this.index.get(id) >= 0;
  }

  /**
   * L2 data shows levels, not orders. The level changes of one update are read together, in updateL2:
   * - a level that shrank was filled as far as trades at its price since the book last changed account
   *   for: first the size no inferred order holds (it rests ahead of them, as anonymous liquidity does in
   *   an L3 book), then its inferred orders oldest first;
   * - the rest of a shrink, with a level of the same side growing in the same update, is an order moving
   *   there (a modify: it keeps its arrival): an order of exactly both changes' size (all that a message
   *   of one order event can show), else, as a conflated message mixes changes, one making up most of both;
   * - the rest is cancelled: cancels mostly remove whole orders, so the order closest in size goes first;
   *   a cancel of most of one ends it (a conflated growth may lump several orders; the rest is left to
   *   no inferred order);
   * - a growth that is not a move is an inferred order of the increase (ids negative, never a venue's).
   * Size present before the data began belongs to no inferred order. After a snapshot the levels are read
   * again and the inferred orders are forgotten (they end unreported). Rows only collect the changes.
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
    const key = levelKey(side, price);
    const before = this.levels.get(key) ?? 0;
    const after = action === Action.LevelSet ? batch.size[i]! : 0;
    if (after > 0) this.levels.set(key, after);
    else this.levels.delete(key);
    if (after === before) return;
    if (this.changes === this.changeSide.length) {
      const capacity = this.changes * 2;
      this.changeSide = grown(this.changeSide, capacity);
      this.changePrice = grown(this.changePrice, capacity);
      this.changeBefore = grown(this.changeBefore, capacity);
      this.changeAfter = grown(this.changeAfter, capacity);
      this.changeRest = grown(this.changeRest, capacity);
      this.changeMoved = grown(this.changeMoved, capacity);
    }
    const k = this.changes++;
    this.changeSide[k] = side;
    this.changePrice[k] = price;
    this.changeBefore[k] = before;
    this.changeAfter[k] = after;
  }

  /** L2, after each update: its level changes become fills, moves, cancels and arrivals; traded volume is matched only against the next book change; snapshots resync. */
  updateL2(): void {
    if (this.bookChanged) {
      this.changedAfterNs = this.lastChangeNs;
      this.lastChangeNs = this.state.ts;
    }
    if (this.changes > 0) this.inferOrders();
    this.changes = 0;
    if (this.bookChanged) this.traded.clear();
    this.bookChanged = false;
    if (!this.state.snapshot) return;
    for (const queue of this.queues.values()) {
      for (const id of queue) this.release(this.index.delete(id));
    }
    this.queues.clear();
    this.levels.clear();
    const book = this.state.book;
    for (const side of [1, -1]) {
      for (let rank = 0; rank < book.depth(side); rank++) this.levels.set(levelKey(side, book.priceAt(side, rank)), book.sizeAt(side, rank));
    }
  }

  private inferOrders(): void {
    const n = this.changes;
    const { changeSide: sides, changePrice: prices, changeBefore: befores, changeAfter: afters, changeRest: rest, changeMoved: moved } = this;
    for (let k = 0; k < n; k++) {
      const shrink = befores[k]! - afters[k]!;
      rest[k] = 0;
      moved[k] = 0;
      if (shrink <= 0) continue;
      const traded = this.traded.get(prices[k]!) ?? 0;
      const fill = Math.min(traded, shrink);
      if (fill > 0) {
        this.traded.set(prices[k]!, traded - fill);
        this.fillLevel(levelKey(sides[k]!, prices[k]!), fill, befores[k]!);
      }
      rest[k] = shrink - fill;
    }
    // Moves: first orders whose size is exactly one shrink and one growth of the side (all a single-event
    // message can show); then, as conflated messages mix changes, an order that makes up most of both.
    for (let exact = 1; exact >= 0; exact--) {
      for (let k = 0; k < n; k++) {
        if (!(rest[k]! > 0)) continue;
        let into = -1;
        for (let j = 0; j < n; j++) {
          const room = afters[j]! - befores[j]! - moved[j]!;
          if (sides[j] !== sides[k] || !(room > 0) || (exact === 1 && (moved[j]! > 0 || room !== rest[k]))) continue;
          if (into < 0 || room > afters[into]! - befores[into]! - moved[into]!) into = j;
        }
        if (into < 0) continue;
        const room = afters[into]! - befores[into]! - moved[into]!;
        const most = Math.min(rest[k]!, room);
        const size = this.moveOrder(levelKey(sides[k]!, prices[k]!), exact === 1 ? most : Math.max(rest[k]!, room) / 2, most, sides[into]!, prices[into]!);
        rest[k]! -= size;
        moved[into]! += size;
      }
    }
    for (let k = 0; k < n; k++) if (rest[k]! > 0) this.cancelLevel(levelKey(sides[k]!, prices[k]!), rest[k]!);
    for (let k = 0; k < n; k++) {
      const size = afters[k]! - befores[k]! - moved[k]!;
      if (!(size > 0)) continue;
      const id = this.nextInferredId--;
      this.arrive(id, sides[k]!, prices[k]!, size);
      const key = levelKey(sides[k]!, prices[k]!);
      const queue = this.queues.get(key);
      if (queue) queue.push(id);
      else this.queues.set(key, [id]);
    }
  }

  /** Fills `size` at a level whose total was `before`: the size no inferred order holds first, then inferred orders oldest first. */
  private fillLevel(key: number, size: number, before: number): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    let inferred = 0;
    for (const id of queue) inferred += this.remainingOf(id);
    let fill = size - Math.min(size, Math.max(0, before - inferred));
    while (fill > 0 && queue.length > 0) {
      const slot = this.index.get(queue[0]!);
      const d = this.chunks[slot >>> CHUNK_SHIFT]!;
      const r = (slot & CHUNK_MASK) * STRIDE;
      const take = Math.min(fill, d[r + REMAINING]!);
      fill -= take;
      d[r + FILLED]! += take;
      d[r + FILLS]!++;
      d[r + REMAINING]! -= take;
      if (d[r + REMAINING]! > 0) break;
      queue.shift();
      this.end(slot, 'filled');
    }
    if (queue.length === 0) this.queues.delete(key);
  }

  /**
   * Cancels `size` at a level. Cancels mostly remove whole orders, so the order whose size is closest to
   * what is left to cancel goes first (the newest of equals), until the shrink is accounted for.
   */
  private cancelLevel(key: number, size: number): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    let cancel = size;
    while (cancel > 0 && queue.length > 0) {
      let pick = queue.length - 1;
      for (let q = queue.length - 2; q >= 0; q--) {
        if (Math.abs(this.remainingOf(queue[q]!) - cancel) < Math.abs(this.remainingOf(queue[pick]!) - cancel)) pick = q;
      }
      const slot = this.index.get(queue[pick]!);
      const d = this.chunks[slot >>> CHUNK_SHIFT]!;
      const r = (slot & CHUNK_MASK) * STRIDE;
      const take = Math.min(cancel, d[r + REMAINING]!);
      cancel -= take;
      d[r + REMAINING]! -= take;
      // A cancel of most of an inferred order ends it: one growth of a conflated message may lump several
      // orders, and what the cancel leaves is read as size no inferred order holds.
      if (d[r + REMAINING]! > 0 && d[r + REMAINING]! >= take) break;
      queue.splice(pick, 1);
      this.end(slot, d[r + FILLED]! > 0 ? 'filled' : 'cancelled');
    }
    if (queue.length === 0) this.queues.delete(key);
  }

  /**
   * Moves the largest inferred order whose size lies in [`least`, `most`] (the newest of equals) from level
   * `from` to the back of `price` on `side`. Returns the size moved, 0 when no order fits.
   */
  private moveOrder(from: number, least: number, most: number, side: number, price: number): number {
    const queue = this.queues.get(from);
    if (!queue) return 0;
    let pick = -1;
    for (let q = queue.length - 1; q >= 0; q--) {
      const remaining = this.remainingOf(queue[q]!);
      if (remaining < least || remaining > most || (pick >= 0 && remaining <= this.remainingOf(queue[pick]!))) continue;
      pick = q;
    }
    if (pick < 0) return 0;
    const id = queue[pick]!;
    const slot = this.index.get(id);
    const d = this.chunks[slot >>> CHUNK_SHIFT]!;
    const r = (slot & CHUNK_MASK) * STRIDE;
    queue.splice(pick, 1);
    if (queue.length === 0) this.queues.delete(from);
    d[r + PRICE] = price;
    d[r + MODIFIES]!++;
    const key = levelKey(side, price);
    const target = this.queues.get(key);
    if (target) target.push(id);
    else this.queues.set(key, [id]);
    return d[r + REMAINING]!;
  }

  // Rows of one complete update, in order; `state.book` is the book after the whole update.
  row(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    const id = batch.orderId[i]!;
    const state = this.state;
    switch (action) {
      case Action.Add:
        this.arrive(id, batch.side[i]!, batch.price[i]!, batch.size[i]!);
        return;
      case Action.Fill: {
        const slotSide = batch.side[i]! > 0 ? 0 : 1;
        this.lastFillNs[slotSide] = state.ts;
        this.lastFillSize[slotSide] = batch.size[i]!;
        const at = this.index.find(id);
        if (at < 0) return;
        const slot = this.index.valueAt(at);
        const d = this.chunks[slot >>> CHUNK_SHIFT]!;
        const r = (slot & CHUNK_MASK) * STRIDE;
        d[r + FILLED]! += batch.size[i]!;
        d[r + FILLS]!++;
        d[r + REMAINING]! -= batch.size[i]!;
        if (d[r + REMAINING]! <= 0) {
          this.index.removeAt(at);
          this.left(slot, 'filled');
        }
        return;
      }
      case Action.Cancel: {
        const at = this.index.find(id);
        if (at < 0 || batch.flags[i]! & Flag.AfterFill) return;
        const slot = this.index.valueAt(at);
        const d = this.chunks[slot >>> CHUNK_SHIFT]!;
        const r = (slot & CHUNK_MASK) * STRIDE;
        d[r + REMAINING]! -= batch.size[i]!;
        if (d[r + REMAINING]! <= 0) {
          this.index.removeAt(at);
          this.left(slot, 'cancelled');
        }
        return;
      }
      case Action.Delete: {
        const slot = this.index.delete(id);
        if (slot < 0) return;
        const d = this.chunks[slot >>> CHUNK_SHIFT]!;
        const r = (slot & CHUNK_MASK) * STRIDE;
        this.left(slot, d[r + REMAINING]! > 0 || d[r + FILLED] === 0 ? 'cancelled' : 'filled');
        return;
      }
      case Action.Modify: {
        const slot = this.index.get(id);
        if (slot < 0 || batch.flags[i]! & Flag.AfterFill) return;
        const d = this.chunks[slot >>> CHUNK_SHIFT]!;
        const r = (slot & CHUNK_MASK) * STRIDE;
        d[r + MODIFIES]!++;
        d[r + PRICE] = batch.price[i]!;
        d[r + REMAINING] = batch.size[i]!;
        d[r + SIZE] = Math.max(d[r + SIZE]!, batch.size[i]!);
        return;
      }
    }
  }

  /** What the resting order `id` (L2: an inferred order of a queue) still shows. */
  private remainingOf(id: number): number {
    const slot = this.index.get(id);
    return this.chunks[slot >>> CHUNK_SHIFT]![(slot & CHUNK_MASK) * STRIDE + REMAINING]!;
  }

  /** A new resting order (or, on L2, an inferred one). */
  private arrive(id: number, side: number, price: number, size: number): void {
    const state = this.state;
    const best = side > 0 ? state.prevBidPrice : state.prevAskPrice;
    const bid = state.prevBidSize;
    const ask = state.prevAskSize;
    const atTouch = side > 0 ? price >= best || Number.isNaN(best) : price <= best || Number.isNaN(best);
    const bidAfter = side > 0 && atTouch ? (price === best ? bid + size : size) : bid;
    const askAfter = side < 0 && atTouch ? (price === best ? ask + size : size) : ask;
    // One probe finds a known id's slot or files a new one under the slot `allocate` hands out next.
    let slot = this.index.getOrInsert(id, this.freeCount > 0 ? this.free[this.freeCount - 1]! : this.slots);
    if (slot < 0) slot = this.allocate();
    const d = this.chunks[slot >>> CHUNK_SHIFT]!;
    const r = (slot & CHUNK_MASK) * STRIDE;
    d[r + ID] = id;
    d[r + SIDE] = side;
    d[r + PRICE] = price;
    d[r + SIZE] = size;
    d[r + REMAINING] = size;
    d[r + FILLED] = 0;
    d[r + FILLS] = 0;
    d[r + ADDED_NS] = state.ts;
    d[r + TICKS_FROM_BEST] = Number.isNaN(best) ? NaN : (side > 0 ? best - price : price - best) / this.tick;
    d[r + BEST_SIZE_BEFORE] = side > 0 ? bid : ask;
    d[r + IMBALANCE_BEFORE] = (bid - ask) / (bid + ask);
    d[r + IMBALANCE_AFTER] = (bidAfter - askAfter) / (bidAfter + askAfter);
    d[r + TYPICAL_SIZE] = this.typicalSize;
    d[r + MODIFIES] = 0;
    this.typicalSize = Number.isNaN(this.typicalSize) ? size : this.typicalSize + (2 / 201) * (size - this.typicalSize);
    this.arrivals++;
    this.lastArrivalSide = side;
    if (atTouch) this.sideArrivals[side > 0 ? 0 : 1]!++;
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    if (this.slots >>> CHUNK_SHIFT === this.chunks.length) this.chunks.push(new Float64Array(STRIDE << CHUNK_SHIFT));
    return this.slots++;
  }

  private release(slot: number): void {
    if (this.freeCount === this.free.length) this.free = grown(this.free, this.free.length * 2);
    this.free[this.freeCount++] = slot;
  }

  /** The resting order in `slot` ended. */
  private end(slot: number, end: 'filled' | 'cancelled'): void {
    this.index.delete(this.chunks[slot >>> CHUNK_SHIFT]![(slot & CHUNK_MASK) * STRIDE + ID]!);
    this.left(slot, end);
  }

  /** The order in `slot`, already out of the index, ended: its slot is freed and the detectors told. */
  private left(slot: number, end: 'filled' | 'cancelled'): void {
    const d = this.chunks[slot >>> CHUNK_SHIFT]!;
    const r = (slot & CHUNK_MASK) * STRIDE;
    this.release(slot);
    if (!this.onEnd) return;
    const order = this.ended;
    order.id = d[r + ID]!;
    order.side = d[r + SIDE]!;
    order.price = d[r + PRICE]!;
    order.size = d[r + SIZE]!;
    order.remaining = d[r + REMAINING]!;
    order.filled = d[r + FILLED]!;
    order.fills = d[r + FILLS]!;
    order.addedNs = d[r + ADDED_NS]!;
    order.ticksFromBest = d[r + TICKS_FROM_BEST]!;
    order.bestSizeBefore = d[r + BEST_SIZE_BEFORE]!;
    order.imbalanceBefore = d[r + IMBALANCE_BEFORE]!;
    order.imbalanceAfter = d[r + IMBALANCE_AFTER]!;
    order.typicalSize = d[r + TYPICAL_SIZE]!;
    order.modifies = d[r + MODIFIES]!;
    order.endedNs = this.state.ts;
    order.end = end;
    if (end === 'cancelled' && order.filled === 0 && this.state.granularity === 'L3') this.withdrawals.note(order);
    this.onEnd(order);
  }
}
