import type { FormatDescriptor } from '../../core/source.js';

/** Raw Binance websocket captures, `<local ns> <json>` per line (spot, USD-M and COIN-M futures). */
export const binanceCaptureFormat: FormatDescriptor = {
  name: 'binance-capture',
  description: 'Binance raw websocket capture ("<local ns> <json>" lines): diff depth synced to REST snapshots, trades',
  granularity: 'L2',
  sniff: (head) => /^\d{19} \{"stream":"[a-z0-9_]+@(depth|trade|aggTrade|bookTicker)/.test(head),
  open: async (path, options) => new (await import('./reader.js')).BinanceCaptureSource(path, options),
};

export { binanceTDepthFormat } from './tdepth-format.js';
