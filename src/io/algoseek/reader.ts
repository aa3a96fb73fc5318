import { basename } from 'node:path';
import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { UsageError } from '../../core/errors.js';
import { Action, Flag } from '../../core/event.js';
import type { EventSource, Granularity, OpenOptions } from '../../core/source.js';
import { NS_PER_MS, parseIsoDate, zonedMidnightNs } from '../../core/time.js';
import { headBytes } from '../bytes.js';
import { lineChunks, type LineChunk } from '../lines.js';
import { ReaderBase } from '../reader-base.js';
import { algoseekCompanion, parseAlgoseekName, type TickKind } from './names.js';

/** LEAN equity tick times are milliseconds after midnight in New York (its equity data time zone). */
export const ALGOSEEK_TIME_ZONE = 'America/New_York';

/** Opens a LEAN AlgoSeek tick file with its companion; the kind comes from the name, else from the first row's field count. */
export async function openLeanAlgoseek(path: string, options: OpenOptions): Promise<LeanAlgoseekSource> {
  let kind = parseAlgoseekName(path).kind;
  if (!kind) {
    const first = Buffer.from(await headBytes(path, 4096)).toString('latin1').split('\n', 1)[0]!.replace(/\r$/, '');
    const fields = first.split(',').length;
    kind = fields === 8 || fields === 5 ? 'quote' : 'trade';
  }
  return new LeanAlgoseekSource(path, options, kind);
}

/**
 * LEAN's AlgoSeek US equity ticks: a trade file and a quote file of one symbol and day, read together and
 * merged by time (quotes before trades at the same time). Prices are 1/10,000 dollars, sizes shares.
 *
 * - Trades (`time,price,size[,exchange,condition,suspicious]`): `Trade` rows with side 0 (the tape has no
 *   aggressor), one atomic update each.
 * - Quotes (`time,bid_price,bid_size,ask_price,ask_size[,exchange,condition,suspicious]`): each row is the
 *   national best bid or the national best offer with the exchange holding it; a price of 0 means the row
 *   does not quote that side, which keeps its last value (LEAN's reading). Rows of one time form one update
 *   until a side repeats (a bid row and the ask row after it are one NBBO), written as a full snapshot of
 *   the quoted side(s) with one level each: the book holds exactly the NBBO.
 * - Rows flagged suspicious are not replayed (LEAN keeps them out of prices and bars); they are counted.
 *   Exchange codes and the hexadecimal condition flags (LEAN's TradeConditionFlags / QuoteConditionFlags)
 *   are counted in the report's notes.
 */
export class LeanAlgoseekSource extends ReaderBase implements EventSource {
  readonly granularity: Granularity;
  readonly date: string;
  readonly symbol: string;
  readonly tradePath: string | null;
  readonly quotePath: string | null;

