import type { BatchBuilder } from '../../core/batch.js';
import { InputError } from '../../core/errors.js';
import { Action, Flag } from '../../core/event.js';
import type { InstrumentTable } from '../../core/instrument.js';
import type { Integrity } from '../../core/integrity.js';
import { NS_PER_MS } from '../../core/time.js';
import { MAX_DECIMALS, unitsOf, unitsProblem, type SymbolDecimals } from './decimals.js';

/** Diffs kept while waiting for the REST snapshot to sync from. */
const MAX_BUFFERED = 10_000;

/**
 * One diff depth message, levels as (price, size) pairs in integer units: `bids[0, 2 × bidCount)` and
 * `asks[0, 2 × askCount)` (a reader may reuse one diff and its arrays for every message: see `offer`).
 */
export interface DepthDiff {
  first: number; // U
  last: number; // u
  previous: number; // pu (futures), NaN on spot
  tsNs: number;
  recvNs: number;
  bids: Float64Array;
  bidCount: number;
  asks: Float64Array;
  askCount: number;
  /** The source line of the message (its first line when it spans several). */
  line: number;
  /** The source line of each level pair, bids then asks (rows of a CSV); null when all are `line`. */
  lines: { bids: Float64Array; asks: Float64Array } | null;
}

/** Why a message could not be read: the integrity kind, the field and what is wrong. */
interface Problem {
  kind: 'precision' | 'malformed_row';
  field: string;
  detail: string;
}

/** One instrument's sync state, per Binance's "how to manage a local order book correctly". */
export interface Book {
  instrument: number;
  /** The decimals of the instrument's units, fixed when the book is created. */
  priceDecimals: number;
  sizeDecimals: number;
  futures: boolean;
  /** 'waiting': no snapshot yet (diffs are buffered); 'first': synced, the next diff must span the snapshot's id; 'chained'. */
  state: 'waiting' | 'first' | 'chained';
  /** The snapshot's lastUpdateId in state 'first', else the u of the last diff applied. */
  lastU: number;
  buffered: DepthDiff[];
  /** The last snapshot and the diffs it covers, checked once the first diff beyond it arrives. */
  check: { lastUpdateId: number; bids: Float64Array; asks: Float64Array; file: string; line: number; diffs: DepthDiff[] } | null;
}

/** What the message handling needs from the reader it serves. */
export interface BinanceContext {
  /** The file that sequence gaps are reported in (the diffs' file). */
  readonly path: string;
  readonly instruments: InstrumentTable;
  readonly integrity: Integrity;
  builder(): BatchBuilder;
  /** Epoch seconds of the time base. */
  baseSeconds(): number;
  /** Decimals of a symbol's units, chosen before the first row is written; null: not known (8 are used). */
  decimalsOf(symbol: string): SymbolDecimals | null;
  /** The market when the reader knows it (a connection URL): otherwise each message's fields tell. */
  readonly market?: 'spot' | 'usdm' | 'coinm';
  /** Field names a sequence gap names: the chain (`pu`, or `U` on spot) and the first update's span. Default `U/u`. */
  readonly gapFields?: { chain: string; span: string };
}

/**
 * Binance market-data messages (combined-stream envelopes and REST depth snapshots) as rows, with the
 * diff-depth sync Binance documents. Spot: drop diffs with u <= lastUpdateId; the first applied diff has
 * U <= lastUpdateId + 1 <= u; each next one has U = previous u + 1. USD-M and COIN-M futures: drop diffs
 * with u < lastUpdateId; the first has U <= lastUpdateId <= u; each next one has pu = previous u. Diffs
 * that arrive before a snapshot are buffered; those a snapshot covers are checked against it. A broken
 * chain is a `sequence_gap` (an error under strict): the book waits for the next snapshot.
 *
 * Prices and quantities become integer units at each symbol's decimals (`BinanceContext.decimalsOf`,
 * fixed when its book is created). A value those units cannot hold exactly is a `precision` finding,
 * never rounded: an error under strict; otherwise the message is skipped and, for a diff, the book waits
 * for the next snapshot (`lose`).
 */
export class BinanceMessages {
  private readonly books = new Map<string, Book>();

  constructor(private readonly context: BinanceContext) {}

  /** Notes diffs that never found a snapshot to sync from. */
  finish(): void {
    for (const book of this.books.values()) if (book.state === 'waiting' && book.buffered.length) this.context.integrity.report.note('depth_never_synced', book.buffered.length);
  }

