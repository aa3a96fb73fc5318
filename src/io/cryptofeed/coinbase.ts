import { parseUnits } from '../../core/decimal.js';
import { InputError } from '../../core/errors.js';
import { Action, Flag } from '../../core/event.js';
import { IsoTimes } from '../cryptofeed-jsonl/iso-time.js';
import { ProductDecimals } from '../cryptofeed-jsonl/product-decimals.js';
import { TradeIdChain, TradeIdStep } from '../cryptofeed-jsonl/trade-ids.js';
import { textLines } from '../lines.js';
import type { CaptureContext, CryptofeedVenue } from './venue.js';

type Message = Record<string, unknown>;

/** Where trades come from: the `matches` channel, or the `ticker` channel when matches were not subscribed. */
export type CoinbaseTradeSource = 'matches' | 'ticker';

/** One product's book state. */
interface Product {
  instrument: number;
  /** A snapshot was applied and no update has been lost since. */
  synced: boolean;
  /** Ticker messages seen (the first one restates the last trade before the subscription). */
  tickers: number;
}

/**
 * The legacy Coinbase Pro / Exchange websocket feed (`wss://ws-feed.pro.coinbase.com`) as cryptofeed
 * captured it: `level2` (`snapshot`, then `l2update` with `changes` [side, price, size], size "0"
 * removing the level), `matches` (`last_match` on subscribing, then `match`) and `ticker`. One book per
 * product; prices and sizes at the widest decimals the capture prints for the product (gathered before
 * reading). level2 messages carry no sequence number: `seq` is their line and lost updates cannot be
 * seen. Trades carry consecutive trade ids per product: a jump is a `trade_id_gap`.
 */
export class CoinbaseProFeed {
  private readonly products = new Map<string, Product>();
  private readonly times: IsoTimes;
  private readonly tradeIds = new TradeIdChain();
  /** Scratch for one message's levels: side, price, size per level. */
  private levels = new Float64Array(3 * 1024);

  constructor(
    private readonly context: CaptureContext,
    private readonly decimals: ProductDecimals,
    readonly tradeSource: CoinbaseTradeSource,
  ) {
    this.times = new IsoTimes(context.baseSeconds);
  }

