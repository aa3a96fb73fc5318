/**
 * An open-addressing hash map from integer-valued numbers (order ids, prices: any value up to 2^53,
 * negative included) to non-negative int32 slots. Linear probing with backward-shift deletion, so
 * there are no tombstones and lookups stay short. Avoids Map's boxing of non-small-integer keys.
 */
export class NumberMap {
  private keys: Float64Array;
  private values: Int32Array;
  private used: Uint8Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.values = new Int32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  /** Returns the value stored for `key`, or -1. */
  get(key: number): number {
    const at = this.find(key);
    return at < 0 ? -1 : this.values[at]!;
  }

  /**
   * Where the entry of `key` is in the table, or -1: for `valueAt` and `removeAt`, valid until the map
   * next changes. A caller that looks an entry up and then removes it probes once, not twice.
   */
  find(key: number): number {
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    let i = hash(key) & mask;
    while (used[i]) {
      if (keys[i] === key) return i;
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** The value of the entry at `at` (from `find`). */
  valueAt(at: number): number {
    return this.values[at]!;
  }

  /** Stores `value` (>= 0) for `key`, replacing any previous value. */
  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    let i = hash(key) & mask;
    while (used[i]) {
      if (keys[i] === key) {
        this.values[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
    used[i] = 1;
    keys[i] = key;
    this.values[i] = value;
    this.size++;
  }

  /**
   * Returns the value stored for `key`; when there is none, stores `value` (>= 0) for it and returns -1.
   * One probe where `get` then `set` take two.
   */
  getOrInsert(key: number, value: number): number {
    ONE_KEY[0] = key;
    return this.getOrInsertAt(ONE_KEY, 0, value);
  }

  /**
   * `getOrInsert(from[at], value)`, the key read here: a key beyond the small integers (an order id past
   * 2^31) passed to a call that is not inlined is boxed, an allocation per call.
   */
  getOrInsertAt(from: Float64Array, at: number, value: number): number {
    const key = from[at]!;
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    let i = hash(key) & mask;
    while (used[i]) {
      if (keys[i] === key) return this.values[i]!;
      i = (i + 1) & mask;
    }
    used[i] = 1;
    keys[i] = key;
    this.values[i] = value;
    this.size++;
    return -1;
  }

  /** Removes `key`; returns its value or -1 when absent. */
  delete(key: number): number {
    const at = this.find(key);
    if (at < 0) return -1;
    const value = this.values[at]!;
    this.removeAt(at);
    return value;
  }

  /**
   * Removes the entry at `at` (from `find`). Backward-shift deletion (Knuth 6.4, algorithm R): later
   * entries of its run move into the gap, so no tombstones are left.
   */
  removeAt(at: number): void {
    const keys = this.keys;
    const values = this.values;
    const used = this.used;
    const mask = this.mask;
    let gap = at;
    let j = (at + 1) & mask;
    while (used[j]) {
      const home = hash(keys[j]!) & mask;
      if ((j > gap && (home <= gap || home > j)) || (j < gap && home <= gap && home > j)) {
        keys[gap] = keys[j]!;
        values[gap] = values[j]!;
        gap = j;
      }
      j = (j + 1) & mask;
    }
    used[gap] = 0;
    this.size--;
  }

  clear(): void {
    this.used.fill(0);
    this.size = 0;
  }

  private rehash(capacity: number): void {
    const { keys, values, used } = this;
    this.keys = new Float64Array(capacity);
    this.values = new Int32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < used.length; i++) if (used[i]) this.set(keys[i]!, values[i]!);
  }
}

const ONE_KEY = new Float64Array(1);

/** Mixes both 32-bit halves of an integer-valued double into a 32-bit hash. */
function hash(key: number): number {
  const lo = key | 0;
  const hi = (key / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  return h;
}
