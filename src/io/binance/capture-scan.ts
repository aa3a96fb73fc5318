import { DecimalsSeen, quotedDecimals, seeLevelsText } from './decimals.js';
import { DepthScanner, type ScannedDepth } from './depth-scan.js';

const scanner = new DepthScanner();
const scanned: ScannedDepth = { symbol: '', first: 0, last: 0, previous: NaN, timeMs: 0, bidsAt: 0, asksAt: 0, bids: new Float64Array(0), bidCount: 0, asks: new Float64Array(0), askCount: 0 };

/**
 * Notes the prices and quantities of one capture line (`<local ns> <json>`, or cryptofeed's `<time>:
 * <json>`), read from the text where the stream name tells the shape: diff depth levels, bookTicker
 * `b`/`B`/`a`/`A`, trade and aggTrade `p`/`q`; other streams carry no book values. Lines without a stream
 * envelope (REST snapshots, single-stream messages) are parsed as JSON.
 */
export function seeCaptureLine(text: string, seen: DecimalsSeen): void {
  const start = text.indexOf(' {') + 1;
  if (start === 0) return;
  // A combined-stream envelope names the stream first: {"stream":"btcusdt@bookTicker", …
  const at = text.startsWith('{"stream":"', start) ? text.indexOf('@', start + 11) : -1;
  const stream = at < 0 ? 0 : text.charCodeAt(at + 1);
  if (stream === 100 /* d: depth */ || (at < 0 && text.includes('"e":"depthUpdate"', start))) {
    if (scanner.header(text, start, scanned) && seeLevelsText(text, scanned.bidsAt + 4, scanned.symbol, seen) && seeLevelsText(text, scanned.asksAt + 4, scanned.symbol, seen)) return;
  } else if (stream === 98 /* b: bookTicker */ || stream === 116 /* t: trade */ || stream === 97 /* a: aggTrade */) {
    const symbolAt = text.indexOf('"s":"', at);
    if (symbolAt < 0) return;
    const symbol = text.slice(symbolAt + 5, text.indexOf('"', symbolAt + 5));
    if (stream === 98) seen.seeDecimals(symbol, Math.max(quotedDecimals(text, '"b":"', at), quotedDecimals(text, '"a":"', at)), Math.max(quotedDecimals(text, '"B":"', at), quotedDecimals(text, '"A":"', at)));
    else seen.seeDecimals(symbol, quotedDecimals(text, '"p":"', at), quotedDecimals(text, '"q":"', at));
    return;
  } else if (at >= 0) {
    return; // other streams (klines, tickers) carry no book values
  }
  try {
    seen.message(JSON.parse(text.slice(start)));
  } catch {
    // Not JSON: the reader reports it where it reads it.
  }
}

/**
 * Per symbol, the fewest decimals that hold every price and quantity in the first `seen.budget`
 * characters of a capture (REST snapshots, diff depth, trades, bookTickers): what `binance-capture` uses.
 */
export async function captureDecimals(path: string, seen = new DecimalsSeen()): Promise<DecimalsSeen> {
  await seen.scan(path, seeCaptureLine);
  return seen;
}
