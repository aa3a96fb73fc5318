import { pow10 } from '../../core/decimal.js';
import { grown } from '../../core/typed-arrays.js';

/** `MessageScanner.event`: what the message's `e` names. */
export const OTHER_EVENT = 0;
export const DEPTH_UPDATE = 1;
export const TRADE = 2;
export const AGG_TRADE = 3;

// The fields read, one bit each (`MessageScanner.fields`); 0 is a field that is only checked and skipped.
const E_TYPE = 1 << 0; // e
const E_TIME = 1 << 1; // E
const T_TIME = 1 << 2; // T
const SYMBOL = 1 << 3; // s
const FIRST_ID = 1 << 4; // U
const LAST_ID = 1 << 5; // u
const PREVIOUS_ID = 1 << 6; // pu
const PAIR = 1 << 7; // ps
const BIDS = 1 << 8; // b: levels, a bookTicker price, or an order id in older spot trades
const ASKS = 1 << 9; // a: levels, a bookTicker price, or an aggTrade id
const TRADE_ID = 1 << 10; // t
const PRICE = 1 << 11; // p
const QUANTITY = 1 << 12; // q
const BUYER_MAKER = 1 << 13; // m
const TRADE_TYPE = 1 << 14; // X
const BID_SIZE = 1 << 15; // B
const ASK_SIZE = 1 << 16; // A
/** The field of each one-letter key, by its byte (0: not one read here). */
const FIELD_OF = new Int32Array(256);
for (const [key, field] of Object.entries({ e: E_TYPE, E: E_TIME, T: T_TIME, s: SYMBOL, U: FIRST_ID, u: LAST_ID, b: BIDS, a: ASKS, t: TRADE_ID, p: PRICE, q: QUANTITY, m: BUYER_MAKER, X: TRADE_TYPE, B: BID_SIZE, A: ASK_SIZE })) FIELD_OF[key.charCodeAt(0)] = field;

const DEPTH_UPDATE_NAME = Buffer.from('depthUpdate"');
const TRADE_NAME = Buffer.from('trade"');
const AGG_TRADE_NAME = Buffer.from('aggTrade"');
const ENVELOPE = Buffer.from('{"stream":"');
const DATA = Buffer.from(',"data":');
const MARKET = Buffer.from('MARKET');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');
/** Keys that make JSON.parse's reading differ from a plain event object (see BinanceMessages): never skipped. */
const REFUSED_KEYS = [Buffer.from('data'), Buffer.from('lastUpdateId')];

/**
 * Reads a Binance stream message (a combined-stream envelope `{"stream":…,"data":{…}}` or the bare event
 * object) straight from its bytes, without making strings or calling JSON.parse: the hot path of a capture.
 * It reads the fields the Binance message handling uses: diff depth (`s`, `U`, `u`, `pu`, `ps`, `E`, `T`,
 * the `b` and `a` levels), trade and aggTrade (`s`, `t` or `a`, `p`, `q`, `m`, `X`, `ps`, `E`, `T`) and
 * bookTicker prices and quantities (`b`, `B`, `a`, `A`).
 *
 * `scan` accepts a strict subset of JSON: no whitespace, no escapes in strings, no nested value but the
 * envelope's event and the levels, numbers only as integers below 10^15 without sign, fraction or exponent,
 * each field read at most once and with the type the message handling expects, prices and quantities as
 * plain decimal strings, levels as `[["price","quantity"],…]`, no trade type but MARKET. What it accepts
 * reads exactly as JSON.parse and the message handling read it; on anything else it returns false and the
 * caller parses the message as JSON, so an unusual message is slower (and reported there), never misread.
 *
 * Decimals are read as integer digits and a scale (value = digits × 10^-scale, trailing zeros dropped, so
 * the scale is the decimals the value needs); `depthUnits` and `unitsOfDigits` make them a symbol's units.
 *
 * ```ts
 * const scanner = new MessageScanner();
 * if (scanner.scan(bytes, start, end) && scanner.event === DEPTH_UPDATE && scanner.depthUnits(1, 3)) {
 *   // scanner.bids[0, 2 × scanner.bidCount): (price, quantity) pairs in units of 0.1 and 0.001
 * }
 * ```
 */
