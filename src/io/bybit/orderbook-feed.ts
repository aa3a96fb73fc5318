import type { BatchBuilder } from '../../core/batch.js';
import { decimalsOf, parseUnits } from '../../core/decimal.js';
import { Action, Flag } from '../../core/event.js';
import type { InstrumentTable } from '../../core/instrument.js';
import type { Integrity } from '../../core/integrity.js';
import { LevelRows } from './level-rows.js';

/** `orderbook.{depth}.{symbol}`: Bybit v5's book topic. */
export const ORDERBOOK_TOPIC = /^orderbook\.(\d+)\.(\S+)$/;

/** What the orderbook messages need from the reader they serve. */
export interface OrderbookContext {
  readonly instruments: InstrumentTable;
  readonly integrity: Integrity;
  /** The batch builder; the first call creates it, with the UTC midnight of `epochMs` as its time base. */
  builder(epochMs: number): BatchBuilder;
  /** Epoch milliseconds -> ns after the time base (exact). */
  msOffset(epochMs: number): number;
}

const NEW = 0;
const SYNCED = 1;
const UNSYNCED = 2;

/** One symbol's book as the stream has built it so far. */
interface BookState {
  symbol: string;
  /** Interned at the first snapshot, whose decimal text gives the decimals; -1 before it. */
  instrument: number;
  /** NEW: no snapshot yet; SYNCED; UNSYNCED: after a gap or a rejected delta, until the next snapshot. */
  state: number;
  /** `u` of the last message, which the next delta must follow (u + 1). */
  lastU: number;
  /** `seq` (cross sequence) of the last message, which the next delta must exceed. */
  lastSeq: number;
}

interface OrderbookData {
  s?: unknown;
  b?: unknown;
  a?: unknown;
  u?: unknown;
  seq?: unknown;
}

/**
 * Bybit v5 `orderbook.{depth}.{symbol}` messages (websocket, and the history files of Bybit's public data
 * site) as L2 rows. A `snapshot` restates the top `depth` levels per side: `SnapshotBegin` with size
 * `depth`, one `LevelSet` per level, `SnapshotEnd`. A `delta` gives new level totals, "0" removing the
 * level (`LevelSet` / `LevelDelete`), one atomic update. Each delta's update id `u` must be the previous
 * message's plus one and its cross sequence `seq` must exceed the previous one's; otherwise it is a
 * `sequence_gap` (or `sequence_regression`), an error under strict, and the book waits for the next
 * snapshot (deltas until then are counted, not applied). A snapshot with u = 1 is Bybit's restatement
 * after a service restart. `tsEvent` is the matching engine's time `cts` (ms; `ts`, the time the feed
 * published the message, where a message has no `cts`); `seq` is `u`. Prices and sizes are held at the
 * decimals of the first snapshot's text (Bybit prints a symbol's tick and lot decimals on every level).
 */
export class OrderbookFeed {
  private readonly books = new Map<string, BookState>();
  private readonly rows = new LevelRows();

  constructor(private readonly context: OrderbookContext) {}

  /** Handles one message of the orderbook topic; other topics are counted (`other_topic_messages`). */
  message(message: unknown, line: number, raw: string): void {
    const integrity = this.context.integrity;
    const envelope = message as { topic?: unknown; type?: unknown; ts?: unknown; cts?: unknown; data?: OrderbookData } | null;
    if (envelope === null || typeof envelope !== 'object' || typeof envelope.topic !== 'string') {
      integrity.reject('malformed_row', line, 'topic', 'expected a message with a topic', raw);
      return;
    }
    const topic = ORDERBOOK_TOPIC.exec(envelope.topic);
    if (!topic) {
      integrity.report.note('other_topic_messages');
      return;
    }
    const data = envelope.data;
    const symbol = topic[2]!;
    if (data === null || typeof data !== 'object' || data.s !== symbol || !Array.isArray(data.b) || !Array.isArray(data.a) || typeof data.u !== 'number' || typeof data.seq !== 'number') {
      integrity.reject('malformed_row', line, 'data', `expected s (${symbol}, as in the topic), b, a, u and seq`, raw);
      return;
    }
    const time = typeof envelope.cts === 'number' ? envelope.cts : typeof envelope.ts === 'number' ? envelope.ts : NaN;
    if (!Number.isSafeInteger(time)) {
      integrity.reject('malformed_row', line, 'cts', 'expected the matching-engine time cts (or ts) in epoch milliseconds', raw);
      return;
    }
    if (typeof envelope.cts !== 'number') integrity.report.note('event_time_from_ts');
    let book = this.books.get(symbol);
    if (!book) this.books.set(symbol, (book = { symbol, instrument: -1, state: NEW, lastU: NaN, lastSeq: NaN }));
    if (envelope.type === 'snapshot') this.snapshot(book, data, Number(topic[1]), time, line, raw);
    else if (envelope.type === 'delta') this.delta(book, data, time, line, raw);
    else integrity.reject('malformed_row', line, 'type', `expected "snapshot" or "delta", was ${JSON.stringify(envelope.type)}`, raw);
  }

