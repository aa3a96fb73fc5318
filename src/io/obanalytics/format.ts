import type { FormatDescriptor } from '../../core/source.js';

/** The header line of obAnalytics' orders CSV (its cells may be quoted). */
export const ORDERS_HEADER = 'id,timestamp,exchange.timestamp,price,volume,action,direction';

/** The obAnalytics recording of Bitstamp's websocket: L3 order events, trades, top-20 snapshots. */
export const bitstampLogFormat: FormatDescriptor = {
  name: 'bitstamp-log',
  description: 'Bitstamp websocket log as recorded by obAnalytics ("<ms> order_created {…}"): L3 events, trades, book snapshots',
  granularity: 'L3',
  sniff: (head) => /^\d{13} (order_created|order_changed|order_deleted|trade|order_book) \{/.test(head),
  open: async (path, options) => new (await import('./log-reader.js')).BitstampLogSource(path, options),
};

/** obAnalytics' orders CSV of Bitstamp: L3 order events with remaining volume. */
export const bitstampOrdersFormat: FormatDescriptor = {
  name: 'bitstamp-orders',
  description: 'Bitstamp L3 orders CSV as written by obAnalytics (id,timestamp,exchange.timestamp,price,volume,action,direction)',
  granularity: 'L3',
  sniff: (head) => head.replace(/"/g, '').startsWith(ORDERS_HEADER),
  open: async (path, options) => new (await import('./csv-reader.js')).BitstampOrdersCsvSource(path, options),
};
