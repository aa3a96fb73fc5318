/**
 * A growable columnar buffer of event rows read from a dataset: rows are appended by runs (typed-array
 * copies, no object per row), consumed from the front, and handed out as EventBatches that end on a
 * `Flag.Last` row.
 */
import { eventBatch, type EventBatch } from '../core/batch.js';
import { Flag } from '../core/event.js';
import type { InstrumentTable } from '../core/instrument.js';
import { columnList, columnSlices, grownColumns, newColumns, type EventColumns } from '../core/event-columns.js';
import type { PartBlock } from './part-reader.js';

/** Below this many rows a run is copied row by row; above, column by column with `set`. */
const SHORT_RUN = 16;

/** Rows [head, n) pending, of which [head, complete) are whole updates; times are ns offsets from `baseNs`. */
export class RowBuffer implements EventColumns {
  head = 0;
  n = 0;
  /** End of the rows known to form whole updates (kept in step when consumed rows are dropped). */
  complete = 0;
  baseNs: bigint;
  // The columns (EventColumns), set by Object.assign from the shared helpers.
  tsEvent!: Float64Array;
  tsRecv!: Float64Array;
  instrument!: Int32Array;
  action!: Uint8Array;
  side!: Int8Array;
  price!: Float64Array;
  size!: Float64Array;
  orderId!: Float64Array;
  seq!: Float64Array;
  flags!: Uint8Array;
  sourceRow!: Float64Array;

  constructor(baseNs: bigint, capacity = 16_384) {
    this.baseNs = baseNs;
    Object.assign(this, newColumns(capacity));
  }

  /** Rows pending. */
  get length(): number {
    return this.n - this.head;
  }

  /** Appends rows [from, to) of a decoded block, all of one instrument; times shifted by `shift` ns. */
  appendBlock(block: PartBlock, from: number, to: number, instrument: number, shift: number): void {
    const count = to - from;
    this.reserve(count);
    const at = this.n;
    if (count < SHORT_RUN) {
      for (let i = 0; i < count; i++) {
        const r = from + i;
        const w = at + i;
        this.tsEvent[w] = block.tsEvent[r]! + shift;
        this.tsRecv[w] = block.tsRecv[r]! + shift;
        this.instrument[w] = instrument;
        this.action[w] = block.action[r]!;
        this.side[w] = block.side[r]!;
        this.price[w] = block.price[r]!;
        this.size[w] = block.size[r]!;
        this.orderId[w] = block.orderId[r]!;
        this.seq[w] = block.seq[r]!;
        this.flags[w] = block.flags[r]!;
        this.sourceRow[w] = block.sourceRow[r]!;
      }
    } else {
      this.tsEvent.set(block.tsEvent.subarray(from, to), at);
      this.tsRecv.set(block.tsRecv.subarray(from, to), at);
      if (shift !== 0) {
        for (let w = at; w < at + count; w++) {
          this.tsEvent[w] += shift;
          this.tsRecv[w] += shift;
        }
      }
      this.instrument.fill(instrument, at, at + count);
      this.action.set(block.action.subarray(from, to), at);
      this.side.set(block.side.subarray(from, to), at);
      this.price.set(block.price.subarray(from, to), at);
      this.size.set(block.size.subarray(from, to), at);
      this.orderId.set(block.orderId.subarray(from, to), at);
      this.seq.set(block.seq.subarray(from, to), at);
      this.flags.set(block.flags.subarray(from, to), at);
      this.sourceRow.set(block.sourceRow.subarray(from, to), at);
    }
    this.n += count;
  }

  /** Moves rows [from, to) of another buffer here (they leave it only when its head passes them); times shifted by `shift`. */
  appendRows(other: RowBuffer, from: number, to: number, shift: number): void {
    const count = to - from;
    this.reserve(count);
    const at = this.n;
    this.tsEvent.set(other.tsEvent.subarray(from, to), at);
    this.tsRecv.set(other.tsRecv.subarray(from, to), at);
    if (shift !== 0) {
      for (let w = at; w < at + count; w++) {
        this.tsEvent[w] += shift;
        this.tsRecv[w] += shift;
      }
    }
    this.instrument.set(other.instrument.subarray(from, to), at);
    this.action.set(other.action.subarray(from, to), at);
    this.side.set(other.side.subarray(from, to), at);
    this.price.set(other.price.subarray(from, to), at);
    this.size.set(other.size.subarray(from, to), at);
    this.orderId.set(other.orderId.subarray(from, to), at);
    this.seq.set(other.seq.subarray(from, to), at);
    this.flags.set(other.flags.subarray(from, to), at);
    this.sourceRow.set(other.sourceRow.subarray(from, to), at);
    this.n += count;
  }

  /** Drops rows [from, to), moving later rows down. */
  remove(from: number, to: number): void {
    if (to < this.n) {
      for (const column of columnList(this)) column.copyWithin(from, to, this.n);
    }
    this.n -= to - from;
  }

  /** Hands out rows [head, end) as a batch; `end` must follow a Last row. */
  take(end: number, instruments: InstrumentTable): EventBatch {
    const from = this.head;
    const batch = eventBatch(end - from, this.baseNs, columnSlices(this, from, end), instruments);
    this.head = end;
    return batch;
  }

  /** Marks the last pending row as the end of an update (the input ended without one). */
  markLast(): void {
    if (this.n > this.head) this.flags[this.n - 1] |= Flag.Last;
  }

  /** Room for `count` more rows: consumed rows are dropped first, then the columns grow. */
  private reserve(count: number): void {
    if (this.n + count <= this.tsEvent.length) return;
    if (this.head > 0) {
      for (const column of columnList(this)) column.copyWithin(0, this.head, this.n);
      this.n -= this.head;
      this.complete = Math.max(0, this.complete - this.head);
      this.head = 0;
      if (this.n + count <= this.tsEvent.length) return;
    }
    let capacity = this.tsEvent.length * 2;
    while (capacity < this.n + count) capacity *= 2;
    Object.assign(this, grownColumns(this, capacity));
  }
}
