/**
 * The simplest Parquet file: required INT64, INT32, DOUBLE and BYTE_ARRAY columns, PLAIN, uncompressed,
 * one page per column per row group. Writers stage rows this way as fast as the disk takes them, and
 * DuckDB, which reads such a file at memory speed, turns it into the final file (an ingest's part, sorted,
 * encoded and compressed; a table written as `.parquet`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ThriftWriter } from './thrift.js';

/**
 * A staging column. Given as typed arrays (`writeRowGroup`): INT64 values come from a Float64Array of
 * integers (NaN written as `NULL_INT64`), INT32 from an Int32Array. Given as PLAIN bytes (`writePages`):
 * any of the four.
 */
export interface StagingColumn {
  name: string;
  type: 'INT64' | 'INT32' | 'DOUBLE' | 'BYTE_ARRAY';
}

/** The INT64 value that stands for NaN (a missing value) in staging files: -2^63, which no stored value can be. */
export const NULL_INT64 = '-9223372036854775808';

const MAGIC = Buffer.from('PAR1', 'latin1');
const TYPE_CODE = { INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const TWO_32 = 4294967296;

interface ChunkInfo {
  offset: number;
  bytes: number;
}

/** Writes one staging Parquet file, row group by row group (little-endian platforms, as Node runs on). */
export class StagingParquetWriter {
  private position = 0;
  private rows = 0;
  private readonly rowGroups: { rows: number; chunks: ChunkInfo[] }[] = [];

  constructor(
    readonly path: string,
    readonly columns: readonly StagingColumn[],
  ) {
    closeSync(openSync(path, 'w'));
    this.write([MAGIC]);
  }

  /** Appends a row group of the first `rows` values of each column (INT64 and INT32 columns only). */
  writeRowGroup(values: readonly (Float64Array | Int32Array)[], rows: number): void {
    this.writePages(
      this.columns.map((column, c) => {
        if (column.type === 'INT64') return int64Plain(values[c] as Float64Array, rows);
        if (column.type === 'INT32') return new Uint8Array((values[c] as Int32Array).buffer, (values[c] as Int32Array).byteOffset, rows * 4);
        throw new Error(`staging column ${column.name}: ${column.type} values are written with writePages`);
      }),
      rows,
    );
  }

  /** Appends a row group of `rows` rows given as each column's values, PLAIN-encoded (little-endian; a BYTE_ARRAY value is its length as 4 bytes, then its bytes). */
  writePages(pages: readonly Uint8Array[], rows: number): void {
    if (rows === 0) return;
    const chunks: ChunkInfo[] = [];
    const pieces: Uint8Array[] = [];
    let position = this.position;
    this.columns.forEach((_, c) => {
      const data = pages[c]!;
      const header = new ThriftWriter();
      header.beginStruct();
      header.i32(1, 0); // DATA_PAGE
      header.i32(2, data.length);
      header.i32(3, data.length);
      header.beginStruct(5);
      header.i32(1, rows);
      header.i32(2, 0); // PLAIN
      header.i32(3, 3); // RLE (no levels: required column)
      header.i32(4, 3);
      header.endStruct();
      header.endStruct();
      const headerBytes = header.bytes();
      pieces.push(headerBytes, data);
      chunks.push({ offset: position, bytes: headerBytes.length + data.length });
      position += headerBytes.length + data.length;
    });
    this.write(pieces);
    this.rowGroups.push({ rows, chunks });
    this.rows += rows;
  }

  /** Writes the footer and closes the file. */
  close(): void {
    const meta = new ThriftWriter();
    meta.beginStruct();
    meta.i32(1, 1);
    meta.structList(2, this.columns.length + 1, (i) => {
      if (i === 0) {
        meta.binary(4, 'schema');
        meta.i32(5, this.columns.length);
        return;
      }
      const column = this.columns[i - 1]!;
      meta.i32(1, TYPE_CODE[column.type]);
      meta.i32(3, 0); // REQUIRED
      meta.binary(4, column.name);
      if (column.type === 'BYTE_ARRAY') meta.i32(6, 0); // converted type UTF8: text, not a blob
    });
    meta.i64(3, this.rows);
    meta.structList(4, this.rowGroups.length, (g) => {
      const group = this.rowGroups[g]!;
      meta.structList(1, group.chunks.length, (c) => {
        const chunk = group.chunks[c]!;
        const column = this.columns[c]!;
        meta.i64(2, chunk.offset);
        meta.beginStruct(3);
        meta.i32(1, TYPE_CODE[column.type]);
        meta.i32List(2, [0]);
        meta.binaryList(3, [column.name]);
        meta.i32(4, 0); // UNCOMPRESSED
        meta.i64(5, group.rows);
        meta.i64(6, chunk.bytes);
        meta.i64(7, chunk.bytes);
        meta.i64(9, chunk.offset);
        meta.endStruct();
      });
      meta.i64(2, group.chunks.reduce((n, chunk) => n + chunk.bytes, 0));
      meta.i64(3, group.rows);
    });
    meta.binary(6, 'flowmine staging');
    meta.endStruct();
    const footer = meta.bytes();
    const length = Buffer.alloc(4);
    length.writeUInt32LE(footer.length);
    this.write([footer, length, MAGIC]);
  }

  /** Appends to the file, opened only for this write (an ingest may stage thousands of partitions at once). */
  private write(pieces: Uint8Array[]): void {
    const fd = openSync(this.path, 'a');
    try {
      for (const bytes of pieces) {
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
        this.position += bytes.length;
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** PLAIN INT64 of the first `rows` (integer) doubles: little-endian; NaN becomes NULL_INT64. */
export function int64Plain(values: Float64Array, rows: number): Uint8Array {
  const words = new Int32Array(rows * 2);
  for (let i = 0; i < rows; i++) setInt64(words, i, values[i]!);
  return new Uint8Array(words.buffer);
}

/** Writes an integer double as the little-endian int64 at index `i` of `words` (two int32s); NaN as NULL_INT64. */
export function setInt64(words: Int32Array, i: number, value: number): void {
  const low = value | 0;
  if (low === value) {
    // Most values (prices, sizes, short offsets) are int32s: the high word is the sign.
    words[2 * i] = low;
    words[2 * i + 1] = low >> 31;
  } else if (value !== value) {
    words[2 * i] = 0;
    words[2 * i + 1] = -2147483648;
  } else {
    const high = Math.floor(value / TWO_32);
    words[2 * i] = (value - high * TWO_32) | 0;
    words[2 * i + 1] = high | 0;
  }
}
