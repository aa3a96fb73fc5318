import { numberToUnits } from '../../core/decimal.js';
import { InputError } from '../../core/errors.js';
import { Action, Flag, Stat } from '../../core/event.js';
import { NS_PER_MS } from '../../core/time.js';
import { grown } from '../../core/typed-arrays.js';
import { textLines } from '../lines.js';
import { decimalText, rateIsRounded, rateUnits } from '../stat-values.js';
import type { CaptureContext, CryptofeedVenue } from './venue.js';

/**
 * Decimals of every Deribit price: one satoshi. Book prices of coin-quoted options step by 0.0005 (or
 * 0.0001), but their mark prices are printed to 8 decimals; USD prices (futures, index) stay far below
 * 2^53 units at 8 decimals (up to 90 million).
 */
export const DERIBIT_PRICE_DECIMALS = 8;
/**
 * Decimals of every Deribit amount: options and linear contracts count the coin (0.1 BTC, 1 ETH, 0.0001
 * steps), inverse futures count USD; open interest of an inverse perpetual reaches 10^9 USD, so 8
 * decimals would not stay below 2^53.
 */
export const DERIBIT_SIZE_DECIMALS = 4;

/** `ticker` fields kept as Stat rows: [field, Stat code, kind of value]. */
const TICKER_STATS: readonly [string, number, 'price' | 'size' | 'rate'][] = [
  ['mark_price', Stat.MarkPrice, 'price'],
  ['index_price', Stat.IndexPrice, 'price'],
  ['last_price', Stat.LastPrice, 'price'],
  ['current_funding', Stat.FundingRate, 'rate'],
  ['open_interest', Stat.OpenInterest, 'size'],
];

/** Deribit JSON-RPC websocket (`wss://www.deribit.com/ws/api/v2`): books, trades and tickers of many instruments. */
export const deribitVenue: CryptofeedVenue = {
  name: 'deribit',
  matches: (url) => /deribit\.com/.test(url),
  handler(context) {
    const messages = new DeribitMessages(context);
    return (message, recv, line, raw) => messages.message(message, recv, line, raw);
  },
};

/** One instrument's book sync and trade sequence. */
interface DeribitInstrument {
  instrument: number;
  /** True from a snapshot until a change does not follow the one before it. */
  synced: boolean;
  /** change_id of the last book message (followed also while unsynced, so every gap is reported). */
  lastChangeId: number;
  lastTradeSeq: number;
}

/**
 * Deribit `subscription` notifications as rows, one book per instrument.
 * - `book.<instrument>.<interval>`: `type` snapshot → a full snapshot; change → `LevelSet` for `new` and
 *   `change` entries, `LevelDelete` for `delete` (entries are [action, price, amount]); `seq` = change_id.
 *   Each change must name the previous message's change_id as `prev_change_id`; one that does not is a
 *   `sequence_gap` (an error under strict) and the book waits for the next snapshot.
 * - `trades.…`: `Trade` rows, side = `direction` (the taker's), `seq` = trade_seq (checked per instrument).
 * - `ticker.<instrument>.<interval>`: Stat rows (mark, index and last price, current_funding, open
 *   interest); best bid and ask are the oracle (`deribitTickers`); greeks and implied volatilities of
 *   options are not kept (counted).
 * Times: the message's `timestamp` (ms) is tsEvent.
 */
export class DeribitMessages {
  private readonly instruments = new Map<string, DeribitInstrument>();
  /** A message's rows, checked whole before any is written: (action, side, price, size) per row. */
  private rows = new Float64Array(4 * 256);
  /** The event time of each trade row of a message. */
  private rowTimes = new Float64Array(256);

  constructor(private readonly context: CaptureContext) {}

  message(message: unknown, recv: number, line: number, raw: string): void {
    const report = this.context.integrity.report;
    const m = message as Record<string, unknown>;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return this.reject(line, 'message', 'expected a JSON-RPC object', raw);
    if (m.method !== 'subscription') {
      if (m.method === 'heartbeat') report.note('heartbeats');
      else if ('error' in m) report.note('rpc_errors');
      else if ('result' in m) report.note('rpc_responses');
      else report.note('other_messages');
      return;
    }
    const params = m.params as { channel?: unknown; data?: unknown } | undefined;
    const channel = params?.channel;
    const data = params?.data;
    if (typeof channel !== 'string' || data === null || typeof data !== 'object') return this.reject(line, 'params', 'expected params.channel and params.data', raw);
    const kind = channel.slice(0, channel.indexOf('.'));
    if (kind === 'book') {
      // book.<instrument>.<interval>; the grouped form book.<instrument>.<group>.<depth>.<interval> is another format.
      if (channel.split('.').length !== 3) return report.note('grouped_book_messages_not_read');
      return this.book(data as Record<string, unknown>, recv, line, raw);
    }
    if (kind === 'trades') return this.trades(data as Record<string, unknown>[], recv, line, raw);
    if (kind === 'ticker') return this.ticker(data as Record<string, unknown>, recv, line, raw);
    report.note(`other_channel_${kind || channel}`);
  }

