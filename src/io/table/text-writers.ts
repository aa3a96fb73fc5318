import { pow10 } from '../../core/decimal.js';
import type { ColumnSpec, TableWriter } from '../../core/table.js';
import { ByteOut } from './bytes-out.js';

const NS_PER_SECOND = 1_000_000_000n;
const MAX_EXACT = 2 ** 53;
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/**
 * Shared cell logic of the text formats. A format is described by bytes: what precedes each column's
 * cell, what an empty cell is, and what ends a row; text cells are quoted by the subclass.
 *
 * Hot path of `replay` output. Consecutive rows repeat most values (the best bid rarely moves), so each
 * column keeps the bytes of its last decimal and the epoch-seconds prefix is reused while the second holds.
 */
abstract class TextTableWriter implements TableWriter {
  protected readonly out: ByteOut;
  protected column = 0;
  rows = 0;
  /** Most decimals written per column (the Parquet writer types its columns from this). */
  readonly decimalsSeen: number[];
  private readonly prefix: Uint8Array[];
  private readonly emptyBytes: Uint8Array;
  private readonly endBytes: Uint8Array;
  private baseNs: bigint | null = null;
  private baseSeconds = 0;
  private baseNanos = 0;
  /** Per epoch column: the whole seconds its last cell printed (its bytes are the column's last bytes). */
  private readonly lastSeconds: Float64Array;
  /** Per column: the last value written, its decimals, and where its bytes sit in the output buffer. */
  private readonly lastValue: Float64Array;
  private readonly lastDecimals: Int8Array;
  private readonly lastStart: Int32Array;
  private readonly lastEnd: Int32Array;
  private readonly lastFlush: Int32Array;
  /** Per float column: the last value written (its bytes are the column's last bytes). */
  private readonly lastFloat: Float64Array;
  private static readonly MAX_ROW_CELL_BYTES = 48;

  constructor(path: string, readonly columns: readonly ColumnSpec[], prefix: string[], empty: string, end: string) {
    this.out = new ByteOut(path);
    this.decimalsSeen = columns.map(() => 0);
    this.prefix = prefix.map(utf8);
    this.emptyBytes = utf8(empty);
    this.endBytes = utf8(end);
    this.lastValue = new Float64Array(columns.length).fill(NaN);
    this.lastDecimals = new Int8Array(columns.length).fill(-1);
    this.lastStart = new Int32Array(columns.length);
    this.lastEnd = new Int32Array(columns.length);
    this.lastFlush = new Int32Array(columns.length).fill(-1);
    this.lastFloat = new Float64Array(columns.length).fill(NaN);
    this.lastSeconds = new Float64Array(columns.length).fill(-1);
  }

  protected abstract quoteText(value: string): string;

  int(value: number): void {
    this.out.bytes(this.prefix[this.column]!);
    if (Number.isNaN(value)) this.out.bytes(this.emptyBytes);
    else this.out.integer(value);
    this.column++;
  }

  epochNs(baseNs: bigint, offsetNs: number): void {
    const out = this.out;
    out.bytes(this.prefix[this.column]!);
    if (Number.isNaN(offsetNs)) out.bytes(this.emptyBytes);
    else {
      if (baseNs !== this.baseNs) {
        this.baseNs = baseNs;
        this.baseSeconds = Number(baseNs / NS_PER_SECOND);
        this.baseNanos = Number(baseNs % NS_PER_SECOND);
        this.lastSeconds.fill(-1);
      }
      // Exact: whole seconds and nanoseconds are carried separately, each well below 2^53.
      const offsetSeconds = Math.floor(offsetNs / 1e9);
      let nanos = this.baseNanos + (offsetNs - offsetSeconds * 1e9);
      let seconds = this.baseSeconds + offsetSeconds;
      if (nanos >= 1e9) {
        nanos -= 1e9;
        seconds++;
      }
      if (seconds === 0) out.unsigned(nanos);
      else {
        const column = this.column;
        out.reserve(TextTableWriter.MAX_ROW_CELL_BYTES);
        if (seconds === this.lastSeconds[column] && this.lastFlush[column] === out.flushes) out.copyBack(this.lastStart[column]!, this.lastEnd[column]!);
        else {
          this.lastStart[column] = out.here();
          out.unsigned(seconds);
          this.lastEnd[column] = out.here();
          this.lastFlush[column] = out.flushes;
          this.lastSeconds[column] = seconds;
        }
        out.unsigned(nanos, 9);
      }
    }
    this.column++;
  }

