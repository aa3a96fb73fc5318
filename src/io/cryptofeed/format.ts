import type { FormatDescriptor } from '../../core/source.js';

/** cryptofeed raw websocket captures ("<url> <-> <time>" then "<time>: <json>" lines). */
export const cryptofeedFormat: FormatDescriptor = {
  name: 'cryptofeed',
  description: 'cryptofeed raw websocket capture ("<url> <-> <time>", "<time>: <json>"), venue from its URL',
  granularity: 'L2',
  sniff: (head) => /^wss?:\/\/\S+ <-> \d+(\.\d+)?\r?\n/.test(head),
  open: async (path, options) => (await import('./reader.js')).openCryptofeed(path, options),
};
