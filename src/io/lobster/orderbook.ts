import { InputError } from '../../core/errors.js';
import { grown } from '../../core/typed-arrays.js';
import type { Integrity } from '../../core/integrity.js';
import { lineChunks, lineEnd as endOfLine, withoutReturn, type LineChunk } from '../lines.js';
import { LineParser, LineStatus } from './line-parser.js';
import { readingAhead } from './read-ahead.js';

/**
 * The rows of a LOBSTER orderbook file, read in step with the message file: row i is the top-N book
 * after message i (ask price, ask size, bid price, bid size per level; empty levels hold ±9999999999
 * and size 0). Keeps only the rows of the message chunk being read.
 */
export class OrderbookRows {
  /** Row values, `4 * levels` per row, for lines [firstLine, firstLine + count). */
  values = new Float64Array(0);
  levels = 0;
  private firstLine = 1;
  private count = 0;
  /** Lines whose row was unusable (malformed): no resync is possible after their message. */
  private readonly unusable = new Set<number>();
  private readonly chunks: AsyncGenerator<LineChunk>;
  private readonly lines = new LineParser();
  /** True once the whole file is loaded. */
  done = false;
  private missingReported = false;

  constructor(readonly path: string, private readonly integrity: Integrity) {
    this.chunks = readingAhead(lineChunks(path, { countLines: false, reuseBuffers: true }));
  }

  /** One past the last line loaded so far. */
  get loadedEnd(): number {
    return this.firstLine + this.count;
  }

  /** Drops rows before `firstLine`, then loads one more chunk of rows (or notes the end of the file). */
  async loadFrom(firstLine: number): Promise<void> {
    this.discardBefore(firstLine);
    const next = await this.chunks.next();
    if (next.done) this.done = true;
    else this.append(next.value);
  }

  /** Offset of line's row in `values`, or -1 when the row is unusable or missing. */
  rowOffset(line: number): number {
    const index = line - this.firstLine;
    if (index >= 0 && index < this.count) return this.unusable.size > 0 && this.unusable.has(line) ? -1 : index * 4 * this.levels;
    if (!this.missingReported) {
      this.missingReported = true;
      if (this.integrity.policy === 'strict') throw new InputError(this.path, line, 'row', 'orderbook file ends before the message file');
    }
    this.integrity.report.count('orderbook_row_missing', `${this.path}:${line}`);
    return -1;
  }

  /**
   * Copies the rows of lines [line, line + count), all loaded, into `into` (`4 * levels` values a row), and
   * whether each is usable into `usable` (0 for a malformed row, whose message cannot be resynced).
   */
  copyRows(line: number, count: number, into: Float64Array, usable: Uint8Array): void {
    const width = 4 * this.levels;
    const index = line - this.firstLine;
    into.set(this.values.subarray(index * width, (index + count) * width));
    usable.fill(1, 0, count);
    if (this.unusable.size > 0) for (let k = 0; k < count; k++) if (this.unusable.has(line + k)) usable[k] = 0;
  }

  /** Reports orderbook rows beyond the last message. */
  async checkExhausted(lastMessageLine: number): Promise<void> {
    while (!this.done) await this.loadFrom(lastMessageLine);
    const extra = this.firstLine + this.count - 1 - lastMessageLine;
    if (extra > 0) {
      if (this.integrity.policy === 'strict') throw new InputError(this.path, lastMessageLine + 1, 'row', `${extra} orderbook rows have no message`);
      this.integrity.report.count('orderbook_rows_without_message', `${this.path}:${lastMessageLine + 1}`);
    }
  }

  async close(): Promise<void> {
    await this.chunks.return(undefined);
  }

  private discardBefore(line: number): void {
    const drop = Math.min(this.count, line - this.firstLine);
    if (drop <= 0) return;
    const width = 4 * this.levels;
    this.values.copyWithin(0, drop * width, this.count * width);
    this.firstLine += drop;
    this.count -= drop;
    if (this.unusable.size > 0) for (const unusable of [...this.unusable]) if (unusable < this.firstLine) this.unusable.delete(unusable);
  }

  private append(chunk: LineChunk): void {
    const lines = this.lines;
    if (this.levels === 0) this.levels = detectLevels(chunk.bytes, chunk.end, this.path, lines.maxRowValues);
    const width = 4 * this.levels;
    // The rows are parsed in WebAssembly (LineParser), a slice at a time, and copied into `values`.
    lines.load(chunk);
    for (let pos = 0; pos < chunk.end; ) {
      const rows = lines.rows(pos, chunk.end, width);
      const needed = (this.count + rows) * width;
      // At least doubled: a file's rows cost few copies (malformed rows, a blank line among them, take room too).
      if (this.values.length < needed) this.values = grown(this.values, Math.max(needed, 2 * this.values.length));
      this.values.set(lines.rowValues.subarray(0, rows * width), this.count * width);
      if (lines.malformedRows > 0) this.rejectMalformed(chunk, rows, width);
      this.count += rows;
      pos = lines.resume;
    }
  }

  /** Reports the malformed rows among the `rows` of the last slice (their lines follow the `count` rows loaded). */
  private rejectMalformed(chunk: LineChunk, rows: number, width: number): void {
    const { rowStatus, rowStarts } = this.lines;
    for (let r = 0; r < rows; r++) {
      if (rowStatus[r] === LineStatus.Parsed) continue;
      const line = this.firstLine + this.count + r;
      const start = rowStarts[r]!;
      const raw = Buffer.from(chunk.bytes.subarray(start, withoutReturn(chunk.bytes, start, endOfLine(chunk, start)))).toString('latin1');
      const found = raw.split(',').length;
      const bad = Math.min(rowStatus[r]! - LineStatus.Malformed, width - 1);
      const detail = found !== width ? `expected ${width} fields, found ${found}` : `expected integers, found "${raw.split(',')[bad]}"`;
      this.integrity.reject('malformed_orderbook_row', line, found !== width ? 'columns' : `field ${bad + 1}`, detail, raw, this.path);
      this.unusable.add(line);
    }
  }
}

/** The levels of the file's rows, from its first line; `maxFields`: the widest row the parser reads. */
function detectLevels(bytes: Uint8Array, end: number, path: string, maxFields: number): number {
  let lineEnd = bytes.indexOf(10);
  if (lineEnd < 0 || lineEnd > end) lineEnd = end;
  let commas = 0;
  for (let i = 0; i < lineEnd; i++) if (bytes[i] === 44) commas++;
  const fields = commas + 1;
  if (fields % 4 !== 0) throw new InputError(path, 1, 'columns', `an orderbook row has 4 fields per level, found ${fields}`);
  if (fields > maxFields) throw new InputError(path, 1, 'columns', `found ${fields} fields: at most ${maxFields / 4} levels are read (LOBSTER offers up to 200)`);
  return fields / 4;
}
