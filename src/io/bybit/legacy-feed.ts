import type { BatchBuilder } from '../../core/batch.js';
import { numberToUnits, parseUnits } from '../../core/decimal.js';
import { Action, Flag } from '../../core/event.js';
import type { InstrumentTable } from '../../core/instrument.js';
import type { Integrity } from '../../core/integrity.js';
import { NS_PER_MS } from '../../core/time.js';
import { LevelRows } from './level-rows.js';

/** Book topics of Bybit's legacy public websocket: `orderBookL2_25.{symbol}`, `orderBook_200.100ms.{symbol}`. */
export const LEGACY_BOOK_TOPIC = /^(?:orderBookL2_(\d+)|orderBook_(\d+)\.\d+ms)\.(\S+)$/;
const TRADE_TOPIC = /^trade\.(\S+)$/;
/**
 * Prices (decimal text) and sizes (JSON numbers) are held at 8 decimals: the legacy feed prints sizes as
 * single-precision floats with up to 8 significant digits (642.60004), which 8 decimals hold exactly.
 */
export const LEGACY_DECIMALS = 8;

/** What the legacy messages need from the capture reader they serve. */
export interface LegacyContext {
  readonly instruments: InstrumentTable;
  readonly integrity: Integrity;
  /** The batch builder; it exists once the first receive time has been read. */
  builder(): BatchBuilder;
  /** Epoch seconds of the time base. */
  baseSeconds(): number;
}

const NEW = 0;
const SYNCED = 1;
const UNSYNCED = 2;

/** One symbol's book as the stream has built it so far. */
interface LegacyBook {
  symbol: string;
  instrument: number;
  /** NEW: no snapshot yet; SYNCED; UNSYNCED: after a gap or a delta that does not fit, until the next snapshot. */
  state: number;
  lastCrossSeq: number;
  /** The level ids the book holds: id -> price units, negative for asks. */
  levels: Map<number, number>;
}

interface LegacyMessage {
  topic?: unknown;
  type?: unknown;
  data?: unknown;
  cross_seq?: unknown;
  prev_cross_seq?: unknown;
  timestamp_e6?: unknown;
  success?: unknown;
}

/**
 * Bybit's legacy public websocket (`realtime_public`, USDT perpetuals; `realtime`, inverse contracts) as
 * L2 rows and trades. Book levels are keyed by id and carry their price: a `snapshot` (`order_book`) is a
 * depth-N restatement (`SnapshotBegin` size N from the topic, a `LevelSet` per level, `SnapshotEnd`); a
 * `delta` is one atomic update of `delete` (`LevelDelete`), `update` and `insert` (`LevelSet`), applied in
 * that order. The ids are checked against the book: a delete or update of an id the book does not hold (or
 * holds at another price or side), or an insert of one it holds, means messages are missing
 * (`book_out_of_sync`); so does a `prev_cross_seq` other than the previous `cross_seq`, where messages carry
 * it (`sequence_gap`), and a `cross_seq` that does not advance (`sequence_regression`). Each is an error
 * under strict; otherwise the book waits for the next snapshot. `tsEvent` is `timestamp_e6` (µs) for book
 * messages and `trade_time_ms` for trades (side = taker side, `seq` the line: trade ids are UUIDs);
 * `seq` of book rows is `cross_seq`.
 */
export class LegacyFeed {
  private readonly books = new Map<string, LegacyBook>();
  private readonly instrumentOf = new Map<string, number>();
  private readonly rows = new LevelRows();
  /** The snapshot being read, swapped in as the book's levels once it is whole. */
  private pending = new Map<number, number>();
  // The entry last parsed by `entry` (fields, to avoid an object per level).
  private id = 0;
  private side = 0;
  private price = 0;
  private size = 0;

  constructor(private readonly context: LegacyContext) {}

