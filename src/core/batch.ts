import { Flag } from './event.js';
import type { InstrumentTable } from './instrument.js';
import { carriedColumns, columnViews, grownColumns, newColumns, type EventColumns } from './event-columns.js';

/**
 * A columnar batch of normalized events. Row i of every column describes one event.
 * Times are integer nanoseconds stored as offsets from `timeBaseNs` so that a Float64 holds them
 * exactly (offsets stay below 2^53 ns, about 104 days). A batch always ends on a row carrying
 * `Flag.Last`, so no atomic venue update spans two batches. Consumers never mutate a batch.
 */
export interface EventBatch {
  readonly length: number;
  /** Epoch nanoseconds that the time offsets count from (the stream's first UTC midnight). */
  readonly timeBaseNs: bigint;
  /** Venue event time, ns after `timeBaseNs`. */
  readonly tsEvent: Float64Array;
  /** Local receive time, ns after `timeBaseNs`; NaN where the source has none. */
  readonly tsRecv: Float64Array;
  /** Index into `instruments`. */
  readonly instrument: Int32Array;
  /** An `Action` code. */
  readonly action: Uint8Array;
  /** `Side` of the resting order or level, or the trade aggressor; 0 when unknown. */
  readonly side: Int8Array;
  /** Price in integer units of the instrument's `priceDecimals`. */
  readonly price: Float64Array;
  /** Size in integer units of the instrument's `sizeDecimals`. */
  readonly size: Float64Array;
  /** Venue order id (L3); 0 where there is none. */
  readonly orderId: Float64Array;
  /** Venue sequence number or update id; the source row number where the venue has none. */
  readonly seq: Float64Array;
  /** `Flag` bits. */
  readonly flags: Uint8Array;
  /** Source row (1-based line or record number) the event came from, for integrity messages. */
  readonly sourceRow: Float64Array;
  readonly instruments: InstrumentTable;
}

/**
 * Rows kept a column each, for `BatchBuilder.appendRows`: what varies between the rows of one
 * instrument's events; `line` is each row's seq and source row.
 */
export interface RowColumns {
  readonly ts: Float64Array;
  readonly action: Uint8Array;
  readonly side: Int8Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  readonly orderId: Float64Array;
  readonly line: Float64Array;
  readonly flags: Uint8Array;
}

/**
 * A batch of `length` rows of `columns`. Every batch is made here, so all have one shape (hidden class):
 * code that reads batches from two makers (a dataset's row-group views and its merged rows) was
 * otherwise compiled for one shape, then thrown away on meeting the other.
 */
export function eventBatch(length: number, timeBaseNs: bigint, c: EventColumns, instruments: InstrumentTable): EventBatch {
  return {
    length,
    timeBaseNs,
    tsEvent: c.tsEvent,
    tsRecv: c.tsRecv,
    instrument: c.instrument,
    action: c.action,
    side: c.side,
    price: c.price,
    size: c.size,
    orderId: c.orderId,
    seq: c.seq,
    flags: c.flags,
    sourceRow: c.sourceRow,
    instruments,
  };
}

/** Offsets must stay exactly representable in a Float64. */
export const MAX_TIME_OFFSET_NS = 2 ** 53;

/**
 * Accumulates rows into growable typed arrays and hands out batches that end on a `Flag.Last` row.
 * Readers call `push…` per row; `take()` returns a batch once `softCapacity` rows are complete.
 *
 * ```ts
 * const builder = new BatchBuilder(table, 0n);
 * builder.push(ts, NaN, 0, Action.Add, Side.Bid, 100, 5, 42, 1, Flag.Last, 1);
 * const batch = builder.take(); // null until softCapacity complete rows are buffered
 * ```
 */
export class BatchBuilder {
  private capacity: number;
  private n = 0;
  /** Rows [0, completeRows) end on a Last row and can be handed out. */
  private completeRows = 0;
  private columns: EventColumns;

  constructor(
    readonly instruments: InstrumentTable,
    public timeBaseNs: bigint,
    readonly softCapacity = 8192,
  ) {
    this.capacity = softCapacity + 64;
    this.columns = newColumns(this.capacity);
  }

  /** Rows buffered, complete or not. */
  get length(): number {
    return this.n;
  }

  /** Appends one row. Returns its index within the pending batch. */
  push(
    tsEvent: number,
    tsRecv: number,
    instrument: number,
    action: number,
    side: number,
    price: number,
    size: number,
    orderId: number,
    seq: number,
    flags: number,
    sourceRow: number,
  ): number {
    if (this.n === this.capacity) this.grow();
    const i = this.n++;
    const c = this.columns;
    c.tsEvent[i] = tsEvent;
    c.tsRecv[i] = tsRecv;
    c.instrument[i] = instrument;
    c.action[i] = action;
    c.side[i] = side;
    c.price[i] = price;
    c.size[i] = size;
    c.orderId[i] = orderId;
    c.seq[i] = seq;
    c.flags[i] = flags;
    c.sourceRow[i] = sourceRow;
    if (flags & Flag.Last) this.completeRows = this.n;
    return i;
  }

