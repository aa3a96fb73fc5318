import { parseUnits } from '../../core/decimal.js';
import { InputError } from '../../core/errors.js';
import { Action, Flag } from '../../core/event.js';
import { textLines } from '../lines.js';
import { coinbaseProductSpecs, specsFromProducts, type ProductSpec } from './coinbase-products.js';
import type { JsonlContext, JsonlExchange, JsonlHandler } from './exchange.js';
import { IsoTimes } from './iso-time.js';
import { TradeIdChain, TradeIdStep } from './trade-ids.js';

type Json = Record<string, unknown>;

/** One product's book state. */
interface Product {
  instrument: number;
  /** A snapshot was applied and no message of its connection has been lost since. */
  synced: boolean;
  /** The connection its book came from. */
  conn: string;
}

/** Values per level in the scratch: side, price, size, event time. */
const LEVEL = 4;
/** Values per trade in the scratch: instrument, trade id, aggressor side, price, size, time, flags. */
const TRADE = 7;

/**
 * Coinbase Advanced Trade market data (`wss://advanced-trade-ws.coinbase.com`): `l2_data` (events of type
 * `snapshot` or `update`, `updates[]` of {side bid/offer, price_level, new_quantity, event_time}),
 * `market_trades` (`trades[]`, newest first; `side` is the maker's, so the aggressor is the other side),
 * `ticker` (the oracle, `coinbaseAdvancedTickers`), `candles`, `heartbeats`, `subscriptions`.
 * `sequence_num` counts every message of a connection: a jump is a `sequence_gap`, after which the
 * connection's books wait for their next snapshot. Trade ids are consecutive per product.
 */
export class CoinbaseAdvancedFeed implements JsonlHandler {
  private readonly products = new Map<string, Product>();
  /** Per connection: the sequence_num the next message must carry. */
  private readonly nextSequence = new Map<string, number>();
  private readonly times: IsoTimes;
  private readonly tradeIds = new TradeIdChain();
  private levels = new Float64Array(LEVEL * 1024);
  /** The product of each event of the message being read. */
  private readonly eventProducts: Product[] = [];
  private tradeScratch = new Float64Array(TRADE * 64);

  constructor(
    private readonly context: JsonlContext,
    private readonly specs: Map<string, ProductSpec>,
  ) {
    this.times = new IsoTimes(() => context.baseSeconds);
  }

  /** A new connection numbers its messages from 0 again; books fed by an earlier one under that name lost messages. */
  connect(conn: string): void {
    this.nextSequence.delete(conn);
    this.unsyncConnection(conn, 'book_unsynced_after_reconnect');
  }