  /** Handles one received message; subscription responses and other topics are counted. */
  message(message: unknown, recv: number, line: number, raw: string): void {
    const report = this.context.integrity.report;
    const m = message as LegacyMessage | null;
    if (m === null || typeof m !== 'object' || typeof m.topic !== 'string') {
      if (m !== null && typeof m === 'object' && typeof m.success === 'boolean') report.note(m.success ? 'subscription_responses' : 'subscription_failures');
      else report.note('other_messages');
      return;
    }
    const book = LEGACY_BOOK_TOPIC.exec(m.topic);
    if (book) return this.book(book[3]!, Number(book[1] ?? book[2]), m, recv, line, raw);
    const trade = TRADE_TOPIC.exec(m.topic);
    if (trade) return this.trades(trade[1]!, m.data, recv, line, raw);
    report.note('other_topic_messages');
  }

  private book(symbol: string, depth: number, m: LegacyMessage, recv: number, line: number, raw: string): void {
    const integrity = this.context.integrity;
    const crossSeq = integer(m.cross_seq);
    const timeUs = integer(m.timestamp_e6);
    if (Number.isNaN(crossSeq)) return integrity.reject('malformed_row', line, 'cross_seq', 'expected an integer cross sequence', raw);
    if (Number.isNaN(timeUs)) return integrity.reject('malformed_row', line, 'timestamp_e6', 'expected the event time in epoch microseconds', raw);
    let book = this.books.get(symbol);
    if (!book) this.books.set(symbol, (book = { symbol, instrument: this.instrument(symbol), state: NEW, lastCrossSeq: NaN, levels: new Map() }));
    const ts = (timeUs - this.context.baseSeconds() * 1e6) * 1000;
    if (m.type === 'snapshot') this.snapshot(book, depth, m.data, ts, recv, crossSeq, line, raw);
    else if (m.type === 'delta') this.delta(book, m, ts, recv, crossSeq, line, raw);
    else integrity.reject('malformed_row', line, 'type', `expected "snapshot" or "delta", was ${JSON.stringify(m.type)}`, raw);
  }

  private snapshot(book: LegacyBook, depth: number, data: unknown, ts: number, recv: number, crossSeq: number, line: number, raw: string): void {
    const integrity = this.context.integrity;
    // USDT perpetuals wrap the levels in `order_book`; inverse contracts send the array itself.
    const entries = Array.isArray(data) ? data : data !== null && typeof data === 'object' ? (data as { order_book?: unknown }).order_book : undefined;
    if (!Array.isArray(entries)) return integrity.reject('malformed_row', line, 'data', 'expected order_book, an array of levels', raw);
    const levels = this.pending;
    levels.clear();
    this.rows.clear();
    for (const entry of entries) {
      if (!this.entry(entry, book.symbol, true)) return this.malformed(book, 'order_book', entry, line, raw);
      if (levels.has(this.id)) return integrity.reject('malformed_row', line, 'order_book', `level id ${this.id} is listed twice`, raw);
      levels.set(this.id, this.side * this.price);
      this.rows.add(Action.LevelSet, this.side, this.price, this.size);
    }
    this.pending = book.levels;
    book.levels = levels;
    const builder = this.context.builder();
    builder.push(ts, recv, book.instrument, Action.SnapshotBegin, 0, 0, depth, 0, crossSeq, Flag.Snapshot, line);
    this.rows.emit(builder, ts, recv, book.instrument, crossSeq, Flag.Snapshot, line);
    builder.push(ts, recv, book.instrument, Action.SnapshotEnd, 0, 0, 0, 0, crossSeq, Flag.Snapshot | Flag.Last, line);
    integrity.report.note('snapshots');
    if (book.state === UNSYNCED) integrity.report.note('resynced_at_snapshot');
    book.state = SYNCED;
    book.lastCrossSeq = crossSeq;
  }

