/**
 * A first-in first-out queue of numbers (times, sizes of a sliding window) in a ring of typed-array slots
 * that doubles when full: pushing at the back and dropping from the front allocate nothing once it has
 * grown to the longest it gets, where an array's shift and push churn its backing store.
 */
export class NumberQueue {
  private items = new Float64Array(16);
  /** Slot of the oldest number; slots wrap around (the capacity is a power of two). */
  private head = 0;
  /** Numbers in the queue. */
  length = 0;

  push(value: number): void {
    if (this.length === this.items.length) this.grow();
    this.items[(this.head + this.length) & (this.items.length - 1)] = value;
    this.length++;
  }

  /** The number `k` places from the front (0: the oldest); `k` must be below `length`. */
  at(k: number): number {
    return this.items[(this.head + k) & (this.items.length - 1)]!;
  }

  /** Drops the oldest number (the queue must not be empty). */
  shift(): void {
    this.head = (this.head + 1) & (this.items.length - 1);
    this.length--;
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  private grow(): void {
    const next = new Float64Array(this.items.length * 2);
    for (let k = 0; k < this.length; k++) next[k] = this.at(k);
    this.items = next;
    this.head = 0;
  }
}
