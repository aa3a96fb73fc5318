import { closeSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pow10 } from '../../core/decimal.js';
import type { ColumnSpec, TableWriter } from '../../core/table.js';
import { NULL_INT64, setInt64, StagingParquetWriter } from '../parquet/staging-writer.js';
import { sqlIdentifier, sqlString } from '../sql-text.js';

/** Rows staged per row group: bounds the memory a wide table takes. */
const ROWS_PER_GROUP = 1 << 16;
const TWO_32 = 4294967296;
/** A staged decimal is its units shifted left by SCALE_BITS, the low bits holding its decimals + 1 (0: no value). */
const SCALE_BITS = 5;

/**
 * Parquet through embedded DuckDB. Rows are staged in the temp folder as a plain Parquet file, values as
 * they are: INT64 for integers and epoch ns, DOUBLE for floats, text for text, and for decimals an INT64
 * holding both their integer units and their number of decimals (see SCALE_BITS). DuckDB reads that at
 * memory speed and writes the output, zstd-compressed, with exact column types: BIGINT, DOUBLE, DECIMAL
 * with the most decimals seen, VARCHAR. Missing values (NaN, infinities, empty cells) are NULL, as in the
 * CSV output. The staging file is removed afterwards, also on failure. (Staged as CSV, a million rows of
 * 32 floats took DuckDB 2.2 s to convert, staged as doubles 1.0–1.4 s. `replay --emit depth:10` of a
 * million messages, 40 decimal columns, took 6.3 s to Parquet with decimals staged as their text, about
 * 5 s as units, with a staging file of 350 MB.)
 *
 * A decimal column is DECIMAL(18, d), stored as INT64, whenever its values allow (any price or size
 * does); DECIMAL(38, d) only for one that needs more digits. DuckDB handles 38-digit decimals as 128-bit
 * integers: converting a million rows of bbo took 9.9 s that way, 0.35 s at 18 digits.
 */
export class ParquetWriter implements TableWriter {
  rows = 0;
  private readonly stagingPath: string;
  private readonly staging: StagingParquetWriter;
  /** The column of the next cell, and the row of the current group it is in. */
  private column = 0;
  private row = 0;
  /** Per column, by type: float values; ints, epoch ns and decimals as int64 words (low, high); text as PLAIN byte arrays. */
  private readonly floatValues: (Float64Array | null)[];
  private readonly words: (Int32Array | null)[];
  private readonly texts: (Buffer | null)[];
  private readonly textBytes: Int32Array;
  /** Per decimal column: which numbers of decimals it holds (bit d for d decimals), and its largest magnitude. */
  private readonly scalesSeen: Int32Array;
  private readonly largest: Float64Array;
  private baseNs: bigint | null = null;
  private baseHigh = 0;
  private baseLow = 0;

  constructor(private readonly path: string, readonly columns: readonly ColumnSpec[]) {
    // An output that cannot be written fails now, not after all the work.
    closeSync(openSync(path, 'w'));
    this.stagingPath = join(tmpdir(), `flowmine-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.parquet`);
    this.staging = new StagingParquetWriter(
      this.stagingPath,
      columns.map((column, i) => ({ name: `c${i}`, type: column.type === 'float' ? 'DOUBLE' : column.type === 'text' ? 'BYTE_ARRAY' : 'INT64' })),
    );
    this.floatValues = columns.map((column) => (column.type === 'float' ? new Float64Array(ROWS_PER_GROUP) : null));
    this.words = columns.map((column) => (column.type === 'int' || column.type === 'epoch_ns' || column.type === 'decimal' ? new Int32Array(2 * ROWS_PER_GROUP) : null));
    this.texts = columns.map((column) => (column.type === 'text' ? Buffer.allocUnsafe(1 << 16) : null));
    this.textBytes = new Int32Array(columns.length);
    this.scalesSeen = new Int32Array(columns.length);
    this.largest = new Float64Array(columns.length);
  }

  int(value: number): void {
    setInt64(this.words[this.next('int')]!, this.row, value);
  }

  intAt(values: Float64Array, at: number): void {
    this.int(values[at]!);
  }

  epochNsAt(baseNs: bigint, offsets: Float64Array, at: number): void {
    this.epochNs(baseNs, offsets[at]!);
  }

  epochNs(baseNs: bigint, offsetNs: number): void {
    const words = this.words[this.next('epoch_ns')]!;
    const at = 2 * this.row;
    if (offsetNs !== offsetNs) {
      setInt64(words, this.row, NaN);
      return;
    }
    if (baseNs !== this.baseNs) {
      this.baseNs = baseNs;
      this.baseHigh = Number(baseNs >> 32n);
      this.baseLow = Number(baseNs & 0xffffffffn);
    }
    // Exact: base and offset are added as 32-bit halves, with the carry.
    const offsetHigh = Math.floor(offsetNs / TWO_32);
    let low = this.baseLow + (offsetNs - offsetHigh * TWO_32);
    let high = this.baseHigh + offsetHigh;
    if (low >= TWO_32) {
      low -= TWO_32;
      high++;
    }
    words[at] = low | 0;
    words[at + 1] = high | 0;
  }

  decimal(units: number, decimals: number): void {
    const column = this.next('decimal');
    const words = this.words[column]!;
    const row = this.row;
    if (units !== units) {
      setInt64(words, row, 0);
      return;
    }
    // units · 2^SCALE_BITS + decimals + 1, exactly: the int64 of the units, shifted (|units| < 2^53 leaves room).
    setInt64(words, row, units);
    const low = words[2 * row]!;
    words[2 * row + 1] = (words[2 * row + 1]! << SCALE_BITS) | (low >>> (32 - SCALE_BITS));
    words[2 * row] = (low << SCALE_BITS) | (decimals + 1);
    this.scalesSeen[column]! |= 1 << decimals;
    const magnitude = Math.abs(units) / pow10(decimals);
    if (magnitude > this.largest[column]!) this.largest[column] = magnitude;
  }

