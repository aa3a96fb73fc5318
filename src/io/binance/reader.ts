import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { parseUnits } from '../../core/decimal.js';
import { InputError } from '../../core/errors.js';
import { Action, Flag } from '../../core/event.js';
import { ReaderBase } from '../reader-base.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { NS_PER_MS } from '../../core/time.js';
import { textLineBatches, textLines } from '../lines.js';
import { DepthScanner, type ScannedDepth } from './depth-scan.js';

/** Binance prints prices and quantities with at most 8 decimals on every product. */
const DECIMALS = 8;
/** Diffs kept while waiting for the REST snapshot to sync from. */
const MAX_BUFFERED = 10_000;

type Levels = [string, string][];
interface DepthDiff {
  first: number; // U
  last: number; // u
  previous: number; // pu (futures), NaN on spot
  tsNs: number;
  recvNs: number;
  /** Levels as (price, size) pairs in integer units. */
  bids: Float64Array;
  asks: Float64Array;
  line: number;
}

/** One instrument's sync state, per Binance's "how to manage a local order book correctly". */
interface Book {
  instrument: number;
  futures: boolean;
  /** 'waiting': no snapshot yet (diffs are buffered); 'first': synced, the next diff must span the snapshot's id; 'chained'. */
  state: 'waiting' | 'first' | 'chained';
  /** The snapshot's lastUpdateId in state 'first', else the u of the last diff applied. */
  lastU: number;
  buffered: DepthDiff[];
}

/**
 * Raw Binance websocket captures (`<local receive ns> <json>` lines, as the hftbacktest collector writes
 * them): combined-stream envelopes of diff depth, trade, aggTrade and bookTicker, and REST depth
 * snapshots (`{"lastUpdateId": …}`).
 *
 * Depth is synced as Binance documents. Spot: drop diffs with u <= lastUpdateId; the first applied diff
 * has U <= lastUpdateId + 1 <= u; each next one has U = previous u + 1. USD-M and COIN-M futures: drop
 * diffs with u < lastUpdateId; the first has U <= lastUpdateId <= u; each next one has pu = previous u.
 * Diffs that arrive before the snapshot are buffered. A broken chain is a `sequence_gap` (an error under
 * strict): the book is marked unsynced and waits for the next snapshot. Each applied diff is one atomic
 * update (`seq` = u); bookTicker messages are not book data — they are the oracle (`binanceBookTickers`).
 */
export class BinanceCaptureSource extends ReaderBase implements EventSource {
  readonly granularity = 'L2' as const;
  private readonly books = new Map<string, Book>();
  private builder: BatchBuilder | null = null;
  private baseSeconds = 0;
  private readonly scanner = new DepthScanner(DECIMALS);
  private readonly scanned: ScannedDepth = { symbol: '', first: 0, last: 0, previous: NaN, timeMs: 0, bids: new Float64Array(256), bidCount: 0, asks: new Float64Array(256), askCount: 0 };

  constructor(path: string, options: OpenOptions = {}) {
    super(path, 'binance-capture', options);
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const report = this.integrity.report;
    for await (const { firstLine, lines } of textLineBatches(this.path)) {
      for (let k = 0; k < lines.length; k++) {
        this.line(firstLine + k, lines[k]!);
        if (this.builder) for (let batch = this.builder.take(); batch; batch = this.builder.take()) yield batch;
      }
    }
    for (const book of this.books.values()) if (book.state === 'waiting' && book.buffered.length) report.note('depth_never_synced', book.buffered.length);
    const last = this.builder?.flush();
    if (last) yield last;
  }

