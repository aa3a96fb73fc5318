import { pow10 } from '../../core/decimal.js';
import type { ColumnSpec, TableWriter } from '../../core/table.js';
import { ByteOut } from './bytes-out.js';

const NS_PER_SECOND = 1_000_000_000n;

/** Shared cell logic of the text formats; subclasses say what goes between and around cells. */
abstract class TextTableWriter implements TableWriter {
  protected readonly out: ByteOut;
  protected column = 0;
  rows = 0;
  private baseNs: bigint | null = null;
  private baseSeconds = 0;
  private baseNanos = 0;
  /** Most decimals written per column (the Parquet writer types its columns from this). */
  readonly decimalsSeen: number[];

  constructor(path: string, readonly columns: readonly ColumnSpec[]) {
    this.out = new ByteOut(path);
    this.decimalsSeen = columns.map(() => 0);
  }

  /** Writes what precedes the cell of the current column. */
  protected abstract beforeCell(): void;
  protected abstract emptyCell(): void;
  protected abstract quoteText(value: string): void;
  protected abstract rowEnd(): void;

  int(value: number): void {
    this.beforeCell();
    if (Number.isNaN(value)) this.emptyCell();
    else this.out.integer(value);
    this.column++;
  }

  epochNs(baseNs: bigint, offsetNs: number): void {
    this.beforeCell();
    if (Number.isNaN(offsetNs)) this.emptyCell();
    else {
      if (baseNs !== this.baseNs) {
        this.baseNs = baseNs;
        this.baseSeconds = Number(baseNs / NS_PER_SECOND);
        this.baseNanos = Number(baseNs % NS_PER_SECOND);
      }
      // Exact: whole seconds and nanoseconds are carried separately, each well below 2^53.
      const offsetSeconds = Math.floor(offsetNs / 1e9);
      let nanos = this.baseNanos + (offsetNs - offsetSeconds * 1e9);
      let seconds = this.baseSeconds + offsetSeconds;
      if (nanos >= 1e9) {
        nanos -= 1e9;
        seconds++;
      }
      if (seconds > 0) {
        this.out.unsigned(seconds);
        this.out.unsigned(nanos, 9);
      } else this.out.unsigned(nanos);
    }
    this.column++;
  }

  decimal(units: number, decimals: number): void {
    this.beforeCell();
    if (Number.isNaN(units)) this.emptyCell();
    else {
      this.out.decimal(units, decimals, pow10(decimals));
      if (decimals > this.decimalsSeen[this.column]!) this.decimalsSeen[this.column] = decimals;
    }
    this.column++;
  }

  text(value: string): void {
    this.beforeCell();
    this.quoteText(value);
    this.column++;
  }

  empty(): void {
    this.beforeCell();
    this.emptyCell();
    this.column++;
  }

  endRow(): void {
    if (this.column !== this.columns.length) throw new Error(`row has ${this.column} cells, table has ${this.columns.length} columns`);
    this.rowEnd();
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
    super(path, columns);
    this.out.ascii(columns.map((column) => column.name).join(',') + '\n');
  }
  protected beforeCell(): void {
    if (this.column > 0) this.out.byte(44);
  }
  protected emptyCell(): void {}
  protected quoteText(value: string): void {
    this.out.ascii(/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  }
  protected rowEnd(): void {
    this.out.byte(10);
  }
}

/**
 * One JSON object per line. Numbers are written as exact JSON numbers (epoch-ns values exceed 2^53:
 * read them with an int64-aware parser); missing values are null.
 */
export class JsonlWriter extends TextTableWriter {
  private readonly keys: string[];
  constructor(path: string, columns: readonly ColumnSpec[]) {
    super(path, columns);
    this.keys = columns.map((column, i) => `${i === 0 ? '{' : ','}${JSON.stringify(column.name)}:`);
  }
  protected beforeCell(): void {
    this.out.ascii(this.keys[this.column]!);
  }
  protected emptyCell(): void {
    this.out.ascii('null');
  }
  protected quoteText(value: string): void {
    this.out.ascii(JSON.stringify(value));
  }
  protected rowEnd(): void {
    this.out.ascii('}\n');
  }
}