  constructor(path: string, options: OpenOptions, kind: TickKind) {
    super(path, 'lean-algoseek', options);
    const named = parseAlgoseekName(path);
    const date = options.date ?? named.date;
    if (!date) throw new UsageError(`${path}: no date in the file name (SYMBOL_YYYY-MM-DD_… or YYYYMMDD_symbol_…); give --date`);
    if (!parseIsoDate(date)) throw new UsageError(`--date: not a date (YYYY-MM-DD): "${date}"`);
    this.date = date;
    this.symbol = named.symbol ?? basename(path).replace(/\.[^.]*$/, '');
    const companion = options.companion === false ? null : (options.companion ?? algoseekCompanion(path));
    this.tradePath = kind === 'trade' ? path : companion;
    this.quotePath = kind === 'quote' ? path : companion;
    this.granularity = this.quotePath ? 'quotes' : 'trades';
    // US equities quote in whole cents from $1.00 up (Reg NMS rule 612): 100 units of 1/10,000 dollar.
    this.instruments.intern({ venue: 'algoseek', symbol: this.symbol, venueId: -1, priceDecimals: 4, sizeDecimals: 0, tickUnits: 100 });
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const builder = new BatchBuilder(this.instruments, zonedMidnightNs(this.date, ALGOSEEK_TIME_ZONE), this.batchRows);
    const quotes = this.quotePath ? new TickFile(this, this.quotePath, 'quote') : null;
    const trades = this.tradePath ? new TickFile(this, this.tradePath, 'trade') : null;
    let quoteUpdates = 0;
    try {
      let quoteReady = quotes !== null && (quotes.next() || (await refill(quotes)));
      let tradeReady = trades !== null && (trades.next() || (await refill(trades)));
      while (quoteReady || tradeReady) {
        if (quoteReady && (!tradeReady || quotes!.ts <= trades!.ts)) {
          // One NBBO update: the rows of this time until a side repeats.
          const q = quotes!;
          const ts = q.ts;
          const firstLine = q.line;
          let lastLine = firstLine;
          let flags = 0;
          let bidPrice = 0;
          let bidSize = 0;
          let bidLine = 0;
          let askPrice = 0;
          let askSize = 0;
          let askLine = 0;
          do {
            if ((q.bidPrice > 0 && bidLine > 0) || (q.askPrice > 0 && askLine > 0)) break;
            if (q.bidPrice > 0) {
              bidPrice = q.bidPrice;
              bidSize = q.bidSize;
              bidLine = q.line;
            }
            if (q.askPrice > 0) {
              askPrice = q.askPrice;
              askSize = q.askSize;
              askLine = q.line;
            }
            flags |= q.flags;
            lastLine = q.line;
            quoteReady = q.next() || (await refill(q));
          } while (quoteReady && q.ts === ts);
          const side = bidLine > 0 && askLine > 0 ? 0 : bidLine > 0 ? 1 : -1;
          const snapshot = Flag.Snapshot | flags;
          builder.push(ts, NaN, 0, Action.SnapshotBegin, side, 0, 0, 0, firstLine, snapshot, firstLine);
          if (bidLine > 0) builder.push(ts, NaN, 0, Action.LevelSet, 1, bidPrice, bidSize, 0, bidLine, snapshot, bidLine);
          if (askLine > 0) builder.push(ts, NaN, 0, Action.LevelSet, -1, askPrice, askSize, 0, askLine, snapshot, askLine);
          builder.push(ts, NaN, 0, Action.SnapshotEnd, side, 0, 0, 0, lastLine, snapshot | Flag.Last, lastLine);
          quoteUpdates++;
        } else {
          const t = trades!;
          builder.push(t.ts, NaN, 0, Action.Trade, 0, t.price, t.size, 0, t.line, t.flags | Flag.Last, t.line);
          tradeReady = t.next() || (await refill(t));
        }
        for (let batch = builder.take(); batch; batch = builder.take()) yield batch;
      }
      const report = this.integrity.report;
      if (quotes) report.note('nbbo_updates', quoteUpdates);
      quotes?.noteCounts();
      trades?.noteCounts();
      const last = builder.flush();
      if (last) yield last;
    } finally {
      await quotes?.close();
      await trades?.close();
    }
  }
}

/** Loads chunks until the file has a replayable row (true) or ends (false). */
async function refill(file: TickFile): Promise<boolean> {
  while (await file.load()) if (file.next()) return true;
  return false;
}

const TRADE_FIELDS = ['time', 'price', 'size', 'exchange', 'condition', 'suspicious'];
const QUOTE_FIELDS = ['time', 'bid_price', 'bid_size', 'ask_price', 'ask_size', 'exchange', 'condition', 'suspicious'];
const DAY_MS = 86_400_000;
const MAX_FIELDS = 8;

