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
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    let i = hash(key) & mask;
    while (used[i]) {
      if (keys[i] === key) return this.values[i]!;
      i = (i + 1) & mask;
    }
    return -1;
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

  /** Removes `key`; returns its value or -1 when absent. */
  delete(key: number): number {
    const keys = this.keys;
    const used = this.used;
    const values = this.values;
    const mask = this.mask;
    let i = hash(key) & mask;
    while (used[i]) {
      if (keys[i] === key) {
        const value = values[i]!;
        // Backward-shift deletion (Knuth 6.4, algorithm R): move later entries of the run into the gap.
        let gap = i;
        let j = (i + 1) & mask;
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
        return value;
      }
      i = (i + 1) & mask;
    }
    return -1;
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

/** Mixes both 32-bit halves of an integer-valued double into a 32-bit hash. */
function hash(key: number): number {
  const lo = key | 0;
  const hi = (key / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  return h;
}
