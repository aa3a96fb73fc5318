import { pow10 } from '../../core/decimal.js';
import type { ColumnSpec, TableWriter } from '../../core/table.js';
import { ByteOut, copyChunks, nineDigits, writeBytes, writeDecimal, writeInteger } from './bytes-out.js';
import { writeShortestAt } from './shortest-double.js';

const NS_PER_SECOND = 1_000_000_000n;
const MAX_EXACT = 2 ** 53;
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/**
 * Where a text writer's bytes go, besides its path: a descriptor already open on it (which the writer
 * leaves open: whoever opened it closes it), and whether the header is already written there (a writer
 * taking over a table another one began).
 */
export interface TextOutput {
  fd?: number;
  continued?: boolean;
}

/**
 * Shared cell logic of the text formats. A format is described by bytes: what precedes each column's
 * cell, what an empty cell is, and what ends a row; text cells are quoted by the subclass.
 *
 * Hot path of `replay` and `features` output. Consecutive rows repeat most values (the best bid rarely
 * moves, most features hold between updates), and a cell's bytes depend on its value only: a cell whose
 * value equals the one above it is not formatted again but copied from the row above, its separator
 * included, and a run of such neighbouring cells is copied in one go. Each row starts with room for its
 * numeric cells, which are formatted straight into the output buffer; so the buffer is flushed only
 * between rows (or inside an overlong text cell, after which nothing is copied until the next row).
 */
abstract class TextTableWriter implements TableWriter {
  protected readonly out: ByteOut;
  protected column = 0;
  rows = 0;
  private readonly prefix: Uint8Array[];
  /** Each column's prefix when it is one byte (a CSV comma), else -1. */
  private readonly prefixByte: Int16Array;
  private readonly emptyBytes: Uint8Array;
  private readonly endBytes: Uint8Array;
  /** Bytes a row of numeric cells can take at most: the room each row starts with. */
  private readonly rowBytes: number;
  /** Output flushes when the current row started: copies need the row above still in the buffer. */
  private rowFlushes = -1;
  /** Where each cell of the row above starts (separator included); the last entry is where its cells end. */
  private above: Int32Array;
  /** The same for the current row. */
  private here: Int32Array;
  /** The run of cells above being copied: [runStart, runEnd) of the row above, or runEnd -1. */
  private runStart = 0;
  private runEnd = -1;
  /**
   * What each column's cell above holds: `aboveFloat` if a float, else NaN (never equal); `aboveUnits` and
   * `aboveDecimals` if a decimal — read only when `aboveFloat` is NaN (a float cell leaves them as they were).
   */
  private readonly aboveFloat: Float64Array;
  private readonly aboveUnits: Float64Array;
  private readonly aboveDecimals: Int8Array;
  private baseNs: bigint | null = null;
  private baseSeconds = 0;
  private baseNanos = 0;
  /** Per epoch column: the whole seconds its last cell printed, and where those bytes are. */
  private readonly lastSeconds: Float64Array;
  private readonly secondsStart: Int32Array;
  private readonly secondsEnd: Int32Array;
  /** A value passed to `float` or `epochNs`, read by the method that takes it from an array. */
  private readonly single = new Float64Array(1);
  /**
   * Room for any numeric cell: the longest number text (25 bytes) as `ascii()` counts it, 3 per character
   * (which also leaves the 15 bytes `copyChunks` may write past a copy).
   */
  private static readonly MAX_CELL_BYTES = 80;