  private instrument(name: string): DeribitInstrument {
    let state = this.instruments.get(name);
    if (!state) {
      const instrument = this.context.instruments.intern({ venue: 'deribit', symbol: name, venueId: -1, priceDecimals: DERIBIT_PRICE_DECIMALS, sizeDecimals: DERIBIT_SIZE_DECIMALS, tickUnits: 0 });
      state = { instrument, synced: false, lastChangeId: NaN, lastTradeSeq: NaN };
      this.instruments.set(name, state);
    }
    return state;
  }

  private book(data: Record<string, unknown>, recv: number, line: number, raw: string): void {
    const report = this.context.integrity.report;
    const { instrument_name: name, type, change_id: changeId, prev_change_id: previous } = data;
    const snapshot = type === 'snapshot';
    if (typeof name !== 'string' || (!snapshot && type !== 'change') || typeof changeId !== 'number') return this.reject(line, 'data', 'expected instrument_name, type snapshot or change, and change_id', raw);
    if (!snapshot && typeof previous !== 'number') return this.reject(line, 'prev_change_id', 'a change must carry prev_change_id', raw);
    const time = this.msOffset(data.timestamp);
    if (Number.isNaN(time)) return this.reject(line, 'timestamp', `not epoch milliseconds: ${JSON.stringify(data.timestamp)}`, raw);
    const n = this.levels(data.bids, 1, 0) ?? -1;
    const total = n < 0 ? -1 : (this.levels(data.asks, -1, n) ?? -1);
    if (total < 0) return this.reject(line, n < 0 ? 'bids' : 'asks', `expected ["new"|"change"|"delete", price, amount] entries, exact at ${DERIBIT_PRICE_DECIMALS} and ${DERIBIT_SIZE_DECIMALS} decimals`, raw);
    const state = this.instrument(name);
    const builder = this.context.builder();
    if (snapshot) {
      state.synced = true;
      state.lastChangeId = changeId;
      builder.push(time, recv, state.instrument, Action.SnapshotBegin, 0, 0, 0, 0, changeId, Flag.Snapshot, line);
      this.push(state.instrument, total, time, recv, changeId, Flag.Snapshot, line);
      builder.push(time, recv, state.instrument, Action.SnapshotEnd, 0, 0, 0, 0, changeId, Flag.Snapshot | Flag.Last, line);
      report.note('book_snapshots');
      return;
    }
    const expected = state.lastChangeId;
    state.lastChangeId = changeId;
    if (Number.isNaN(expected)) return report.note('book_changes_before_snapshot');
    if (previous !== expected) this.gap(state, name, line, `expected prev_change_id=${expected}, was ${previous}`);
    if (!state.synced) return report.note('book_changes_while_unsynced');
    if (total === 0) return report.note('empty_book_changes');
    this.push(state.instrument, total, time, recv, changeId, 0, line);
    builder.endUpdate();
  }

  /**
   * Messages are missing before this one: an error under strict; otherwise counted, and the book waits
   * for the next snapshot. The message itself is a good row.
   */
  private gap(state: DeribitInstrument, name: string, line: number, detail: string): void {
    const message = `sequence gap for DERIBIT.${name}: ${detail}`;
    if (this.context.integrity.policy === 'strict') throw new InputError(this.context.path, line, 'prev_change_id', message);
    this.context.integrity.report.count('sequence_gap', `line ${line}: ${message}`);
    if (state.synced) this.context.integrity.report.note('book_unsynced_after_gap');
    state.synced = false;
  }

