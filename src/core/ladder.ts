import { NumberMap } from './number-map.js';
import { RankedSlots } from './ranked-slots.js';
import { grown } from './typed-arrays.js';

/**
 * One side of a book: price levels in priority order. Level data lives in slot-indexed typed arrays;
 * `ranks` keeps the slots in priority order (bids keyed by price, asks by negated price).
 *
 * Each level has a total `size`, the part of it that belongs to no known order (`anonymous`: resting
 * liquidity the data shows only as a level, e.g. a LOBSTER level entering the window, or a snapshot),
 * and for L3 books the FIFO queue of its orders (`head`/`tail` order slots, `orders` count).
 */
export class Ladder {
  price: Float64Array;
  size: Float64Array;
  anonymous: Float64Array;
  orders: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  /** Snapshot generation that last listed the level (see LadderBook's depth-N snapshots). */
  stamp: Int32Array;
  /**
   * Counts the changes to the levels' prices and sizes (a level added or removed, a size set): while it
   * stays the same, so do they, and a reader that has copied them can skip the side (TopLevels does).
   * Whoever writes `size` counts the change here too (in place, not through a method: in the books' hot
   * paths a method call was not inlined, and cost 60 instructions per message).
   */
  changes = 0;
  private readonly ranks: RankedSlots;
  /**
   * The best level's slot, -1 when the side is empty (read-only outside Ladder). Kept here, not asked of
   * `ranks`: books read the best price and size after every update, from this field, without a call (asked
   * of `ranks`, through a method of the ladder, the emitter's row no longer inlined them).
   */
  bestSlot = -1;
  private readonly bySlotPrice = new NumberMap(256);
  private free: Int32Array;
  private freeCount = 0;
  /** Scratch for `copyBest`. */
  private bestSlots = new Int32Array(16);
  private nextSlot = 0;
  private readonly sign: number;

  /** `side` is 1 for bids (higher is better) and -1 for asks (lower is better). */
  constructor(readonly side: number, capacity = 256) {
    this.sign = side === 1 ? 1 : -1;
    this.price = new Float64Array(capacity);
    this.size = new Float64Array(capacity);
    this.anonymous = new Float64Array(capacity);
    this.orders = new Int32Array(capacity);
    this.head = new Int32Array(capacity);
    this.tail = new Int32Array(capacity);
    this.stamp = new Int32Array(capacity);
    this.ranks = new RankedSlots(capacity);
    this.free = new Int32Array(capacity);
  }

  /** Number of levels. */
  get depth(): number {
    return this.ranks.count;
  }

  /** Slot of the level at `price`, or -1. */
  find(price: number): number {
    return this.bySlotPrice.get(price);
  }

  /** Slot of the level at rank `rank` (0 = best), or -1 beyond the depth. */
  slotAt(rank: number): number {
    return this.ranks.slotAt(rank);
  }

  /**
   * Copies the prices and sizes of the best `levels` levels, best first, into `prices` and `sizes`;
   * returns how many there were (at most `levels`). One call for what `slotAt` does level by level.
   */
  copyBest(levels: number, prices: Float64Array, sizes: Float64Array): number {
    if (this.bestSlots.length < levels) this.bestSlots = new Int32Array(levels);
    const slots = this.bestSlots;
    const held = this.ranks.bestSlots(levels, slots);
    const { price, size } = this;
    for (let rank = 0; rank < held; rank++) {
      const slot = slots[rank]!;
      prices[rank] = price[slot]!;
      sizes[rank] = size[slot]!;
    }
    return held;
  }

  /** Returns the slot of the level at `price`, creating an empty level when there is none. */
  ensure(price: number): number {
    // The slot a new level would take is claimed by the probe that looks for the price.
    const slot = this.freeCount > 0 ? this.free[this.freeCount - 1]! : this.nextSlot;
    const existing = this.bySlotPrice.getOrInsert(price, slot);
    if (existing >= 0) return existing;
    if (this.freeCount > 0) this.freeCount--;
    else this.nextSlot++;
    if (slot >= this.price.length) this.growSlots();
    this.price[slot] = price;
    this.size[slot] = 0;
    this.anonymous[slot] = 0;
    this.orders[slot] = 0;
    this.head[slot] = -1;
    this.tail[slot] = -1;
    this.stamp[slot] = 0;
    this.ranks.insert(price * this.sign, slot);
    if (this.bestSlot < 0 || price * this.sign > this.price[this.bestSlot]! * this.sign) this.bestSlot = slot;
    this.changes++;
    return slot;
  }

  /** Removes the level in `slot`. */
  remove(slot: number): void {
    const price = this.price[slot]!;
    this.bySlotPrice.delete(price);
    this.ranks.remove(price * this.sign);
    if (slot === this.bestSlot) this.bestSlot = this.ranks.best();
    this.changes++;
    if (this.freeCount === this.free.length) this.free = grown(this.free, this.free.length * 2);
    this.free[this.freeCount++] = slot;
  }

  /** Removes every level. */
  clear(): void {
    this.bySlotPrice.clear();
    this.ranks.clear();
    this.bestSlot = -1;
    this.changes++;
    this.freeCount = 0;
    this.nextSlot = 0;
  }

  private growSlots(): void {
    const capacity = this.price.length * 2;
    this.price = grown(this.price, capacity);
    this.size = grown(this.size, capacity);
    this.anonymous = grown(this.anonymous, capacity);
    this.orders = grown(this.orders, capacity);
    this.head = grown(this.head, capacity);
    this.tail = grown(this.tail, capacity);
    this.stamp = grown(this.stamp, capacity);
  }
}