  constructor(path: string, readonly columns: readonly ColumnSpec[], header: string, prefix: string[], empty: string, end: string, output: TextOutput) {
    this.prefix = prefix.map(utf8);
    this.prefixByte = Int16Array.from(this.prefix, (bytes) => (bytes.length === 1 ? bytes[0]! : -1));
    this.emptyBytes = utf8(empty);
    this.endBytes = utf8(end);
    this.rowBytes = this.prefix.reduce((sum, bytes) => sum + bytes.length + TextTableWriter.MAX_CELL_BYTES, this.endBytes.length);
    // Room for two rows at least, however wide.
    this.out = new ByteOut(path, 2 * this.rowBytes, output.fd);
    if (!output.continued) this.out.ascii(header);
    this.above = new Int32Array(columns.length + 1);
    this.here = new Int32Array(columns.length + 1);
    this.aboveFloat = new Float64Array(columns.length);
    this.aboveUnits = new Float64Array(columns.length);
    this.aboveDecimals = new Int8Array(columns.length);
    this.lastSeconds = new Float64Array(columns.length);
    this.secondsStart = new Int32Array(columns.length);
    this.secondsEnd = new Int32Array(columns.length);
    this.startRow();
  }

  protected abstract quoteText(value: string): string;

  int(value: number): void {
    this.startCell();
    if (Number.isNaN(value)) this.out.bytes(this.emptyBytes);
    else this.out.integer(value);
  }

  intAt(values: Float64Array, at: number): void {
    this.startCell();
    const value = values[at]!;
    if (Number.isNaN(value)) this.out.bytes(this.emptyBytes);
    else this.out.integer(value);
  }

  epochNs(baseNs: bigint, offsetNs: number): void {
    this.single[0] = offsetNs;
    this.epochNsAt(baseNs, this.single, 0);
  }

