import type { FormatDescriptor } from '../../core/source.js';
import { tdepthColumns } from './tdepth-header.js';

/** Binance's historical futures order book CSVs (`T_DEPTH` snap + update files, plain or compressed). */
export const binanceTDepthFormat: FormatDescriptor = {
  name: 'binance-tdepth',
  description: 'Binance futures T_DEPTH CSVs (data.binance.vision): snap and update files read together, pu chain checked',
  granularity: 'L2',
  sniff: (head) => tdepthColumns(head.split(/\r?\n/, 1)[0] ?? '') !== null,
  open: async (path, options) => new (await import('./tdepth.js')).BinanceTDepthSource(path, options),
};