  private line(line: number, text: string): void {
    const report = this.integrity.report;
    if (text === '') {
      report.note('blank_lines');
      return;
    }
    report.rowsRead++;
    const space = text.indexOf(' ');
    const recv = space >= 10 && space <= 19 ? this.receiveOffset(text, space) : NaN;
    if (Number.isNaN(recv)) {
      this.integrity.reject('malformed_row', line, 'timestamp', 'expected "<local receive ns> <json>"', text);
      return;
    }
    // bookTicker lines are most of a capture and not book data (see binanceBookTickers): not parsed here.
    if (text.startsWith('@bookTicker"', text.indexOf('@', space))) {
      report.note('book_tickers');
      return;
    }
    if (text.includes('"e":"depthUpdate"', space) && this.scanner.scan(text, space + 1, this.scanned)) {
      const scanned = this.scanned;
      const diff: DepthDiff = {
        first: scanned.first,
        last: scanned.last,
        previous: scanned.previous,
        tsNs: this.msOffset(scanned.timeMs),
        recvNs: recv,
        bids: scanned.bids.slice(0, 2 * scanned.bidCount),
        asks: scanned.asks.slice(0, 2 * scanned.askCount),
        line,
      };
      this.offer(this.book(scanned.symbol, !Number.isNaN(scanned.previous), text.includes('"ps":"', space)), diff);
      return;
    }
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text.slice(space + 1)) as Record<string, unknown>;
    } catch {
      this.integrity.reject('malformed_row', line, 'json', 'not valid JSON', text);
      return;
    }
    if ('lastUpdateId' in message) this.snapshot(message, recv, line, text);
    else this.stream(message, recv, line, text);
  }

  /**
   * The receive time (epoch ns text, `text[0, end)`) as an offset from the time base, without bigint
   * arithmetic: whole seconds and nanoseconds are parsed apart. The first line fixes the base (its UTC midnight).
   */
  private receiveOffset(text: string, end: number): number {
    if (!/^\d+$/.test(text.slice(0, end))) return NaN;
    const seconds = Number(text.slice(0, end - 9));
    const nanos = Number(text.slice(end - 9, end));
    if (!this.builder) {
      const midnight = seconds - (seconds % 86_400);
      this.baseSeconds = midnight;
      this.builder = new BatchBuilder(this.instruments, BigInt(midnight) * 1_000_000_000n, this.batchRows);
    }
    return (seconds - this.baseSeconds) * 1e9 + nanos;
  }

  private book(symbol: string, futures: boolean, coinMargined: boolean): Book {
    let book = this.books.get(symbol);
    if (!book) {
      const venue = !futures ? 'binance' : coinMargined ? 'binance-delivery' : 'binance-futures';
      const instrument = this.instruments.intern({ venue, symbol, venueId: -1, priceDecimals: DECIMALS, sizeDecimals: DECIMALS, tickUnits: 1 });
      book = { instrument, futures, state: 'waiting', lastU: NaN, buffered: [] };
      this.books.set(symbol, book);
    }
    return book;
  }

  private stream(message: Record<string, unknown>, recv: number, line: number, raw: string): void {
    const data = (message.data ?? message) as Record<string, unknown>;
    const event = data.e;
    const report = this.integrity.report;
    if (event === 'depthUpdate') {
      const symbol = data.s;
      const first = data.U;
      const last = data.u;
      if (typeof symbol !== 'string' || typeof first !== 'number' || typeof last !== 'number' || !Array.isArray(data.b) || !Array.isArray(data.a)) {
        this.integrity.reject('malformed_row', line, 'depthUpdate', 'expected s, U, u, b and a', raw);
        return;
      }
      const futures = typeof data.pu === 'number';
      const bids = pairsOf(data.b as Levels);
      const asks = pairsOf(data.a as Levels);
      if (!bids || !asks) {
        this.integrity.reject('malformed_row', line, bids ? 'a' : 'b', 'expected [price, quantity] pairs of decimal strings', raw);
        return;
      }
      const book = this.book(symbol, futures, typeof data.ps === 'string');
      this.offer(book, { first, last, previous: futures ? (data.pu as number) : NaN, tsNs: this.eventTime(data), recvNs: recv, bids, asks, line });
    } else if (event === 'trade' || event === 'aggTrade') {
      const symbol = data.s;
      const price = typeof data.p === 'string' ? parseUnits(data.p, DECIMALS) : NaN;
      const size = typeof data.q === 'string' ? parseUnits(data.q, DECIMALS) : NaN;
      if (typeof symbol !== 'string' || Number.isNaN(price) || Number.isNaN(size) || typeof data.m !== 'boolean') {
        this.integrity.reject('malformed_row', line, event, 'expected s, p, q and m', raw);
        return;
      }
      const book = this.book(symbol, data.X !== undefined || typeof data.ps === 'string', typeof data.ps === 'string');
      // m: the buyer is the maker, so the seller was the aggressor.
      const id = event === 'trade' ? data.t : data.a;
      this.builder!.push(this.eventTime(data), recv, book.instrument, Action.Trade, data.m ? -1 : 1, price, size, 0, typeof id === 'number' ? id : line, 0, line);
      this.builder!.endUpdate();
      if (data.X !== undefined && data.X !== 'MARKET') report.note(`trade_type_${String(data.X).toLowerCase()}`);
    } else if (event === 'bookTicker' || (data.u !== undefined && data.b !== undefined && data.B !== undefined)) {
      report.note('book_tickers');
    } else {
      report.note(`unhandled_${typeof event === 'string' ? event : 'message'}`);
    }
  }

  /** The venue's time of an event: transaction time T where the stream has it, else event time E (ms). */
  private eventTime(data: Record<string, unknown>): number {
    return this.msOffset(typeof data.T === 'number' ? data.T : typeof data.E === 'number' ? data.E : NaN);
  }

  /** Epoch milliseconds as ns after the time base (exact: ms offsets within a day are small). */
  private msOffset(ms: number): number {
    return Number.isNaN(ms) ? NaN : (ms - this.baseSeconds * 1000) * NS_PER_MS;
  }

  private snapshot(message: Record<string, unknown>, recv: number, line: number, raw: string): void {
    const lastUpdateId = message.lastUpdateId;
    if (typeof lastUpdateId !== 'number' || !Array.isArray(message.bids) || !Array.isArray(message.asks)) {
      this.integrity.reject('malformed_row', line, 'snapshot', 'expected lastUpdateId, bids and asks', raw);
      return;
    }
    // Futures snapshots name their symbol; a spot snapshot belongs to the capture's one depth stream.
    const symbol = typeof message.symbol === 'string' ? message.symbol : this.books.size === 1 ? [...this.books.keys()][0]! : null;
    const book = symbol ? this.books.get(symbol) : undefined;
    if (!book) {
      this.integrity.reject('malformed_row', line, 'snapshot', 'cannot tell which depth stream this snapshot belongs to', raw);
      return;
    }
    const builder = this.builder!;
    const bids = pairsOf(message.bids as Levels);
    const asks = pairsOf(message.asks as Levels);
    if (!bids || !asks) {
      this.integrity.reject('malformed_row', line, bids ? 'asks' : 'bids', 'expected [price, quantity] pairs of decimal strings', raw);
      return;
    }
    const ts = typeof message.T === 'number' ? this.msOffset(message.T) : recv;
    const flags = Flag.Snapshot;
    builder.push(ts, recv, book.instrument, Action.SnapshotBegin, 0, 0, 0, 0, lastUpdateId, flags, line);
    this.levels(book.instrument, 1, bids, ts, recv, lastUpdateId, flags, line);
    this.levels(book.instrument, -1, asks, ts, recv, lastUpdateId, flags, line);
    builder.push(ts, recv, book.instrument, Action.SnapshotEnd, 0, 0, 0, 0, lastUpdateId, flags | Flag.Last, line);
    this.integrity.report.note('snapshots');
    book.state = 'first';
    book.lastU = lastUpdateId;
    const buffered = book.buffered;
    book.buffered = [];
    for (const diff of buffered) this.offer(book, diff);
  }

  /** Applies a diff if the chain allows, buffers it while waiting for a snapshot, or reports a gap. */
  private offer(book: Book, diff: DepthDiff): void {
    if (book.state === 'waiting') {
      // Keep following the chain while waiting, so that every gap is reported, not only the first.
      const previous = book.buffered.at(-1);
      if (previous && !this.chains(book, previous.last, diff)) this.gap(book, diff, this.expected(book, previous.last, diff));
      if (book.buffered.push(diff) > MAX_BUFFERED) {
        book.buffered.shift();
        this.integrity.report.note('depth_dropped_waiting_for_snapshot');
      }
      return;
    }
    if (book.state === 'first') {
      const id = book.lastU;
      if (book.futures ? diff.last < id : diff.last <= id) {
        this.integrity.report.note('depth_covered_by_snapshot');
        return;
      }
      const target = book.futures ? id : id + 1;
      if (!(diff.first <= target && diff.last >= target)) return this.gap(book, diff, `the first diff after snapshot ${id} spans U=${diff.first}..u=${diff.last}`);
    } else if (!this.chains(book, book.lastU, diff)) {
      return this.gap(book, diff, this.expected(book, book.lastU, diff));
    }
    this.levels(book.instrument, 1, diff.bids, diff.tsNs, diff.recvNs, diff.last, 0, diff.line);
    this.levels(book.instrument, -1, diff.asks, diff.tsNs, diff.recvNs, diff.last, 0, diff.line);
    if (diff.bids.length + diff.asks.length === 0) this.integrity.report.note('empty_depth_diffs');
    else this.builder!.endUpdate();
    book.state = 'chained';
    book.lastU = diff.last;
  }

  /** Whether `diff` follows the diff that ended at update id `lastU`. */
  private chains(book: Book, lastU: number, diff: DepthDiff): boolean {
    return book.futures ? diff.previous === lastU : diff.first === lastU + 1;
  }

  private expected(book: Book, lastU: number, diff: DepthDiff): string {
    return book.futures ? `expected pu=${lastU}, was ${diff.previous}` : `expected U=${lastU + 1}, was ${diff.first}`;
  }

  /**
   * Messages are missing before `diff`: an error under strict; otherwise counted, and the book waits for
   * the next snapshot (diffs from this one on are kept for it). The diff itself is a good row.
   */
  private gap(book: Book, diff: DepthDiff, detail: string): void {
    const symbol = this.instruments.get(book.instrument).symbol;
    const message = `sequence gap for BINANCE.${symbol}: ${detail}`;
    if (this.integrity.policy === 'strict') throw new InputError(this.path, diff.line, 'U/u', message);
    this.integrity.report.count('sequence_gap', `line ${diff.line}: ${message}`);
    if (book.state === 'waiting') {
      book.buffered = []; // the caller buffers `diff`, which starts the chain anew
      return;
    }
    book.state = 'waiting';
    book.buffered = [diff];
    this.integrity.report.note('book_unsynced_after_gap');
  }

  /** Writes one side's (price, size) pairs as level rows; a size of 0 removes the level. */
  private levels(instrument: number, side: number, pairs: Float64Array, ts: number, recv: number, seq: number, flags: number, line: number): void {
    const builder = this.builder!;
    for (let k = 0; k < pairs.length; k += 2) {
      const size = pairs[k + 1]!;
      builder.push(ts, recv, instrument, size > 0 ? Action.LevelSet : Action.LevelDelete, side, pairs[k]!, size, 0, seq, flags, line);
    }
  }
}