  /** Parses one side's entries into the row buffer from row `start`; returns the rows then held, or null. */
  private levels(entries: unknown, side: number, start: number): number | null {
    if (!Array.isArray(entries)) return null;
    let n = start;
    for (const entry of entries) {
      if (!Array.isArray(entry) || typeof entry[1] !== 'number' || typeof entry[2] !== 'number') return null;
      const remove = entry[0] === 'delete';
      if (!remove && entry[0] !== 'new' && entry[0] !== 'change') return null;
      const price = numberToUnits(entry[1], DERIBIT_PRICE_DECIMALS);
      const size = remove ? 0 : numberToUnits(entry[2], DERIBIT_SIZE_DECIMALS);
      if (!(price >= 0) || !(size >= 0)) return null;
      this.reserve(n + 1);
      this.rows[4 * n] = size > 0 ? Action.LevelSet : Action.LevelDelete;
      this.rows[4 * n + 1] = side;
      this.rows[4 * n + 2] = price;
      this.rows[4 * n + 3] = size;
      n++;
    }
    return n;
  }

  private push(instrument: number, n: number, time: number, recv: number, seq: number, flags: number, line: number): void {
    const builder = this.context.builder();
    const rows = this.rows;
    for (let k = 0; k < n; k++) builder.push(time, recv, instrument, rows[4 * k]!, rows[4 * k + 1]!, rows[4 * k + 2]!, rows[4 * k + 3]!, 0, seq, flags, line);
  }

  /** Trades of one message (any trades.* channel): checked whole, then one update per instrument run. */
  private trades(data: Record<string, unknown>[], recv: number, line: number, raw: string): void {
    if (!Array.isArray(data)) return this.reject(line, 'data', 'expected an array of trades', raw);
    const report = this.context.integrity.report;
    this.reserve(data.length);
    const states: DeribitInstrument[] = [];
    for (let k = 0; k < data.length; k++) {
      const trade = data[k]!;
      const name = trade?.instrument_name;
      const seq = trade?.trade_seq;
      const time = this.msOffset(trade?.timestamp);
      const price = typeof trade?.price === 'number' ? numberToUnits(trade.price, DERIBIT_PRICE_DECIMALS) : NaN;
      const size = typeof trade?.amount === 'number' ? numberToUnits(trade.amount, DERIBIT_SIZE_DECIMALS) : NaN;
      const side = trade?.direction === 'buy' ? 1 : trade?.direction === 'sell' ? -1 : 0;
      if (typeof name !== 'string' || typeof seq !== 'number') return this.reject(line, 'data', `expected instrument_name and trade_seq in ${JSON.stringify(trade)}`, raw);
      if (Number.isNaN(time)) return this.reject(line, 'timestamp', `not epoch milliseconds: ${JSON.stringify(trade.timestamp)}`, raw);
      if (Number.isNaN(price)) return this.reject(line, 'price', `${JSON.stringify(trade.price)} is not exact at ${DERIBIT_PRICE_DECIMALS} decimals`, raw);
      if (!(size > 0)) return this.reject(line, 'amount', `${JSON.stringify(trade.amount)} is not a positive amount exact at ${DERIBIT_SIZE_DECIMALS} decimals`, raw);
      if (side === 0) return this.reject(line, 'direction', `expected buy or sell, found ${JSON.stringify(trade.direction)}`, raw);
      states.push(this.instrument(name));
      this.rows[4 * k] = seq;
      this.rows[4 * k + 1] = side;
      this.rows[4 * k + 2] = price;
      this.rows[4 * k + 3] = size;
      if (trade.block_trade_id !== undefined) report.note('block_trades');
      if (trade.liquidation !== undefined && trade.liquidation !== 'none') report.note('liquidation_trades');
      this.rowTimes[k] = time;
    }
    const builder = this.context.builder();
    for (let k = 0; k < data.length; k++) {
      const state = states[k]!;
      const seq = this.rows[4 * k]!;
      if (!Number.isNaN(state.lastTradeSeq) && seq !== state.lastTradeSeq + 1) this.tradeGap(state, line, seq);
      state.lastTradeSeq = seq;
      builder.push(this.rowTimes[k]!, recv, state.instrument, Action.Trade, this.rows[4 * k + 1]!, this.rows[4 * k + 2]!, this.rows[4 * k + 3]!, 0, seq, 0, line);
      if (k === data.length - 1 || states[k + 1] !== state) builder.endUpdate();
    }
  }

