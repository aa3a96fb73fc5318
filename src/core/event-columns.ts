import { grown, type TypedColumn } from './typed-arrays.js';

/**
 * The eleven typed columns of event rows, as an `EventBatch` carries them (src/core/batch.ts): the shared
 * storage of the readers' BatchBuilder and the dataset's RowBuffer. Allocating, growing, viewing and
 * copying them is written here once.
 */
export interface EventColumns {
  tsEvent: Float64Array;
  tsRecv: Float64Array;
  instrument: Int32Array;
  action: Uint8Array;
  side: Int8Array;
  price: Float64Array;
  size: Float64Array;
  orderId: Float64Array;
  seq: Float64Array;
  flags: Uint8Array;
  sourceRow: Float64Array;
}

/** Zeroed columns for `capacity` rows. */
export function newColumns(capacity: number): EventColumns {
  return {
    tsEvent: new Float64Array(capacity),
    tsRecv: new Float64Array(capacity),
    instrument: new Int32Array(capacity),
    action: new Uint8Array(capacity),
    side: new Int8Array(capacity),
    price: new Float64Array(capacity),
    size: new Float64Array(capacity),
    orderId: new Float64Array(capacity),
    seq: new Float64Array(capacity),
    flags: new Uint8Array(capacity),
    sourceRow: new Float64Array(capacity),
  };
}

/** Each column passed through `f`, which keeps its type. */
function mapColumns(c: EventColumns, f: <T extends TypedColumn>(column: T) => T): EventColumns {
  return {
    tsEvent: f(c.tsEvent),
    tsRecv: f(c.tsRecv),
    instrument: f(c.instrument),
    action: f(c.action),
    side: f(c.side),
    price: f(c.price),
    size: f(c.size),
    orderId: f(c.orderId),
    seq: f(c.seq),
    flags: f(c.flags),
    sourceRow: f(c.sourceRow),
  };
}

/** Copies with room for `capacity` rows, the contents kept. */
export function grownColumns(c: EventColumns, capacity: number): EventColumns {
  return mapColumns(c, (column) => grown(column, capacity));
}

/** Views of rows [from, to), sharing the memory. */
export function columnViews(c: EventColumns, from: number, to: number): EventColumns {
  return mapColumns(c, (column) => column.subarray(from, to) as typeof column);
}

/** Copies of rows [from, to). */
export function columnSlices(c: EventColumns, from: number, to: number): EventColumns {
  return mapColumns(c, (column) => column.slice(from, to) as typeof column);
}

/**
 * Columns for at least `capacity` rows holding rows [from, to) of `c` at their start: spare columns given
 * back with `recycleColumns` when some are large enough, else freshly allocated ones. Rows after `to - from`
 * hold whatever they held before; writers fill every row they count.
 */
export function carriedColumns(c: EventColumns, from: number, to: number, capacity: number): EventColumns {
  const reused = takeSpare(capacity);
  if (reused === null) {
    return mapColumns(c, (column) => {
      const fresh = grown(column.subarray(0, 0) as typeof column, capacity);
      if (to > from) fresh.set(column.subarray(from, to));
      return fresh;
    });
  }
  if (to > from) {
    const target = columnList(reused);
    columnList(c).forEach((column, k) => target[k]!.set(column.subarray(from, to)));
  }
  return reused;
}

// Column sets whose batches were consumed and handed back (a decoding worker gets them back from the thread
// that consumed its batches): reusing them spares allocating, zeroing and faulting in new memory per batch.
const spare: EventColumns[] = [];
const MAX_SPARE = 8;

/** Hands back columns nobody reads any more, for `carriedColumns` to reuse. */
export function recycleColumns(c: EventColumns): void {
  if (spare.length < MAX_SPARE) spare.push(c);
}

function takeSpare(capacity: number): EventColumns | null {
  while (spare.length > 0) {
    const c = spare.pop()!;
    if (c.tsEvent.length >= capacity) return c;
  }
  return null;
}

/** Columns over the whole of the eleven buffers, in `columnList` order (as a batch's columns cross threads). */
export function columnsOver(buffers: ArrayBuffer[]): EventColumns {
  const [tsEvent, tsRecv, instrument, action, side, price, size, orderId, seq, flags, sourceRow] = buffers as [ArrayBuffer, ...ArrayBuffer[]];
  return {
    tsEvent: new Float64Array(tsEvent),
    tsRecv: new Float64Array(tsRecv!),
    instrument: new Int32Array(instrument!),
    action: new Uint8Array(action!),
    side: new Int8Array(side!),
    price: new Float64Array(price!),
    size: new Float64Array(size!),
    orderId: new Float64Array(orderId!),
    seq: new Float64Array(seq!),
    flags: new Uint8Array(flags!),
    sourceRow: new Float64Array(sourceRow!),
  };
}

/** The buffers under the columns, in `columnList` order. */
export function columnBuffers(c: EventColumns): ArrayBuffer[] {
  return columnList(c).map((column) => column.buffer as ArrayBuffer);
}

/** The columns as a list, for work done alike on each (moving rows). */
export function columnList(c: EventColumns): TypedColumn[] {
  return [c.tsEvent, c.tsRecv, c.instrument, c.action, c.side, c.price, c.size, c.orderId, c.seq, c.flags, c.sourceRow];
}
