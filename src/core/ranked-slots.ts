import { grown } from './typed-arrays.js';

/** log2 of the entries a block holds. */
const SHIFT = 7;
const BLOCK = 1 << SHIFT;
const HALF = BLOCK >> 1;
/** Entries looked at one by one from a block's best end before bisecting: most changes are near the best. */
const NEAR = 8;
/** Moves of up to this many entries are done element by element: a loop costs less than copyWithin's call. */
const SHORT_MOVE = 16;

/**
 * Slots ordered by a numeric key, the largest key best: the levels of a deep book side in priority order
 * (bids keyed by price, asks by negated price; Ladder moves a side here once it is deeper than 512
 * levels), for rank lookups. Keys are unique (the caller keeps one slot per key).
 *
 * The order is kept in blocks of at most 128 entries, each sorted with its largest key last, the blocks
 * themselves in key order: a change moves at most one block's entries, where one sorted array moves every
 * entry better than it (~500 a change on the Binance USD-M capture, whose diffs add levels far from the
 * touch: 5,170 a side by its end). Two neighbouring blocks always hold more than 64 entries between them
 * (a removal that breaks this merges them), so there are at most n / 32 + 1 blocks for n entries.
 *
 * ```ts
 * const bids = new RankedSlots();
 * bids.insert(100, 0);
 * bids.insert(101, 1);
 * bids.best(); // 1
 * bids.slotAt(1); // 0
 * ```
 */
export class RankedSlots {
  /** Number of entries. */
  count = 0;
  /** Block b's entries are at [b × BLOCK, b × BLOCK + lengths[b]), ascending by key. */
  private keys: Float64Array;
  private slots: Int32Array;
  private lengths: Int32Array;
  /** The blocks in key order (position 0 holds the smallest keys); every one non-empty unless it is the only one. */
  private order: Int32Array;
  private blocks = 1;
  /** The block at the last position: the best entries. */
  private last = 0;
  /** Blocks never used yet start at `unused`; blocks given up are kept in `spare`. */
  private unused = 1;
  private spare: Int32Array;
  private spareCount = 0;
  /** Counts the changes of the order; `slotAt` continues a walk it made while this stays the same. */
  private shape = 0;
  private cursorShape = -1;
  private cursorPosition = 0;
  /** Rank (0 = best) of the best entry of the block at `cursorPosition`. */
  private cursorRank = 0;

  constructor(capacity = 256) {
    const blocks = Math.max(2, Math.ceil(capacity / HALF));
    this.keys = new Float64Array(blocks * BLOCK);
    this.slots = new Int32Array(blocks * BLOCK);
    this.lengths = new Int32Array(blocks);
    this.order = new Int32Array(blocks);
    this.spare = new Int32Array(blocks);
  }

  /** The slot with the largest key, or -1 when empty. */
  best(): number {
    const n = this.lengths[this.last]!;
    return n > 0 ? this.slots[(this.last << SHIFT) + n - 1]! : -1;
  }

  /** The slot at rank `rank` (0 = best), or -1 beyond the count. A walk from the best, rank by rank, costs one step a rank. */
  slotAt(rank: number): number {
    if (rank >= this.count || rank < 0) return -1;
    // The worst entry (a book cut to a depth drops it one by one) is the first of the first block.
    if (rank === this.count - 1) return this.slots[this.order[0]! << SHIFT]!;
    let position = this.blocks - 1;
    let rest = rank;
    if (this.cursorShape === this.shape && rank >= this.cursorRank) {
      position = this.cursorPosition;
      rest = rank - this.cursorRank;
    }
    let n = this.lengths[this.order[position]!]!;
    while (rest >= n) {
      rest -= n;
      position--;
      n = this.lengths[this.order[position]!]!;
    }
    this.cursorShape = this.shape;
    this.cursorPosition = position;
    this.cursorRank = rank - rest;
    return this.slots[(this.order[position]! << SHIFT) + n - 1 - rest]!;
  }

  /** Writes the slots of the best `levels` entries, best first, into `into`; returns how many there were. */
  bestSlots(levels: number, into: Int32Array): number {
    const held = Math.min(levels, this.count);
    const { order, lengths, slots } = this;
    for (let rank = 0, position = this.blocks - 1; rank < held; position--) {
      const base = order[position]! << SHIFT;
      for (let at = base + lengths[order[position]!]! - 1; at >= base && rank < held; at--) into[rank++] = slots[at]!;
    }
    return held;
  }