  /** trade_seq counts an instrument's trades: a jump means trades are missing (an error under strict). */
  private tradeGap(state: DeribitInstrument, line: number, seq: number): void {
    const name = this.context.instruments.get(state.instrument).symbol;
    const message = `trade sequence gap for DERIBIT.${name}: expected trade_seq=${state.lastTradeSeq + 1}, was ${seq}`;
    if (this.context.integrity.policy === 'strict') throw new InputError(this.context.path, line, 'trade_seq', message);
    this.context.integrity.report.count('trade_sequence_gap', `line ${line}: ${message}`);
  }

  /** A ticker as Stat rows, one atomic update; fields that are null (no last trade) are absent. */
  private ticker(data: Record<string, unknown>, recv: number, line: number, raw: string): void {
    const report = this.context.integrity.report;
    const name = data.instrument_name;
    if (typeof name !== 'string') return this.reject(line, 'instrument_name', 'expected the instrument name', raw);
    const time = this.msOffset(data.timestamp);
    if (Number.isNaN(time)) return this.reject(line, 'timestamp', `not epoch milliseconds: ${JSON.stringify(data.timestamp)}`, raw);
    let n = 0;
    let rounded = 0;
    for (const [field, code, kind] of TICKER_STATS) {
      const value = data[field];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number') return this.reject(line, field, `expected a number, found ${JSON.stringify(value)}`, raw);
      const text = decimalText(value);
      const units = kind === 'rate' ? rateUnits(text) : numberToUnits(value, kind === 'price' ? DERIBIT_PRICE_DECIMALS : DERIBIT_SIZE_DECIMALS);
      if (Number.isNaN(units)) return this.reject(line, field, `${text} is not exact at ${kind === 'price' ? DERIBIT_PRICE_DECIMALS : DERIBIT_SIZE_DECIMALS} decimals`, raw);
      if (kind === 'rate' && rateIsRounded(text)) rounded++;
      this.reserve(n + 1);
      this.rows[4 * n] = code;
      this.rows[4 * n + 2] = kind === 'price' ? units : 0;
      this.rows[4 * n + 3] = kind === 'price' ? 0 : units;
      n++;
    }
    const state = this.instrument(name);
    const builder = this.context.builder();
    for (let k = 0; k < n; k++) builder.push(time, recv, state.instrument, Action.Stat, 0, this.rows[4 * k + 2]!, this.rows[4 * k + 3]!, this.rows[4 * k]!, line, 0, line);
    if (n > 0) builder.endUpdate();
    report.note('tickers');
    report.note('ticker_stat_rows', n);
    if (rounded > 0) report.note('rates_rounded_to_1e-12', rounded);
    if (data.funding_8h !== undefined) report.note('funding_8h_not_kept');
    if (data.greeks !== undefined || data.mark_iv !== undefined) report.note('option_greeks_and_iv_not_kept');
  }

  /** Epoch milliseconds as ns after the time base (exact); NaN if not an integer. */
  private msOffset(ms: unknown): number {
    return typeof ms === 'number' && Number.isInteger(ms) ? (ms - this.context.baseSeconds() * 1000) * NS_PER_MS : NaN;
  }

  private reserve(rows: number): void {
    if (4 * rows > this.rows.length) this.rows = grown(this.rows, Math.max(4 * rows, 2 * this.rows.length));
    if (rows > this.rowTimes.length) this.rowTimes = grown(this.rowTimes, Math.max(rows, 2 * this.rowTimes.length));
  }

  private reject(line: number, field: string, detail: string, raw: string): void {
    this.context.integrity.reject('malformed_row', line, field, detail, raw);
  }
}

/** One Deribit ticker's best bid and offer: the venue's own top of book at `timestamp` (ms). */
export interface DeribitTicker {
  line: number;
  instrument: string;
  timestamp: number;
  bestBidPrice: number;
  bestBidAmount: number;
  bestAskPrice: number;
  bestAskAmount: number;
}

/** Streams the tickers of a Deribit capture: the oracle for the rebuilt best bid and offer (0 = empty side). */
export async function* deribitTickers(path: string): AsyncGenerator<DeribitTicker> {
  for await (const [line, text] of textLines(path)) {
    if (!text.includes('"channel":"ticker.') || !/^\d+(?:\.\d+)?: \{/.test(text)) continue;
    const data = (JSON.parse(text.slice(text.indexOf(': ') + 2)) as { params: { data: Record<string, number & string> } }).params.data;
    yield { line, instrument: data.instrument_name, timestamp: data.timestamp, bestBidPrice: data.best_bid_price, bestBidAmount: data.best_bid_amount, bestAskPrice: data.best_ask_price, bestAskAmount: data.best_ask_amount };
  }
}