  decimal(units: number, decimals: number): void {
    const out = this.out;
    const column = this.column;
    out.bytes(this.prefix[column]!);
    if (Number.isNaN(units)) out.bytes(this.emptyBytes);
    else {
      out.reserve(TextTableWriter.MAX_ROW_CELL_BYTES);
      if (units === this.lastValue[column] && decimals === this.lastDecimals[column] && this.lastFlush[column] === out.flushes) {
        out.copyBack(this.lastStart[column]!, this.lastEnd[column]!);
      } else {
        this.lastStart[column] = out.here();
        out.decimal(units, decimals, pow10(decimals));
        this.lastEnd[column] = out.here();
        this.lastFlush[column] = out.flushes;
        this.lastValue[column] = units;
        this.lastDecimals[column] = decimals;
        if (decimals > this.decimalsSeen[column]!) this.decimalsSeen[column] = decimals;
      }
    }
    this.column++;
  }

  /**
   * Hot path of `features` output. A value with at most 8 decimals is written as its shortest decimal
   * through `decimal` (reusing the repeated-value bytes): `units / 10^k === value` proves the decimal text
   * parses back to exactly this double, since both divisions round correctly. Others go through String().
   */
  float(value: number): void {
    const out = this.out;
    const column = this.column;
    // Repeated values (depth, spread, cumulative and rolling features) reuse the column's last bytes.
    if (value === this.lastFloat[column] && this.lastFlush[column] === out.flushes) {
      out.bytes(this.prefix[column]!);
      out.reserve(TextTableWriter.MAX_ROW_CELL_BYTES);
      out.copyBack(this.lastStart[column]!, this.lastEnd[column]!);
      this.column++;
      return;
    }
    if (!Number.isFinite(value)) return this.decimal(NaN, 0);
    if (Number.isInteger(value) && Math.abs(value) < MAX_EXACT) {
      this.decimal(value, 0);
      this.lastFloat[column] = value;
      return;
    }
    // A value with at most 8 decimals is within rounding of a whole number of 1e-8: others go to String() at once.
    const scaled = value * 1e8;
    const decimalLike = Math.abs(scaled) < MAX_EXACT && Math.abs(scaled - Math.round(scaled)) < 1e-3;
    let scale = 10;
    for (let decimals = 1; decimalLike && decimals <= 8; decimals++, scale *= 10) {
      const units = Math.round(value * scale);
      if (units / scale === value && Math.abs(units) < MAX_EXACT) {
        this.decimal(units, decimals);
        this.lastFloat[column] = value;
        return;
      }
    }
    out.bytes(this.prefix[column]!);
    // Room for the longest double text (24 characters) as ascii() counts it, so it cannot flush mid-cell.
    out.reserve(3 * 25);
    this.lastStart[column] = out.here();
    out.ascii(String(value));
    this.lastEnd[column] = out.here();
    this.lastFlush[column] = out.flushes;
    this.lastFloat[column] = value;
    // The decimal cache no longer describes this column's last bytes.
    this.lastDecimals[column] = -1;
    this.column++;
  }

  text(value: string): void {
    this.out.bytes(this.prefix[this.column]!);
    this.out.ascii(this.quoteText(value));
    this.column++;
  }

  empty(): void {
    this.out.bytes(this.prefix[this.column]!);
    this.out.bytes(this.emptyBytes);
    this.column++;
  }

  endRow(): void {
    if (this.column !== this.columns.length) throw new Error(`row has ${this.column} cells, table has ${this.columns.length} columns`);
    this.out.bytes(this.endBytes);
    this.column = 0;
    this.rows++;
  }

  async close(): Promise<void> {
    this.out.close();
  }
}

/** RFC 4180 CSV with a header row; empty cells for missing values. */
export class CsvWriter extends TextTableWriter {
  constructor(path: string, columns: readonly ColumnSpec[]) {
    super(path, columns, columns.map((_, i) => (i === 0 ? '' : ',')), '', '\n');
    this.out.ascii(columns.map((column) => this.quoteText(column.name)).join(',') + '\n');
  }
  protected quoteText(value: string): string {
    return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  }
}

/**
 * One JSON object per line. Numbers are written as exact JSON numbers (epoch-ns values exceed 2^53:
 * read them with an int64-aware parser); missing values are null.
 */
export class JsonlWriter extends TextTableWriter {
  constructor(path: string, columns: readonly ColumnSpec[]) {
    super(path, columns, columns.map((column, i) => `${i === 0 ? '{' : ','}${JSON.stringify(column.name)}:`), 'null', '}\n');
  }
  protected quoteText(value: string): string {
    return JSON.stringify(value);
  }
}
