import type { FormatDescriptor } from '../../core/source.js';
import { LobsterSource, parseLobsterName } from './reader.js';

const MESSAGE_LINE = /^\d+(\.\d{1,9})?,[1-7],-?\d+,\d+,-?\d+,-?1\r?$/;

/** LOBSTER message files (Nasdaq TotalView-ITCH reconstructions), with their orderbook companion. */
export const lobsterFormat: FormatDescriptor = {
  name: 'lobster',
  description: 'LOBSTER message file (+ orderbook file beside it): Nasdaq L3, times after midnight New York',
  granularity: 'L3',
  sniff(head, fileName) {
    const firstLine = head.split('\n', 1)[0] ?? '';
    return MESSAGE_LINE.test(firstLine) || (parseLobsterName(fileName) !== null && /^\d/.test(head));
  },
  open: (path, options) => new LobsterSource(path, options),
};