/** [["price","quantity"], …] as (price, size) unit pairs, or null when a pair is not two decimal strings. */
function pairsOf(levels: Levels): Float64Array | null {
  if (!Array.isArray(levels)) return null;
  const pairs = new Float64Array(2 * levels.length);
  for (let k = 0; k < levels.length; k++) {
    const level = levels[k];
    pairs[2 * k] = Array.isArray(level) ? parseUnits(String(level[0]), DECIMALS) : NaN;
    pairs[2 * k + 1] = Array.isArray(level) ? parseUnits(String(level[1]), DECIMALS) : NaN;
    if (Number.isNaN(pairs[2 * k]!) || Number.isNaN(pairs[2 * k + 1]!)) return null;
  }
  return pairs;
}

/** One bookTicker message: the venue's own best bid and offer at update id `updateId`. */
export interface BinanceBookTicker {
  symbol: string;
  updateId: number;
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
}

/** Streams the bookTicker messages of a capture (the oracle for the rebuilt best bid and offer). */
export async function* binanceBookTickers(path: string): AsyncGenerator<BinanceBookTicker> {
  for await (const [, text] of textLines(path)) {
    if (!text.includes('bookTicker')) continue;
    const data = (JSON.parse(text.slice(text.indexOf(' ') + 1)) as { data: Record<string, string | number> }).data;
    yield { symbol: String(data.s), updateId: Number(data.u), bidPrice: parseUnits(String(data.b), DECIMALS), bidSize: parseUnits(String(data.B), DECIMALS), askPrice: parseUnits(String(data.a), DECIMALS), askSize: parseUnits(String(data.A), DECIMALS) };
  }
}