// LEAN's TradeConditionFlags and QuoteConditionFlags (QuantConnect.Data.Auxiliary), bit by bit.
const TRADE_CONDITIONS = [
  'regular', 'cash', 'next_day', 'seller', 'yellow_flag', 'intermarket_sweep', 'opening_prints', 'closing_prints',
  'reopening_prints', 'derivatively_priced', 'form_t', 'sold', 'stopped', 'extended_hours', 'out_of_sequence', 'split',
  'acquisition', 'bunched', 'stock_option', 'distribution', 'average_price', 'cross', 'price_variation', 'rule_155',
  'official_close', 'prior_reference_price', 'official_open', 'cap_election', 'auto_execution', 'trade_through_exempt',
  'undocumented_flag', 'odd_lot',
];
const QUOTE_CONDITIONS = [
  'regular', 'slow', 'gap', 'closing', 'news_dissemination', 'news_pending', 'trading_range_indication', 'order_imbalance',
  'closed_market_maker', 'volatility_trading_pause', 'non_firm_quote', 'opening_quote', 'due_to_related_security', 'resume',
  'in_view_of_common', 'equipment_changeover', 'sub_penny_trading', 'no_open_no_resume', 'limit_up_limit_down_price_band',
  'republished_limit_up_limit_down_price_band', 'manual', 'fast_trading', 'order_influx',
];

/**
 * One tick file read row by row straight from its bytes: `next()` parses lines of the loaded chunk until
 * one can be replayed and leaves its fields on the instance (no allocation per row); `load()` reads the
 * next chunk. Bad rows go to the integrity account here and are never returned.
 */
class TickFile {
  /** Line number of the current row. */
  line = 0;
  /** Current row: time (ns after the New York midnight), prices and sizes in units, repair flags. */
  ts = 0;
  price = 0;
  size = 0;
  bidPrice = 0;
  bidSize = 0;
  askPrice = 0;
  askSize = 0;
  flags = 0;
  private readonly chunks: AsyncGenerator<LineChunk>;
  private bytes: Uint8Array = new Uint8Array(0);
  private end = 0;
  private pos = 0;
  private prevTs = -Infinity;
  private readonly fieldNames: string[];
  private readonly conditionNames: string[];
  /** Start offset of each field in `bytes`, and one past the last field's end. */
  private readonly starts = new Int32Array(MAX_FIELDS + 1);
  private rows = 0;
  private suspicious = 0;
  /** Rows by exchange: one-letter codes (and none) by character code, longer codes in the map. */
  private readonly letterRows = new Float64Array(256);
  private readonly exchangeRows = new Map<number, number>();
  private readonly conditionRows = new Float64Array(32);

  constructor(
    private readonly source: LeanAlgoseekSource,
    readonly path: string,
    readonly kind: TickKind,
  ) {
    this.chunks = lineChunks(path, { countLines: false });
    this.fieldNames = kind === 'trade' ? TRADE_FIELDS : QUOTE_FIELDS;
    this.conditionNames = kind === 'trade' ? TRADE_CONDITIONS : QUOTE_CONDITIONS;
  }

  /** Reads the next chunk of whole lines; false at the end of the file. */
  async load(): Promise<boolean> {
    const next = await this.chunks.next();
    if (next.done) return false;
    this.bytes = next.value.bytes;
    this.end = next.value.end;
    this.pos = 0;
    return true;
  }

  async close(): Promise<void> {
    await this.chunks.return(undefined);
  }

  // Hot: every line of the file passes here once; fields are parsed from the bytes in place.
  next(): boolean {
    const bytes = this.bytes;
    const report = this.source.integrity.report;
    while (this.pos < this.end) {
      const lineStart = this.pos;
      let lineEnd = bytes.indexOf(10, lineStart);
      if (lineEnd < 0 || lineEnd >= this.end) lineEnd = this.end;
      this.pos = lineEnd + 1;
      let stop = lineEnd;
      if (stop > lineStart && bytes[stop - 1] === 13) stop--;
      this.line++;
      if (stop === lineStart) {
        report.note('blank_lines');
        continue;
      }
      report.rowsRead++;
      this.rows++;
      if (this.parse(lineStart, stop)) return true;
    }
    return false;
  }

