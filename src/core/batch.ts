import { Flag } from './event.js';
import type { InstrumentTable } from './instrument.js';
import { grown } from './typed-arrays.js';

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
  private tsEvent: Float64Array;
  private tsRecv: Float64Array;
  private instrument: Int32Array;
  private action: Uint8Array;
  private side: Int8Array;
  private price: Float64Array;
  private size: Float64Array;
  private orderId: Float64Array;
  private seq: Float64Array;
  private flags: Uint8Array;
  private sourceRow: Float64Array;

  constructor(
    readonly instruments: InstrumentTable,
    public timeBaseNs: bigint,
    readonly softCapacity = 8192,
  ) {
    this.capacity = softCapacity + 64;
    this.tsEvent = new Float64Array(this.capacity);
    this.tsRecv = new Float64Array(this.capacity);
    this.instrument = new Int32Array(this.capacity);
    this.action = new Uint8Array(this.capacity);
    this.side = new Int8Array(this.capacity);
    this.price = new Float64Array(this.capacity);
    this.size = new Float64Array(this.capacity);
    this.orderId = new Float64Array(this.capacity);
    this.seq = new Float64Array(this.capacity);
    this.flags = new Uint8Array(this.capacity);
    this.sourceRow = new Float64Array(this.capacity);
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
    this.tsEvent[i] = tsEvent;
    this.tsRecv[i] = tsRecv;
    this.instrument[i] = instrument;
    this.action[i] = action;
    this.side[i] = side;
    this.price[i] = price;
    this.size[i] = size;
    this.orderId[i] = orderId;
    this.seq[i] = seq;
    this.flags[i] = flags;
    this.sourceRow[i] = sourceRow;
    if (flags & Flag.Last) this.completeRows = this.n;
    return i;
  }

  /** Marks the most recent row as the last of its atomic update. */
  endUpdate(): void {
    if (this.n === 0) return;
    this.flags[this.n - 1] |= Flag.Last;
    this.completeRows = this.n;
  }

  /** Sets `Flag.Last` on the most recent row of `instrument`, e.g. after a reader folds away the row that carried it. */
  markLastOfInstrument(instrument: number): void {
    for (let i = this.n - 1; i >= this.completeRows; i--) {
      if (this.instrument[i] === instrument) {
        this.flags[i] |= Flag.Last;
        this.completeRows = i + 1;
        return;
      }
    }
  }

  /** Returns a batch of all complete rows once there are at least `softCapacity` of them, else null. */
  take(): EventBatch | null {
    return this.completeRows >= this.softCapacity ? this.cut(this.completeRows) : null;
  }

  /** Returns every buffered row as a batch (end of input), marking the final row Last; null if empty. */
  flush(): EventBatch | null {
    if (this.n === 0) return null;
    this.flags[this.n - 1] |= Flag.Last;
    return this.cut(this.n);
  }

  // The batch takes the builder's arrays as they are (views of its first `rows` rows: no copy); the builder
  // starts over on fresh arrays, carrying only the incomplete rows after them.
  private cut(rows: number): EventBatch {
    const batch: EventBatch = {
      length: rows,
      timeBaseNs: this.timeBaseNs,
      tsEvent: this.tsEvent.subarray(0, rows),
      tsRecv: this.tsRecv.subarray(0, rows),
      instrument: this.instrument.subarray(0, rows),
      action: this.action.subarray(0, rows),
      side: this.side.subarray(0, rows),
      price: this.price.subarray(0, rows),
      size: this.size.subarray(0, rows),
      orderId: this.orderId.subarray(0, rows),
      seq: this.seq.subarray(0, rows),
      flags: this.flags.subarray(0, rows),
      sourceRow: this.sourceRow.subarray(0, rows),
      instruments: this.instruments,
    };
    const rest = this.n - rows;
    const capacity = Math.max(this.capacity, rest * 2);
    this.tsEvent = carried(this.tsEvent, rows, this.n, new Float64Array(capacity));
    this.tsRecv = carried(this.tsRecv, rows, this.n, new Float64Array(capacity));
    this.instrument = carried(this.instrument, rows, this.n, new Int32Array(capacity));
    this.action = carried(this.action, rows, this.n, new Uint8Array(capacity));
    this.side = carried(this.side, rows, this.n, new Int8Array(capacity));
    this.price = carried(this.price, rows, this.n, new Float64Array(capacity));
    this.size = carried(this.size, rows, this.n, new Float64Array(capacity));
    this.orderId = carried(this.orderId, rows, this.n, new Float64Array(capacity));
    this.seq = carried(this.seq, rows, this.n, new Float64Array(capacity));
    this.flags = carried(this.flags, rows, this.n, new Uint8Array(capacity));
    this.sourceRow = carried(this.sourceRow, rows, this.n, new Float64Array(capacity));
    this.capacity = capacity;
    this.n = rest;
    this.completeRows = 0;
    return batch;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.tsEvent = grown(this.tsEvent, capacity);
    this.tsRecv = grown(this.tsRecv, capacity);
    this.instrument = grown(this.instrument, capacity);
    this.action = grown(this.action, capacity);
    this.side = grown(this.side, capacity);
    this.price = grown(this.price, capacity);
    this.size = grown(this.size, capacity);
    this.orderId = grown(this.orderId, capacity);
    this.seq = grown(this.seq, capacity);
    this.flags = grown(this.flags, capacity);
    this.sourceRow = grown(this.sourceRow, capacity);
    this.capacity = capacity;
  }
}

/** `into` holding `from[start, end)` at its start. */
function carried<T extends Float64Array | Int32Array | Uint8Array | Int8Array>(from: T, start: number, end: number, into: T): T {
  if (end > start) into.set(from.subarray(start, end));
  return into;
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