  private delta(book: LegacyBook, m: LegacyMessage, ts: number, recv: number, crossSeq: number, line: number, raw: string): void {
    const integrity = this.context.integrity;
    const data = m.data as { delete?: unknown; update?: unknown; insert?: unknown } | null;
    if (data === null || typeof data !== 'object' || !Array.isArray(data.delete) || !Array.isArray(data.update) || !Array.isArray(data.insert)) {
      return integrity.reject('malformed_row', line, 'data', 'expected delete, update and insert arrays', raw);
    }
    if (book.state === NEW) {
      integrity.report.note('deltas_before_first_snapshot');
      return;
    }
    const previous = book.lastCrossSeq;
    book.lastCrossSeq = crossSeq;
    const previousClaimed = m.prev_cross_seq === undefined ? previous : integer(m.prev_cross_seq);
    if (previousClaimed !== previous) return this.broken(book, 'sequence_gap', line, 'prev_cross_seq', `sequence gap for bybit ${book.symbol}: prev_cross_seq=${String(m.prev_cross_seq)}, the previous message's cross_seq was ${previous}`, raw);
    if (!(crossSeq > previous)) return this.broken(book, 'sequence_regression', line, 'cross_seq', `cross_seq of bybit ${book.symbol} does not advance: ${crossSeq} after ${previous}`, raw);
    if (book.state === UNSYNCED) {
      integrity.report.note('deltas_dropped_while_unsynced');
      return;
    }
    const levels = book.levels;
    this.rows.clear();
    for (const entry of data.delete) {
      if (!this.entry(entry, book.symbol, false)) return this.malformed(book, 'delete', entry, line, raw);
      const held = levels.get(this.id);
      if (held !== this.side * this.price) return this.broken(book, 'book_out_of_sync', line, 'delete', this.mismatch('delete of', held, book.symbol), raw);
      levels.delete(this.id);
      this.rows.add(Action.LevelDelete, this.side, this.price, 0);
    }
    for (const entry of data.update) {
      if (!this.entry(entry, book.symbol, true)) return this.malformed(book, 'update', entry, line, raw);
      const held = levels.get(this.id);
      if (held !== this.side * this.price) return this.broken(book, 'book_out_of_sync', line, 'update', this.mismatch('update of', held, book.symbol), raw);
      this.rows.add(Action.LevelSet, this.side, this.price, this.size);
    }
    for (const entry of data.insert) {
      if (!this.entry(entry, book.symbol, true)) return this.malformed(book, 'insert', entry, line, raw);
      const held = levels.get(this.id);
      if (held !== undefined) return this.broken(book, 'book_out_of_sync', line, 'insert', this.mismatch('insert of', held, book.symbol), raw);
      levels.set(this.id, this.side * this.price);
      this.rows.add(Action.LevelSet, this.side, this.price, this.size);
    }
    if (this.rows.length === 0) {
      integrity.report.note('empty_deltas');
      return;
    }
    const builder = this.context.builder();
    this.rows.emit(builder, ts, recv, book.instrument, crossSeq, 0, line);
    builder.endUpdate();
  }

  /** What is wrong with the level just parsed, given what the book holds under its id. */
  private mismatch(what: string, held: number | undefined, symbol: string): string {
    const level = `level id ${this.id} (${this.side === 1 ? 'Buy' : 'Sell'} at ${this.price} units)`;
    const holds = held === undefined ? 'the book does not hold it' : `the book holds it as ${held > 0 ? 'Buy' : 'Sell'} at ${Math.abs(held)} units`;
    return `${what} ${level} of bybit ${symbol}, but ${holds}: messages are missing`;
  }

  /** A book message that does not follow the previous ones: rejected, and the book waits for the next snapshot. */
  private broken(book: LegacyBook, kind: string, line: number, field: string, detail: string, raw: string): void {
    this.context.integrity.reject(kind, line, field, detail, raw);
    if (book.state === SYNCED) {
      book.state = UNSYNCED;
      this.context.integrity.report.note('book_unsynced_after_gap');
    }
  }

  /** A level entry that cannot be read: the message is rejected and the book, which misses it, waits for a snapshot. */
  private malformed(book: LegacyBook, field: string, entry: unknown, line: number, raw: string): void {
    this.context.integrity.reject('malformed_row', line, field, `expected {price, symbol: "${book.symbol}", id, side: "Buy" or "Sell", size > 0} with at most ${LEGACY_DECIMALS} decimals, was ${JSON.stringify(entry)}`, raw);
    if (book.state === SYNCED) {
      book.state = UNSYNCED;
      this.context.integrity.report.note('book_unsynced_after_rejected_delta');
    }
  }