  message(message: unknown, recv: number, line: number, raw: string): void {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.context.integrity.reject('malformed_row', line, 'message', 'expected a JSON object', raw);
      return;
    }
    const m = message as Message;
    switch (m.type) {
      case 'snapshot':
        return this.snapshot(m, recv, line, raw);
      case 'l2update':
        return this.update(m, recv, line, raw);
      case 'match':
      case 'last_match':
        return this.match(m, recv, line, raw);
      case 'ticker':
        return this.ticker(m, recv, line, raw);
      default:
        // subscriptions, heartbeat, error and channels this reader does not read.
        this.context.integrity.report.note(`${typeof m.type === 'string' ? m.type : 'untyped'}_messages`);
    }
  }

  /** The product's state, its instrument interned on first sight; null after rejecting the message. */
  private product(m: Message, line: number, raw: string): Product | null {
    const id = m.product_id;
    if (typeof id !== 'string') {
      this.context.integrity.reject('malformed_row', line, 'product_id', 'missing', raw);
      return null;
    }
    let product = this.products.get(id);
    if (!product) {
      const decimals = this.decimals.get(id) ?? { price: 0, size: 0 };
      const instrument = this.context.instruments.intern({ venue: 'coinbase', symbol: id, venueId: -1, priceDecimals: decimals.price, sizeDecimals: decimals.size, tickUnits: 0 });
      this.products.set(id, (product = { instrument, synced: false, tickers: 0 }));
    }
    return product;
  }

  private snapshot(m: Message, recv: number, line: number, raw: string): void {
    const product = this.product(m, line, raw);
    if (!product) return;
    const bids = m.bids;
    const asks = m.asks;
    if (!Array.isArray(bids) || !Array.isArray(asks)) {
      this.context.integrity.reject('malformed_row', line, Array.isArray(bids) ? 'asks' : 'bids', 'expected an array of [price, size]', raw);
      return this.unsync(product);
    }
    const count = bids.length + asks.length;
    if (this.levels.length < 3 * count) this.levels = new Float64Array(3 * count);
    let n = 0;
    for (const [entries, side, field] of [[bids, 1, 'bids'], [asks, -1, 'asks']] as const) {
      for (const entry of entries as unknown[]) {
        if (!this.level(product, side, entry, 0, n++)) {
          this.context.integrity.reject('malformed_row', line, field, this.badLevel(product, entry), raw);
          return this.unsync(product);
        }
      }
    }
    const builder = this.context.builder();
    const report = this.context.integrity.report;
    const instrument = product.instrument;
    builder.push(recv, recv, instrument, Action.SnapshotBegin, 0, 0, 0, 0, line, Flag.Snapshot, line);
    const levels = this.levels;
    for (let k = 0; k < n; k++) {
      if (levels[3 * k + 2] === 0) report.note('snapshot_levels_of_size_zero');
      else builder.push(recv, recv, instrument, Action.LevelSet, levels[3 * k]!, levels[3 * k + 1]!, levels[3 * k + 2]!, 0, line, Flag.Snapshot, line);
    }
    builder.push(recv, recv, instrument, Action.SnapshotEnd, 0, 0, 0, 0, line, Flag.Snapshot | Flag.Last, line);
    report.note('snapshots');
    product.synced = true;
  }

  private update(m: Message, recv: number, line: number, raw: string): void {
    const product = this.product(m, line, raw);
    if (!product) return;
    const integrity = this.context.integrity;
    const changes = m.changes;
    // Early level2 feeds sent l2updates without a time: those take the receive time.
    const time = typeof m.time === 'string' ? this.times.offset(m.time) : m.time === undefined ? recv : NaN;
    if (m.time === undefined) integrity.report.note('l2updates_without_time');
    if (!Array.isArray(changes) || Number.isNaN(time)) {
      integrity.reject('malformed_row', line, Number.isNaN(time) ? 'time' : 'changes', Number.isNaN(time) ? `expected an ISO-8601 UTC time, was ${JSON.stringify(m.time)}` : 'expected an array of [side, price, size]', raw);
      return this.unsync(product);
    }
    if (this.levels.length < 3 * changes.length) this.levels = new Float64Array(3 * changes.length);
    for (let k = 0; k < changes.length; k++) {
      const change = changes[k] as unknown;
      const side = Array.isArray(change) ? (change[0] === 'buy' ? 1 : change[0] === 'sell' ? -1 : 0) : 0;
      if (side === 0 || !this.level(product, side, change, 1, k)) {
        integrity.reject('malformed_row', line, side === 0 ? 'side' : 'changes', side === 0 ? `expected "buy" or "sell" first in ${JSON.stringify(change)}` : this.badLevel(product, Array.isArray(change) ? change.slice(1) : change), raw);
        return this.unsync(product);
      }
    }
    if (!product.synced) {
      integrity.report.note('l2updates_while_unsynced');
      return;
    }
    const builder = this.context.builder();
    const levels = this.levels;
    for (let k = 0; k < changes.length; k++) {
      const size = levels[3 * k + 2]!;
      builder.push(time, recv, product.instrument, size > 0 ? Action.LevelSet : Action.LevelDelete, levels[3 * k]!, levels[3 * k + 1]!, size, 0, line, 0, line);
    }
    if (changes.length === 0) integrity.report.note('empty_l2updates');
    else builder.endUpdate();
  }

  /** Parses entry[at], entry[at + 1] (price, size) of `side` into slot `k` of the scratch; false if not exact decimals. */
  private level(product: Product, side: number, entry: unknown, at: number, k: number): boolean {
    if (!Array.isArray(entry)) return false;
    const { priceDecimals, sizeDecimals } = this.context.instruments.get(product.instrument);
    const price = typeof entry[at] === 'string' ? parseUnits(entry[at], priceDecimals) : NaN;
    const size = typeof entry[at + 1] === 'string' ? parseUnits(entry[at + 1], sizeDecimals) : NaN;
    this.levels[3 * k] = side;
    this.levels[3 * k + 1] = price;
    this.levels[3 * k + 2] = size;
    return price > 0 && size >= 0;
  }

  private badLevel(product: Product, entry: unknown): string {
    const { priceDecimals, sizeDecimals } = this.context.instruments.get(product.instrument);
    return `expected a positive price and a size, decimal strings of at most ${priceDecimals} and ${sizeDecimals} decimals: ${JSON.stringify(entry)}`;
  }

  /** The book missed a message it cannot do without: it waits for the next snapshot. */
  private unsync(product: Product): void {
    if (!product.synced) return;
    product.synced = false;
    this.context.integrity.report.note('book_unsynced_after_rejected_message');
  }

  /** A `match` or `last_match`: `side` is the maker's, so the aggressor is the other side. */
  private match(m: Message, recv: number, line: number, raw: string): void {
    if (this.tradeSource !== 'matches') {
      this.context.integrity.report.note('matches_not_subscribed_at_start');
      return;
    }
    const product = this.product(m, line, raw);
    if (!product) return;
    const maker = m.side === 'buy' ? 1 : m.side === 'sell' ? -1 : 0;
    this.trade(product, m, -maker, m.size, m.type === 'last_match', recv, line, raw);
  }

  /**
   * A ticker: the oracle (best bid and ask after a trade; see `coinbaseProTickers`) when trades come from
   * `matches` — its trade is the match with the same trade id. Without `matches`, the ticker is where
   * trades come from: one per new trade id, `side` being the taker's; the first ticker of a product
   * restates the last trade before the subscription.
   */
  private ticker(m: Message, recv: number, line: number, raw: string): void {
    if (this.tradeSource === 'matches') {
      this.context.integrity.report.note('tickers');
      return;
    }
    const product = this.product(m, line, raw);
    if (!product) return;
    const taker = m.side === 'buy' ? 1 : m.side === 'sell' ? -1 : 0;
    this.trade(product, m, taker, m.last_size, product.tickers++ === 0, recv, line, raw);
  }

  /** Writes one trade (aggressor `side`, the size from `sizeText`), checking the product's trade id chain. */
  private trade(product: Product, m: Message, side: number, sizeText: unknown, beforeSubscription: boolean, recv: number, line: number, raw: string): void {
    const integrity = this.context.integrity;
    const report = integrity.report;
    const { priceDecimals, sizeDecimals, symbol } = this.context.instruments.get(product.instrument);
    const price = typeof m.price === 'string' ? parseUnits(m.price, priceDecimals) : NaN;
    const size = typeof sizeText === 'string' ? parseUnits(sizeText, sizeDecimals) : NaN;
    const time = typeof m.time === 'string' ? this.times.offset(m.time) : NaN;
    const id = m.trade_id;
    const sequence = m.sequence;
    const bad = side === 0 ? 'side' : !(price > 0) ? 'price' : !(size > 0) ? 'size' : Number.isNaN(time) ? 'time' : !Number.isSafeInteger(id) ? 'trade_id' : !Number.isSafeInteger(sequence) ? 'sequence' : null;
    if (bad) {
      integrity.reject('malformed_row', line, bad, `not valid in this ${String(m.type)}: ${JSON.stringify(m[bad === 'size' ? (m.type === 'ticker' ? 'last_size' : 'size') : bad])}`, raw);
      return;
    }
    const step = this.tradeIds.next(product.instrument, id as number);
    if (step === TradeIdStep.AlreadySeen) {
      report.note('trades_already_seen');
      return;
    }
    if (step === TradeIdStep.Gap) {
      if (this.tradeSource === 'ticker') {
        // The ticker channel batches the matches of one taker order: ids it skips are not lost messages.
        report.note('trade_ids_not_in_ticker', this.tradeIds.missing);
      } else {
        const detail = `trade id gap for coinbase:${symbol}: expected ${this.tradeIds.expected}, was ${id as number} (${this.tradeIds.missing} missing)`;
        if (integrity.policy === 'strict') throw new InputError(this.context.path, line, 'trade_id', detail);
        report.count('trade_id_gap', `line ${line}: ${detail}`);
      }
    }
    if (beforeSubscription) report.note('trades_before_subscription');
    report.note(this.tradeSource === 'ticker' ? 'trades_from_ticker' : 'trades');
    this.context.builder().push(time, recv, product.instrument, Action.Trade, side, price, size, 0, sequence as number, (beforeSubscription ? Flag.Snapshot : 0) | Flag.Last, line);
  }
}

