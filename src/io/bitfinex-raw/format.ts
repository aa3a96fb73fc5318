import type { FormatDescriptor } from '../../core/source.js';

/** A JSON array of Bitfinex websocket v2 raw-book (R0) messages: order by order, no timestamps. */
export const bitfinexRawFormat: FormatDescriptor = {
  name: 'bitfinex-raw',
  description: 'Bitfinex websocket v2 raw book (prec R0) recorded as one JSON array of messages: L3, no timestamps',
  granularity: 'L3',
  sniff: (head) => /^\s*\[\s*\{\s*"event"/.test(head) && /"channel":\s*"book"/.test(head) && /"prec":\s*"R0"/.test(head),
  open: async (path, options) => new (await import('./reader.js')).BitfinexRawSource(path, options),
};