  /** Reads one level entry into id/side/price/size; false when it is not a level of `symbol` (sized when `sized`). */
  private entry(entry: unknown, symbol: string, sized: boolean): boolean {
    if (entry === null || typeof entry !== 'object') return false;
    const level = entry as { price?: unknown; symbol?: unknown; id?: unknown; side?: unknown; size?: unknown };
    this.id = integer(level.id);
    this.side = level.side === 'Buy' ? 1 : level.side === 'Sell' ? -1 : 0;
    this.price = typeof level.price === 'string' ? parseUnits(level.price, LEGACY_DECIMALS) : NaN;
    this.size = sized ? units(level.size) : 0;
    return level.symbol === symbol && !Number.isNaN(this.id) && this.side !== 0 && this.price > 0 && (!sized || this.size > 0);
  }

  /** `trade.{symbol}`: one Trade row per execution (side = the taker's), the message one atomic update. */
  private trades(symbol: string, data: unknown, recv: number, line: number, raw: string): void {
    const integrity = this.context.integrity;
    if (!Array.isArray(data) || data.length === 0) return integrity.reject('malformed_row', line, 'data', 'expected an array of trades', raw);
    // Check every trade before writing any, so that a rejected message leaves no rows.
    for (const trade of data) {
      if (Number.isNaN(this.trade(trade, symbol))) {
        return integrity.reject('malformed_row', line, 'data', `expected {symbol: "${symbol}", side: "Buy" or "Sell", price, size > 0, trade_time_ms} with at most ${LEGACY_DECIMALS} decimals, was ${JSON.stringify(trade)}`, raw);
      }
    }
    const instrument = this.instrument(symbol);
    const builder = this.context.builder();
    for (const trade of data) {
      const ts = this.trade(trade, symbol);
      builder.push(ts, recv, instrument, Action.Trade, this.side, this.price, this.size, 0, line, 0, line);
    }
    builder.endUpdate();
    integrity.report.note('trades', data.length);
  }

  /** Reads one trade into side/price/size; returns its time (ns after the time base), NaN when it is not a trade of `symbol`. */
  private trade(trade: unknown, symbol: string): number {
    if (trade === null || typeof trade !== 'object') return NaN;
    const t = trade as { symbol?: unknown; side?: unknown; price?: unknown; size?: unknown; trade_time_ms?: unknown };
    this.side = t.side === 'Buy' ? 1 : t.side === 'Sell' ? -1 : 0;
    this.price = typeof t.price === 'string' ? parseUnits(t.price, LEGACY_DECIMALS) : NaN;
    this.size = units(t.size);
    const ms = integer(t.trade_time_ms);
    if (t.symbol !== symbol || this.side === 0 || !(this.price > 0) || !(this.size > 0) || Number.isNaN(ms)) return NaN;
    return (ms - this.context.baseSeconds() * 1000) * NS_PER_MS;
  }

  private instrument(symbol: string): number {
    let instrument = this.instrumentOf.get(symbol);
    if (instrument === undefined) {
      instrument = this.context.instruments.intern({ venue: 'bybit', symbol, venueId: -1, priceDecimals: LEGACY_DECIMALS, sizeDecimals: LEGACY_DECIMALS, tickUnits: 0 });
      this.instrumentOf.set(symbol, instrument);
    }
    return instrument;
  }
}

/** A non-negative integer given as a JSON number or as digit text (Bybit sends both); NaN otherwise. */
function integer(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : NaN;
}

/** A size given as a JSON number (or decimal text) in units of 10^-LEGACY_DECIMALS, exactly; NaN otherwise. */
function units(value: unknown): number {
  return typeof value === 'number' ? numberToUnits(value, LEGACY_DECIMALS) : typeof value === 'string' ? parseUnits(value, LEGACY_DECIMALS) : NaN;
}