  /** Products responses recorded later in the capture add specs for products not seen yet. */
  http(url: string, body: string, _recv: number, line: number, raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      this.context.integrity.reject('malformed_row', line, 'data', `REST response of ${url} is not valid JSON`, raw);
      return;
    }
    this.context.integrity.report.note(specsFromProducts(parsed, this.specs) === null ? 'http_other_responses' : 'http_products_responses');
  }

  recv(conn: string, message: unknown, recv: number, line: number, raw: string): void {
    const integrity = this.context.integrity;
    const report = integrity.report;
    const m = message as Json;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      integrity.reject('malformed_row', line, 'data', 'expected a JSON object', raw);
      return;
    }
    if (m.type === 'error') {
      report.count('venue_error', `line ${line}: ${String(m.message)}`);
      return;
    }
    const sequence = m.sequence_num;
    if (!Number.isSafeInteger(sequence) || !Array.isArray(m.events)) {
      integrity.reject('malformed_row', line, Number.isSafeInteger(sequence) ? 'events' : 'sequence_num', 'expected a sequence number and an events array', raw);
      return;
    }
    const expected = this.nextSequence.get(conn);
    this.nextSequence.set(conn, (sequence as number) + 1);
    if (expected !== undefined && sequence !== expected) this.gap(conn, expected, sequence as number, line);
    const events = m.events as Json[];
    switch (m.channel) {
      case 'l2_data':
        return this.books(conn, m, events, sequence as number, recv, line, raw);
      case 'market_trades':
        return this.trades(events, sequence as number, recv, line, raw);
      case 'ticker':
        report.note('ticker_messages');
        return;
      case 'candles':
        report.note('candles_messages');
        for (const event of events) if (Array.isArray(event?.candles)) report.note('candles', event.candles.length);
        return;
      default:
        report.note(`${typeof m.channel === 'string' ? m.channel : 'unnamed'}_messages`);
    }
  }

  /**
   * Messages of `conn` were lost: an error under strict; otherwise counted, and the connection's books
   * wait for their next snapshot (sequence numbers span every channel, so a lost message may be a book's).
   */
  private gap(conn: string, expected: number, sequence: number, line: number): void {
    const integrity = this.context.integrity;
    const detail = `sequence gap on ${conn}: expected ${expected}, was ${sequence}`;
    if (integrity.policy === 'strict') throw new InputError(this.context.path, line, 'sequence_num', detail);
    integrity.report.count('sequence_gap', `line ${line}: ${detail}`);
    this.unsyncConnection(conn, 'book_unsynced_after_gap');
  }

  private unsyncConnection(conn: string, note: string): void {
    for (const product of this.products.values()) {
      if (product.conn !== conn || !product.synced) continue;
      product.synced = false;
      this.context.integrity.report.note(note);
    }
  }

  /** The product's state, its instrument interned on first sight; null when no decimals are known for it. */
  private product(id: unknown): Product | null {
    if (typeof id !== 'string') return null;
    let product = this.products.get(id);
    if (!product) {
      const spec = this.specs.get(id);
      if (!spec) return null;
      const instrument = this.context.instruments.intern({ venue: 'coinbase', symbol: id, venueId: -1, priceDecimals: spec.priceDecimals, sizeDecimals: spec.sizeDecimals, tickUnits: spec.tickUnits });
      if (spec.from === 'capture') this.context.integrity.report.note('product_decimals_from_capture');
      this.products.set(id, (product = { instrument, synced: false, conn: '' }));
    }
    return product;
  }

  private unknownProduct(id: unknown, line: number, raw: string): void {
    const detail = typeof id === 'string' ? `no decimals known for ${id} (neither a products response nor the capture's values give them)` : 'missing';
    this.context.integrity.reject('malformed_row', line, 'product_id', detail, raw);
  }

  /**
   * One `l2_data` message: per event, a full snapshot of the product's book or level updates (quantity 0
   * removes). Every event is checked before any is written, so a bad message is rejected whole.
   */
  private books(conn: string, m: Json, events: Json[], sequence: number, recv: number, line: number, raw: string): void {
    const integrity = this.context.integrity;
    const report = integrity.report;
    const products = this.eventProducts;
    products.length = 0;
    let total = 0;
    for (const event of events) total += Array.isArray(event?.updates) ? event.updates.length : 0;
    if (this.levels.length < LEVEL * total) this.levels = new Float64Array(LEVEL * total);
    let ts = NaN;
    let at = 0;
    for (const event of events) {
      const product = this.product(event?.product_id);
      if (!product) return this.unknownProduct(event?.product_id, line, raw);
      const type = event.type;
      const updates = event.updates;
      if (type === 'snapshot') ts = typeof m.timestamp === 'string' ? this.times.offset(m.timestamp) : NaN;
      const bad =
        (type !== 'snapshot' && type !== 'update') || !Array.isArray(updates)
          ? { field: Array.isArray(updates) ? 'type' : 'updates', detail: `expected a snapshot or update event with updates, was ${JSON.stringify(type)}` }
          : type === 'snapshot' && Number.isNaN(ts)
            ? { field: 'timestamp', detail: `expected an ISO-8601 UTC time, was ${JSON.stringify(m.timestamp)}` }
            : this.parseLevels(product, updates as Json[], at);
      if (bad !== null) {
        integrity.reject('malformed_row', line, bad.field, bad.detail, raw);
        // Every book the message named missed it.
        for (const named of events) {
          const known = typeof named?.product_id === 'string' ? this.products.get(named.product_id) : undefined;
          if (known) this.unsync(known);
        }
        return;
      }
      products.push(product);
      at += (updates as Json[]).length;
    }
    const builder = this.context.builder;
    const levels = this.levels;
    at = 0;
    for (let j = 0; j < events.length; j++) {
      const product = products[j]!;
      const instrument = product.instrument;
      const from = at;
      at += (events[j]!.updates as Json[]).length;
      if (events[j]!.type === 'snapshot') {
        builder.push(ts, recv, instrument, Action.SnapshotBegin, 0, 0, 0, 0, sequence, Flag.Snapshot, line);
        for (let k = from; k < at; k++) {
          const size = levels[LEVEL * k + 2]!;
          if (size === 0) report.note('snapshot_levels_of_size_zero');
          else builder.push(levels[LEVEL * k + 3]!, recv, instrument, Action.LevelSet, levels[LEVEL * k]!, levels[LEVEL * k + 1]!, size, 0, sequence, Flag.Snapshot, line);
        }
        builder.push(ts, recv, instrument, Action.SnapshotEnd, 0, 0, 0, 0, sequence, Flag.Snapshot | Flag.Last, line);
        report.note('snapshots');
        product.synced = true;
        product.conn = conn;
      } else if (!product.synced) {
        report.note('l2_updates_while_unsynced');
      } else if (at === from) {
        report.note('empty_l2_updates');
      } else {
        for (let k = from; k < at; k++) {
          const size = levels[LEVEL * k + 2]!;
          builder.push(levels[LEVEL * k + 3]!, recv, instrument, size > 0 ? Action.LevelSet : Action.LevelDelete, levels[LEVEL * k]!, levels[LEVEL * k + 1]!, size, 0, sequence, 0, line);
        }
        builder.endUpdate();
      }
    }
  }

  /** Parses updates into the level scratch from slot `at`; returns the first bad field, or null. */
  private parseLevels(product: Product, updates: Json[], at: number): { field: string; detail: string } | null {
    const { priceDecimals, sizeDecimals } = this.context.instruments.get(product.instrument);
    const levels = this.levels;
    for (let k = 0; k < updates.length; k++) {
      const update = updates[k];
      const side = update?.side === 'bid' ? 1 : update?.side === 'offer' ? -1 : 0;
      const price = typeof update?.price_level === 'string' ? parseUnits(update.price_level, priceDecimals) : NaN;
      const size = typeof update?.new_quantity === 'string' ? parseUnits(update.new_quantity, sizeDecimals) : NaN;
      const time = typeof update?.event_time === 'string' ? this.times.offset(update.event_time) : NaN;
      const field = side === 0 ? 'side' : !(price > 0) ? 'price_level' : !(size >= 0) ? 'new_quantity' : Number.isNaN(time) ? 'event_time' : null;
      if (field !== null) return { field, detail: `not valid (${field === 'price_level' ? `a positive decimal of at most ${priceDecimals} decimals` : field === 'new_quantity' ? `a decimal of at most ${sizeDecimals} decimals` : field === 'side' ? '"bid" or "offer"' : 'an ISO-8601 UTC time'}) in ${JSON.stringify(update)}` };
      const slot = LEVEL * (at + k);
      levels[slot] = side;
      levels[slot + 1] = price;
      levels[slot + 2] = size;
      levels[slot + 3] = time;
    }
    return null;
  }

  /** A rejected book message leaves the book unknown: it waits for the next snapshot. */
  private unsync(product: Product): void {
    if (!product.synced) return;
    product.synced = false;
    this.context.integrity.report.note('book_unsynced_after_rejected_message');
  }

  /**
   * One `market_trades` message. Each event lists trades newest first: they are written oldest first,
   * each one update, `side` being the maker's so the aggressor is the other side. A snapshot event's
   * trades happened before the subscription (flagged `Snapshot`). Trade ids must follow each other per
   * product (`trade_id_gap`). Every trade is checked before any is written.
   */
  private trades(events: Json[], sequence: number, recv: number, line: number, raw: string): void {
    const integrity = this.context.integrity;
    const report = integrity.report;
    let total = 0;
    for (const event of events) total += Array.isArray(event?.trades) ? event.trades.length : 0;
    if (this.tradeScratch.length < TRADE * total) this.tradeScratch = new Float64Array(TRADE * total);
    const scratch = this.tradeScratch;
    let at = 0;
    for (const event of events) {
      const trades = event?.trades;
      if ((event?.type !== 'snapshot' && event?.type !== 'update') || !Array.isArray(trades)) {
        integrity.reject('malformed_row', line, Array.isArray(trades) ? 'type' : 'trades', `expected a snapshot or update event with trades, was ${JSON.stringify(event?.type)}`, raw);
        return;
      }
      for (let k = trades.length - 1; k >= 0; k--) {
        const trade = trades[k] as Json;
        const product = this.product(trade?.product_id);
        if (!product) return this.unknownProduct(trade?.product_id, line, raw);
        const { priceDecimals, sizeDecimals } = this.context.instruments.get(product.instrument);
        const id = typeof trade.trade_id === 'string' && /^\d{1,15}$/.test(trade.trade_id) ? Number(trade.trade_id) : NaN;
        const maker = trade.side === 'BUY' ? 1 : trade.side === 'SELL' ? -1 : 0;
        const price = typeof trade.price === 'string' ? parseUnits(trade.price, priceDecimals) : NaN;
        const size = typeof trade.size === 'string' ? parseUnits(trade.size, sizeDecimals) : NaN;
        const time = typeof trade.time === 'string' ? this.times.offset(trade.time) : NaN;
        const field = Number.isNaN(id) ? 'trade_id' : maker === 0 ? 'side' : !(price > 0) ? 'price' : !(size > 0) ? 'size' : Number.isNaN(time) ? 'time' : null;
        if (field !== null) {
          integrity.reject('malformed_row', line, field, `not valid in trade ${JSON.stringify(trade)}`, raw);
          return;
        }
        const slot = TRADE * at++;
        scratch[slot] = product.instrument;
        scratch[slot + 1] = id;
        scratch[slot + 2] = -maker;
        scratch[slot + 3] = price;
        scratch[slot + 4] = size;
        scratch[slot + 5] = time;
        scratch[slot + 6] = event.type === 'snapshot' ? Flag.Snapshot : 0;
      }
    }
    const builder = this.context.builder;
    for (let k = 0; k < at; k++) {
      const slot = TRADE * k;
      const instrument = scratch[slot]!;
      const id = scratch[slot + 1]!;
      const step = this.tradeIds.next(instrument, id);
      if (step === TradeIdStep.AlreadySeen) {
        report.note('trades_already_seen');
        continue;
      }
      if (step === TradeIdStep.Gap) {
        const detail = `trade id gap for coinbase:${this.context.instruments.get(instrument).symbol}: expected ${this.tradeIds.expected}, was ${id} (${this.tradeIds.missing} missing)`;
        if (integrity.policy === 'strict') throw new InputError(this.context.path, line, 'trade_id', detail);
        report.count('trade_id_gap', `line ${line}: ${detail}`);
      }
      const flags = scratch[slot + 6]!;
      report.note(flags & Flag.Snapshot ? 'trades_before_subscription' : 'trades');
      builder.push(scratch[slot + 5]!, recv, instrument, Action.Trade, scratch[slot + 2]!, scratch[slot + 3]!, scratch[slot + 4]!, 0, sequence, flags | Flag.Last, line);
    }
  }
}