  /**
   * The book of `symbol`, created on first sight with its instrument: the market the reader knows, else
   * the one the message shows (`futures`: it has `pu` or a trade type; `coinMargined`: it has `ps`).
   */
  book(symbol: string, futures: boolean, coinMargined: boolean): Book {
    let book = this.books.get(symbol);
    if (!book) {
      const market = this.context.market;
      if (market) {
        futures = market !== 'spot';
        coinMargined = market === 'coinm';
      }
      const venue = !futures ? 'binance' : coinMargined ? 'binance-delivery' : 'binance-futures';
      let decimals = this.context.decimalsOf(symbol);
      if (!decimals) {
        this.context.integrity.report.note('symbol_decimals_not_scanned');
        decimals = { price: MAX_DECIMALS, size: MAX_DECIMALS };
      }
      const instrument = this.context.instruments.intern({ venue, symbol, venueId: -1, priceDecimals: decimals.price, sizeDecimals: decimals.size, tickUnits: 0 });
      book = { instrument, priceDecimals: decimals.price, sizeDecimals: decimals.size, futures, state: 'waiting', lastU: NaN, buffered: [], check: null };
      this.books.set(symbol, book);
    }
    return book;
  }

  /** The book of a trade's symbol: futures trades have a type (`X`) or a pair (`ps`: COIN-M); spot trades neither. */
  tradeBook(symbol: string, typed: boolean, paired: boolean): Book {
    return this.book(symbol, typed || paired, paired);
  }

  stream(message: Record<string, unknown>, recv: number, line: number, raw: string): void {
    const data = (message.data ?? message) as Record<string, unknown>;
    const event = data.e;
    const report = this.context.integrity.report;
    if (event === 'depthUpdate') {
      const symbol = data.s;
      const first = data.U;
      const last = data.u;
      if (typeof symbol !== 'string' || typeof first !== 'number' || typeof last !== 'number' || !Array.isArray(data.b) || !Array.isArray(data.a)) {
        this.context.integrity.reject('malformed_row', line, 'depthUpdate', 'expected s, U, u, b and a', raw);
        return;
      }
      const futures = typeof data.pu === 'number';
      const book = this.book(symbol, futures, typeof data.ps === 'string');
      const bids = pairsOf(data.b, book, symbol, 'b');
      const asks = pairsOf(data.a, book, symbol, 'a');
      const diff: DepthDiff = { first, last, previous: futures ? (data.pu as number) : NaN, tsNs: this.eventTime(data), recvNs: recv, bids: EMPTY, bidCount: 0, asks: EMPTY, askCount: 0, line, lines: null };
      if (!(bids instanceof Float64Array) || !(asks instanceof Float64Array)) {
        const problem = bids instanceof Float64Array ? (asks as Problem) : bids;
        this.context.integrity.reject(problem.kind, line, problem.field, problem.detail, raw);
        this.lose(book, diff);
        return;
      }
      diff.bids = bids;
      diff.bidCount = bids.length / 2;
      diff.asks = asks;
      diff.askCount = asks.length / 2;
      this.offer(book, diff);
    } else if (event === 'trade' || event === 'aggTrade') {
      const symbol = data.s;
      if (typeof symbol !== 'string' || typeof data.m !== 'boolean') {
        this.context.integrity.reject('malformed_row', line, event, 'expected s, p, q and m', raw);
        return;
      }
      const book = this.tradeBook(symbol, data.X !== undefined, typeof data.ps === 'string');
      const price = unitsOf(data.p, book.priceDecimals);
      const size = unitsOf(data.q, book.sizeDecimals);
      if (Number.isNaN(price) || Number.isNaN(size)) {
        const problem: Problem = Number.isNaN(price) ? { field: 'p', ...unitsProblem(data.p, book.priceDecimals, 'price', symbol) } : { field: 'q', ...unitsProblem(data.q, book.sizeDecimals, 'quantity', symbol) };
        this.context.integrity.reject(problem.kind, line, problem.field, problem.detail, raw);
        return;
      }
      const id = event === 'trade' ? data.t : data.a;
      this.trade(book, this.eventTime(data), recv, data.m, price, size, typeof id === 'number' ? id : line, line);
      if (data.X !== undefined && data.X !== 'MARKET') report.note(`trade_type_${String(data.X).toLowerCase()}`);
    } else if (event === 'bookTicker' || (data.u !== undefined && data.b !== undefined && data.B !== undefined)) {
      report.note('book_tickers');
    } else {
      report.note(`unhandled_${typeof event === 'string' ? event : 'message'}`);
    }
  }

