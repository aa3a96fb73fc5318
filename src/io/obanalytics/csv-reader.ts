import type { EventBatch } from '../../core/batch.js';
import { parseUnits } from '../../core/decimal.js';
import { InputError } from '../../core/errors.js';
import { ReaderBase } from '../reader-base.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { textLines } from '../lines.js';
import { ORDERS_HEADER } from './format.js';
import { BITSTAMP_BTCUSD } from './log-reader.js';
import { BitstampStream, type OrderEventKind } from './order-events.js';

/**
 * obAnalytics' orders CSV of Bitstamp (`id,timestamp,exchange.timestamp,price,volume,action,direction`):
 * the same live_orders events as the log, volume being the REMAINING amount in satoshi. Mapped as
 * BitstampOrders says; tsEvent = tsRecv = `timestamp` (local receive ms). No trades, no snapshots.
 */
export class BitstampOrdersCsvSource extends ReaderBase implements EventSource {
  readonly granularity = 'L3' as const;

  constructor(path: string, options: OpenOptions = {}) {
    super(path, 'bitstamp-orders', options);
    this.instruments.intern(BITSTAMP_BTCUSD);
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const stream = new BitstampStream(this.instruments, this.integrity, this.batchRows);
    const report = this.integrity.report;
    const integrity = this.integrity;
    for await (const [line, text] of textLines(this.path)) {
      if (line === 1) {
        if (text.replace(/"/g, '') !== ORDERS_HEADER) throw new InputError(this.path, 1, 'header', `expected "${ORDERS_HEADER}"`);
        continue;
      }
      if (text === '') {
        report.note('blank_lines');
        continue;
      }
      report.rowsRead++;
      const fields = text.split(',');
      if (fields.length !== 7) {
        integrity.reject('malformed_row', line, 'columns', `expected 7 fields, found ${fields.length}`, text);
        continue;
      }
      const [idText, tsText, , priceText, volumeText, action, direction] = fields as [string, string, string, string, string, string, string];
      const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
      const localMs = /^\d+$/.test(tsText) ? Number(tsText) : NaN;
      const price = parseUnits(priceText, 2);
      const amount = /^\d+$/.test(volumeText) ? Number(volumeText) : NaN;
      const side = direction === 'bid' ? 1 : direction === 'ask' ? -1 : 0;
      const bad = Number.isNaN(id) ? 'id' : Number.isNaN(localMs) ? 'timestamp' : Number.isNaN(price) ? 'price' : Number.isNaN(amount) ? 'volume' : side === 0 ? 'direction' : action !== 'created' && action !== 'changed' && action !== 'deleted' ? 'action' : null;
      if (bad) {
        integrity.reject('malformed_row', line, bad, `not valid: "${fields[['id', 'timestamp', '', 'price', 'volume', 'action', 'direction'].indexOf(bad)]}"`, text);
        continue;
      }
      const time = stream.time(localMs, line, text);
      if (!time) continue;
      stream.orders!.order(action as OrderEventKind, id, side, price, amount, time.ts, time.flags, line);
      yield* stream.ready();
    }
    const last = stream.finish();
    if (last) yield last;
  }
}
