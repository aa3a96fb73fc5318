import { InputError } from '../../core/errors.js';
import type { Integrity } from '../../core/integrity.js';
import { lineChunks, lineEnd as endOfLine, withoutReturn, type LineChunk } from '../lines.js';
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
    const bytes = chunk.bytes;
    if (this.levels === 0) this.levels = detectLevels(bytes, chunk.end, this.path);
    const width = 4 * this.levels;
    // Every line has at least 2 bytes per field, so this bounds the rows the chunk can hold.
    const room = this.count + Math.ceil(chunk.end / (2 * width)) + 1;
    if (this.values.length < room * width) {
      const grown = new Float64Array(room * width);
      grown.set(this.values.subarray(0, this.count * width));
      this.values = grown;
    }

    let line = this.firstLine + this.count;
    let pos = 0;
    const end = chunk.end;
    const values = this.values;
    // Hot loop: integers separated by commas, parsed from bytes up to the line's terminator (the chunk
    // ends with a newline, or at the end of `bytes`, so no digit loop runs past it).
    while (pos < end) {
      const base = this.count * width;
      let p = pos;
      let field = 0;
      let ok = true;
      let c = bytes[p]!;
      while (field < width) {
        let negative = false;
        if (c === 45) {
          negative = true;
          c = bytes[++p]!;
        }
        let value = 0;
        const digitsStart = p;
        while (c >= 48 && c <= 57) {
          value = value * 10 + (c - 48);
          c = bytes[++p]!;
        }
        if (p === digitsStart || (field < width - 1 && c !== 44)) {
          ok = false;
          break;
        }
        values[base + field++] = negative ? -value : value;
        if (field < width) c = bytes[++p]!;
      }
      if (ok && c === 10) pos = p + 1;
      else if (ok && c === 13 && bytes[p + 1] === 10) pos = p + 2;
      else if (ok && p === end) pos = end;
      else {
        const lineEnd = endOfLine(chunk, pos);
        const raw = Buffer.from(bytes.subarray(pos, withoutReturn(bytes, pos, lineEnd))).toString('latin1');
        const found = raw.split(',').length;
        const bad = Math.min(field, width - 1);
        const detail = found !== width ? `expected ${width} fields, found ${found}` : `expected integers, found "${raw.split(',')[bad]}"`;
        this.integrity.reject('malformed_orderbook_row', line, found !== width ? 'columns' : `field ${bad + 1}`, detail, raw, this.path);
        this.unusable.add(line);
        pos = lineEnd + 1;
      }
      this.count++;
      line++;
    }
  }
}


function detectLevels(bytes: Uint8Array, end: number, path: string): number {
  let lineEnd = bytes.indexOf(10);
  if (lineEnd < 0 || lineEnd > end) lineEnd = end;
  let commas = 0;
  for (let i = 0; i < lineEnd; i++) if (bytes[i] === 44) commas++;
  const fields = commas + 1;
  if (fields % 4 !== 0) throw new InputError(path, 1, 'columns', `an orderbook row has 4 fields per level, found ${fields}`);
  return fields / 4;
}
