import { NumberMap } from '../core/number-map.js';

/**
 * A map from integer-valued numbers (order ids, level keys) to values that keeps a Map's order — entries
 * in the order their keys were inserted, a replaced value keeping its place, a deleted key forgotten —
 * without a Map's cost on keys that are not small integers and without churning its tables when entries
 * come and go. Keys are found through a NumberMap; entries take slots in insertion order, and the slots
 * of deleted entries are dropped (the live ones moved down, order kept) only when an insertion finds
 * more dead slots than live ones, so deleting while visiting the slots in order is safe. The slot arrays
 * keep their length: slots past `end` are reused, not reallocated as entries come and go.
 */
export class OrderedNumberMap<V> {
  private readonly index = new NumberMap(64);
  private readonly keys: number[] = [];
  private readonly values: (V | undefined)[] = [];
  private used = 0;
  private dead = 0;

  /** Live entries. */
  get size(): number {
    return this.index.size;
  }

  /** Slots in use, live or dead: visit `0 … end - 1` with `at`. */
  get end(): number {
    return this.used;
  }

  /** The value in slot `slot`, undefined when its entry was deleted. */
  at(slot: number): V | undefined {
    return this.values[slot];
  }

  /** The key of slot `slot`. */
  keyAt(slot: number): number {
    return this.keys[slot]!;
  }

  get(key: number): V | undefined {
    const slot = this.index.get(key);
    return slot < 0 ? undefined : this.values[slot];
  }

  /** Stores `value` for `key`: in place when the key is present, else after every other entry. */
  set(key: number, value: V): void {
    const slot = this.index.get(key);
    if (slot >= 0) {
      this.values[slot] = value;
      return;
    }
    if (this.dead > this.index.size) this.compact();
    const next = this.used++;
    this.index.set(key, next);
    if (next < this.values.length) {
      this.keys[next] = key;
      this.values[next] = value;
    } else {
      this.keys.push(key);
      this.values.push(value);
    }
  }

  delete(key: number): void {
    const slot = this.index.delete(key);
    if (slot < 0) return;
    this.values[slot] = undefined;
    this.dead++;
  }

  clear(): void {
    this.index.clear();
    this.keys.length = 0;
    this.values.length = 0;
    this.used = 0;
    this.dead = 0;
  }

  /** Moves the live entries down over the dead slots, in order; the slots freed at the end hold nothing. */
  private compact(): void {
    let live = 0;
    for (let slot = 0; slot < this.used; slot++) {
      const value = this.values[slot];
      if (value === undefined) continue;
      const key = this.keys[slot]!;
      this.keys[live] = key;
      this.values[live] = value;
      this.index.set(key, live);
      live++;
    }
    for (let slot = live; slot < this.used; slot++) this.values[slot] = undefined;
    this.used = live;
    this.dead = 0;
  }
}
