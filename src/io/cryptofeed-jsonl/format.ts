import type { FormatDescriptor } from '../../core/source.js';

/** cryptofeed JSONL captures: a `{"t":"header",…}` line, then http, connect, send and recv records. */
export const cryptofeedJsonlFormat: FormatDescriptor = {
  name: 'cryptofeed-jsonl',
  description: 'cryptofeed JSONL capture ({"t":"header",…} then http/connect/send/recv records), exchange from its header',
  granularity: 'L2',
  sniff: (head) => /^\{\s*"t"\s*:\s*"header"/.test(head),
  open: async (path, options) => (await import('./reader.js')).openCryptofeedJsonl(path, options),
};
