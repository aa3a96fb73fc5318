import { decimalsOf, numberToUnits, parseUnits } from '../../core/decimal.js';
import { Action, Flag, Stat } from '../../core/event.js';
import { grown } from '../../core/typed-arrays.js';
import { textLines } from '../lines.js';
import { decimalText, rateIsRounded, rateUnits } from '../stat-values.js';
import type { CaptureContext, CryptofeedVenue } from './venue.js';

/** Tables whose `partial` shows the decimals a symbol's prices and sizes use. */
const DECIMAL_TABLES = new Set(['orderBookL2', 'orderBookL2_25', 'quote', 'trade', 'instrument']);
/** Per table: the fields holding prices and the fields holding sizes. */
const PRICE_FIELDS: Record<string, readonly string[]> = {
  orderBookL2: ['price'],
  orderBookL2_25: ['price'],
  quote: ['bidPrice', 'askPrice'],
  trade: ['price'],
  instrument: ['tickSize', 'markPrice', 'indicativeSettlePrice', 'lastPrice'],
};
const SIZE_FIELDS: Record<string, readonly string[]> = {
  orderBookL2: ['size'],
  orderBookL2_25: ['size'],
  quote: ['bidSize', 'askSize'],
  trade: ['size'],
  instrument: ['openInterest'],
};
/** `instrument` table fields kept as Stat rows: [field, Stat code, kind of value]. */
const INSTRUMENT_STATS: readonly [string, number, 'price' | 'size' | 'rate'][] = [
  ['markPrice', Stat.MarkPrice, 'price'],
  ['indicativeSettlePrice', Stat.IndexPrice, 'price'],
  ['lastPrice', Stat.LastPrice, 'price'],
  ['fundingRate', Stat.FundingRate, 'rate'],
  ['indicativeFundingRate', Stat.PredictedFundingRate, 'rate'],
  ['openInterest', Stat.OpenInterest, 'size'],
];
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Decimals a BitMEX symbol's values use, as its partials show them; `tick` is the instrument's tickSize text. */
export interface BitmexDecimals {
  price: number;
  size: number;
  tick: string | null;
}

/**
 * BitMEX realtime websocket (`wss://www.bitmex.com/realtime`): `orderBookL2` (and `orderBookL2_25`) books
 * of id-keyed levels, `trade`, `instrument` and `funding` as Stat rows; `quote` is the oracle
 * (`bitmexQuotes`). Each symbol's decimals are read first from the partials at the start of the capture.
 */
export const bitmexVenue: CryptofeedVenue = {
  name: 'bitmex',
  matches: (url) => /bitmex\.com/.test(url),
  async handler(context) {
    const messages = new BitmexMessages(context, await bitmexPartialDecimals(context.path, context.head));
    return (message, recv, line, raw) => messages.message(message, recv, line, raw);
  },
};

/** The tables and `table:symbol` pairs the capture's sent subscribe frames ask for. */
function subscriptions(head: string): Set<string> {
  const wanted = new Set<string>();
  for (const match of head.matchAll(/^wss?:\/\/\S+ <- [\d.]+: (\{.*\})\r?$/gm)) {
    let frame: { op?: unknown; args?: unknown };
    try {
      frame = JSON.parse(match[1]!) as typeof frame;
    } catch {
      continue;
    }
    if (frame.op !== 'subscribe' || !Array.isArray(frame.args)) continue;
    for (const arg of frame.args) if (typeof arg === 'string' && DECIMAL_TABLES.has(arg.split(':')[0]!)) wanted.add(arg);
  }
  return wanted;
}

/** Decimals of a JSON number's shortest text. */
function numberDecimals(value: number): number {
  return decimalsOf(decimalText(value));
}

/**
 * Reads the capture from its start until every subscribed table has sent its `partial` (BitMEX sends them
 * right after subscribing), and returns per symbol the most decimals any price and any size of those
 * partials has, and the instrument's tickSize where the `instrument` table was subscribed. The partials
 * list a symbol's whole book, so they show the decimals its tick needs before any trade or update comes.
 */