  epochNsAt(baseNs: bigint, offsets: Float64Array, at: number): void {
    const column = this.startCell();
    const out = this.out;
    const offsetNs = offsets[at]!;
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
        if (seconds === this.lastSeconds[column]) out.at = copyChunks(out.view, out.at, this.secondsStart[column]!, this.secondsEnd[column]!);
        else {
          this.secondsStart[column] = out.at;
          out.unsigned(seconds);
          this.secondsEnd[column] = out.at;
          this.lastSeconds[column] = seconds;
        }
        // Room for the row's cells was made when it started.
        out.at = nineDigits(out.buffer, out.at, nanos);
      }
    }
  }

  decimal(units: number, decimals: number): void {
    const column = this.column++;
    // NaN units (an empty cell) are remembered as Infinity, which no decimal cell holds.
    const key = units === units ? units : Infinity;
    // The cell above was this decimal only if it was no float (a float leaves aboveUnits as it was).
    if (key === this.aboveUnits[column] && decimals === this.aboveDecimals[column] && Number.isNaN(this.aboveFloat[column])) {
      this.repeat(column);
      return;
    }
    this.newCell(column);
    this.aboveUnits[column] = key;
    this.aboveDecimals[column] = decimals;
    const out = this.out;
    if (key === Infinity) out.at = writeBytes(out.buffer, out.at, this.emptyBytes);
    else out.at = writeDecimal(out.buffer, out.at, units, decimals, pow10(decimals));
  }

  /**
   * `decimal` for `count` cells in turn, each a pair of `cells` from `start` on: units, then decimals (as a
   * tape holds a run of decimal columns). One call for the run, as `floatsFrom` (the writer thread's tape
   * reader uses it; a single cell costs less through `decimal`).
   */
  decimalsFrom(cells: Float64Array, start: number, count: number): void {
    if (this.column + count > this.columns.length) throw new Error(`row has more cells than the table's ${this.columns.length} columns`);
    const out = this.out;
    const { buffer, view } = out;
    let at = out.at;
    const { aboveFloat, aboveUnits, aboveDecimals, above, here } = this;
    let runStart = this.runStart;
    let runEnd = this.runEnd;
    let column = this.column;
    for (let i = start, last = start + 2 * count; i < last; i += 2, column++) {
      const units = cells[i]!;
      const decimals = cells[i + 1]!;
      // NaN units (an empty cell) are remembered as Infinity, which no decimal cell holds.
      const key = units === units ? units : Infinity;
      // The cell above was this decimal only if it was no float (a float leaves aboveUnits as it was).
      if (key === aboveUnits[column] && decimals === aboveDecimals[column] && aboveFloat[column] !== aboveFloat[column]) {
        // Joins the run being copied, or starts one (as in floatsFrom).
        const from = above[column]!;
        if (runEnd !== from) {
          if (runEnd >= 0) at = copyChunks(view, at, runStart, runEnd);
          runStart = from;
        }
        here[column] = at + (from - runStart);
        runEnd = above[column + 1]!;
        continue;
      }
      if (runEnd >= 0) {
        at = copyChunks(view, at, runStart, runEnd);
        runEnd = -1;
      }
      at = this.cellAt(buffer, at, column);
      aboveFloat[column] = NaN;
      aboveUnits[column] = key;
      aboveDecimals[column] = decimals;
      at = key === Infinity ? writeBytes(buffer, at, this.emptyBytes) : writeDecimal(buffer, at, units, decimals, pow10(decimals));
    }
    this.column = column;
    this.runStart = runStart;
    this.runEnd = runEnd;
    out.at = at;
  }

  /**
   * A real number. A value with at most 8 decimals is written as its shortest decimal (`units / 10^k ===
   * value` proves the decimal text parses back to exactly this double, since both divisions round
   * correctly); others as `String(value)` writes them.
   */
  float(value: number): void {
    this.single[0] = value;
    this.floats(this.single);
  }

  /** `float` for each of `values` in turn: a row's run of float cells in one call (hot path of `features`). */
  floats(values: Float64Array): void {
    this.floatsFrom(values, 0, values.length);
  }

  /** `float` for each of `values[start]` … `values[end - 1]` in turn. */
  floatsFrom(values: Float64Array, start: number, end: number): void {
    if (this.column + end - start > this.columns.length) throw new Error(`row has more cells than the table's ${this.columns.length} columns`);
    const out = this.out;
    const { buffer, view } = out;
    let at = out.at;
    const { aboveFloat, above, here, prefix, prefixByte } = this;
    let runStart = this.runStart;
    let runEnd = this.runEnd;
    let column = this.column;
    for (let i = start; i < end; i++, column++) {
      let value = values[i]!;
      // NaN is remembered as Infinity: both write an empty cell.
      let key = value === value ? value : Infinity;
      if (key === aboveFloat[column]) {
        // Joins the run being copied, or starts one; its cells will be where the run puts them, `shift`
        // bytes on from where they are in the row above.
        const from = above[column]!;
        if (runEnd !== from) {
          if (runEnd >= 0) at = copyChunks(view, at, runStart, runEnd);
          runStart = from;
        }
        const shift = at - runStart;
        here[column] = from + shift;
        // The cells after it that repeat too, up to one that does not.
        for (i++, column++; i < end; i++, column++) {
          value = values[i]!;
          key = value === value ? value : Infinity;
          if (key !== aboveFloat[column]) break;
          here[column] = above[column]! + shift;
        }
        runEnd = above[column]!;
        if (i === end) break;
      }
      if (runEnd >= 0) {
        at = copyChunks(view, at, runStart, runEnd);
        runEnd = -1;
      }
      here[column] = at;
      const separator = prefixByte[column]!;
      if (separator >= 0) buffer[at++] = separator;
      else at = writeBytes(buffer, at, prefix[column]!);
      aboveFloat[column] = key;
      // Whole numbers of int32 range, most cells, are written here without the checks a float goes through.
      at = (value | 0) === value ? writeInteger(buffer, at, value) : this.floatText(buffer, at, values, i);
    }
    this.column = column;
    this.runStart = runStart;
    this.runEnd = runEnd;
    out.at = at;
  }

  /**
   * The text of the float cell `values[index]` at `at`; returns the position after it. The value is read
   * here, not passed: a double passed to a call that is not inlined is boxed, and most of a `features`
   * row's cells come here (80 bytes allocated a row, a collection every 20,000 rows).
   */
  private floatText(buffer: Uint8Array, at: number, values: Float64Array, index: number): number {
    const value = values[index]!;
    if (!Number.isFinite(value)) return writeBytes(buffer, at, this.emptyBytes);
    if (Number.isInteger(value) && Math.abs(value) < MAX_EXACT) return writeInteger(buffer, at, value);
    // A value with at most 8 decimals is within rounding of a whole number of 1e-8: others skip the search.
    const scaled = value * 1e8;
    if (Math.abs(scaled) < MAX_EXACT && Math.abs(scaled - Math.round(scaled)) < 1e-3) {
      const decimals = this.decimalsOf(values, index);
      if (decimals > 0) {
        const scale = pow10(decimals);
        return writeDecimal(buffer, at, Math.round(value * scale), decimals, scale);
      }
    }
    const end = writeShortestAt(buffer, at, values, index);
    if (end >= 0) return end;
    const out = this.out;
    out.at = at;
    out.ascii(String(value));
    return out.at;
  }

  /**
   * The fewest decimals k (1 to 8) for which `round(value·10^k) / 10^k === value` (`value` = `values[index]`,
   * read here as in floatText), or 0 when there are none. `nearest`, round(value·10^8), below 2^50 is the
   * k-decimal value's units times 10^(8−k), exactly (the products are off by less than 1/4), so its
   * trailing zeros give k; beyond, k is searched.
   */
  private decimalsOf(values: Float64Array, index: number): number {
    const value = values[index]!;
    let decimals = 8;
    const magnitude = Math.abs(Math.round(value * 1e8));
    if (magnitude < 2 ** 50) {
      // The digits below the point, as an int32: nearest mod 10^8 (the quotient's floor is exact here).
      let fraction = (magnitude - Math.floor(magnitude / 1e8) * 1e8) | 0;
      if (fraction === 0) return 0;
      // Its trailing zeros (at most 7), four, two, then one at a time.
      if (fraction % 10000 === 0) {
        fraction = (fraction / 10000) | 0;
        decimals -= 4;
      }
      if (fraction % 100 === 0) {
        fraction = (fraction / 100) | 0;
        decimals -= 2;
      }
      if (fraction % 10 === 0) decimals--;
      const scale = pow10(decimals);
      if (Math.round(value * scale) / scale === value) return decimals;
    }
    for (let k = 1, scale = 10; k <= 8; k++, scale *= 10) {
      const units = Math.round(value * scale);
      if (units / scale === value && Math.abs(units) < MAX_EXACT) return k;
    }
    return 0;
  }

  text(value: string): void {
    this.startCell();
    const out = this.out;
    const flushes = out.flushes;
    out.ascii(this.quoteText(value));
    // Room for the rest of the row again. A long text may have flushed the buffer: the rows above are gone.
    out.reserve(this.rowBytes);
    if (out.flushes !== flushes) this.forget();
  }

  empty(): void {
    this.startCell();
    this.out.bytes(this.emptyBytes);
  }

  endRow(): void {
    if (this.column !== this.columns.length) throw new Error(`row has ${this.column} cells, table has ${this.columns.length} columns`);
    this.endRun();
    const out = this.out;
    this.here[this.column] = out.at;
    out.at = writeBytes(out.buffer, out.at, this.endBytes);
    this.column = 0;
    this.rows++;
    const above = this.above;
    this.above = this.here;
    this.here = above;
    this.startRow();
  }

  /** Whole rows formatted elsewhere (CSV lines in WebAssembly: csv-rows.ts), as bytes; the rows before them can no longer be copied. */
  formattedRows(bytes: Uint8Array, rows: number): void {
    if (this.column !== 0) throw new Error(`rows formatted elsewhere after ${this.column} cells of a row`);
    this.out.run(bytes);
    this.rows += rows;
    this.forget();
    this.startRow();
  }

  /** The descriptor written to. */
  get fd(): number {
    return this.out.fd;
  }

  /** Buffers written out so far. */
  get flushes(): number {
    return this.out.flushes;
  }

  /** Writes out the bytes buffered so far (rows already written can then no longer be copied). */
  flush(): void {
    this.out.flush();
  }

  async close(): Promise<void> {
    this.out.close();
  }

  /** Makes room for the next row; rows written before a flush can no longer be copied. */
  private startRow(): void {
    const out = this.out;
    out.reserve(this.rowBytes);
    if (out.flushes !== this.rowFlushes) {
      this.forget();
      this.rowFlushes = out.flushes;
    }
  }

  /** Nothing above can be copied (a flush, or the first row). */
  private forget(): void {
    this.aboveFloat.fill(NaN);
    this.aboveUnits.fill(NaN);
    this.aboveDecimals.fill(-1);
    this.lastSeconds.fill(-1);
    this.runEnd = -1;
  }

  /** Starts a cell other than a float or decimal: returns its column. */
  private startCell(): number {
    const column = this.column++;
    this.newCell(column);
    this.aboveUnits[column] = NaN;
    return column;
  }

  /**
   * A cell written anew: copies the pending run first, records where the cell starts, writes its
   * separator. Which values the cell holds is for the caller to note (none but a float's and a
   * decimal's are remembered).
   */
  private newCell(column: number): void {
    this.endRun();
    const out = this.out;
    out.at = this.cellAt(out.buffer, out.at, column);
    this.aboveFloat[column] = NaN;
  }

  /** Starts a cell written anew at `at`: notes where it starts, writes its separator; returns the position after it. */
  private cellAt(buffer: Uint8Array, at: number, column: number): number {
    this.here[column] = at;
    const separator = this.prefixByte[column]!;
    if (separator >= 0) {
      buffer[at] = separator;
      return at + 1;
    }
    return writeBytes(buffer, at, this.prefix[column]!);
  }

  /** The cell holds what the one above holds: it joins the run being copied, or starts one. */
  private repeat(column: number): void {
    const from = this.above[column]!;
    if (this.runEnd !== from) {
      this.endRun();
      this.runStart = from;
    }
    // Where the cell will be once the run is copied.
    this.here[column] = this.out.at + (from - this.runStart);
    this.runEnd = this.above[column + 1]!;
  }

  private endRun(): void {
    if (this.runEnd < 0) return;
    const out = this.out;
    out.at = copyChunks(out.view, out.at, this.runStart, this.runEnd);
    this.runEnd = -1;
  }
}