/** Trades come from `matches` when the capture subscribed to it (or to `full`), else from `ticker`. */
export function coinbaseTradeSource(head: string): CoinbaseTradeSource {
  for (const text of head.split('\n')) if (/^wss?:\/\/\S+ <- /.test(text) && text.includes('"subscribe"') && /"(matches|full)"/.test(text)) return 'matches';
  return 'ticker';
}

/** A received line's JSON: `<epoch seconds>: <json>` (sent frames and connection lines start with the URL). */
function receivedJson(text: string): string | null {
  const colon = text.indexOf(': ');
  return colon > 0 && text.charCodeAt(0) >= 48 && text.charCodeAt(0) <= 57 ? text.slice(colon + 2) : null;
}

/**
 * The widest decimals each product's prices and sizes are printed with anywhere in the capture
 * (snapshots, l2updates, matches, tickers). Lines that are not valid JSON are left to the reader to reject.
 */
export async function coinbaseProDecimals(path: string): Promise<ProductDecimals> {
  const decimals = new ProductDecimals();
  for await (const [, text] of textLines(path)) {
    const json = receivedJson(text);
    if (json === null) continue;
    let m: Message;
    try {
      m = JSON.parse(json) as Message;
    } catch {
      continue;
    }
    const product = m?.product_id;
    if (typeof product !== 'string') continue;
    if (m.type === 'snapshot') {
      for (const entries of [m.bids, m.asks]) {
        if (!Array.isArray(entries)) continue;
        for (const entry of entries) {
          if (!Array.isArray(entry)) continue;
          decimals.price(product, entry[0]);
          decimals.size(product, entry[1]);
        }
      }
    } else if (m.type === 'l2update' && Array.isArray(m.changes)) {
      for (const change of m.changes) {
        if (!Array.isArray(change)) continue;
        decimals.price(product, change[1]);
        decimals.size(product, change[2]);
      }
    } else if (m.type === 'match' || m.type === 'last_match') {
      decimals.price(product, m.price);
      decimals.size(product, m.size);
    } else if (m.type === 'ticker') {
      decimals.price(product, m.price);
      decimals.price(product, m.best_bid);
      decimals.price(product, m.best_ask);
      decimals.size(product, m.last_size);
    }
  }
  return decimals;
}