export class MessageScanner {
  event = OTHER_EVENT;
  symbol = '';
  first = NaN; // U
  last = NaN; // u
  previous = NaN; // pu, NaN on spot
  /** `t` of a trade, `a` of an aggTrade. */
  tradeId = NaN;
  /** `m`: the buyer is the maker. */
  buyerMaker = false;
  /** A trade's `p` and `q`. */
  priceDigits = 0;
  priceScale = 0;
  sizeDigits = 0;
  sizeScale = 0;
  /** The largest scale of any price and of any quantity in the message; -1 when it has none. */
  maxPriceScale = -1;
  maxSizeScale = -1;
  /**
   * Depth levels as (price, quantity) digit pairs with their scales, units after `depthUnits`; a count of
   * -1: no levels array. Room for 1,000 levels a side (Binance's deepest) from the start: they seldom grow.
   */
  bids = new Float64Array(2048);
  bidScales = new Int32Array(2048);
  bidCount = -1;
  asks = new Float64Array(2048);
  askScales = new Int32Array(2048);
  askCount = -1;

  /** The fields read so far, as bits. */
  private fields = 0;
  private eventMs = NaN;
  private transactionMs = NaN;
  private aggregateId = NaN;
  private bytes: Uint8Array = new Uint8Array(0);
  /** Read position: every reader below leaves it just after what it read. */
  private at = 0;
  /** The last decimal `decimal` read. */
  private digits = 0;
  private scale = 0;
  /** Symbols made strings once, by their bytes: one string per symbol, not one per message. */
  private readonly symbols: { bytes: Uint8Array; text: string }[] = [];

  /** Reads the message `bytes[from, end)`; false when it is not in the subset described above. */
  scan(bytes: Uint8Array, from: number, end: number): boolean {
    this.bytes = bytes;
    this.event = OTHER_EVENT;
    this.fields = 0;
    this.previous = NaN;
    this.tradeId = NaN;
    this.aggregateId = NaN;
    this.maxPriceScale = -1;
    this.maxSizeScale = -1;
    this.bidCount = -1;
    this.askCount = -1;
    let at = from;
    const enveloped = this.startsWith(at, ENVELOPE);
    if (enveloped) {
      this.at = at + ENVELOPE.length;
      if (!this.skipString() || !this.startsWith(this.at, DATA)) return false;
      at = this.at + DATA.length;
    }
    if (!this.object(at)) return false;
    if (enveloped && this.bytes[this.at++] !== 125 /* } */) return false;
    if (this.at !== end) return false;
    const has = this.fields;
    const timed = (has & (E_TIME | T_TIME)) !== 0;
    // The fields each event needs (without one, the message handling reports the message).
    if (this.event === DEPTH_UPDATE) return timed && (has & (SYMBOL | FIRST_ID | LAST_ID)) === (SYMBOL | FIRST_ID | LAST_ID) && this.bidCount >= 0 && this.askCount >= 0;
    if (this.event === TRADE || this.event === AGG_TRADE) {
      if (this.event === AGG_TRADE) this.tradeId = this.aggregateId;
      return timed && (has & (SYMBOL | PRICE | QUANTITY | BUYER_MAKER)) === (SYMBOL | PRICE | QUANTITY | BUYER_MAKER) && !Number.isNaN(this.tradeId);
    }
    return true;
  }

  /** Whether the message had `s`, `pu` (futures diff depth), `ps` (COIN-M), `X` (futures trades). */
  get hasSymbol(): boolean {
    return (this.fields & SYMBOL) !== 0;
  }
  get hasPrevious(): boolean {
    return (this.fields & PREVIOUS_ID) !== 0;
  }
  get coinMargined(): boolean {
    return (this.fields & PAIR) !== 0;
  }
  get hasTradeType(): boolean {
    return (this.fields & TRADE_TYPE) !== 0;
  }