  /**
   * Appends rows [0, count) given as columns, all of instrument `instrument` with no receive time: a
   * reader that writes its rows elsewhere (LOBSTER's WebAssembly module) hands them over in one call. The
   * rows up to the last carrying `Flag.Last` are complete.
   */
  appendRows(count: number, instrument: number, rows: RowColumns): void {
    while (this.n + count > this.capacity) this.grow();
    const c = this.columns;
    const at = this.n;
    const end = at + count;
    c.tsEvent.set(rows.ts.subarray(0, count), at);
    c.tsRecv.fill(NaN, at, end);
    c.instrument.fill(instrument, at, end);
    c.action.set(rows.action.subarray(0, count), at);
    c.side.set(rows.side.subarray(0, count), at);
    c.price.set(rows.price.subarray(0, count), at);
    c.size.set(rows.size.subarray(0, count), at);
    c.orderId.set(rows.orderId.subarray(0, count), at);
    c.seq.set(rows.line.subarray(0, count), at);
    c.flags.set(rows.flags.subarray(0, count), at);
    c.sourceRow.set(rows.line.subarray(0, count), at);
    this.n = end;
    for (let i = end - 1; i >= at; i--) {
      if (c.flags[i]! & Flag.Last) {
        this.completeRows = i + 1;
        break;
      }
    }
  }

  /** Marks the most recent row as the last of its atomic update. */
  endUpdate(): void {
    if (this.n === 0) return;
    this.columns.flags[this.n - 1] |= Flag.Last;
    this.completeRows = this.n;
  }

  /** Sets `Flag.Last` on the most recent row of `instrument`, e.g. after a reader folds away the row that carried it. */
  markLastOfInstrument(instrument: number): void {
    for (let i = this.n - 1; i >= this.completeRows; i--) {
      if (this.columns.instrument[i] === instrument) {
        this.columns.flags[i] |= Flag.Last;
        this.completeRows = i + 1;
        return;
      }
    }
  }

  /** True once `take()` has a batch to give: at least `softCapacity` complete rows are buffered. */
  get ready(): boolean {
    return this.completeRows >= this.softCapacity;
  }

  /** Returns a batch of all complete rows once there are at least `softCapacity` of them, else null. */
  take(): EventBatch | null {
    return this.completeRows >= this.softCapacity ? this.cut(this.completeRows) : null;
  }

  /** Returns every buffered row as a batch (end of input), marking the final row Last; null if empty. */
  flush(): EventBatch | null {
    if (this.n === 0) return null;
    this.columns.flags[this.n - 1] |= Flag.Last;
    return this.cut(this.n);
  }

  // The batch takes the builder's arrays as they are (views of its first `rows` rows: no copy); the builder
  // starts over on fresh (or recycled) arrays, carrying only the incomplete rows after them.
  private cut(rows: number): EventBatch {
    const batch = eventBatch(rows, this.timeBaseNs, columnViews(this.columns, 0, rows), this.instruments);
    const rest = this.n - rows;
    this.columns = carriedColumns(this.columns, rows, this.n, Math.max(this.capacity, rest * 2));
    this.capacity = this.columns.tsEvent.length;
    this.n = rest;
    this.completeRows = 0;
    return batch;
  }

  private grow(): void {
    this.capacity *= 2;
    this.columns = grownColumns(this.columns, this.capacity);
  }
}

/** One event as a plain object: for tests and debugging only, never on hot paths. */
export interface EventRow {
  /** Venue event time in epoch ns; null where the source has none. */
  tsEventNs: bigint | null;
  tsRecvNs: bigint | null;
  instrument: number;
  action: number;
  side: number;
  price: number;
  size: number;
  orderId: number;
  seq: number;
  flags: number;
  sourceRow: number;
}

/** Returns row `i` of a batch as an object (tests and debugging). */
export function rowAt(batch: EventBatch, i: number): EventRow {
  const recv = batch.tsRecv[i]!;
  const event = batch.tsEvent[i]!;
  return {
    tsEventNs: Number.isNaN(event) ? null : batch.timeBaseNs + BigInt(event),
    tsRecvNs: Number.isNaN(recv) ? null : batch.timeBaseNs + BigInt(recv),
    instrument: batch.instrument[i]!,
    action: batch.action[i]!,
    side: batch.side[i]!,
    price: batch.price[i]!,
    size: batch.size[i]!,
    orderId: batch.orderId[i]!,
    seq: batch.seq[i]!,
    flags: batch.flags[i]!,
    sourceRow: batch.sourceRow[i]!,
  };
}