/** RFC 4180 CSV with a header row; empty cells for missing values. */
export class CsvWriter extends TextTableWriter {
  constructor(path: string, columns: readonly ColumnSpec[], output: TextOutput = {}) {
    super(path, columns, columns.map((column) => csvText(column.name)).join(',') + '\n', columns.map((_, i) => (i === 0 ? '' : ',')), '', '\n', output);
  }
  protected quoteText(value: string): string {
    return csvText(value);
  }
}

function csvText(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The text format's writer: CSV or JSONL. */
export function textWriter(format: 'csv' | 'jsonl', path: string, columns: readonly ColumnSpec[], output: TextOutput = {}): CsvWriter | JsonlWriter {
  return format === 'csv' ? new CsvWriter(path, columns, output) : new JsonlWriter(path, columns, output);
}

/**
 * One JSON object per line. Numbers are written as exact JSON numbers (epoch-ns values exceed 2^53:
 * read them with an int64-aware parser); missing values are null.
 */
export class JsonlWriter extends TextTableWriter {
  constructor(path: string, columns: readonly ColumnSpec[], output: TextOutput = {}) {
    super(path, columns, '', columns.map((column, i) => `${i === 0 ? '{' : ','}${JSON.stringify(column.name)}:`), 'null', '}\n', output);
  }
  protected quoteText(value: string): string {
    return JSON.stringify(value);
  }
}