  /** Parses one row; true when it is to be replayed. */
  private parse(lineStart: number, stop: number): boolean {
    const bytes = this.bytes;
    const starts = this.starts;
    let fields = 1;
    starts[0] = lineStart;
    for (let p = lineStart; p < stop; p++) {
      if (bytes[p] !== 44) continue;
      if (fields < MAX_FIELDS) starts[fields] = p + 1;
      fields++;
    }
    if (fields <= MAX_FIELDS) starts[fields] = stop + 1;
    const full = this.kind === 'trade' ? 6 : 8;
    const short = full - 3;
    if (fields !== full && fields !== short) return this.reject(lineStart, stop, 'columns', `expected ${full} fields (or ${short}), found ${fields}`);

    const time = parseMilliseconds(bytes, starts[0]!, starts[1]! - 1);
    if (Number.isNaN(time)) return this.rejectField(lineStart, stop, 0, 'expected milliseconds after midnight');
    if (time >= DAY_MS * NS_PER_MS) return this.reject(lineStart, stop, 'time', `${time / NS_PER_MS} ms is past the end of the day`);
    const numbers = this.kind === 'trade' ? 2 : 4;
    for (let k = 1; k <= numbers; k++) {
      const value = parseCount(bytes, starts[k]!, starts[k + 1]! - 1);
      if (Number.isNaN(value)) return this.rejectField(lineStart, stop, k, 'expected a non-negative integer');
      if (this.kind === 'trade') {
        if (k === 1) this.price = value;
        else this.size = value;
      } else if (k === 1) this.bidPrice = value;
      else if (k === 2) this.bidSize = value;
      else if (k === 3) this.askPrice = value;
      else this.askSize = value;
    }
    let exchange = 0;
    let condition = 0;
    let suspicious = false;
    if (fields === full) {
      const e = numbers + 1;
      exchange = exchangeCode(bytes, starts[e]!, starts[e + 1]! - 1);
      if (Number.isNaN(exchange)) return this.rejectField(lineStart, stop, e, 'expected an exchange code of up to 4 letters');
      condition = parseHex(bytes, starts[e + 1]!, starts[e + 2]! - 1);
      if (Number.isNaN(condition)) return this.rejectField(lineStart, stop, e + 1, 'expected hexadecimal condition flags');
      const flagStart = starts[e + 2]!;
      if (stop - flagStart !== 1 || (bytes[flagStart] !== 48 && bytes[flagStart] !== 49)) return this.rejectField(lineStart, stop, e + 2, 'expected 0 or 1');
      suspicious = bytes[flagStart] === 49;
    }
    if (this.kind === 'trade') {
      if (this.price === 0) return this.reject(lineStart, stop, 'price', 'must be positive, was 0');
      if (this.size === 0) return this.reject(lineStart, stop, 'size', 'must be positive, was 0');
    } else {
      // A zero price leaves the side out of this row; a quoted side has a size.
      if (this.bidPrice === 0 && this.askPrice === 0) return this.reject(lineStart, stop, 'bid_price', 'bid and ask prices are both 0: the row quotes neither side');
      if (this.bidPrice > 0 && this.bidSize === 0) return this.reject(lineStart, stop, 'bid_size', 'must be positive when the bid is quoted, was 0');
      if (this.askPrice > 0 && this.askSize === 0) return this.reject(lineStart, stop, 'ask_size', 'must be positive when the ask is quoted, was 0');
    }
    this.flags = 0;
    let ts = time;
    if (ts < this.prevTs) {
      if (!this.repair(lineStart, stop, `time goes back ${((this.prevTs - ts) / 1e9).toFixed(6)} s`)) return false;
      ts = this.prevTs;
      this.flags = Flag.Repaired;
    }
    this.prevTs = ts;
    this.ts = ts;
    if (suspicious) {
      this.suspicious++;
      return false;
    }
    if (exchange < 256) this.letterRows[exchange]!++;
    else this.exchangeRows.set(exchange, (this.exchangeRows.get(exchange) ?? 0) + 1);
    for (let bits = condition >>> 0; bits !== 0; bits &= bits - 1) this.conditionRows[31 - Math.clz32(bits & -bits)]!++;
    return true;
  }

