import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { Integrity } from '../../core/integrity.js';
import { textLineBatches } from '../lines.js';
import { unitsOf, unitsProblem, type SymbolDecimals } from './decimals.js';
import { REQUIRED, tdepthColumns, type Column } from './tdepth-header.js';

/** The two files of one T_DEPTH download: `…snap…csv` (order book snapshots) and `…update…csv` (the diffs). */
export interface TDepthFiles {
  snap: string | null;
  update: string | null;
}

/**
 * The snap and update files of a T_DEPTH pair from either one's path: the last `snap` or `update` word of
 * the file name (between `_`, `-` or `.`) is swapped for the other, and the companion is used when it
 * exists. A name with neither word is read alone.
 */
export function tdepthFiles(path: string): TDepthFiles {
  const name = basename(path);
  const words = [...name.matchAll(/(?<=^|[_.-])(snap|update)(?=[_.-]|$)/g)];
  const word = words.at(-1);
  if (!word) return { snap: null, update: path };
  const other = word[1] === 'snap' ? 'update' : 'snap';
  const companion = join(dirname(path), name.slice(0, word.index) + other + name.slice(word.index! + word[1]!.length));
  const found = existsSync(companion) ? companion : null;
  return word[1] === 'snap' ? { snap: path, update: found } : { snap: found, update: path };
}

/**
 * Consecutive rows of one symbol with the same `last_update_id` and `update_type`: one snapshot (`snap`)
 * or one atomic update (`set`). Level pairs are integer units; `lines` gives each pair's source line.
 * `damaged` is set when one of its rows was rejected: the group is incomplete and must not be applied.
 */
export interface TDepthGroup {
  file: string;
  symbol: string;
  type: 'snap' | 'set';
  timeMs: number;
  first: number;
  last: number;
  /** `pu`: the previous update's last_update_id; NaN where the file has none (-1, empty or no column). */
  previous: number;
  firstLine: number;
  bids: Float64Array;
  asks: Float64Array;
  bidLines: Float64Array;
  askLines: Float64Array;
  damaged: boolean;
}

/** An update id column: digits only, exact below 2^53. */
function updateId(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : NaN;
}

/** Growable (price, size) pairs with the line of each, reused from group to group. */
class PairBuffer {
  pairs = new Float64Array(512);
  lines = new Float64Array(256);
  count = 0;

  push(price: number, size: number, line: number): void {
    if (this.count === this.lines.length) {
      const pairs = new Float64Array(this.pairs.length * 2);
      pairs.set(this.pairs);
      this.pairs = pairs;
      const lines = new Float64Array(this.lines.length * 2);
      lines.set(this.lines);
      this.lines = lines;
    }
    this.pairs[2 * this.count] = price;
    this.pairs[2 * this.count + 1] = size;
    this.lines[this.count++] = line;
  }
}

/**
 * Reads one T_DEPTH CSV (plain or compressed) as groups: `symbol,timestamp,first_update_id,last_update_id,
 * side,update_type,price,qty[,pu]` rows (columns found by the header), consecutive rows with the same
 * symbol, `last_update_id` and `update_type` forming one group. Every data row counts in `rowsRead`; a row
 * that cannot be read is rejected naming file, line and field and marks the group it belongs to (the
 * open one, when its own ids cannot be read) as damaged. `delta` rows (quantity changes, sent only by
 * T_DEPTH_BACKFILL) are not read: rejected as `unsupported_update_type`.
 */
export class TDepthFile {
  private columns: Record<Column, number> | null = null;
  private open: TDepthGroup | null = null;
  /** The open group's timestamp, first_update_id and pu as its first row wrote them: every row repeats them. */
  private openTime = '';
  private openFirst = '';
  private openPu = '';
  private readonly bids = new PairBuffer();
  private readonly asks = new PairBuffer();

  constructor(
    readonly path: string,
    private readonly integrity: Integrity,
    private readonly decimalsOf: (symbol: string) => SymbolDecimals,
  ) {}

  /** The file's groups in order; each is complete when yielded and valid until the next is requested. */
  async *groups(): AsyncGenerator<TDepthGroup> {
    for await (const { firstLine, lines } of textLineBatches(this.path)) {
      for (let k = 0; k < lines.length; k++) {
        const done = this.row(firstLine + k, lines[k]!);
        if (done) yield done;
      }
    }
    const last = this.close();
    if (last) yield last;
  }