export async function bitmexPartialDecimals(path: string, head: string): Promise<Map<string, BitmexDecimals>> {
  const decimals = new Map<string, BitmexDecimals>();
  const wanted = subscriptions(head);
  if (wanted.size === 0) return decimals;
  for await (const [, text] of textLines(path)) {
    if (!text.includes('"action":"partial"') || !/^\d+(?:\.\d+)?: \{/.test(text)) continue;
    let message: { table?: unknown; filter?: { symbol?: unknown }; data?: unknown };
    try {
      message = JSON.parse(text.slice(text.indexOf(': ') + 2)) as typeof message;
    } catch {
      continue; // the reader reports the line when it reaches it
    }
    const table = message.table;
    if (typeof table !== 'string' || !DECIMAL_TABLES.has(table) || !Array.isArray(message.data)) continue;
    for (const row of message.data as Record<string, unknown>[]) {
      if (typeof row?.symbol !== 'string') continue;
      let entry = decimals.get(row.symbol);
      if (!entry) decimals.set(row.symbol, (entry = { price: 0, size: 0, tick: null }));
      for (const field of PRICE_FIELDS[table]!) if (typeof row[field] === 'number') entry.price = Math.max(entry.price, numberDecimals(row[field] as number));
      for (const field of SIZE_FIELDS[table]!) if (typeof row[field] === 'number') entry.size = Math.max(entry.size, numberDecimals(row[field] as number));
      if (table === 'instrument' && typeof row.tickSize === 'number') entry.tick = decimalText(row.tickSize);
    }
    const symbol = message.filter?.symbol;
    wanted.delete(typeof symbol === 'string' ? `${table}:${symbol}` : table);
    if (wanted.size === 0) break;
  }
  return decimals;
}

/** One symbol's state: its instrument and the price and side of each level id in its book. */
interface BitmexSymbol {
  instrument: number;
  priceDecimals: number;
  sizeDecimals: number;
  /** True once an orderBookL2 partial has restated the book. */
  synced: boolean;
  priceOf: Map<number, number>;
  sideOf: Map<number, number>;
}

/**
 * BitMEX table messages as rows. `orderBookL2`: a `partial` is a full snapshot of each symbol it lists;
 * `insert` adds a level (id, side, price, size), `update` sets its size and `delete` removes it. In 2021
 * `update` and `delete` rows carry no price: the price of each id is kept from its partial or insert, and
 * an id the book does not hold is an `unknown_level_id` finding. One message is one atomic update per
 * symbol. Book rows have no venue time before BitMEX added `timestamp` to them: tsEvent is then the
 * receive time; `seq` is the line (BitMEX has no sequence numbers).
 */
export class BitmexMessages {
  private readonly symbols = new Map<string, BitmexSymbol>();
  private readonly byInstrument: BitmexSymbol[] = [];
  // A message's rows are checked whole before any is written, so a rejected message leaves no rows.
  private capacity = 0;
  private rowInstrument = new Int32Array(0);
  private rowAction = new Uint8Array(0);
  private rowSide = new Int8Array(0);
  private rowPrice = new Float64Array(0);
  private rowSize = new Float64Array(0);
  private rowTime = new Float64Array(0);
  private rowId = new Float64Array(0);
  private rowCode = new Float64Array(0);
  /** Level ids an update message has touched so far: price (NaN once deleted) and side. */
  private readonly touchedPrice = new Map<number, number>();
  private readonly touchedSide = new Map<number, number>();

  constructor(
    private readonly context: CaptureContext,
    private readonly decimals: Map<string, BitmexDecimals>,
  ) {}

  message(message: unknown, recv: number, line: number, raw: string): void {
    const report = this.context.integrity.report;
    const m = message as Record<string, unknown>;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return this.reject(line, 'message', 'expected a JSON object', raw);
    const table = m.table;
    if (typeof table !== 'string') {
      if ('info' in m) report.note('welcome_messages');
      else if ('subscribe' in m) report.note('subscription_acks');
      else if ('error' in m) report.note('error_messages');
      else report.note('other_messages');
      return;
    }
    const action = m.action;
    const data = m.data;
    if (typeof action !== 'string' || !Array.isArray(data)) return this.reject(line, 'data', `expected "action" and a "data" array in a ${table} message`, raw);
    switch (table) {
      case 'orderBookL2':
      case 'orderBookL2_25':
        return this.book(action, data as Record<string, unknown>[], m.filter as Record<string, unknown> | undefined, recv, line, raw);
      case 'trade':
        if (action === 'partial') return report.note('trade_partial_rows_not_replayed', data.length);
        return this.trades(data as Record<string, unknown>[], recv, line, raw);
      case 'funding':
        if (action === 'partial') return report.note('funding_partial_rows_not_replayed', data.length);
        return this.stats(table, action, data as Record<string, unknown>[], recv, line, raw);
      case 'instrument':
        return this.stats(table, action, data as Record<string, unknown>[], recv, line, raw);
      case 'quote':
        // The venue's own best bid and offer: the oracle for the rebuilt book (bitmexQuotes), not book data.
        return report.note('quote_rows', data.length);
      default:
        report.note(`other_table_${table}`);
    }
  }

  /** The state of a symbol, interned on first sight with the decimals its partials showed (else this row's). */
  private symbol(symbol: string, row: Record<string, unknown>): BitmexSymbol {
    let state = this.symbols.get(symbol);
    if (state) return state;
    let decimals = this.decimals.get(symbol);
    if (!decimals) {
      // Not in any partial at the start (a later subscription): the row itself is all there is to go by.
      decimals = { price: 0, size: 0, tick: null };
      for (const field of ['price', 'bidPrice', 'askPrice', 'markPrice', 'indicativeSettlePrice', 'lastPrice']) if (typeof row[field] === 'number') decimals.price = Math.max(decimals.price, numberDecimals(row[field] as number));
      for (const field of ['size', 'bidSize', 'askSize', 'openInterest']) if (typeof row[field] === 'number') decimals.size = Math.max(decimals.size, numberDecimals(row[field] as number));
      this.context.integrity.report.note('symbols_with_decimals_from_first_row');
    }
    const priceDecimals = Math.max(decimals.price, decimals.tick === null ? 0 : decimalsOf(decimals.tick));
    const tick = decimals.tick === null ? NaN : parseUnits(decimals.tick, priceDecimals);
    const instrument = this.context.instruments.intern({ venue: 'bitmex', symbol, venueId: -1, priceDecimals, sizeDecimals: decimals.size, tickUnits: tick > 0 ? tick : 0 });
    state = { instrument, priceDecimals, sizeDecimals: decimals.size, synced: false, priceOf: new Map(), sideOf: new Map() };
    this.symbols.set(symbol, state);
    this.byInstrument[instrument] = state;
    return state;
  }

  private book(action: string, data: Record<string, unknown>[], filter: Record<string, unknown> | undefined, recv: number, line: number, raw: string): void {
    const report = this.context.integrity.report;
    if (action !== 'partial' && action !== 'insert' && action !== 'update' && action !== 'delete') return this.reject(line, 'action', `unknown orderBookL2 action "${action}"`, raw);
    this.reserve(data.length);
    this.touchedPrice.clear();
    this.touchedSide.clear();
    let n = 0;
    let early = 0;
    for (const row of data) {
      const symbol = row?.symbol;
      const id = row?.id;
      const side = row?.side === 'Buy' ? 1 : row?.side === 'Sell' ? -1 : 0;
      if (typeof symbol !== 'string' || typeof id !== 'number' || side === 0) return this.reject(line, 'data', `expected symbol, id and side Buy or Sell in ${JSON.stringify(row)}`, raw);
      const state = this.symbol(symbol, row);
      if (action !== 'partial' && !state.synced) {
        early++; // BitMEX: messages before the table's partial are to be ignored
        continue;
      }
      const time = typeof row.timestamp === 'string' ? this.isoOffset(row.timestamp) : recv;
      if (Number.isNaN(time)) return this.reject(line, 'timestamp', `not an ISO time: ${JSON.stringify(row.timestamp)}`, raw);
      let price: number;
      if (action === 'partial' || action === 'insert') {
        price = typeof row.price === 'number' ? numberToUnits(row.price, state.priceDecimals) : NaN;
        if (Number.isNaN(price)) return this.reject(line, 'price', `${JSON.stringify(row.price)} is not a price of ${symbol} at its ${state.priceDecimals} decimals`, raw);
        if (action === 'insert' && this.known(state, id)) return this.reject(line, 'id', `insert of id ${id} already in the ${symbol} book`, raw, 'duplicate_level_id');
      } else {
        if (!this.known(state, id)) return this.reject(line, 'id', `${action} of id ${id} not in the ${symbol} book`, raw, 'unknown_level_id');
        price = this.touchedPrice.get(id) ?? state.priceOf.get(id)!;
        const heldSide = this.touchedSide.get(id) ?? state.sideOf.get(id)!;
        if (heldSide !== side) return this.reject(line, 'side', `${action} of id ${id} (${symbol}) on side ${row.side}, held on the other side`, raw, 'level_side_changed');
        if (typeof row.price === 'number' && numberToUnits(row.price, state.priceDecimals) !== price) return this.reject(line, 'price', `${action} of id ${id} (${symbol}) at ${row.price}, held at another price`, raw, 'level_price_changed');
      }
      let size = 0;
      if (action !== 'delete') {
        size = typeof row.size === 'number' ? numberToUnits(row.size, state.sizeDecimals) : NaN;
        if (!(size >= 0)) return this.reject(line, 'size', `${JSON.stringify(row.size)} is not a size of ${symbol} at its ${state.sizeDecimals} decimals`, raw);
      }
      if (action === 'partial' || action === 'insert') {
        this.touchedPrice.set(id, price);
        this.touchedSide.set(id, side);
      } else if (action === 'delete') this.touchedPrice.set(id, NaN);
      this.rowInstrument[n] = state.instrument;
      this.rowAction[n] = action === 'delete' || size === 0 ? Action.LevelDelete : Action.LevelSet;
      this.rowSide[n] = side;
      this.rowPrice[n] = price;
      this.rowSize[n] = size;
      this.rowTime[n] = time;
      this.rowId[n] = id;
      n++;
    }
    if (early > 0) report.note('book_rows_before_partial', early);
    const builder = this.context.builder();
    if (action === 'partial') {
      // A partial restates whole books: one full snapshot per symbol it lists (or its filter names, if empty).
      const filtered = typeof filter?.symbol === 'string' ? filter.symbol : null;
      if (n === 0 && filtered !== null) {
        const state = this.symbol(filtered, {});
        this.resync(state);
        builder.push(recv, recv, state.instrument, Action.SnapshotBegin, 0, 0, 0, 0, line, Flag.Snapshot, line);
        builder.push(recv, recv, state.instrument, Action.SnapshotEnd, 0, 0, 0, 0, line, Flag.Snapshot | Flag.Last, line);
      }
      for (let k = 0; k < n; k++) {
        const instrument = this.rowInstrument[k]!;
        if (k === 0 || instrument !== this.rowInstrument[k - 1]) {
          this.resync(this.stateOf(instrument));
          builder.push(this.rowTime[k]!, recv, instrument, Action.SnapshotBegin, 0, 0, 0, 0, line, Flag.Snapshot, line);
        }
        const state = this.stateOf(instrument);
        state.priceOf.set(this.rowId[k]!, this.rowPrice[k]!);
        state.sideOf.set(this.rowId[k]!, this.rowSide[k]!);
        if (this.rowSize[k]! > 0) builder.push(this.rowTime[k]!, recv, instrument, Action.LevelSet, this.rowSide[k]!, this.rowPrice[k]!, this.rowSize[k]!, 0, line, Flag.Snapshot, line);
        else report.note('partial_levels_of_size_0');
        if (k === n - 1 || this.rowInstrument[k + 1] !== instrument) builder.push(this.rowTime[k]!, recv, instrument, Action.SnapshotEnd, 0, 0, 0, 0, line, Flag.Snapshot | Flag.Last, line);
      }
      report.note('book_partials');
      return;
    }
    for (let k = 0; k < n; k++) {
      const instrument = this.rowInstrument[k]!;
      const state = this.stateOf(instrument);
      const id = this.rowId[k]!;
      if (action === 'insert') {
        state.priceOf.set(id, this.rowPrice[k]!);
        state.sideOf.set(id, this.rowSide[k]!);
      } else if (action === 'delete') {
        state.priceOf.delete(id);
        state.sideOf.delete(id);
      }
      builder.push(this.rowTime[k]!, recv, instrument, this.rowAction[k]!, this.rowSide[k]!, this.rowPrice[k]!, this.rowSize[k]!, 0, line, 0, line);
      if (k === n - 1 || this.rowInstrument[k + 1] !== instrument) builder.endUpdate();
    }
  }

  /** Whether a level id is in the symbol's book, counting what this message did to it so far. */
  private known(state: BitmexSymbol, id: number): boolean {
    const touched = this.touchedPrice.get(id);
    return touched !== undefined ? !Number.isNaN(touched) : state.priceOf.has(id);
  }

  /** A partial restates the symbol's book: the ids it held before are forgotten. */
  private resync(state: BitmexSymbol): void {
    state.priceOf.clear();
    state.sideOf.clear();
    state.synced = true;
  }

  private stateOf(instrument: number): BitmexSymbol {
    return this.byInstrument[instrument]!;
  }

  /** `trade` inserts: one Trade row per execution, side = the aggressor (BitMEX `side` is the taker's). */
  private trades(data: Record<string, unknown>[], recv: number, line: number, raw: string): void {
    this.reserve(data.length);
    for (let k = 0; k < data.length; k++) {
      const row = data[k]!;
      if (typeof row?.symbol !== 'string') return this.reject(line, 'symbol', `expected a symbol in ${JSON.stringify(row)}`, raw);
      const state = this.symbol(row.symbol, row);
      const time = typeof row.timestamp === 'string' ? this.isoOffset(row.timestamp) : NaN;
      const price = typeof row.price === 'number' ? numberToUnits(row.price, state.priceDecimals) : NaN;
      const size = typeof row.size === 'number' ? numberToUnits(row.size, state.sizeDecimals) : NaN;
      const side = row.side === 'Buy' ? 1 : row.side === 'Sell' ? -1 : row.side === '' || row.side === null ? 0 : NaN;
      if (Number.isNaN(time)) return this.reject(line, 'timestamp', `not an ISO time: ${JSON.stringify(row.timestamp)}`, raw);
      if (Number.isNaN(price)) return this.reject(line, 'price', `${JSON.stringify(row.price)} is not a price of ${row.symbol} at its ${state.priceDecimals} decimals`, raw);
      if (!(size > 0)) return this.reject(line, 'size', `${JSON.stringify(row.size)} is not a size of ${row.symbol} at its ${state.sizeDecimals} decimals`, raw);
      if (Number.isNaN(side)) return this.reject(line, 'side', `expected Buy, Sell or none, found ${JSON.stringify(row.side)}`, raw);
      this.rowInstrument[k] = state.instrument;
      this.rowSide[k] = side;
      this.rowPrice[k] = price;
      this.rowSize[k] = size;
      this.rowTime[k] = time;
    }
    const builder = this.context.builder();
    for (let k = 0; k < data.length; k++) {
      const instrument = this.rowInstrument[k]!;
      if (this.rowSide[k] === 0) this.context.integrity.report.note('trades_without_side');
      builder.push(this.rowTime[k]!, recv, instrument, Action.Trade, this.rowSide[k]!, this.rowPrice[k]!, this.rowSize[k]!, 0, line, 0, line);
      if (k === data.length - 1 || this.rowInstrument[k + 1] !== instrument) builder.endUpdate();
    }
  }

  /**
   * `instrument` rows (partial: every field; updates: the fields that changed) and `funding` inserts as
   * Stat rows: markPrice, indicativeSettlePrice (the index), lastPrice, fundingRate, indicativeFundingRate
   * (the predicted rate) and openInterest; a funding insert's fundingRate is the rate just charged.
   * tsEvent is the row's `timestamp`. Rows of a partial restate state: flagged Snapshot.
   */
  private stats(table: string, action: string, data: Record<string, unknown>[], recv: number, line: number, raw: string): void {
    const fields = table === 'funding' ? INSTRUMENT_STATS.filter(([field]) => field === 'fundingRate') : INSTRUMENT_STATS;
    let n = 0;
    let rounded = 0;
    for (const row of data) {
      if (typeof row?.symbol !== 'string') return this.reject(line, 'symbol', `expected a symbol in ${JSON.stringify(row)}`, raw);
      const state = this.symbol(row.symbol, row);
      const time = typeof row.timestamp === 'string' ? this.isoOffset(row.timestamp) : recv;
      if (Number.isNaN(time)) return this.reject(line, 'timestamp', `not an ISO time: ${JSON.stringify(row.timestamp)}`, raw);
      for (const [field, code, kind] of fields) {
        const value = row[field];
        if (value === undefined || value === null) continue;
        if (typeof value !== 'number') return this.reject(line, field, `expected a number, found ${JSON.stringify(value)}`, raw);
        const text = decimalText(value);
        const units = kind === 'rate' ? rateUnits(text) : parseUnits(text, kind === 'price' ? state.priceDecimals : state.sizeDecimals);
        if (Number.isNaN(units)) return this.reject(line, field, `${text} does not fit ${row.symbol}'s ${kind === 'price' ? state.priceDecimals : state.sizeDecimals} decimals`, raw);
        if (kind === 'rate' && rateIsRounded(text)) rounded++;
        this.reserve(n + 1);
        this.rowInstrument[n] = state.instrument;
        this.rowCode[n] = code;
        this.rowPrice[n] = kind === 'price' ? units : 0;
        this.rowSize[n] = kind === 'price' ? 0 : units;
        this.rowTime[n] = time;
        n++;
      }
    }
    if (rounded > 0) this.context.integrity.report.note('rates_rounded_to_1e-12', rounded);
    const builder = this.context.builder();
    const flags = action === 'partial' ? Flag.Snapshot : 0;
    for (let k = 0; k < n; k++) {
      const instrument = this.rowInstrument[k]!;
      builder.push(this.rowTime[k]!, recv, instrument, Action.Stat, 0, this.rowPrice[k]!, this.rowSize[k]!, this.rowCode[k]!, line, flags, line);
      if (k === n - 1 || this.rowInstrument[k + 1] !== instrument) builder.endUpdate();
    }
    this.context.integrity.report.note(`${table}_stat_rows`, n);
  }

  /** BitMEX times (`2021-07-22T22:36:10.014Z`) as ns after the time base, exact; NaN if not such text. */
  private isoOffset(text: string): number {
    const match = ISO_TIME.exec(text);
    if (!match) return NaN;
    const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]));
    const nanos = match[7] === undefined ? 0 : Number(match[7].padEnd(9, '0'));
    return (ms / 1000 - this.context.baseSeconds()) * 1e9 + nanos;
  }

  /** Makes room for `rows` checked rows, keeping those already there. */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, 2 * this.capacity, 256);
    this.rowInstrument = grown(this.rowInstrument, capacity);
    this.rowAction = grown(this.rowAction, capacity);
    this.rowSide = grown(this.rowSide, capacity);
    this.rowPrice = grown(this.rowPrice, capacity);
    this.rowSize = grown(this.rowSize, capacity);
    this.rowTime = grown(this.rowTime, capacity);
    this.rowId = grown(this.rowId, capacity);
    this.rowCode = grown(this.rowCode, capacity);
    this.capacity = capacity;
  }

  /** Rejects the whole message (no row of it has been written). */
  private reject(line: number, field: string, detail: string, raw: string, kind = 'malformed_row'): void {
    this.context.integrity.reject(kind, line, field, detail, raw);
  }
}

/** One row of BitMEX's `quote` table: the venue's best bid and offer at `timestamp`. */
export interface BitmexQuote {
  line: number;
  symbol: string;
  /** ISO time text, as BitMEX sends it. */
  timestamp: string;
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
  /** True for the rows of the `partial` (the state when the subscription started). */
  partial: boolean;
}

/** Streams the `quote` rows of a BitMEX capture: the oracle for the rebuilt best bid and offer. */
export async function* bitmexQuotes(path: string): AsyncGenerator<BitmexQuote> {
  for await (const [line, text] of textLines(path)) {
    if (!text.includes('"table":"quote"') || !/^\d+(?:\.\d+)?: \{/.test(text)) continue;
    const message = JSON.parse(text.slice(text.indexOf(': ') + 2)) as { action: string; data: Omit<BitmexQuote, 'line' | 'partial'>[] };
    for (const row of message.data) yield { line, symbol: row.symbol, timestamp: row.timestamp, bidPrice: row.bidPrice, bidSize: row.bidSize, askPrice: row.askPrice, askSize: row.askSize, partial: message.action === 'partial' };
  }
}