/** One ticker of a capture: the venue's best bid and ask (with quantities) as it printed them. */
export interface CoinbaseAdvancedTicker {
  line: number;
  conn: string;
  /** The message's sequence_num on its connection. */
  sequence: number;
  product: string;
  /** From a `snapshot` event (sent on subscribing) rather than an `update`. */
  snapshot: boolean;
  bestBid: string;
  bestBidQuantity: string;
  bestAsk: string;
  bestAskQuantity: string;
}

/** Streams the tickers of a Coinbase Advanced Trade capture (the oracle for the rebuilt best bid and ask). */
export async function* coinbaseAdvancedTickers(path: string): AsyncGenerator<CoinbaseAdvancedTicker> {
  for await (const [line, text] of textLines(path)) {
    if (!text.includes('"t":"recv"') || !text.includes('\\"channel\\":\\"ticker\\"')) continue;
    const record = JSON.parse(text) as Json;
    const m = JSON.parse(record.data as string) as Json;
    for (const event of m.events as Json[]) {
      for (const ticker of event.tickers as Json[]) {
        yield {
          line,
          conn: String(record.conn),
          sequence: Number(m.sequence_num),
          product: String(ticker.product_id),
          snapshot: event.type === 'snapshot',
          bestBid: String(ticker.best_bid),
          bestBidQuantity: String(ticker.best_bid_quantity),
          bestAsk: String(ticker.best_ask),
          bestAskQuantity: String(ticker.best_ask_quantity),
        };
      }
    }
  }
}

/** Coinbase (Advanced Trade) captures: header `"exchange":"COINBASE"`. */
export const coinbaseAdvancedExchange: JsonlExchange = {
  name: 'COINBASE',
  matches: (exchange) => exchange === 'COINBASE',
  async handler(context) {
    return new CoinbaseAdvancedFeed(context, await coinbaseProductSpecs(context.path, context.header));
  },
};