  /** The venue's time of the event: T where the message has it, else E (ms). */
  get timeMs(): number {
    return (this.fields & T_TIME) !== 0 ? this.transactionMs : this.eventMs;
  }

  /**
   * Makes the depth levels read integer units at `priceDecimals` and `sizeDecimals`, in place; false when
   * a value does not fit them exactly (more decimals, or more than 2^53 units): the JSON path reports it.
   */
  depthUnits(priceDecimals: number, sizeDecimals: number): boolean {
    if (this.maxPriceScale > priceDecimals || this.maxSizeScale > sizeDecimals) return false;
    return inUnits(this.bids, this.bidScales, this.bidCount, priceDecimals, sizeDecimals) && inUnits(this.asks, this.askScales, this.askCount, priceDecimals, sizeDecimals);
  }

  // Hot loop: one pass over the event object's fields, each value read as its key wants. False on any
  // shape outside the subset `scan` accepts.
  private object(from: number): boolean {
    const bytes = this.bytes;
    if (bytes[from] !== 123 /* { */) return false;
    let at = from + 1;
    if (bytes[at] === 125 /* } */) {
      this.at = at + 1;
      return true;
    }
    for (;;) {
      if (bytes[at] !== 34 /* " */) return false;
      const k0 = bytes[at + 1]!;
      const k1 = bytes[at + 2]!;
      let field = 0;
      if (k1 === 34 && bytes[at + 3] === 58 /* : */ && k0 !== 34 && k0 !== 92 /* \ */ && k0 >= 32) {
        field = FIELD_OF[k0]!;
        at += 4;
      } else if (k0 === 112 /* p */ && (k1 === 117 /* u */ || k1 === 115 /* s */) && bytes[at + 3] === 34 && bytes[at + 4] === 58) {
        field = k1 === 117 ? PREVIOUS_ID : PAIR;
        at += 5;
      } else {
        this.at = at + 1;
        if (!this.skipString() || bytes[this.at] !== 58) return false;
        for (const refused of REFUSED_KEYS) if (this.at - at - 2 === refused.length && this.startsWith(at + 1, refused)) return false;
        at = this.at + 1;
      }
      if (field !== 0) {
        if ((this.fields & field) !== 0) return false;
        this.fields |= field;
      }
      if (!this.value(field, at)) return false;
      at = this.at;
      const next = bytes[at];
      if (next === 125) {
        this.at = at + 1;
        return true;
      }
      if (next !== 44 /* , */) return false;
      at++;
    }
  }

  /** Reads the value at `at` of `field` (0: a field not read here, checked and skipped). */
  private value(field: number, at: number): boolean {
    const bytes = this.bytes;
    const c = bytes[at]!;
    this.at = at + 1;
    if (c === 34 /* " */) {
      switch (field) {
        case 0:
          return this.skipString();
        case PRICE:
        case BIDS:
        case ASKS:
          if (!this.decimal(at + 1)) return false;
          if (field === PRICE) {
            this.priceDigits = this.digits;
            this.priceScale = this.scale;
          }
          if (this.scale > this.maxPriceScale) this.maxPriceScale = this.scale;
          return true;
        case QUANTITY:
        case BID_SIZE:
        case ASK_SIZE:
          if (!this.decimal(at + 1)) return false;
          if (field === QUANTITY) {
            this.sizeDigits = this.digits;
            this.sizeScale = this.scale;
          }
          if (this.scale > this.maxSizeScale) this.maxSizeScale = this.scale;
          return true;
        case E_TYPE:
          this.event = this.eventAt(at + 1);
          return this.skipString();
        case SYMBOL:
          return this.symbolAt(at + 1);
        case PAIR:
          return this.skipString();
        case TRADE_TYPE:
          // Any other trade type is noted by the message handling.
          return this.stringIs(at + 1, MARKET);
        default:
          return false;
      }
    }
    if (c >= 48 && c <= 57) {
      const value = this.integer(at);
      if (Number.isNaN(value)) return false;
      switch (field) {
        case 0:
        case BIDS: // an order id in older spot trades
          return true;
        case E_TIME:
          this.eventMs = value;
          return true;
        case T_TIME:
          this.transactionMs = value;
          return true;
        case FIRST_ID:
          this.first = value;
          return true;
        case LAST_ID:
          this.last = value;
          return true;
        case PREVIOUS_ID:
          this.previous = value;
          return true;
        case TRADE_ID:
          this.tradeId = value;
          return true;
        case ASKS:
          this.aggregateId = value;
          return true;
        default:
          return false;
      }
    }
    if (c === 91 /* [ */) {
      if (field === BIDS) this.bidCount = this.levels(at, true);
      else if (field === ASKS) this.askCount = this.levels(at, false);
      else return false;
      return this.bidCount !== -2 && this.askCount !== -2;
    }
    if (field === BUYER_MAKER) {
      this.buyerMaker = this.startsWith(at, TRUE);
      if (!this.buyerMaker && !this.startsWith(at, FALSE)) return false;
      this.at = at + (this.buyerMaker ? TRUE.length : FALSE.length);
      return true;
    }
    if (field !== 0) return false;
    const literal = c === 116 /* t */ ? TRUE : c === 102 /* f */ ? FALSE : NULL;
    this.at = at + literal.length;
    return this.startsWith(at, literal);
  }

