import type { FormatDescriptor } from '../../core/source.js';

/** Databento DBN, versions 1-3, plain or zstd: MBO (L3), MBP-1 and MBP-10 (L2), trades. */
export const databentoFormat: FormatDescriptor = {
  name: 'databento',
  description: 'Databento DBN v1-v3 (.dbn, .dbn.zst): MBO order by order, MBP-1/MBP-10 levels, trades',
  granularity: 'L3',
  sniff: (head) => head.startsWith('DBN') && head.charCodeAt(3) >= 1 && head.charCodeAt(3) <= 3,
  open: async (path, options) => (await import('./reader.js')).openDbn(path, options),
};