  /** Writes this file's row, suspicious-row, exchange and condition counts to the report's notes. */
  noteCounts(): void {
    const report = this.source.integrity.report;
    report.note(`${this.kind}_rows`, this.rows);
    if (this.suspicious > 0) report.note(`suspicious_${this.kind}_rows_not_replayed`, this.suspicious);
    this.letterRows.forEach((rows, code) => {
      if (rows > 0) report.note(`${this.kind}_exchange_${exchangeText(code) || 'none'}`, rows);
    });
    for (const [code, rows] of [...this.exchangeRows].sort((a, b) => a[0] - b[0])) report.note(`${this.kind}_exchange_${exchangeText(code)}`, rows);
    this.conditionRows.forEach((rows, bit) => {
      if (rows > 0) report.note(`${this.kind}_condition_${this.conditionNames[bit] ?? `bit_${bit}`}`, rows);
    });
  }

  private rejectField(lineStart: number, stop: number, field: number, expected: string): false {
    const start = this.starts[field]!;
    const value = text(this.bytes, start, this.starts[field + 1]! - 1);
    return this.reject(lineStart, stop, this.fieldNames[field]!, `${expected}, found "${value}"`);
  }

  private reject(lineStart: number, stop: number, field: string, detail: string): false {
    this.source.integrity.reject('malformed_row', this.line, field, detail, text(this.bytes, lineStart, stop), this.path);
    return false;
  }

  /** A time earlier than the file's previous one: repaired to it under `repair`, else rejected (naming this file). */
  private repair(lineStart: number, stop: number, detail: string): boolean {
    const integrity = this.source.integrity;
    if (integrity.policy !== 'repair') {
      integrity.reject('timestamp_regression', this.line, 'time', detail, text(this.bytes, lineStart, stop), this.path);
      return false;
    }
    const report = integrity.report;
    report.repaired++;
    const where = this.path === report.source ? `line ${this.line}` : `${this.path}:${this.line}`;
    report.count('timestamp_regression', `${where}: time: ${detail}`);
    return true;
  }
}

/** Milliseconds with up to six decimals as integer nanoseconds, NaN if not that. */
function parseMilliseconds(bytes: Uint8Array, start: number, stop: number): number {
  let p = start;
  let ms = 0;
  while (p < stop && bytes[p]! >= 48 && bytes[p]! <= 57 && p - start < 12) ms = ms * 10 + (bytes[p++]! - 48);
  if (p === start) return NaN;
  let ns = ms * NS_PER_MS;
  if (p < stop && bytes[p] === 46) {
    p++;
    let scale = NS_PER_MS / 10;
    const fraction = p;
    while (p < stop && bytes[p]! >= 48 && bytes[p]! <= 57 && scale >= 1) {
      ns += (bytes[p++]! - 48) * scale;
      scale /= 10;
    }
    if (p === fraction) return NaN;
  }
  return p === stop ? ns : NaN;
}

/** A non-negative integer of at most 15 digits (exact in a double), NaN if not that. */
function parseCount(bytes: Uint8Array, start: number, stop: number): number {
  if (stop <= start || stop - start > 15) return NaN;
  let value = 0;
  for (let p = start; p < stop; p++) {
    const c = bytes[p]!;
    if (c < 48 || c > 57) return NaN;
    value = value * 10 + (c - 48);
  }
  return value;
}

/** Up to eight hexadecimal digits (LEAN's condition flags; empty is 0), NaN if not that. */
function parseHex(bytes: Uint8Array, start: number, stop: number): number {
  if (stop - start > 8) return NaN;
  let value = 0;
  for (let p = start; p < stop; p++) {
    const c = bytes[p]!;
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return NaN;
    value = value * 16 + digit;
  }
  return value;
}

/** An exchange code of up to four letters packed into a number (upper case; empty is 0), NaN if not that. */
function exchangeCode(bytes: Uint8Array, start: number, stop: number): number {
  if (stop - start > 4) return NaN;
  let code = 0;
  for (let p = start; p < stop; p++) {
    let c = bytes[p]!;
    if (c >= 97 && c <= 122) c -= 32;
    if (c < 65 || c > 90) return NaN;
    code = code * 256 + c;
  }
  return code;
}

function exchangeText(code: number): string {
  let out = '';
  for (; code > 0; code = Math.floor(code / 256)) out = String.fromCharCode(code % 256) + out;
  return out;
}

function text(bytes: Uint8Array, start: number, stop: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, stop - start)).toString('latin1');
}