/** One `ticker` message of a capture: the venue's best bid and ask just after trade `tradeId`. */
export interface CoinbaseProTicker {
  line: number;
  product: string;
  sequence: number;
  tradeId: number;
  /** The trade's price, size and taker side (`buy` / `sell`). */
  price: string;
  lastSize: string;
  side: string;
  bestBid: string;
  bestAsk: string;
}

/** Streams the ticker messages of a capture (the oracle for the rebuilt best bid and ask). */
export async function* coinbaseProTickers(path: string): AsyncGenerator<CoinbaseProTicker> {
  for await (const [line, text] of textLines(path)) {
    if (!text.includes('"type":"ticker"')) continue;
    const json = receivedJson(text);
    if (json === null) continue;
    const m = JSON.parse(json) as Message;
    yield { line, product: String(m.product_id), sequence: Number(m.sequence), tradeId: Number(m.trade_id), price: String(m.price), lastSize: String(m.last_size), side: String(m.side), bestBid: String(m.best_bid), bestAsk: String(m.best_ask) };
  }
}

/** Coinbase Pro / Exchange (legacy ws-feed): level2 books, trades from matches (or ticker), tickers as the oracle. */
export const coinbaseVenue: CryptofeedVenue = {
  name: 'coinbase',
  matches: (url) => /ws-feed[\w.-]*\.(coinbase|gdax)\.com/.test(url),
  async handler(context) {
    const feed = new CoinbaseProFeed(context, await coinbaseProDecimals(context.path), coinbaseTradeSource(context.head));
    return (message, recv, line, raw) => feed.message(message, recv, line, raw);
  },
};