  /** Writes one trade (`id`: the venue's trade id) as its own update. */
  trade(book: Book, tsNs: number, recvNs: number, buyerMaker: boolean, price: number, size: number, id: number, line: number): void {
    // m: the buyer is the maker, so the seller was the aggressor.
    this.context.builder().push(tsNs, recvNs, book.instrument, Action.Trade, buyerMaker ? -1 : 1, price, size, 0, id, 0, line);
    this.context.builder().endUpdate();
  }

  /** The venue's time of an event: transaction time T where the stream has it, else event time E (ms). */
  private eventTime(data: Record<string, unknown>): number {
    return this.msOffset(typeof data.T === 'number' ? data.T : typeof data.E === 'number' ? data.E : NaN);
  }

  /** Epoch milliseconds as ns after the time base (exact: ms offsets within a day are small). */
  msOffset(ms: number): number {
    return Number.isNaN(ms) ? NaN : (ms - this.context.baseSeconds() * 1000) * NS_PER_MS;
  }

  snapshot(message: Record<string, unknown>, recv: number, line: number, raw: string): void {
    const lastUpdateId = message.lastUpdateId;
    if (typeof lastUpdateId !== 'number' || !Array.isArray(message.bids) || !Array.isArray(message.asks)) {
      this.context.integrity.reject('malformed_row', line, 'snapshot', 'expected lastUpdateId, bids and asks', raw);
      return;
    }
    // Futures snapshots name their symbol; a spot snapshot belongs to the capture's one depth stream.
    const symbol = typeof message.symbol === 'string' ? message.symbol : this.books.size === 1 ? [...this.books.keys()][0]! : null;
    const book = symbol ? this.books.get(symbol) : undefined;
    if (!book) {
      this.context.integrity.reject('malformed_row', line, 'snapshot', 'cannot tell which depth stream this snapshot belongs to', raw);
      return;
    }
    const bids = pairsOf(message.bids, book, symbol!, 'bids');
    const asks = pairsOf(message.asks, book, symbol!, 'asks');
    if (!(bids instanceof Float64Array) || !(asks instanceof Float64Array)) {
      // The book keeps what it had: it syncs from this snapshot's successor, or stays as it is.
      const problem = bids instanceof Float64Array ? (asks as Problem) : bids;
      this.context.integrity.reject(problem.kind, line, problem.field, problem.detail, raw);
      return;
    }
    const ts = typeof message.T === 'number' ? this.msOffset(message.T) : recv;
    this.applySnapshot(book, lastUpdateId, bids, asks, ts, recv, line, null);
  }

  /**
   * Writes a full snapshot (`SnapshotBegin`, one `LevelSet` per level, `SnapshotEnd`, `seq` = its
   * lastUpdateId) and syncs the book from it: diffs buffered while waiting are offered again (those it
   * covers are checked against it).
   */
  applySnapshot(book: Book, lastUpdateId: number, bids: Float64Array, asks: Float64Array, ts: number, recv: number, line: number, lines: DepthDiff['lines']): void {
    const builder = this.context.builder();
    const flags = Flag.Snapshot;
    builder.push(ts, recv, book.instrument, Action.SnapshotBegin, 0, 0, 0, 0, lastUpdateId, flags, line);
    this.levels(book.instrument, 1, bids, bids.length / 2, lines?.bids ?? null, ts, recv, lastUpdateId, flags, line);
    this.levels(book.instrument, -1, asks, asks.length / 2, lines?.asks ?? null, ts, recv, lastUpdateId, flags, line);
    builder.push(ts, recv, book.instrument, Action.SnapshotEnd, 0, 0, 0, 0, lastUpdateId, flags | Flag.Last, line);
    this.context.integrity.report.note('snapshots');
    book.state = 'first';
    book.lastU = lastUpdateId;
    const buffered = book.buffered;
    book.buffered = [];
    // Covered diffs may still arrive after the REST response: check once a diff beyond the snapshot comes.
    book.check = { lastUpdateId, bids, asks, file: this.context.path, line, diffs: [] };
    for (const diff of buffered) this.offer(book, diff);
  }