  // Hot loop: [["61800.20","0.014"],…] into digit pairs and scales; -2 when the shape is off.
  private levels(from: number, bids: boolean): number {
    const bytes = this.bytes;
    let at = from + 1;
    if (bytes[at] === 93 /* ] */) {
      this.at = at + 1;
      return 0;
    }
    let pairs = bids ? this.bids : this.asks;
    let scales = bids ? this.bidScales : this.askScales;
    let maxPrice = this.maxPriceScale;
    let maxSize = this.maxSizeScale;
    for (let count = 0; ; ) {
      if (bytes[at] !== 91 /* [ */ || bytes[at + 1] !== 34 /* " */ || !this.decimal(at + 2)) return -2;
      const price = this.digits;
      const priceScale = this.scale;
      at = this.at;
      if (bytes[at] !== 44 /* , */ || bytes[at + 1] !== 34 || !this.decimal(at + 2)) return -2;
      at = this.at;
      if (bytes[at] !== 93) return -2;
      if (2 * count + 2 > pairs.length) {
        pairs = grown(pairs, pairs.length * 2);
        scales = grown(scales, scales.length * 2);
        if (bids) {
          this.bids = pairs;
          this.bidScales = scales;
        } else {
          this.asks = pairs;
          this.askScales = scales;
        }
      }
      pairs[2 * count] = price;
      scales[2 * count] = priceScale;
      pairs[2 * count + 1] = this.digits;
      scales[2 * count + 1] = this.scale;
      if (priceScale > maxPrice) maxPrice = priceScale;
      if (this.scale > maxSize) maxSize = this.scale;
      count++;
      const next = bytes[at + 1];
      if (next === 93) {
        this.at = at + 2;
        this.maxPriceScale = maxPrice;
        this.maxSizeScale = maxSize;
        return count;
      }
      if (next !== 44) return -2;
      at += 2;
    }
  }

  /**
   * Reads a plain decimal ("61800.30", "5", "5.", ".5": digits and at most one point) from `from` to its
   * closing quote into `digits` and `scale`: the value parseUnits reads, and the decimals significantDecimals
   * counts. False when it is anything else (a sign, an exponent, no digit).
   */
  private decimal(from: number): boolean {
    const bytes = this.bytes;
    let value = 0;
    let digits = 0;
    let fraction = -1; // fraction digits read; -1 before the point
    let scale = 0; // fraction digits up to the last non-zero one
    let zeros = 0; // fraction zeros not yet known to be significant
    for (let at = from; ; at++) {
      const c = bytes[at]!;
      if (c >= 48 && c <= 57) {
        digits++;
        if (fraction < 0) value = value * 10 + (c - 48);
        else {
          fraction++;
          if (c === 48) zeros++;
          else {
            for (; zeros > 0; zeros--) value *= 10;
            value = value * 10 + (c - 48);
            scale = fraction;
          }
        }
      } else if (c === 46 /* . */ && fraction < 0) fraction = 0;
      else if (c === 34 /* " */) {
        this.at = at + 1;
        this.digits = value;
        this.scale = scale;
        return digits > 0;
      } else return false;
    }
  }

