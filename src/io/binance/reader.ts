import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { parseUnits } from '../../core/decimal.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { lineChunks, lineEnd, textLines, withoutReturn, type LineChunk } from '../lines.js';
import { ReaderBase } from '../reader-base.js';
import { captureDecimals, seeCaptureLines } from './capture-scan.js';
import { DecimalsSeen, MAX_DECIMALS, type SymbolDecimals } from './decimals.js';
import { BinanceMessages, type DepthDiff } from './depth-sync.js';
import { AGG_TRADE, DEPTH_UPDATE, MessageScanner, TRADE, unitsOfDigits } from './message-scan.js';

/**
 * Raw Binance websocket captures (`<local receive ns> <json>` lines, as the hftbacktest collector writes
 * them): combined-stream envelopes of diff depth, trade, aggTrade and bookTicker, and REST depth
 * snapshots (`{"lastUpdateId": …}`), handled by BinanceMessages.
 *
 * Each symbol's prices and quantities are integer units at the fewest decimals that hold every value in
 * the first HEAD_SCAN_BYTES of the capture (`captureDecimals`); a later value needing more is a
 * `precision` finding (see BinanceMessages).
 *
 * Lines are read from their bytes (MessageScanner) where they have the usual shape; any other line is
 * decoded and parsed as JSON, with the same result.
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
  private builder: BatchBuilder | null = null;
  private readonly messages = new BinanceMessages({
    path: this.path,
    instruments: this.instruments,
    integrity: this.integrity,
    builder: () => this.builder!,
    baseSeconds: () => this.baseSeconds,
    decimalsOf: (symbol) => this.decimals?.get(symbol) ?? null,
  });
  private baseSeconds = 0;
  /** Decimals seen at the start of the capture, read before the first row. */
  private decimals: DecimalsSeen | null = null;
  private readonly scanner = new MessageScanner();
  /**
   * The diff being read, the same object for every message (`offer` copies what it keeps). Its number
   * fields start as NaN, not 0: a field that starts as a small integer and later holds a large id changes
   * the object's layout, and the optimized code built for the first layout is thrown away.
   */
  private readonly diff: DepthDiff = { first: NaN, last: NaN, previous: NaN, tsNs: NaN, recvNs: NaN, bids: this.scanner.bids, bidCount: 0, asks: this.scanner.asks, askCount: 0, line: 0, lines: null };

  constructor(path: string, options: OpenOptions = {}) {
    super(path, 'binance-capture', options);
  }

  async *batches(): AsyncGenerator<EventBatch> {
    // The start of the capture is read once: scanned for each symbol's decimals, then replayed.
    const chunks = lineChunks(this.path, { countLines: false })[Symbol.asyncIterator]();
    const head: LineChunk[] = [];
    const decimals = new DecimalsSeen();
    for (let chunk = await chunks.next(); !chunk.done; chunk = await chunks.next()) {
      head.push(chunk.value);
      if (!seeCaptureLines(chunk.value, decimals)) break;
    }
    this.decimals = decimals;
    let line = 1;
    for (;;) {
      const chunk = head.shift() ?? (await chunks.next()).value;
      if (!chunk) break;
      const bytes = chunk.bytes;
      let text: Buffer | null = null;
      for (let start = 0; start < chunk.end; line++) {
        const newline = lineEnd(chunk, start);
        const end = withoutReturn(bytes, start, newline);
        if (!this.lineBytes(bytes, start, end, line)) {
          text ??= Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
          this.line(line, text.toString('utf8', start, end));
        }
        if (this.builder) for (let batch = this.builder.take(); batch; batch = this.builder.take()) yield batch;
        start = newline + 1;
      }
    }
    this.messages.finish();
    const last = this.builder?.flush();
    if (last) yield last;
  }

  /**
   * Reads the line `bytes[start, end)` from its bytes when it is `<receive ns> <message>` with a bookTicker
   * (passed over: most of a capture, not book data), or a diff depth or trade message MessageScanner reads
   * whose values fit the symbol's units. False for any other line, having done nothing `line` would not
   * do the same way: `line` then reads it as text.
   */
  private lineBytes(bytes: Uint8Array, start: number, end: number, line: number): boolean {
    // The receive time: 10 to 19 digits (as `line` requires), whole seconds and nanoseconds apart.
    let space = start;
    const last = Math.min(end, start + 20);
    while (space < last && bytes[space] !== 32) space++;
    if (space < start + 10 || space > start + 19 || space >= end) return false;
    let seconds = 0;
    let nanos = 0;
    for (let i = start; i < space; i++) {
      const c = bytes[i]!;
      if (c < 48 || c > 57) return false;
      if (i < space - 9) seconds = seconds * 10 + (c - 48);
      else nanos = nanos * 10 + (c - 48);
    }
    const report = this.integrity.report;
    if (isBookTicker(bytes, space, end)) {
      report.rowsRead++;
      report.note('book_tickers');
      return true;
    }
    const scanner = this.scanner;
    if (bytes[space + 1] !== 123 /* { */ || !scanner.scan(bytes, space + 1, end)) return false;
    const recv = this.receiveOffset(seconds, nanos);
    if (scanner.event === DEPTH_UPDATE) {
      const book = this.messages.book(scanner.symbol, scanner.hasPrevious, scanner.coinMargined);
      if (!scanner.depthUnits(book.priceDecimals, book.sizeDecimals)) return false;
      const diff = this.diff;
      diff.first = scanner.first;
      diff.last = scanner.last;
      diff.previous = scanner.previous;
      diff.tsNs = this.messages.msOffset(scanner.timeMs);
      diff.recvNs = recv;
      diff.bids = scanner.bids;
      diff.bidCount = scanner.bidCount;
      diff.asks = scanner.asks;
      diff.askCount = scanner.askCount;
      diff.line = line;
      report.rowsRead++;
      this.messages.offer(book, diff);
      return true;
    }
    if (scanner.event === TRADE || scanner.event === AGG_TRADE) {
      const book = this.messages.tradeBook(scanner.symbol, scanner.hasTradeType, scanner.coinMargined);
      const price = unitsOfDigits(scanner.priceDigits, scanner.priceScale, book.priceDecimals);
      const size = unitsOfDigits(scanner.sizeDigits, scanner.sizeScale, book.sizeDecimals);
      if (Number.isNaN(price) || Number.isNaN(size)) return false;
      report.rowsRead++;
      this.messages.trade(book, this.messages.msOffset(scanner.timeMs), recv, scanner.buyerMaker, price, size, scanner.tradeId, line);
      return true;
    }
    return false;
  }

  private line(line: number, text: string): void {
    const report = this.integrity.report;
    if (text === '') {
      report.note('blank_lines');
      return;
    }
    report.rowsRead++;
    const space = text.indexOf(' ');
    const recv = space >= 10 && space <= 19 && /^\d+$/.test(text.slice(0, space)) ? this.receiveOffset(Number(text.slice(0, space - 9)), Number(text.slice(space - 9, space))) : NaN;
    if (Number.isNaN(recv)) {
      this.integrity.reject('malformed_row', line, 'timestamp', 'expected "<local receive ns> <json>"', text);
      return;
    }
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text.slice(space + 1)) as Record<string, unknown>;
    } catch {
      this.integrity.reject('malformed_row', line, 'json', 'not valid JSON', text);
      return;
    }
    if ('lastUpdateId' in message) this.messages.snapshot(message, recv, line, text);
    else this.messages.stream(message, recv, line, text);
  }

  /**
   * A receive time (epoch `seconds` and `nanos`) as ns after the time base, without bigint arithmetic. The
   * first line that has one fixes the base (its UTC midnight).
   */
  private receiveOffset(seconds: number, nanos: number): number {
    if (!this.builder) {
      const midnight = seconds - (seconds % 86_400);
      this.baseSeconds = midnight;
      this.builder = new BatchBuilder(this.instruments, BigInt(midnight) * 1_000_000_000n, this.batchRows);
    }
    return (seconds - this.baseSeconds) * 1e9 + nanos;
  }
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