  /**
   * Diffs the snapshot already contains must agree with it: the last quantity they set at each price
   * (0 = removed) is the snapshot's, within the range of levels the snapshot shows. Counted per level:
   * `snapshot_levels_checked`, and `snapshot_disagrees_with_stream` for each level that does not match.
   */
  private checkCovered(book: Book, check: NonNullable<Book['check']>): void {
    const { diffs: buffered, lastUpdateId, bids, asks, file, line } = check;
    const report = this.context.integrity.report;
    const where = file === report.source ? `line ${line}` : `${file}:${line}`;
    for (const [side, shown] of [[1, bids], [-1, asks]] as const) {
      const last = new Map<number, number>();
      const straddled = new Set<number>();
      for (const diff of buffered) {
        const pairs = side === 1 ? diff.bids : diff.asks;
        const end = 2 * (side === 1 ? diff.bidCount : diff.askCount);
        const covered = book.futures ? diff.last < lastUpdateId : diff.last <= lastUpdateId;
        if (covered) for (let k = 0; k < end; k += 2) last.set(pairs[k]!, pairs[k + 1]!);
        // The diff spanning the snapshot's id may change a price again before that id: leave those out.
        else if (diff.first <= lastUpdateId) for (let k = 0; k < end; k += 2) straddled.add(pairs[k]!);
      }
      for (const price of straddled) last.delete(price);
      const sizes = new Map<number, number>();
      let worst = side === 1 ? Infinity : -Infinity;
      for (let k = 0; k < shown.length; k += 2) {
        sizes.set(shown[k]!, shown[k + 1]!);
        worst = side === 1 ? Math.min(worst, shown[k]!) : Math.max(worst, shown[k]!);
      }
      for (const [price, size] of last) {
        if (side === 1 ? price < worst : price > worst) continue;
        report.note('snapshot_levels_checked');
        const expected = sizes.get(price) ?? 0;
        if (expected !== size) report.count('snapshot_disagrees_with_stream', `${where}: ${side === 1 ? 'bid' : 'ask'} ${price}: stream ${size}, snapshot ${expected}`);
      }
    }
  }

  /**
   * Applies a diff if the chain allows, buffers it while waiting for a snapshot, or reports a gap. What is
   * kept of the diff after the call is a copy: the caller may reuse it and its arrays.
   */
  offer(book: Book, diff: DepthDiff): void {
    if (book.state === 'waiting') {
      // Keep following the chain while waiting, so that every gap is reported, not only the first.
      const previousU = book.buffered.length > 0 ? book.buffered[book.buffered.length - 1]!.last : book.lastU;
      if (!Number.isNaN(previousU) && !this.chains(book, previousU, diff)) this.gap(book, diff, this.expected(book, previousU, diff));
      if (book.buffered.push(kept(diff)) > MAX_BUFFERED) {
        book.buffered.shift();
        this.context.integrity.report.note('depth_dropped_waiting_for_snapshot');
      }
      return;
    }
    if (book.state === 'first') {
      const id = book.lastU;
      book.check?.diffs.push(kept(diff));
      if (book.futures ? diff.last < id : diff.last <= id) {
        this.context.integrity.report.note('depth_covered_by_snapshot');
        return;
      }
      if (book.check) {
        this.checkCovered(book, book.check);
        book.check = null;
      }
      const target = book.futures ? id : id + 1;
      if (!(diff.first <= target && diff.last >= target)) return this.gap(book, diff, `the first diff after snapshot ${id} spans U=${diff.first}..u=${diff.last}`, true);
    } else if (!this.chains(book, book.lastU, diff)) {
      return this.gap(book, diff, this.expected(book, book.lastU, diff));
    }
    const lines = diff.lines;
    this.levels(book.instrument, 1, diff.bids, diff.bidCount, lines === null ? null : lines.bids, diff.tsNs, diff.recvNs, diff.last, 0, diff.line);
    this.levels(book.instrument, -1, diff.asks, diff.askCount, lines === null ? null : lines.asks, diff.tsNs, diff.recvNs, diff.last, 0, diff.line);
    if (diff.bidCount + diff.askCount === 0) this.context.integrity.report.note('empty_depth_diffs');
    else this.context.builder().endUpdate();
    book.state = 'chained';
    book.lastU = diff.last;
  }