  /** A JSON integer at `from`: digits without a leading zero, at most 15 (exact in a double); NaN otherwise. */
  private integer(from: number): number {
    const bytes = this.bytes;
    let value = 0;
    let at = from;
    for (; ; at++) {
      const c = bytes[at]!;
      if (!(c >= 48 && c <= 57)) break;
      value = value * 10 + (c - 48);
    }
    this.at = at;
    const digits = at - from;
    return digits < 16 && (digits === 1 || bytes[from] !== 48) ? value : NaN;
  }

  /** Moves past the rest of a string (`this.at` is just after its opening quote); false on an escape, a control byte or no end. */
  private skipString(): boolean {
    const bytes = this.bytes;
    for (let at = this.at; at < bytes.length; at++) {
      const c = bytes[at]!;
      if (c === 34) {
        this.at = at + 1;
        return true;
      }
      if (c === 92 /* \ */ || c < 32) return false;
    }
    return false;
  }

  /** Whether the string from `from` (just after its opening quote) is `expected`. */
  private stringIs(from: number, expected: Uint8Array): boolean {
    if (!this.startsWith(from, expected) || this.bytes[from + expected.length] !== 34) return false;
    this.at = from + expected.length + 1;
    return true;
  }

  /** The event the string from `from` (just after its opening quote) names. */
  private eventAt(from: number): number {
    if (this.startsWith(from, DEPTH_UPDATE_NAME)) return DEPTH_UPDATE;
    if (this.startsWith(from, TRADE_NAME)) return TRADE;
    return this.startsWith(from, AGG_TRADE_NAME) ? AGG_TRADE : OTHER_EVENT;
  }

  /** Reads the symbol from `from` (just after its quote): printable ASCII only (the JSON path decodes anything else). */
  private symbolAt(from: number): boolean {
    const bytes = this.bytes;
    let end = from;
    for (; ; end++) {
      const c = bytes[end];
      if (c === 34) break;
      if (c === undefined || c === 92 || c < 32 || c > 126) return false;
    }
    this.at = end + 1;
    const length = end - from;
    for (const known of this.symbols) {
      if (known.bytes.length !== length) continue;
      let k = 0;
      while (k < length && known.bytes[k] === bytes[from + k]) k++;
      if (k === length) {
        this.symbol = known.text;
        return true;
      }
    }
    const copy = bytes.slice(from, end);
    this.symbol = String.fromCharCode(...copy);
    if (this.symbols.length < 64) this.symbols.push({ bytes: copy, text: this.symbol });
    return true;
  }

  private startsWith(from: number, expected: Uint8Array): boolean {
    const bytes = this.bytes;
    for (let k = 0; k < expected.length; k++) if (bytes[from + k] !== expected[k]) return false;
    return true;
  }
}

/** `digits` × 10^-`scale` as integer units at `decimals`; NaN when they do not hold it exactly or exceed 2^53. */
export function unitsOfDigits(digits: number, scale: number, decimals: number): number {
  if (scale > decimals || decimals - scale > 18) return NaN;
  const units = digits * pow10(decimals - scale);
  return units <= Number.MAX_SAFE_INTEGER ? units : NaN;
}

/** Makes (price, quantity) digit pairs units, in place; false when one does not fit. */
function inUnits(pairs: Float64Array, scales: Int32Array, count: number, priceDecimals: number, sizeDecimals: number): boolean {
  for (let k = 0; k < 2 * count; k += 2) {
    const price = unitsOfDigits(pairs[k]!, scales[k]!, priceDecimals);
    const size = unitsOfDigits(pairs[k + 1]!, scales[k + 1]!, sizeDecimals);
    if (Number.isNaN(price) || Number.isNaN(size)) return false;
    pairs[k] = price;
    pairs[k + 1] = size;
  }
  return true;
}
