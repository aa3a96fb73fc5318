import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { numberToUnits } from '../../core/decimal.js';
import { Action, Flag } from '../../core/event.js';
import { ReaderBase } from '../reader-base.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { jsonArrayElements } from './json-elements.js';

const DECIMALS = 8;

/**
 * A recording of Bitfinex's websocket v2 raw book (`prec: R0`): one JSON array of messages. The
 * `subscribed` event names the pair; `[chanId, [[id, price, amount], …]]` is the snapshot and
 * `[chanId, [id, price, amount]]` an update: amount > 0 bid, < 0 ask, price 0 removes the order.
 * An update is an upsert: unknown id → Add, known id → Modify (Delete then Add if it changes side).
 *
 * With `len` N the channel shows only the best N orders per side, so an order may leave the view (a
 * removal) or enter it (an Add) without being cancelled or placed; the reader's upsert keeps the book
 * consistent with what the channel shows (`window_orders_per_side` note). The messages carry no time at all:
 * tsEvent and tsRecv are NaN, `seq` and `sourceRow` are the message's place in the array.
 */
export class BitfinexRawSource extends ReaderBase implements EventSource {
  readonly granularity = 'L3' as const;

  constructor(path: string, options: OpenOptions = {}) {
    super(path, 'bitfinex-raw', options);
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const builder = new BatchBuilder(this.instruments, 0n, this.batchRows);
    const live = new Map<number, { side: number; price: number; size: number }>();
    const report = this.integrity.report;
    const reject = (element: number, field: string, detail: string, raw: string) => this.integrity.reject('malformed_row', element, field, detail, raw);
    let instrument = -1;
    const problems: [number, string][] = [];
    for await (const [element, text] of jsonArrayElements(this.path, (at, detail) => problems.push([at, detail]))) {
      report.rowsRead++;
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        reject(element, 'json', 'not valid JSON', text);
        continue;
      }
      if (!Array.isArray(message)) {
        const event = message as { event?: string; symbol?: string; len?: string; prec?: string };
        if (event?.event === 'subscribed' && typeof event.symbol === 'string') {
          instrument = this.instruments.intern({ venue: 'bitfinex', symbol: event.symbol.replace(/^t/, ''), venueId: -1, priceDecimals: DECIMALS, sizeDecimals: DECIMALS, tickUnits: 0 });
          if (event.len !== undefined) report.note('window_orders_per_side', Number(event.len));
          if (event.prec !== 'R0') report.note('subscription_not_raw_book');
        }
        report.note(`event_${typeof event?.event === 'string' ? event.event : 'unknown'}`);
        continue;
      }
      const payload = message[1];
      if (payload === 'hb') {
        report.note('heartbeats');
        continue;
      }
      if (instrument < 0) instrument = this.instruments.intern({ venue: 'bitfinex', symbol: 'unknown', venueId: -1, priceDecimals: DECIMALS, sizeDecimals: DECIMALS, tickUnits: 0 });
      if (!Array.isArray(payload) || payload.length === 0) {
        reject(element, 'payload', 'expected [chanId, [id, price, amount]] or a snapshot', text);
        continue;
      }
      if (Array.isArray(payload[0])) {
        builder.push(NaN, NaN, instrument, Action.SnapshotBegin, 0, 0, 0, 0, element, Flag.Snapshot, element);
        live.clear();
        for (const order of payload as unknown[]) {
          const parsed = parseOrder(order);
          if (typeof parsed === 'string') {
            report.note('snapshot_orders_rejected');
            report.count('malformed_snapshot_order', `element ${element}: ${parsed}`);
            continue;
          }
          live.set(parsed.id, parsed);
          builder.push(NaN, NaN, instrument, Action.Add, parsed.side, parsed.price, parsed.size, parsed.id, element, Flag.Snapshot, element);
        }
        builder.push(NaN, NaN, instrument, Action.SnapshotEnd, 0, 0, 0, 0, element, Flag.Snapshot | Flag.Last, element);
      } else {
        const parsed = parseOrder(payload);
        if (typeof parsed === 'string') {
          reject(element, parsed.split(':')[0]!, parsed.slice(parsed.indexOf(':') + 2), text);
          continue;
        }
        const known = live.get(parsed.id);
        if (parsed.price === 0) {
          if (!known) {
            this.integrity.reject('unknown_order_id', element, 'id', `removal of order ${parsed.id}, which the book never showed`, text);
            continue;
          }
          live.delete(parsed.id);
          builder.push(NaN, NaN, instrument, Action.Delete, known.side, known.price, known.size, parsed.id, element, 0, element);
        } else if (!known) {
          live.set(parsed.id, parsed);
          builder.push(NaN, NaN, instrument, Action.Add, parsed.side, parsed.price, parsed.size, parsed.id, element, 0, element);
        } else {
          live.set(parsed.id, parsed);
          if (known.side !== parsed.side) {
            builder.push(NaN, NaN, instrument, Action.Delete, known.side, known.price, known.size, parsed.id, element, 0, element);
            builder.push(NaN, NaN, instrument, Action.Add, parsed.side, parsed.price, parsed.size, parsed.id, element, 0, element);
          } else builder.push(NaN, NaN, instrument, Action.Modify, parsed.side, parsed.price, parsed.size, parsed.id, element, 0, element);
        }
        builder.endUpdate();
      }
      for (let batch = builder.take(); batch; batch = builder.take()) yield batch;
    }
    for (const [element, detail] of problems) {
      report.rowsRead++;
      this.integrity.reject('malformed_file', element, 'array', detail, '');
    }
    const last = builder.flush();
    if (last) yield last;
  }
}

/** [id, price, amount] as an order, or "field: problem". */
function parseOrder(order: unknown): { id: number; price: number; size: number; side: number } | string {
  if (!Array.isArray(order) || order.length !== 3) return 'order: expected [id, price, amount]';
  const [id, price, amount] = order as [unknown, unknown, unknown];
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) return `id: not an order id (${JSON.stringify(id)})`;
  if (typeof price !== 'number') return `price: not a number (${JSON.stringify(price)})`;
  if (typeof amount !== 'number' || amount === 0) return `amount: not a non-zero number (${JSON.stringify(amount)})`;
  const priceUnits = numberToUnits(price, DECIMALS);
  const size = numberToUnits(Math.abs(amount), DECIMALS);
  if (Number.isNaN(priceUnits) || Number.isNaN(size)) return `${Number.isNaN(priceUnits) ? 'price' : 'amount'}: more than ${DECIMALS} decimals`;
  return { id, price: priceUnits, size, side: amount > 0 ? 1 : -1 };
}
