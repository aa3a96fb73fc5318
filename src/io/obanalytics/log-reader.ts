import type { EventBatch } from '../../core/batch.js';
import { numberToUnits, parseUnits } from '../../core/decimal.js';
import { Action, Flag } from '../../core/event.js';
import { ReaderBase } from '../reader-base.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { textLines } from '../lines.js';
import { BitstampStream, type OrderEventKind } from './order-events.js';

export const BITSTAMP_BTCUSD = { venue: 'bitstamp', symbol: 'BTCUSD', venueId: -1, priceDecimals: 2, sizeDecimals: 8, tickUnits: 1 };
const LINE = /^(\d+) (order_created|order_changed|order_deleted|trade|order_book) (\{.*\})$/;

/** One `order_book` line of the log: the top levels Bitstamp published (price and size units). */
export interface BitstampSnapshot {
  line: number;
  localMs: number;
  bids: [number, number][];
  asks: [number, number][];
}

/**
 * The obAnalytics recording of Bitstamp's websocket (`<local ms> <event> <json>` lines): live_orders
 * events, trades, and order_book snapshots of the top levels.
 *
 * The book is unknown when the recording starts, so the first order_book line is emitted as a full
 * snapshot (its levels become anonymous liquidity); every later order_book line is only counted
 * (`order_book_lines_not_replayed`): those are the oracle the rebuilt book is checked against
 * (`bitstampSnapshots`). Bitstamp gives no event time for these messages (`datetime` is the order's
 * creation second), so tsEvent is the receive time.
 */
export class BitstampLogSource extends ReaderBase implements EventSource {
  readonly granularity = 'L3' as const;

  constructor(path: string, options: OpenOptions = {}) {
    super(path, 'bitstamp-log', options);
    this.instruments.intern(BITSTAMP_BTCUSD);
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const stream = new BitstampStream(this.instruments, this.integrity, this.batchRows);
    let seeded = false;
    const report = this.integrity.report;
    for await (const [line, text] of textLines(this.path)) {
      if (text === '') {
        report.note('blank_lines');
        continue;
      }
      report.rowsRead++;
      const match = LINE.exec(text);
      if (!match) {
        const event = text.split(' ')[1];
        this.integrity.reject('malformed_row', line, /^\d+$/.test(text.split(' ')[0]!) ? 'event' : 'timestamp', event ? `unknown event or bad layout ("${event.slice(0, 20)}")` : 'expected "<local ms> <event> <json>"', text);
        continue;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(match[3]!) as Record<string, unknown>;
      } catch {
        this.integrity.reject('malformed_row', line, 'json', 'not valid JSON', text);
        continue;
      }
      const time = stream.time(Number(match[1]), line, text);
      if (!time) continue;
      const builder = stream.builder!;
      const orders = stream.orders!;
      const event = match[2]!;
      if (event === 'order_book') {
        if (seeded) {
          report.note('order_book_lines_not_replayed');
          continue;
        }
        const snapshot = parseBook(body);
        if (!snapshot) {
          this.integrity.reject('malformed_row', line, 'bids/asks', 'expected arrays of [price, amount] decimal strings', text);
          continue;
        }
        seeded = true;
        const flags = time.flags | Flag.Snapshot;
        builder.push(time.ts, time.ts, 0, Action.SnapshotBegin, 0, 0, 0, 0, line, flags, line);
        for (const [price, size] of snapshot.bids) builder.push(time.ts, time.ts, 0, Action.LevelSet, 1, price, size, 0, line, flags, line);
        for (const [price, size] of snapshot.asks) builder.push(time.ts, time.ts, 0, Action.LevelSet, -1, price, size, 0, line, flags, line);
        builder.push(time.ts, time.ts, 0, Action.SnapshotEnd, 0, 0, 0, 0, line, flags | Flag.Last, line);
      } else if (event === 'trade') {
        const price = typeof body.price === 'number' ? numberToUnits(body.price, 2) : NaN;
        const amount = typeof body.amount === 'number' ? numberToUnits(body.amount, 8) : NaN;
        if (Number.isNaN(price) || Number.isNaN(amount)) {
          this.integrity.reject('malformed_row', line, Number.isNaN(price) ? 'price' : 'amount', 'expected a number with at most 2 (price) or 8 (amount) decimals', text);
          continue;
        }
        orders.trade(price, amount, time.ts, time.flags, line);
      } else {
        const price = typeof body.price === 'string' ? parseUnits(body.price, 2) : NaN;
        const amount = typeof body.amount === 'string' ? parseUnits(body.amount, 8) : NaN;
        const side = body.order_type === 0 ? 1 : body.order_type === 1 ? -1 : 0;
        const id = typeof body.id === 'number' ? body.id : NaN;
        const bad = Number.isNaN(price) ? 'price' : Number.isNaN(amount) ? 'amount' : side === 0 ? 'order_type' : Number.isNaN(id) ? 'id' : null;
        if (bad) {
          this.integrity.reject('malformed_row', line, bad, `missing or not valid (${JSON.stringify(body[bad] ?? null)})`, text);
          continue;
        }
        orders.order(event.slice(6) as OrderEventKind, id, side, price, amount, time.ts, time.flags, line);
      }
      yield* stream.ready();
    }
    const last = stream.finish();
    if (last) yield last;
  }
}

function parseBook(body: Record<string, unknown>): { bids: [number, number][]; asks: [number, number][] } | null {
  const side = (levels: unknown): [number, number][] | null => {
    if (!Array.isArray(levels)) return null;
    const out: [number, number][] = [];
    for (const level of levels) {
      const price = Array.isArray(level) && typeof level[0] === 'string' ? parseUnits(level[0], 2) : NaN;
      const size = Array.isArray(level) && typeof level[1] === 'string' ? parseUnits(level[1], 8) : NaN;
      if (Number.isNaN(price) || Number.isNaN(size)) return null;
      out.push([price, size]);
    }
    return out;
  };
  const bids = side(body.bids);
  const asks = side(body.asks);
  return bids && asks ? { bids, asks } : null;
}

/** Streams the order_book lines of a Bitstamp log (the oracle for the rebuilt book). */
export async function* bitstampSnapshots(path: string): AsyncGenerator<BitstampSnapshot> {
  for await (const [line, text] of textLines(path)) {
    const match = LINE.exec(text);
    if (!match || match[2] !== 'order_book') continue;
    const book = parseBook(JSON.parse(match[3]!) as Record<string, unknown>);
    if (book) yield { line, localMs: Number(match[1]), ...book };
  }
}
