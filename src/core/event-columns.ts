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

/** Fresh columns for `capacity` rows holding rows [from, to) of `c` at their start. */
export function carriedColumns(c: EventColumns, from: number, to: number, capacity: number): EventColumns {
  return mapColumns(c, (column) => {
    const fresh = grown(column.subarray(0, 0) as typeof column, capacity);
    if (to > from) fresh.set(column.subarray(from, to));
    return fresh;
  });
}

/** The columns as a list, for work done alike on each (moving rows). */
export function columnList(c: EventColumns): TypedColumn[] {
  return [c.tsEvent, c.tsRecv, c.instrument, c.action, c.side, c.price, c.size, c.orderId, c.seq, c.flags, c.sourceRow];
}