  /** Reads one line; returns the group it closed, if it started a new one. */
  private row(line: number, text: string): TDepthGroup | null {
    const report = this.integrity.report;
    if (line === 1) {
      this.columns = tdepthColumns(text);
      if (!this.columns) throw new InputError(this.path, 1, 'header', `expected the T_DEPTH columns ${REQUIRED.join(',')}[,pu], found "${text.slice(0, 120)}"`);
      return null;
    }
    if (text === '') {
      report.note('blank_lines');
      return null;
    }
    report.rowsRead++;
    const columns = this.columns!;
    const fields = text.split(',');
    if (fields.length < 8 || (columns.pu >= 0 && fields.length <= columns.pu)) return this.damage(null, 'malformed_row', line, 'columns', `expected ${columns.pu >= 0 ? 9 : 8} fields, found ${fields.length}`, text);
    const symbol = fields[columns.symbol]!;
    const type = fields[columns.update_type]!;
    const last = updateId(fields[columns.last_update_id]!);
    if (symbol === '') return this.damage(null, 'malformed_row', line, 'symbol', 'empty', text);
    if (Number.isNaN(last)) return this.damage(null, 'malformed_row', line, 'last_update_id', `not an update id: "${fields[columns.last_update_id]}"`, text);
    if (type !== 'snap' && type !== 'set') {
      const kind = type === 'delta' ? 'unsupported_update_type' : 'malformed_row';
      return this.damage(null, kind, line, 'update_type', type === 'delta' ? 'delta rows (quantity changes, T_DEPTH_BACKFILL) are not read: only snap and set' : `expected snap or set, found "${type}"`, text);
    }
    let closed: TDepthGroup | null = null;
    let group = this.open;
    if (!group || group.symbol !== symbol || group.last !== last || group.type !== type) {
      closed = this.close();
      group = this.start(line, symbol, type, last, fields, columns, text);
      if (!group) return closed;
    } else {
      // Every row of one update carries the same time, first id and pu.
      const field = fields[columns.timestamp] !== this.openTime ? 'timestamp' : fields[columns.first_update_id] !== this.openFirst ? 'first_update_id' : columns.pu >= 0 && fields[columns.pu] !== this.openPu ? 'pu' : null;
      if (field) {
        const expected = field === 'timestamp' ? this.openTime : field === 'pu' ? this.openPu : this.openFirst;
        return this.damage(closed, 'malformed_row', line, field, `"${fields[columns[field]]}" differs from "${expected}" on line ${group.firstLine}, the first row of update ${last}`, text);
      }
    }
    const sideText = fields[columns.side]!;
    const side = sideText === 'b' ? 1 : sideText === 'a' ? -1 : 0;
    if (side === 0) return this.damage(closed, 'malformed_row', line, 'side', `expected a or b, found "${sideText}"`, text);
    const decimals = this.decimalsOf(symbol);
    const priceText = fields[columns.price]!;
    const qtyText = fields[columns.qty]!;
    const price = unitsOf(priceText, decimals.price);
    const size = unitsOf(qtyText, decimals.size);
    if (Number.isNaN(price) || !(price > 0)) {
      const problem = Number.isNaN(price) ? unitsProblem(priceText, decimals.price, 'price', symbol) : { kind: 'malformed_row' as const, detail: `${symbol} price: not positive: "${priceText}"` };
      return this.damage(closed, problem.kind, line, 'price', problem.detail, text);
    }
    if (Number.isNaN(size) || size < 0) {
      const problem = Number.isNaN(size) ? unitsProblem(qtyText, decimals.size, 'quantity', symbol) : { kind: 'malformed_row' as const, detail: `${symbol} quantity: negative: "${qtyText}"` };
      return this.damage(closed, problem.kind, line, 'qty', problem.detail, text);
    }
    (side === 1 ? this.bids : this.asks).push(price, size, line);
    return closed;
  }

  /** Opens a group from its first row; null (and the row rejected) when its header fields cannot be read. */
  private start(line: number, symbol: string, type: 'snap' | 'set', last: number, fields: string[], columns: Record<Column, number>, text: string): TDepthGroup | null {
    const timeText = fields[columns.timestamp]!;
    const firstText = fields[columns.first_update_id]!;
    const puText = columns.pu >= 0 ? fields[columns.pu]! : '';
    const timeMs = /^\d{1,15}$/.test(timeText) ? Number(timeText) : NaN;
    const first = updateId(firstText);
    // pu: -1 on snapshot rows, empty or absent in files without it.
    const previous = updateId(puText);
    this.bids.count = 0;
    this.asks.count = 0;
    this.openTime = timeText;
    this.openFirst = firstText;
    this.openPu = puText;
    const group: TDepthGroup = { file: this.path, symbol, type, timeMs, first, last, previous, firstLine: line, bids: EMPTY, asks: EMPTY, bidLines: EMPTY, askLines: EMPTY, damaged: false };
    this.open = group;
    let problem: [field: string, detail: string] | null = null;
    if (Number.isNaN(timeMs)) problem = ['timestamp', `not epoch milliseconds: "${timeText}"`];
    else if (Number.isNaN(first) || first > last) problem = ['first_update_id', `not an update id at most last_update_id ${last}: "${firstText}"`];
    else if (Number.isNaN(previous) && puText !== '' && puText !== '-1') problem = ['pu', `not an update id: "${puText}"`];
    if (!problem) return group;
    this.damage(null, 'malformed_row', line, problem[0], problem[1], text);
    return null;
  }

  /** Ends the open group: its level pairs are copied out of the reused buffers. */
  private close(): TDepthGroup | null {
    const group = this.open;
    if (!group) return null;
    this.open = null;
    group.bids = this.bids.pairs.slice(0, 2 * this.bids.count);
    group.asks = this.asks.pairs.slice(0, 2 * this.asks.count);
    group.bidLines = this.bids.lines.slice(0, this.bids.count);
    group.askLines = this.asks.lines.slice(0, this.asks.count);
    return group;
  }

  /**
   * Rejects a row of the open group, which is then incomplete (a row whose own group cannot be told is
   * taken to belong to the open one). Returns `closed`: the group this row ended, if any.
   */
  private damage(closed: TDepthGroup | null, kind: string, line: number, field: string, detail: string, text: string): TDepthGroup | null {
    this.integrity.reject(kind, line, field, detail, text, this.path);
    if (this.open) this.open.damaged = true;
    return closed;
  }

}

const EMPTY = new Float64Array(0);