/**
 * Streams the bookTicker messages of a capture (the oracle for the rebuilt best bid and offer) in each
 * symbol's units: `decimalsOf` gives them (e.g. from the replayed source's instruments); by default they
 * are scanned from the capture as `binance-capture` does.
 */
export async function* binanceBookTickers(path: string, decimalsOf?: (symbol: string) => SymbolDecimals | null): AsyncGenerator<BinanceBookTicker> {
  if (!decimalsOf) {
    const seen = await captureDecimals(path);
    decimalsOf = (symbol) => seen.get(symbol);
  }
  for await (const [, text] of textLines(path)) {
    const start = text.indexOf(' {') + 1;
    if (start === 0 || !text.includes('bookTicker', start)) continue;
    const message = JSON.parse(text.slice(start)) as { data?: Record<string, unknown> } & Record<string, unknown>;
    const data = message.data ?? message;
    const symbol = String(data.s);
    const { price, size } = decimalsOf(symbol) ?? { price: MAX_DECIMALS, size: MAX_DECIMALS };
    yield { symbol, updateId: Number(data.u), bidPrice: parseUnits(String(data.b), price), bidSize: parseUnits(String(data.B), size), askPrice: parseUnits(String(data.a), price), askSize: parseUnits(String(data.A), size) };
  }
}

const BOOK_TICKER = Buffer.from('@bookTicker"');

/**
 * Whether the message `bytes(space, end)` of a line is `{"stream":"<symbol>@bookTicker",…`: its first `@`
 * starts that stream name. bookTicker lines are the oracle (binanceBookTickers).
 */
function isBookTicker(bytes: Uint8Array, space: number, end: number): boolean {
  let at = space;
  while (at < end && bytes[at] !== 64) at++;
  if (at + BOOK_TICKER.length > end) return false;
  for (let k = 0; k < BOOK_TICKER.length; k++) if (bytes[at + k] !== BOOK_TICKER[k]) return false;
  return true;
}
