import type { FormatDescriptor } from '../../core/source.js';

/** Zip local header magic as latin1 text, and the member name after it (name length at bytes 26-27, name from byte 30). */
const ZIP_MAGIC = 'PK\u0003\u0004';
function zipMemberName(head: string): string {
  if (!head.startsWith(ZIP_MAGIC) || head.length < 30) return '';
  const length = head.charCodeAt(26) | (head.charCodeAt(27) << 8);
  return head.slice(30, 30 + length);
}

/**
 * Bybit orderbook history files (`<date>_<symbol>_ob500.data` in a `.zip`, or unzipped): recognised by the
 * zip member's name, or by a first line that is a v5 `orderbook.<depth>.<symbol>` message.
 */
export const bybitOb500Format: FormatDescriptor = {
  name: 'bybit-ob500',
  description: 'Bybit orderbook history file (<date>_<symbol>_ob500.data, zipped or not): v5 orderbook snapshot/delta JSON lines',
  granularity: 'L2',
  sniff: (head, fileName) =>
    /_ob\d+\.data$/.test(zipMemberName(head)) || (/\.data(\.(gz|zst))?$/.test(fileName) && /^\{"topic":"orderbook\.\d+\.[^"]+","type":"(snapshot|delta)"/.test(head)),
  open: async (path, options) => (await import('./reader.js')).openBybitOrderbook(path, options),
};