  private snapshot(book: BookState, data: OrderbookData, depth: number, time: number, line: number, raw: string): void {
    const report = this.context.integrity.report;
    const bids = data.b as unknown[];
    const asks = data.a as unknown[];
    if (book.instrument < 0) book.instrument = this.intern(book.symbol, bids, asks);
    const instrument = book.instrument;
    this.rows.clear();
    if (!this.levels(bids, 1, instrument, true, line, raw) || !this.levels(asks, -1, instrument, true, line, raw)) return;
    const u = data.u as number;
    const builder = this.context.builder(time);
    const ts = this.context.msOffset(time);
    builder.push(ts, NaN, instrument, Action.SnapshotBegin, 0, 0, depth, 0, u, Flag.Snapshot, line);
    this.rows.emit(builder, ts, NaN, instrument, u, Flag.Snapshot, line);
    builder.push(ts, NaN, instrument, Action.SnapshotEnd, 0, 0, 0, 0, u, Flag.Snapshot | Flag.Last, line);
    report.note('snapshots');
    if (u === 1) report.note('service_restart_snapshots');
    if (book.state === UNSYNCED) report.note('resynced_at_snapshot');
    book.state = SYNCED;
    book.lastU = u;
    book.lastSeq = data.seq as number;
  }

  private delta(book: BookState, data: OrderbookData, time: number, line: number, raw: string): void {
    const integrity = this.context.integrity;
    const u = data.u as number;
    const seq = data.seq as number;
    if (book.state === NEW) {
      integrity.report.note('deltas_before_first_snapshot');
      return;
    }
    const expected = book.lastU + 1;
    const previousSeq = book.lastSeq;
    // Keep following the chain while unsynced, so that every gap is reported, not only the first.
    book.lastU = u;
    book.lastSeq = seq;
    if (u !== expected) return this.broken(book, 'sequence_gap', line, 'u', `sequence gap for bybit ${book.symbol}: expected u=${expected}, was ${u}`, raw);
    if (!(seq > previousSeq)) return this.broken(book, 'sequence_regression', line, 'seq', `cross sequence of bybit ${book.symbol} does not advance: ${seq} after ${previousSeq}`, raw);
    if (book.state === UNSYNCED) {
      integrity.report.note('deltas_dropped_while_unsynced');
      return;
    }
    this.rows.clear();
    if (!this.levels(data.b as unknown[], 1, book.instrument, false, line, raw) || !this.levels(data.a as unknown[], -1, book.instrument, false, line, raw)) {
      // The book has missed this update: it waits for the next snapshot.
      book.state = UNSYNCED;
      integrity.report.note('book_unsynced_after_rejected_delta');
      return;
    }
    if (this.rows.length === 0) {
      integrity.report.note('empty_deltas');
      return;
    }
    const builder = this.context.builder(time);
    this.rows.emit(builder, this.context.msOffset(time), NaN, book.instrument, u, 0, line);
    builder.endUpdate();
  }

  /** A delta that does not follow the previous message: rejected, and the book waits for the next snapshot. */
  private broken(book: BookState, kind: string, line: number, field: string, detail: string, raw: string): void {
    this.context.integrity.reject(kind, line, field, detail, raw);
    if (book.state === SYNCED) {
      book.state = UNSYNCED;
      this.context.integrity.report.note('book_unsynced_after_gap');
    }
  }

  /** Parses one side's [price, size] entries into the pending rows; false (message rejected) at the first bad one. */
  private levels(entries: unknown[], side: number, instrument: number, snapshot: boolean, line: number, raw: string): boolean {
    const { priceDecimals, sizeDecimals } = this.context.instruments.get(instrument);
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k] as unknown[];
      const price = Array.isArray(entry) && typeof entry[0] === 'string' ? parseUnits(entry[0], priceDecimals) : NaN;
      const size = Array.isArray(entry) && typeof entry[1] === 'string' ? parseUnits(entry[1], sizeDecimals) : NaN;
      if (!(price > 0) || !(snapshot ? size > 0 : size >= 0)) {
        const what = snapshot ? 'a positive size' : 'a size (0 removes the level)';
        this.context.integrity.reject('malformed_row', line, side === 1 ? 'b' : 'a', `expected [price, size] as decimal text with at most ${priceDecimals} and ${sizeDecimals} decimals (the first snapshot's) and ${what}, was ${JSON.stringify(entry)}`, raw);
        return false;
      }
      this.rows.add(size > 0 ? Action.LevelSet : Action.LevelDelete, side, price, size);
    }
    return true;
  }

  /** The symbol's instrument, at the decimals its first snapshot prints. */
  private intern(symbol: string, bids: unknown[], asks: unknown[]): number {
    let priceDecimals = 0;
    let sizeDecimals = 0;
    for (const entries of [bids, asks]) {
      for (const entry of entries) {
        if (!Array.isArray(entry)) continue;
        if (typeof entry[0] === 'string') priceDecimals = Math.max(priceDecimals, decimalsOf(entry[0]));
        if (typeof entry[1] === 'string') sizeDecimals = Math.max(sizeDecimals, decimalsOf(entry[1]));
      }
    }
    return this.context.instruments.intern({ venue: 'bybit', symbol, venueId: -1, priceDecimals, sizeDecimals, tickUnits: 0 });
  }
}
