import { NumberMap } from './number-map.js';
import { RankedSlots } from './ranked-slots.js';
import { grown } from './typed-arrays.js';

/** Moves of up to this many ranks are done element by element: at the best end, where most happen, a loop costs less than copyWithin's call. */
const SHORT_MOVE = 16;

/**
 * Levels a side keeps in one sorted array. A change there moves the levels better than it, few near the
 * touch; a side that grows deeper (a crypto diff stream adds levels far from the touch: 5,170 a side by
 * the end of the Binance USD-M capture) moves its order into blocks (RankedSlots), where a change moves
 * at most a block. Shallow sides stay on the array: the blocks' code, compiled and inlined into the
 * books' hot loops, cost a LOBSTER replay 4.5% more CPU (AMZN ×18), though it never needed them.
 */
const FLAT_LEVELS = 512;

/**
 * One side of a book: price levels in priority order. Level data lives in slot-indexed typed arrays;
 * `rankKey`/`rankSlot` keep the levels sorted with the best level at the END, so the activity near the
 * touch shifts few elements (bids sorted by price, asks by negated price), until the side is deeper than
 * FLAT_LEVELS; then `deep` keeps the order.
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
  /**
   * The best level's slot, -1 when the side is empty (read-only outside Ladder): books read the best
   * price and size after every update from this field, without a call.
   */
  bestSlot = -1;
  private rankKey: Float64Array;
  private rankSlot: Int32Array;
  private count = 0;
  /** The level order once the side has had more than FLAT_LEVELS levels (until it is cleared); null before. */
  private deep: RankedSlots | null = null;
  private readonly bySlotPrice = new NumberMap(256);
  private free: Int32Array;
  private freeCount = 0;
  /** Scratch for `copyBest` of a deep side. */
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
    this.rankKey = new Float64Array(capacity);
    this.rankSlot = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
  }

  /** Number of levels. */
  get depth(): number {
    return this.deep === null ? this.count : this.deep.count;
  }

  /** Slot of the level at `price`, or -1. */
  find(price: number): number {
    // Most changes are at the best level: its price is compared before the map is probed.
    const best = this.bestSlot;
    if (best >= 0 && this.price[best] === price) return best;
    return this.bySlotPrice.get(price);
  }

  /** Slot of the level at rank `rank` (0 = best), or -1 beyond the depth. */
  slotAt(rank: number): number {
    if (this.deep !== null) return this.deep.slotAt(rank);
    return rank < this.count ? this.rankSlot[this.count - 1 - rank]! : -1;
  }

  /**
   * Copies the prices and sizes of the best `levels` levels, best first, into `prices` and `sizes`;
   * returns how many there were (at most `levels`). One call for what `slotAt` does level by level.
   */
  copyBest(levels: number, prices: Float64Array, sizes: Float64Array): number {
    if (this.deep !== null) return this.copyBestDeep(levels, prices, sizes);
    const held = Math.min(levels, this.count);
    const { rankSlot, price, size } = this;
    for (let rank = 0, at = this.count - 1; rank < held; rank++, at--) {
      const slot = rankSlot[at]!;
      prices[rank] = price[slot]!;
      sizes[rank] = size[slot]!;
    }
    return held;
  }

  /** Returns the slot of the level at `price`, creating an empty level when there is none. */
  ensure(price: number): number {
    const best = this.bestSlot;
    if (best >= 0 && this.price[best] === price) return best;
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
    if (this.deep === null) {
      this.insertRank(price * this.sign, slot);
      this.bestSlot = this.rankSlot[this.count - 1]!;
      if (this.count > FLAT_LEVELS) this.deepen();
    } else {
      this.deep.insert(price * this.sign, slot);
      this.bestSlot = this.deep.best();
    }
    this.changes++;
    return slot;
  }

  /** Removes the level in `slot`. */
  remove(slot: number): void {
    const price = this.price[slot]!;
    this.bySlotPrice.delete(price);
    if (this.deep !== null) this.removeDeep(slot, price);
    else this.removeFlat(price);
    this.changes++;
    if (this.freeCount === this.free.length) this.free = grown(this.free, this.free.length * 2);
    this.free[this.freeCount++] = slot;
  }

  private removeFlat(price: number): void {
    const rank = this.rankOf(price * this.sign);
    const keys = this.rankKey;
    const slots = this.rankSlot;
    if (this.count - rank > SHORT_MOVE) {
      keys.copyWithin(rank, rank + 1, this.count);
      slots.copyWithin(rank, rank + 1, this.count);
    } else {
      for (let i = rank + 1; i < this.count; i++) {
        keys[i - 1] = keys[i]!;
        slots[i - 1] = slots[i]!;
      }
    }
    this.count--;
    this.bestSlot = this.count > 0 ? this.rankSlot[this.count - 1]! : -1;
  }

  private removeDeep(slot: number, price: number): void {
    const deep = this.deep!;
    deep.remove(price * this.sign);
    if (slot === this.bestSlot) this.bestSlot = deep.best();
  }

  /** Moves the order into blocks: the side has grown deeper than FLAT_LEVELS. */
  private deepen(): void {
    const deep = new RankedSlots(2 * this.count);
    for (let i = 0; i < this.count; i++) deep.insert(this.rankKey[i]!, this.rankSlot[i]!);
    this.deep = deep;
  }

  private copyBestDeep(levels: number, prices: Float64Array, sizes: Float64Array): number {
    if (this.bestSlots.length < levels) this.bestSlots = new Int32Array(levels);
    const slots = this.bestSlots;
    const held = this.deep!.bestSlots(levels, slots);
    for (let rank = 0; rank < held; rank++) {
      prices[rank] = this.price[slots[rank]!]!;
      sizes[rank] = this.size[slots[rank]!]!;
    }
    return held;
  }

  /** Removes every level. */
  clear(): void {
    this.bySlotPrice.clear();
    this.count = 0;
    this.deep = null;
    this.bestSlot = -1;
    this.changes++;
    this.freeCount = 0;
    this.nextSlot = 0;
  }

  private insertRank(key: number, slot: number): void {
    if (this.count === this.rankKey.length) {
      this.rankKey = grown(this.rankKey, this.count * 2);
      this.rankSlot = grown(this.rankSlot, this.count * 2);
    }
    // Most inserts land near the best end: scan back a few places before falling back to bisection.
    const keys = this.rankKey;
    let at = this.count;
    const stop = Math.max(0, this.count - 8);
    while (at > stop && keys[at - 1]! > key) at--;
    if (at === stop && stop > 0 && keys[at - 1]! > key) at = this.lowerBound(key, at);
    const slots = this.rankSlot;
    if (this.count - at > SHORT_MOVE) {
      keys.copyWithin(at + 1, at, this.count);
      slots.copyWithin(at + 1, at, this.count);
    } else {
      for (let i = this.count; i > at; i--) {
        keys[i] = keys[i - 1]!;
        slots[i] = slots[i - 1]!;
      }
    }
    keys[at] = key;
    slots[at] = slot;
    this.count++;
  }

  private rankOf(key: number): number {
    const keys = this.rankKey;
    for (let i = this.count - 1, stop = Math.max(0, this.count - 8); i >= stop; i--) if (keys[i] === key) return i;
    return this.lowerBound(key, this.count);
  }

  /** First index in [0, end) whose key is >= `key`. */
  private lowerBound(key: number, end: number): number {
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rankKey[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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
