import { basename } from 'node:path';
import type { FormatDescriptor } from '../../core/source.js';

const MESSAGE_LINE = /^\d+(\.\d{1,9})?,[1-7],-?\d+,\d+,-?\d+,-?1\r?$/;
const NAME = /(?:^|_)([A-Z][A-Z0-9.]*)_(\d{4}-\d{2}-\d{2})_.*message_(\d+)/;

/** What a LOBSTER file name tells: ticker, date and level count. */
export function parseLobsterName(fileName: string): { ticker: string; date: string; levels: number } | null {
  const match = NAME.exec(basename(fileName));
  return match ? { ticker: match[1]!, date: match[2]!, levels: Number(match[3]) } : null;
}

/** LOBSTER message files (Nasdaq TotalView-ITCH reconstructions), with their orderbook companion. */
export const lobsterFormat: FormatDescriptor = {
  name: 'lobster',
  description: 'LOBSTER message file (+ orderbook file beside it): Nasdaq L3, times after midnight New York',
  granularity: 'L3',
  sniff(head, fileName) {
    const firstLine = head.split('\n', 1)[0] ?? '';
    return MESSAGE_LINE.test(firstLine) || (parseLobsterName(fileName) !== null && /^\d/.test(head));
  },
  open: async (path, options) => new (await import('./reader.js')).LobsterSource(path, options),
};
