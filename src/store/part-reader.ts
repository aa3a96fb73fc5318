/**
 * Reads a dataset part in pure JavaScript, one row group at a time, into the typed arrays of an
 * EventBatch: no DuckDB (its native module costs more start-up time than a whole part takes to decode),
 * no object per row, memory bounded by one row group.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { FlowmineError } from '../core/errors.js';
import type { EventColumns } from '../core/event-columns.js';
import { decodeColumnChunk } from './parquet/column-decoder.js';
import { int64Statistic, readFileMeta, type FileMeta } from './parquet/metadata.js';
import { PART_COLUMNS, PART_LAYOUT_VERSION, PART_METADATA_KEY, type PartDescription } from './schema.js';

/** The rows of one row group, as batch columns but the instrument (one per part); times are ns offsets from the base they were read with. */
export interface PartBlock extends Omit<EventColumns, 'instrument'> {
  rows: number;
  eventIndex: Float64Array;
}

/** Columns decoded for a block (the decimals are constant per part and come from its description). */
const READ_COLUMNS = ['ts_event', 'ts_recv', 'action', 'side', 'price', 'size', 'order_id', 'seq', 'flags', 'source_row', 'event_index'] as const;

/** One part file: its description and its row groups. */
export class PartReader {
  private readonly columnIndex: number[];
  private readonly optional: boolean[];
  private bytes = new Uint8Array(0);

  private constructor(
    readonly path: string,
    readonly meta: FileMeta,
    readonly description: PartDescription,
  ) {
    const names = meta.schema.map((column) => column.name);
    for (const column of PART_COLUMNS) if (!names.includes(column.name)) throw new FlowmineError(`${path}: not a dataset part (no column ${column.name})`);
    this.columnIndex = READ_COLUMNS.map((name) => names.indexOf(name));
    this.optional = this.columnIndex.map((index) => meta.schema[index]!.repetition === 1);
  }

  /** Opens a part: reads its footer and description; a file that is not a part is a one-line error. */
  static open(path: string): PartReader {
    const meta = readFileMeta(path);
    const text = meta.keyValue.get(PART_METADATA_KEY);
    if (text === undefined) throw new FlowmineError(`${path}: not a dataset part (no ${PART_METADATA_KEY} metadata)`);
    let description: PartDescription;
    try {
      description = JSON.parse(text) as PartDescription;
    } catch {
      throw new FlowmineError(`${path}: its ${PART_METADATA_KEY} metadata is not JSON`);
    }
    if (description.layout !== PART_LAYOUT_VERSION) throw new FlowmineError(`${path}: part layout ${description.layout} is not known to this version (expected ${PART_LAYOUT_VERSION})`);
    if (description.rows !== meta.rows) throw new FlowmineError(`${path}: holds ${meta.rows} rows, its description says ${description.rows}`);
    return new PartReader(path, meta, description);
  }

  get rowGroups(): number {
    return this.meta.rowGroups.length;
  }

  /** Smallest and largest venue time of a row group (epoch ns), when its statistics say so and it has no row without one. */
  rowGroupEventTimes(group: number): { min: bigint; max: bigint } | null {
    const chunk = this.meta.rowGroups[group]!.columns[this.columnIndex[0]!]!;
    if (chunk.nullCount !== 0) return null;
    const min = int64Statistic(chunk.min);
    const max = int64Statistic(chunk.max);
    return min === null || max === null ? null : { min, max };
  }

  /**
   * Decodes row group `group`; times become offsets from `baseNs`. With `reuse` (a block this reader returned
   * before, whose rows nobody reads any more) the rows are decoded into its memory where it is large enough:
   * fresh arrays per row group cost more in page faults than their decoding.
   */
  readRowGroup(group: number, baseNs: bigint, reuse: PartBlock | null = null): PartBlock {
    const rowGroup = this.meta.rowGroups[group]!;
    const chunks = this.columnIndex.map((index) => rowGroup.columns[index]!);
    const start = Math.min(...chunks.map((chunk) => chunk.start));
    const end = Math.max(...chunks.map((chunk) => chunk.start + chunk.length));
    if (!(end <= this.meta.fileBytes)) throw new FlowmineError(`${this.path}: row group ${group} reaches beyond the end of the file`);
    const bytes = this.readBuffer(end - start);
    const fd = openSync(this.path, 'r');
    try {
      let done = 0;
      while (done < bytes.length) {
        const n = readSync(fd, bytes, done, bytes.length - done, start + done);
        if (n === 0) throw new FlowmineError(`${this.path}: ends inside row group ${group}`);
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    const rows = rowGroup.rows;
    const block = reuse && reuse.tsEvent.buffer.byteLength >= rows * 8 ? reusedBlock(reuse, rows) : newBlock(rows);
    const columns = [block.tsEvent, block.tsRecv, block.action, block.side, block.price, block.size, block.orderId, block.seq, block.flags, block.sourceRow, block.eventIndex];
    chunks.forEach((chunk, c) => {
      if (chunk.numValues !== rows) throw new FlowmineError(`${this.path}: column ${chunk.name} has ${chunk.numValues} values in a row group of ${rows} rows`);
      decodeColumnChunk(bytes.subarray(chunk.start - start, chunk.start - start + chunk.length), chunk, this.optional[c]!, columns[c]!, c < 2 ? baseNs : 0n, `${this.path}: row group ${group}`);
    });
    return block;
  }

  /**
   * The buffer the column chunks of a row group are read into (reused: decoding copies out of it). A plain
   * Uint8Array, not a Buffer: the decoder takes a view of it for every page, and a Buffer's `subarray` is
   * JavaScript that runs unoptimized for most of a short replay (5 ms of one), a typed array's is built in.
   */
  private readBuffer(size: number): Uint8Array {
    if (this.bytes.length < size) this.bytes = new Uint8Array(size);
    return this.bytes.subarray(0, size);
  }
}

function newBlock(rows: number): PartBlock {
  return {
    rows,
    tsEvent: new Float64Array(rows),
    tsRecv: new Float64Array(rows),
    action: new Uint8Array(rows),
    side: new Int8Array(rows),
    price: new Float64Array(rows),
    size: new Float64Array(rows),
    orderId: new Float64Array(rows),
    seq: new Float64Array(rows),
    flags: new Uint8Array(rows),
    sourceRow: new Float64Array(rows),
    eventIndex: new Float64Array(rows),
  };
}

/** Views of the first `rows` rows of `block`'s whole buffers. */
function reusedBlock(block: PartBlock, rows: number): PartBlock {
  const wide = (column: Float64Array) => new Float64Array(column.buffer, 0, rows);
  return {
    rows,
    tsEvent: wide(block.tsEvent),
    tsRecv: wide(block.tsRecv),
    action: new Uint8Array(block.action.buffer, 0, rows),
    side: new Int8Array(block.side.buffer, 0, rows),
    price: wide(block.price),
    size: wide(block.size),
    orderId: wide(block.orderId),
    seq: wide(block.seq),
    flags: new Uint8Array(block.flags.buffer, 0, rows),
    sourceRow: wide(block.sourceRow),
    eventIndex: wide(block.eventIndex),
  };
}
