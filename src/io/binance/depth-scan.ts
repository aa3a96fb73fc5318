import { pow10 } from '../../core/decimal.js';

/** A diff depth message read into reusable arrays: levels as (price, size) pairs in integer units. */
export interface ScannedDepth {
  symbol: string;
  first: number; // U
  last: number; // u
  previous: number; // pu, NaN on spot
  timeMs: number; // T where present, else E
  /** Where the `b` and `a` arrays start (their `[`), found by `header`. */
  bidsAt: number;
  asksAt: number;
  bids: Float64Array;
  bidCount: number;
  asks: Float64Array;
  askCount: number;
}

/**
 * Reads a Binance `depthUpdate` message straight from its text (the hot path of a capture), without
 * JSON.parse: `header` reads the symbol and the update ids by key, then `levels` reads the `b` and `a`
 * arrays of ["price","quantity"] strings into integer units at the symbol's decimals. Both return false
 * when the text is not in the expected shape or a value does not fit those decimals exactly; the caller
 * then falls back to JSON.parse, so an unusual message is slower (and reported there), never misread.
 */
export class DepthScanner {
  /** Where the last `decimal` call stopped (just after the closing quote). */
  private cursor = 0;

  /** Reads symbol, U, u, pu, the event time and where the level arrays start. */
  header(text: string, from: number, out: ScannedDepth): boolean {
    const symbolAt = text.indexOf('"s":"', from);
    if (symbolAt < 0) return false;
    out.symbol = text.slice(symbolAt + 5, text.indexOf('"', symbolAt + 5));
    out.first = numberAfter(text, '"U":', from);
    out.last = numberAfter(text, '"u":', from);
    const futures = text.includes('"pu":', from);
    out.previous = futures ? numberAfter(text, '"pu":', from) : NaN;
    out.timeMs = text.includes('"T":', from) ? numberAfter(text, '"T":', from) : numberAfter(text, '"E":', from);
    if (Number.isNaN(out.first) || Number.isNaN(out.last) || Number.isNaN(out.timeMs) || (futures && Number.isNaN(out.previous))) return false;
    out.bidsAt = text.indexOf('"b":[', from);
    out.asksAt = text.indexOf('"a":[', from);
    return out.bidsAt >= 0 && out.asksAt >= 0;
  }

  /** Reads both level arrays (positions from `header`) at `priceDecimals` and `sizeDecimals`. */
  levels(text: string, out: ScannedDepth, priceDecimals: number, sizeDecimals: number): boolean {
    out.bidCount = this.side(text, out.bidsAt + 5, out, true, priceDecimals, sizeDecimals);
    if (out.bidCount < 0) return false;
    out.askCount = this.side(text, out.asksAt + 5, out, false, priceDecimals, sizeDecimals);
    return out.askCount >= 0;
  }

  // Hot loop: [["61800.20","0.014"],…] parsed char by char into units; -1 when the shape is off.
  private side(text: string, at: number, out: ScannedDepth, bids: boolean, priceDecimals: number, sizeDecimals: number): number {
    let count = 0;
    let i = at;
    if (text.charCodeAt(i) === 93 /* ] */) return 0;
    for (;;) {
      if (text.charCodeAt(i) !== 91 /* [ */ || text.charCodeAt(i + 1) !== 34 /* " */) return -1;
      const price = this.decimal(text, i + 2, priceDecimals);
      if (price < 0) return -1;
      i = this.cursor;
      if (text.charCodeAt(i) !== 44 /* , */ || text.charCodeAt(i + 1) !== 34) return -1;
      const size = this.decimal(text, i + 2, sizeDecimals);
      if (size < 0) return -1;
      i = this.cursor;
      if (text.charCodeAt(i) !== 93) return -1;
      let pairs = bids ? out.bids : out.asks;
      if (2 * count + 2 > pairs.length) {
        const grown = new Float64Array(pairs.length * 2);
        grown.set(pairs);
        pairs = grown;
        if (bids) out.bids = grown;
        else out.asks = grown;
      }
      pairs[2 * count] = price;
      pairs[2 * count + 1] = size;
      count++;
      const next = text.charCodeAt(i + 1);
      if (next === 93) return count;
      if (next !== 44) return -1;
      i += 2;
    }
  }

  /** Parses "123.4500" from `at` to its closing quote into units of 10^-decimals; -1 if not a plain decimal that fits. */
  private decimal(text: string, at: number, decimals: number): number {
    let value = 0;
    let fraction = -1;
    let digits = 0;
    for (let i = at; ; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        if (fraction >= 0) {
          if (fraction === decimals) {
            if (c !== 48) return -1;
            continue;
          }
          fraction++;
        }
        value = value * 10 + (c - 48);
        digits++;
      } else if (c === 46 /* . */ && fraction < 0) fraction = 0;
      else if (c === 34 /* " */) {
        this.cursor = i + 1;
        if (digits === 0) return -1;
        const units = value * pow10(decimals - Math.max(fraction, 0));
        return units <= Number.MAX_SAFE_INTEGER ? units : -1;
      } else return -1;
    }
  }
}

function numberAfter(text: string, key: string, from: number): number {
  const at = text.indexOf(key, from);
  if (at < 0) return NaN;
  let value = 0;
  let digits = 0;
  for (let i = at + key.length; ; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    digits++;
  }
  return digits > 0 && digits < 16 ? value : NaN;
}