  /**
   * A diff that was rejected (a value its symbol's units cannot hold, or a malformed level): its ids still
   * extend the chain, so the gap it leaves is not reported a second time, but the book cannot apply it and
   * waits for the next snapshot (`book_unsynced_after_rejected_diff`). A diff the snapshot already covers
   * is not needed and changes nothing.
   */
  lose(book: Book, diff: DepthDiff): void {
    if (book.state === 'first' && (book.futures ? diff.last < book.lastU : diff.last <= book.lastU)) {
      this.context.integrity.report.note('depth_covered_by_snapshot');
      // Without this diff's levels the covered diffs cannot be compared with the snapshot.
      if (book.check) this.context.integrity.report.note('snapshot_check_skipped_after_rejected_diff');
      book.check = null;
      return;
    }
    if (book.state === 'waiting') {
      const previousU = book.buffered.length > 0 ? book.buffered[book.buffered.length - 1]!.last : book.lastU;
      if (!Number.isNaN(previousU) && !this.chains(book, previousU, diff)) this.gap(book, diff, this.expected(book, previousU, diff));
    } else if (book.state === 'first') {
      const target = book.futures ? book.lastU : book.lastU + 1;
      if (!(diff.first <= target && diff.last >= target)) this.gap(book, diff, `the first diff after snapshot ${book.lastU} spans U=${diff.first}..u=${diff.last}`, true);
    } else if (!this.chains(book, book.lastU, diff)) this.gap(book, diff, this.expected(book, book.lastU, diff));
    // A gap found just now has unsynced the book already; otherwise the rejected diff does.
    if (book.state !== 'waiting') this.context.integrity.report.note('book_unsynced_after_rejected_diff');
    book.state = 'waiting';
    book.buffered = [];
    book.check = null;
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
  private gap(book: Book, diff: DepthDiff, detail: string, first = false): void {
    const symbol = this.context.instruments.get(book.instrument).symbol;
    const message = `sequence gap for BINANCE.${symbol}: ${detail}`;
    const fields = this.context.gapFields;
    if (this.context.integrity.policy === 'strict') throw new InputError(this.context.path, diff.line, fields ? (first ? fields.span : fields.chain) : 'U/u', message);
    const report = this.context.integrity.report;
    const where = this.context.path === report.source ? `line ${diff.line}` : `${this.context.path}:${diff.line}`;
    report.count('sequence_gap', `${where}: ${message}`);
    if (book.state === 'waiting') {
      book.buffered = []; // the caller buffers `diff`, which starts the chain anew
      return;
    }
    book.state = 'waiting';
    book.buffered = [kept(diff)];
    this.context.integrity.report.note('book_unsynced_after_gap');
  }

  /** Writes one side's first `count` (price, size) pairs as level rows; a size of 0 removes the level. `lines`: each pair's source line. */
  private levels(instrument: number, side: number, pairs: Float64Array, count: number, lines: Float64Array | null, ts: number, recv: number, seq: number, flags: number, line: number): void {
    const builder = this.context.builder();
    for (let k = 0; k < 2 * count; k += 2) {
      const size = pairs[k + 1]!;
      builder.push(ts, recv, instrument, size > 0 ? Action.LevelSet : Action.LevelDelete, side, pairs[k]!, size, 0, seq, flags, lines === null ? line : lines[k >> 1]!);
    }
  }
}

const EMPTY = new Float64Array(0);

/** A diff that is kept (buffered, or held for the snapshot check): its own copy of the levels. */
function kept(diff: DepthDiff): DepthDiff {
  return { ...diff, bids: diff.bids.slice(0, 2 * diff.bidCount), asks: diff.asks.slice(0, 2 * diff.askCount) };
}

/**
 * [["price","quantity"], …] as (price, size) pairs in the book's units, or what is wrong with the first
 * pair that is not two decimals those units hold exactly (`precision`: a value needing more decimals than
 * the symbol's, or more than 2^53 units; `malformed_row`: not a pair of decimal strings).
 */
function pairsOf(levels: unknown, book: Book, symbol: string, field: string): Float64Array | Problem {
  if (!Array.isArray(levels)) return { kind: 'malformed_row', field, detail: 'expected an array of [price, quantity] pairs' };
  const pairs = new Float64Array(2 * levels.length);
  for (let k = 0; k < levels.length; k++) {
    const level: unknown = levels[k];
    if (!Array.isArray(level) || level.length < 2) return { kind: 'malformed_row', field, detail: `level ${k}: expected [price, quantity], found ${JSON.stringify(level)}` };
    pairs[2 * k] = unitsOf(level[0], book.priceDecimals);
    pairs[2 * k + 1] = unitsOf(level[1], book.sizeDecimals);
    if (Number.isNaN(pairs[2 * k]!)) return { field, ...unitsProblem(level[0], book.priceDecimals, 'price', symbol) };
    if (Number.isNaN(pairs[2 * k + 1]!)) return { field, ...unitsProblem(level[1], book.sizeDecimals, 'quantity', symbol) };
  }
  return pairs;
}
