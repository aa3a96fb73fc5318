import { NumberQueue } from './number-queue.js';
import type { TrackedOrder } from './order-tracker.js';

/**
 * The orders of each side that ended cancelled with nothing filled, over the last `keepNs`: when each
 * arrived and was cancelled, its size and id. Pressure detectors read it for the order on the other side
 * placed with a pressure and withdrawn with it (an attempt given up) and for the other orders of a layer.
 */
export class Withdrawals {
  /** Per side [bid, ask]. Orders end in time order, so each side's queues are in order of cancel. */
  private readonly added = [new NumberQueue(), new NumberQueue()];
  private readonly ended = [new NumberQueue(), new NumberQueue()];
  private readonly sizes = [new NumberQueue(), new NumberQueue()];
  private readonly ids = [new NumberQueue(), new NumberQueue()];

  constructor(private readonly keepNs: number) {}

  /** Remembers `order` if it ended cancelled unfilled. */
  note(order: TrackedOrder): void {
    if (order.end !== 'cancelled' || order.filled > 0) return;
    const slot = order.side > 0 ? 0 : 1;
    const ended = this.ended[slot]!;
    while (ended.length > 0 && ended.at(0) < order.endedNs - this.keepNs) {
      ended.shift();
      this.added[slot]!.shift();
      this.sizes[slot]!.shift();
      this.ids[slot]!.shift();
    }
    ended.push(order.endedNs);
    this.added[slot]!.push(order.addedNs);
    this.sizes[slot]!.push(order.size);
    this.ids[slot]!.push(order.id);
  }

  /**
   * The id of the first order of `side` other than `exceptId`, of `minSize` to `maxSize`, cancelled within
   * `windowNs` of `endedNs` and, unless `addedNs` is NaN, placed within `windowNs` of it; NaN when none is.
   */
  find(side: number, addedNs: number, endedNs: number, windowNs: number, minSize: number, maxSize: number, exceptId: number): number {
    const slot = side > 0 ? 0 : 1;
    const ended = this.ended[slot]!;
    const added = this.added[slot]!;
    const ids = this.ids[slot]!;
    for (let k = 0; k < ended.length; k++) {
      const size = this.sizes[slot]!.at(k);
      if (Math.abs(ended.at(k) - endedNs) > windowNs || ids.at(k) === exceptId || size < minSize || size > maxSize) continue;
      if (addedNs === addedNs && Math.abs(added.at(k) - addedNs) > windowNs) continue;
      return ids.at(k);
    }
    return NaN;
  }
}
