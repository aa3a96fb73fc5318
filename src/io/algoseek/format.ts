import type { FormatDescriptor } from '../../core/source.js';
import { parseAlgoseekName } from './names.js';

// Full LEAN equity tick rows: the exchange is letters, which no other headerless CSV here has in that place.
const TRADE_LINE = /^\d+(\.\d+)?,\d+,\d+,[A-Za-z]{1,4},[0-9A-Fa-f]*,[01]\r?$/;
const QUOTE_LINE = /^\d+(\.\d+)?,\d+,\d+,\d+,\d+,[A-Za-z]{1,4},[0-9A-Fa-f]*,[01]\r?$/;

/** QuantConnect LEAN's AlgoSeek US equity tick files: trades and quotes of one symbol and day, read as a pair. */
export const leanAlgoseekFormat: FormatDescriptor = {
  name: 'lean-algoseek',
  description: 'LEAN AlgoSeek US equity ticks: trade and quote CSV of one symbol-day (either file; the other is read beside it)',
  granularity: 'quotes',
  sniff(head, fileName) {
    const firstLine = head.split('\n', 1)[0] ?? '';
    if (TRADE_LINE.test(firstLine) || QUOTE_LINE.test(firstLine)) return true;
    const named = parseAlgoseekName(fileName);
    return /algoseek/i.test(fileName) && named.kind !== null && /^\d/.test(head);
  },
  open: async (path, options) => (await import('./reader.js')).openLeanAlgoseek(path, options),
};