  /** Adds `slot` under `key` (not already present). */
  insert(key: number, slot: number): void {
    let position = this.positionOf(key);
    if (this.lengths[this.order[position]!] === BLOCK) {
      this.split(position);
      if (key >= this.keys[this.order[position + 1]! << SHIFT]!) position++;
    }
    const block = this.order[position]!;
    const base = block << SHIFT;
    const n = this.lengths[block]!;
    const keys = this.keys;
    const slots = this.slots;
    let at = base + n;
    const stop = Math.max(base, at - NEAR);
    while (at > stop && keys[at - 1]! > key) at--;
    if (at === stop && stop > base && keys[at - 1]! > key) at = lowerBound(keys, base, at, key);
    const end = base + n;
    if (end - at > SHORT_MOVE) {
      keys.copyWithin(at + 1, at, end);
      slots.copyWithin(at + 1, at, end);
    } else {
      for (let i = end; i > at; i--) {
        keys[i] = keys[i - 1]!;
        slots[i] = slots[i - 1]!;
      }
    }
    keys[at] = key;
    slots[at] = slot;
    this.lengths[block] = n + 1;
    this.count++;
    this.shape++;
  }

  /** Removes the entry under `key` (present). */
  remove(key: number): void {
    const position = this.positionOf(key);
    const block = this.order[position]!;
    const base = block << SHIFT;
    const n = this.lengths[block]!;
    const keys = this.keys;
    const slots = this.slots;
    const end = base + n;
    let at = end - 1;
    const stop = Math.max(base, end - NEAR);
    while (at >= stop && keys[at] !== key) at--;
    if (at < stop) at = lowerBound(keys, base, stop, key);
    if (end - at - 1 > SHORT_MOVE) {
      keys.copyWithin(at, at + 1, end);
      slots.copyWithin(at, at + 1, end);
    } else {
      for (let i = at + 1; i < end; i++) {
        keys[i - 1] = keys[i]!;
        slots[i - 1] = slots[i]!;
      }
    }
    this.lengths[block] = n - 1;
    this.count--;
    this.shape++;
    if (n - 1 <= HALF && this.blocks > 1) this.mend(position);
  }

  /** Removes every entry. */
  clear(): void {
    this.count = 0;
    this.blocks = 1;
    this.order[0] = 0;
    this.last = 0;
    this.lengths.fill(0);
    this.unused = 1;
    this.spareCount = 0;
    this.shape++;
  }

  /** The position of the block `key` belongs in: the last whose smallest key is at most `key`, else 0. */
  private positionOf(key: number): number {
    const { order, keys } = this;
    const top = this.blocks - 1;
    if (top === 0 || keys[this.last << SHIFT]! <= key) return top;
    let lo = 0;
    let hi = top - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (keys[order[mid]! << SHIFT]! <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Moves the upper half of the (full) block at `position` into a new block just after it. */
  private split(position: number): void {
    const block = this.order[position]!;
    const added = this.newBlock();
    const from = (block << SHIFT) + HALF;
    this.keys.copyWithin(added << SHIFT, from, from + BLOCK - HALF);
    this.slots.copyWithin(added << SHIFT, from, from + BLOCK - HALF);
    this.lengths[block] = HALF;
    this.lengths[added] = BLOCK - HALF;
    this.order.copyWithin(position + 2, position + 1, this.blocks);
    this.order[position + 1] = added;
    this.blocks++;
    this.last = this.order[this.blocks - 1]!;
  }

  /** After a removal from the block at `position`: drops it when empty, else merges it with a neighbour when the two fit in half a block. */
  private mend(position: number): void {
    const { order, lengths } = this;
    const n = lengths[order[position]!]!;
    if (n === 0) return this.drop(position);
    const before = position > 0 ? lengths[order[position - 1]!]! : BLOCK;
    const after = position < this.blocks - 1 ? lengths[order[position + 1]!]! : BLOCK;
    if (Math.min(before, after) + n > HALF) return;
    const first = before <= after ? position - 1 : position;
    const into = order[first]!;
    const from = order[first + 1]!;
    const at = (into << SHIFT) + lengths[into]!;
    this.keys.copyWithin(at, from << SHIFT, (from << SHIFT) + lengths[from]!);
    this.slots.copyWithin(at, from << SHIFT, (from << SHIFT) + lengths[from]!);
    lengths[into] = lengths[into]! + lengths[from]!;
    lengths[from] = 0;
    this.drop(first + 1);
  }

  /** Takes the (empty) block at `position` out of the order. */
  private drop(position: number): void {
    const block = this.order[position]!;
    this.order.copyWithin(position, position + 1, this.blocks);
    this.blocks--;
    this.last = this.order[this.blocks - 1]!;
    this.spare[this.spareCount++] = block;
  }

  private newBlock(): number {
    if (this.spareCount > 0) return this.spare[--this.spareCount]!;
    if (this.unused === this.lengths.length) {
      const blocks = this.unused * 2;
      this.keys = grown(this.keys, blocks * BLOCK);
      this.slots = grown(this.slots, blocks * BLOCK);
      this.lengths = grown(this.lengths, blocks);
      this.order = grown(this.order, blocks);
      this.spare = grown(this.spare, blocks);
    }
    return this.unused++;
  }
}

/** First index in [from, to) whose key is >= `key`. */
function lowerBound(keys: Float64Array, from: number, to: number, key: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
