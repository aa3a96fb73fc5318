import type { TrackedOrder } from './order-tracker.js';

/**
 * Orders kept whatever their age: a detector judges an order at the first update a millisecond after its
 * cancel, which may come long after it on a quiet stream, together with new cancels.
 */
const MIN_KEPT = 1024;
/** Numbers per order: arrival, cancel, size, id. */
const ADDED = 0;
const ENDED = 1;
const SIZE = 2;
const ID = 3;
const FIELDS = 4;

/**
 * The orders of each side that ended cancelled with nothing filled, over the last `keepNs` (and at least
 * the last MIN_KEPT of them): when each
 * arrived and was cancelled, its size and id. Pressure detectors read it for the order on the other side
 * placed with a pressure and withdrawn with it (an attempt given up) and for the other orders of a layer.
 * Per side a ring of records in a typed array that doubles when full: noting an order allocates nothing
 * once it has grown to the most orders `keepNs` holds.
 */
export class Withdrawals {
  /** Per side [bid, ask]: the records, the slot of the oldest and their number. Orders end in time order. */
  private readonly rings: Float64Array[] = [new Float64Array(64 * FIELDS), new Float64Array(64 * FIELDS)];
  private readonly heads = [0, 0];
  private readonly counts = [0, 0];

  constructor(private readonly keepNs: number) {}

  /** Remembers `order`, which ended cancelled unfilled, and forgets those cancelled over `keepNs` before it beyond the last MIN_KEPT. */
  note(order: TrackedOrder): void {
    const side = order.side > 0 ? 0 : 1;
    let ring = this.rings[side]!;
    let slots = ring.length / FIELDS;
    let head = this.heads[side]!;
    let count = this.counts[side]!;
    while (count > MIN_KEPT && ring[head * FIELDS + ENDED]! < order.endedNs - this.keepNs) {
      head = (head + 1) & (slots - 1);
      count--;
    }
    if (count === slots) {
      ring = this.grow(side, head, count);
      slots *= 2;
      head = 0;
    }
    const at = ((head + count) & (slots - 1)) * FIELDS;
    ring[at + ADDED] = order.addedNs;
    ring[at + ENDED] = order.endedNs;
    ring[at + SIZE] = order.size;
    ring[at + ID] = order.id;
    this.heads[side] = head;
    this.counts[side] = count + 1;
  }

  /**
   * The id of the first order of `side` other than `exceptId`, of `minSize` to `maxSize`, cancelled within
   * `windowNs` of `endedNs` and, unless `addedNs` is NaN, placed within `windowNs` of it; NaN when none is.
   */
  find(side: number, addedNs: number, endedNs: number, windowNs: number, minSize: number, maxSize: number, exceptId: number): number {
    const s = side > 0 ? 0 : 1;
    const ring = this.rings[s]!;
    const mask = ring.length / FIELDS - 1;
    for (let k = 0, count = this.counts[s]!; k < count; k++) {
      const at = ((this.heads[s]! + k) & mask) * FIELDS;
      const size = ring[at + SIZE]!;
      if (Math.abs(ring[at + ENDED]! - endedNs) > windowNs || ring[at + ID] === exceptId || size < minSize || size > maxSize) continue;
      if (addedNs === addedNs && Math.abs(ring[at + ADDED]! - addedNs) > windowNs) continue;
      return ring[at + ID]!;
    }
    return NaN;
  }

  private grow(side: number, head: number, count: number): Float64Array {
    const ring = this.rings[side]!;
    const mask = ring.length / FIELDS - 1;
    const next = new Float64Array(ring.length * 2);
    for (let k = 0; k < count; k++) next.set(ring.subarray(((head + k) & mask) * FIELDS, ((head + k) & mask) * FIELDS + FIELDS), k * FIELDS);
    this.rings[side] = next;
    return next;
  }
}