  float(value: number): void {
    this.floatValues[this.next('float')]![this.row] = value;
  }

  floats(values: Float64Array): void {
    for (let i = 0; i < values.length; i++) this.float(values[i]!);
  }

  text(value: string): void {
    this.textCell(this.next('text'), value);
  }

  empty(): void {
    const column = this.next(null);
    const floats = this.floatValues[column];
    const words = this.words[column];
    if (floats) floats[this.row] = NaN;
    else if (words) setInt64(words, this.row, this.columns[column]!.type === 'decimal' ? 0 : NaN);
    else this.textCell(column, '');
  }

  endRow(): void {
    if (this.column !== this.columns.length) throw new Error(`row has ${this.column} cells, table has ${this.columns.length} columns`);
    this.column = 0;
    this.rows++;
    if (++this.row === ROWS_PER_GROUP) this.stageGroup();
  }

  async close(): Promise<void> {
    try {
      this.stageGroup();
      this.staging.close();
      // Loaded on demand: the native module costs startup time that CSV output does not need.
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        const select = this.columns.map((column, i) => `${this.valueOf(column, i)} AS ${sqlIdentifier(column.name)}`).join(', ');
        await connection.run(`COPY (SELECT ${select} FROM read_parquet(${sqlString(this.stagingPath)})) TO ${sqlString(this.path)} (FORMAT parquet, COMPRESSION zstd)`);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    } finally {
      rmSync(this.stagingPath, { force: true });
    }
  }

  /** Moves to the next cell, which must be of `type` (null: any); returns its column. */
  private next(type: ColumnSpec['type'] | null): number {
    const column = this.column++;
    const spec = this.columns[column];
    if (!spec) throw new Error(`row has more cells than the table's ${this.columns.length} columns`);
    if (type !== null && spec.type !== type) throw new Error(`column ${spec.name} holds ${spec.type} cells, not ${type}`);
    return column;
  }

  /** The column's text buffer, with room for a length and `bytes` more bytes. */
  private room(column: number, bytes: number): Buffer {
    const buffer = this.texts[column]!;
    const used = this.textBytes[column]!;
    if (used + 4 + bytes <= buffer.length) return buffer;
    const larger = Buffer.allocUnsafe(Math.max(used + 4 + bytes, 2 * buffer.length));
    buffer.copy(larger, 0, 0, used);
    return (this.texts[column] = larger);
  }

  private textCell(column: number, value: string): void {
    const bytes = this.room(column, Buffer.byteLength(value));
    const at = this.textBytes[column]!;
    this.endText(column, at, at + 4 + bytes.write(value, at + 4, 'utf8'));
  }

  /** Writes the length of the value that ends at `end` before it, at `at`. */
  private endText(column: number, at: number, end: number): void {
    const bytes = this.texts[column]!;
    const length = end - at - 4;
    bytes[at] = length & 0xff;
    bytes[at + 1] = (length >>> 8) & 0xff;
    bytes[at + 2] = (length >>> 16) & 0xff;
    bytes[at + 3] = length >>> 24;
    this.textBytes[column] = end;
  }

  /** Writes the rows of the current group to the staging file. */
  private stageGroup(): void {
    const rows = this.row;
    if (rows === 0) return;
    this.staging.writePages(
      this.columns.map((_, i) => {
        const floats = this.floatValues[i];
        const words = this.words[i];
        if (floats) return new Uint8Array(floats.buffer, 0, 8 * rows);
        if (words) return new Uint8Array(words.buffer, 0, 8 * rows);
        return this.texts[i]!.subarray(0, this.textBytes[i]!);
      }),
      rows,
    );
    this.row = 0;
    this.textBytes.fill(0);
  }

  /** The SQL of column i's output value from its staged one. */
  private valueOf(column: ColumnSpec, i: number): string {
    const staged = `c${i}`;
    switch (column.type) {
      case 'int':
      case 'epoch_ns':
        return `NULLIF(${staged}, ${NULL_INT64})`;
      case 'float':
        return `CASE WHEN isfinite(${staged}) THEN ${staged} END`;
      case 'decimal': {
        // Units with d decimals, times 10^-d as a decimal, are exact; a column is typed with the most decimals it holds.
        const seen = this.scalesSeen[i]!;
        const held = Array.from({ length: 19 }, (_, d) => d).filter((d) => seen & (1 << d));
        const decimals = held.at(-1) ?? 0;
        // 18 digits hold every value below 10^(18 - decimals); the margin covers the rounding of `largest`.
        const type = `DECIMAL(${this.largest[i]! * pow10(decimals) < 0.99e18 ? 18 : 38}, ${decimals})`;
        const cases = held.map((d) => `WHEN ${d + 1} THEN CAST(CAST(${staged} >> ${SCALE_BITS} AS DECIMAL(18, 0)) * ${unitOf(d)} AS ${type})`);
        return cases.length > 0 ? `CASE ${staged} & ${(1 << SCALE_BITS) - 1} ${cases.join(' ')} END` : `CAST(NULL AS ${type})`;
      }
      default:
        return `NULLIF(${staged}, '')`;
    }
  }
}

/** 10^-d as an exact SQL decimal. */
function unitOf(decimals: number): string {
  return decimals === 0 ? 'CAST(1 AS DECIMAL(1, 0))' : `CAST('0.${'0'.repeat(decimals - 1)}1' AS DECIMAL(${decimals + 1}, ${decimals}))`;
}
