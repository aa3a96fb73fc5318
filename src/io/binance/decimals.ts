import { parseUnits } from '../../core/decimal.js';
import { textLineBatches } from '../lines.js';

/** Decimals of one symbol's integer units: a price of p units is p / 10^price, a quantity of q units q / 10^size. */
export interface SymbolDecimals {
  price: number;
  size: number;
}

/** Binance prints at most 8 decimals on every product: the decimals of a symbol the scan never saw. */
export const MAX_DECIMALS = 8;
/** How much of a stream's start (decompressed text) is scanned for each symbol's decimals. */
export const HEAD_SCAN_BYTES = 4 << 20;

/**
 * Decimals a plain decimal text needs once its trailing zeros are dropped ("7.6110" → 3, "132750000" →
 * 0, "0.00000000" → 0); -1 when the text is not a plain decimal (digits, at most one point).
 */
export function significantDecimals(text: string, from = 0, to = text.length): number {
  let point = -1;
  let lastNonZero = -1;
  let digits = 0;
  const start = text.charCodeAt(from) === 45 /* - */ ? from + 1 : from;
  for (let i = start; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      if (c !== 48 && point >= 0) lastNonZero = i;
    } else if (c === 46 /* . */ && point < 0) point = i;
    else return -1;
  }
  if (digits === 0) return -1;
  return lastNonZero < 0 ? 0 : lastNonZero - point;
}

/**
 * Why a venue text is not integer units at `decimals`: `precision` when it is a plain decimal that needs
 * more decimals (or more than 2^53 units), `malformed_row` when it is not a decimal at all.
 */
export function unitsProblem(text: unknown, decimals: number, what: string, symbol: string): { kind: 'precision' | 'malformed_row'; detail: string } {
  if (typeof text !== 'string' || significantDecimals(text) < 0) return { kind: 'malformed_row', detail: `${symbol} ${what}: not a decimal: ${JSON.stringify(text)}` };
  const needed = significantDecimals(text);
  if (needed > decimals) {
    return { kind: 'precision', detail: `${symbol} ${what} "${text}" needs ${needed} decimals; the symbol's units have ${decimals}, fixed from the values at the start of the input (a value read later cannot widen them)` };
  }
  return { kind: 'precision', detail: `${symbol} ${what} "${text}" exceeds 2^53 units at ${decimals} decimals` };
}

/**
 * Per symbol, the fewest price and quantity decimals that hold every value seen exactly: fed with the
 * values at the start of an input (REST snapshots, first diffs, trades) before any row is written, so
 * that each instrument's units are fixed once. Levels of a snapshot that does not name its symbol (a spot
 * REST response) count for every symbol.
 */
export class DecimalsSeen {
  private readonly bySymbol = new Map<string, SymbolDecimals>();
  private readonly unnamed: SymbolDecimals = { price: 0, size: 0 };

  /** The decimals of `symbol` as seen so far; null when the scan saw none of its values. */
  get(symbol: string): SymbolDecimals | null {
    const seen = this.bySymbol.get(symbol);
    return seen ? { price: Math.max(seen.price, this.unnamed.price), size: Math.max(seen.size, this.unnamed.size) } : null;
  }

  /** Symbols seen, in order of first appearance. */
  symbols(): string[] {
    return [...this.bySymbol.keys()];
  }

  /** Notes one price text (and one quantity text, if given) of `symbol` (null: a snapshot naming no symbol). */
  see(symbol: string | null, price: unknown, size?: unknown): void {
    const entry = symbol === null ? this.unnamed : this.entry(symbol);
    if (typeof price === 'string') entry.price = Math.max(entry.price, significantDecimals(price));
    if (typeof size === 'string') entry.size = Math.max(entry.size, significantDecimals(size));
  }

  /** Notes decimals already counted (-1: not a decimal, ignored). */
  seeDecimals(symbol: string, price: number, size: number): void {
    const entry = this.entry(symbol);
    if (price > entry.price) entry.price = price;
    if (size > entry.size) entry.size = size;
  }

  /** Notes every [price, quantity] pair of a levels array. */
  levels(symbol: string | null, levels: unknown): void {
    if (!Array.isArray(levels)) return;
    for (const level of levels) if (Array.isArray(level)) this.see(symbol, level[0], level[1]);
  }

  /**
   * Notes the prices and quantities of one Binance message: a diff depth update (`b`, `a`), a trade or
   * aggTrade (`p`, `q`), a bookTicker (`b`, `B`, `a`, `A`) or a REST depth snapshot (`bids`, `asks`;
   * `symbol` names its symbol where the message does not). Other messages carry no book values.
   */
  message(message: unknown, symbol?: string): void {
    if (typeof message !== 'object' || message === null) return;
    const outer = message as Record<string, unknown>;
    const data = (typeof outer.data === 'object' && outer.data !== null ? outer.data : outer) as Record<string, unknown>;
    if ('lastUpdateId' in data && Array.isArray(data.bids)) {
      const named = typeof data.symbol === 'string' ? data.symbol : (symbol ?? null);
      this.levels(named, data.bids);
      this.levels(named, data.asks);
      return;
    }
    if (typeof data.s !== 'string') return;
    if (data.e === 'depthUpdate') {
      this.levels(data.s, data.b);
      this.levels(data.s, data.a);
    } else if (data.e === 'trade' || data.e === 'aggTrade') this.see(data.s, data.p, data.q);
    else if (typeof data.B === 'string' && typeof data.A === 'string') {
      this.see(data.s, data.b, data.B);
      this.see(data.s, data.a, data.A);
    }
  }

  /**
   * What is still to scan, line ends included: bytes where lines are read as bytes (seeCaptureLines),
   * characters where they are strings (`seeLines`), the same for ASCII text. Lines are noted while it is positive.
   */
  budget = HEAD_SCAN_BYTES;

  /** Notes the values `visit` finds in each line while the budget lasts; false once it is spent. */
  seeLines(lines: readonly string[], visit: (text: string, seen: DecimalsSeen) => void): boolean {
    for (const text of lines) {
      if (this.budget <= 0) return false;
      visit(text, this);
      this.budget -= text.length + 1;
    }
    return this.budget > 0;
  }

  /** Notes the values `visit` finds in the lines of `path` while the budget lasts. */
  async scan(path: string, visit: (text: string, seen: DecimalsSeen) => void): Promise<void> {
    for await (const { lines } of textLineBatches(path)) if (!this.seeLines(lines, visit)) return;
  }

  private entry(symbol: string): SymbolDecimals {
    let entry = this.bySymbol.get(symbol);
    if (!entry) this.bySymbol.set(symbol, (entry = { price: 0, size: 0 }));
    return entry;
  }
}

/** `text` at `decimals` as integer units; NaN when it does not fit (see unitsProblem). */
export function unitsOf(text: unknown, decimals: number): number {
  return typeof text === 'string' ? parseUnits(text, decimals) : NaN;
}
