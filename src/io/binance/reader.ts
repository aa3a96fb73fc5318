import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { parseUnits } from '../../core/decimal.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { TextDecoder } from 'node:util';
import { lineChunks, textLines, type LineChunk } from '../lines.js';
import { ReaderBase } from '../reader-base.js';
import { captureDecimals, seeCaptureLine } from './capture-scan.js';
import { DecimalsSeen, MAX_DECIMALS, type SymbolDecimals } from './decimals.js';
import { DepthScanner, type ScannedDepth } from './depth-scan.js';
import { BinanceMessages, type DepthDiff } from './depth-sync.js';

/**
 * Raw Binance websocket captures (`<local receive ns> <json>` lines, as the hftbacktest collector writes
 * them): combined-stream envelopes of diff depth, trade, aggTrade and bookTicker, and REST depth
 * snapshots (`{"lastUpdateId": …}`), handled by BinanceMessages.
 *
 * Each symbol's prices and quantities are integer units at the fewest decimals that hold every value in
 * the first HEAD_SCAN_BYTES of the capture (`captureDecimals`); a later value needing more is a
 * `precision` finding (see BinanceMessages).
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
  private readonly scanner = new DepthScanner();
  private readonly scanned: ScannedDepth = { symbol: '', first: 0, last: 0, previous: NaN, timeMs: 0, bidsAt: 0, asksAt: 0, bids: new Float64Array(256), bidCount: 0, asks: new Float64Array(256), askCount: 0 };

  constructor(path: string, options: OpenOptions = {}) {
    super(path, 'binance-capture', options);
  }

  async *batches(): AsyncGenerator<EventBatch> {
    // The start of the capture is read once: scanned for each symbol's decimals, then replayed.
    const chunks = lineChunks(this.path)[Symbol.asyncIterator]();
    const head: LineChunk[] = [];
    const decimals = new DecimalsSeen();
    const decoder = new TextDecoder();
    for (let chunk = await chunks.next(); !chunk.done; chunk = await chunks.next()) {
      head.push(chunk.value);
      if (!decimals.seeLines(textOf(decoder, chunk.value), seeCaptureLine)) break;
    }
    this.decimals = decimals;
    for (;;) {
      const chunk = head.shift() ?? (await chunks.next()).value;
      if (!chunk) break;
      const bytes = chunk.bytes;
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      let line = chunk.firstLine;
      for (let start = 0; start < chunk.end; line++) {
        let end = bytes.indexOf(10, start);
        if (end < 0 || end > chunk.end) end = chunk.end;
        const next = end + 1;
        if (end > start && bytes[end - 1] === 13) end--;
        // Most of a capture is bookTicker lines, not book data: passed over without becoming strings.
        if (isBookTicker(bytes, start, end)) {
          this.integrity.report.rowsRead++;
          this.integrity.report.note('book_tickers');
        } else {
          this.line(line, text.toString('utf8', start, end));
          if (this.builder) for (let batch = this.builder.take(); batch; batch = this.builder.take()) yield batch;
        }
        start = next;
      }
    }
    this.messages.finish();
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
    const scanned = this.scanned;
    if (text.includes('"e":"depthUpdate"', space) && this.scanner.header(text, space + 1, scanned)) {
      const book = this.messages.book(scanned.symbol, !Number.isNaN(scanned.previous), text.includes('"ps":"', space));
      if (this.scanner.levels(text, scanned, book.priceDecimals, book.sizeDecimals)) {
        const diff: DepthDiff = {
          first: scanned.first,
          last: scanned.last,
          previous: scanned.previous,
          tsNs: this.messages.msOffset(scanned.timeMs),
          recvNs: recv,
          bids: scanned.bids.slice(0, 2 * scanned.bidCount),
          asks: scanned.asks.slice(0, 2 * scanned.askCount),
          line,
          lines: null,
        };
        this.messages.offer(book, diff);
        return;
      }
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
 * Whether `bytes[start, end)` is `<receive ns> {"stream":"<symbol>@bookTicker",…`: a well-formed time (10 to 19
 * digits, as `line` requires) then the stream name. bookTicker lines are the oracle (binanceBookTickers).
 */
function isBookTicker(bytes: Uint8Array, start: number, end: number): boolean {
  const space = bytes.indexOf(32, start);
  if (space < start + 10 || space > start + 19 || space >= end) return false;
  for (let i = start; i < space; i++) if (bytes[i]! < 48 || bytes[i]! > 57) return false;
  const at = bytes.indexOf(64, space);
  if (at < 0 || at + BOOK_TICKER.length > end) return false;
  for (let k = 0; k < BOOK_TICKER.length; k++) if (bytes[at + k] !== BOOK_TICKER[k]) return false;
  return true;
}

/** The whole lines of a chunk as strings (no line ends), for the decimals scan of the capture's head. */
function textOf(decoder: TextDecoder, chunk: LineChunk): string[] {
  const lines = decoder.decode(chunk.bytes.subarray(0, chunk.end)).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}
