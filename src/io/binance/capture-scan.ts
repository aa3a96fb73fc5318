import { TextDecoder } from 'node:util';
import { lineChunks, lineEnd, withoutReturn, type LineChunk } from '../lines.js';
import { DecimalsSeen } from './decimals.js';
import { DEPTH_UPDATE, MessageScanner } from './message-scan.js';

const scanner = new MessageScanner();
const decoder = new TextDecoder();
const ENVELOPE = Buffer.from('{"stream":"');

/**
 * Notes the prices and quantities of one capture line, `bytes[start, end)` (`<local ns> <json>`, or
 * cryptofeed's `<time>: <json>`), read from the bytes where the stream name tells the shape: diff depth
 * levels, bookTicker `b`/`B`/`a`/`A`, trade and aggTrade `p`/`q`; other streams carry no book values.
 * Lines without a stream envelope (REST snapshots, single-stream messages) are read from the bytes when
 * they are diff depth, else parsed as JSON, as is any message MessageScanner does not read.
 */
function seeCaptureLine(bytes: Uint8Array, start: number, end: number, seen: DecimalsSeen): void {
  const json = messageStart(bytes, start, end);
  if (json < 0) return;
  // A combined-stream envelope names the stream first: {"stream":"btcusdt@bookTicker", …
  let at = startsWith(bytes, json, ENVELOPE) ? bytes.indexOf(64 /* @ */, json + ENVELOPE.length) : -1;
  if (at >= end) at = -1;
  const stream = at < 0 ? 0 : bytes[at + 1];
  if (at < 0 || stream === 100 /* d: depth */) {
    if (scanner.scan(bytes, json, end) && scanner.event === DEPTH_UPDATE) return seen.seeDecimals(scanner.symbol, scanner.maxPriceScale, scanner.maxSizeScale);
  } else if (stream === 98 /* b: bookTicker */ || stream === 116 /* t: trade */ || stream === 97 /* a: aggTrade */) {
    if (scanner.scan(bytes, json, end)) {
      if (scanner.hasSymbol) seen.seeDecimals(scanner.symbol, scanner.maxPriceScale, scanner.maxSizeScale);
      return;
    }
  } else {
    return; // other streams (klines, tickers) carry no book values
  }
  try {
    seen.message(JSON.parse(decoder.decode(bytes.subarray(json, end))));
  } catch {
    // Not JSON: the reader reports it where it reads it.
  }
}

/** Notes the values of the lines of `chunk` while `seen.budget` lasts (each line costs its bytes and its line end); false once it is spent. */
export function seeCaptureLines(chunk: LineChunk, seen: DecimalsSeen): boolean {
  const bytes = chunk.bytes;
  for (let start = 0; start < chunk.end; ) {
    if (seen.budget <= 0) return false;
    const newline = lineEnd(chunk, start);
    const end = withoutReturn(bytes, start, newline);
    seeCaptureLine(bytes, start, end, seen);
    seen.budget -= end - start + 1;
    start = newline + 1;
  }
  return seen.budget > 0;
}

/**
 * Per symbol, the fewest decimals that hold every price and quantity in the first `seen.budget`
 * bytes of a capture (REST snapshots, diff depth, trades, bookTickers): what `binance-capture` uses.
 */
export async function captureDecimals(path: string, seen = new DecimalsSeen()): Promise<DecimalsSeen> {
  for await (const chunk of lineChunks(path, { countLines: false })) if (!seeCaptureLines(chunk, seen)) break;
  return seen;
}

/** Where the JSON of a line starts: just after its first " {"; -1 when there is none. */
function messageStart(bytes: Uint8Array, start: number, end: number): number {
  for (let space = bytes.indexOf(32, start); space >= 0 && space + 1 < end; space = bytes.indexOf(32, space + 1)) if (bytes[space + 1] === 123 /* { */) return space + 1;
  return -1;
}

function startsWith(bytes: Uint8Array, from: number, expected: Uint8Array): boolean {
  for (let k = 0; k < expected.length; k++) if (bytes[from + k] !== expected[k]) return false;
  return true;
}
