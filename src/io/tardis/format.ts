import type { FormatDescriptor } from '../../core/source.js';
import { UsageError } from '../../core/errors.js';
import { headBytes } from '../bytes.js';
import { TardisCsvSource, tardisKind } from './reader.js';

/** Tardis.dev normalized CSV datasets (incremental_book_L2, book_snapshot_N, quotes, trades, derivative_ticker), plain or gzip. */
export const tardisCsvFormat: FormatDescriptor = {
  name: 'tardis-csv',
  description: 'Tardis.dev CSV datasets: incremental_book_L2, book_snapshot_N, quotes, trades, derivative_ticker (plain or .gz)',
  granularity: 'L2',
  sniff: (head) => tardisKind(head.split(/\r?\n/, 1)[0] ?? '') !== null,
  async open(path, options) {
    const header = Buffer.from(await headBytes(path, 65_536)).toString('latin1').split(/\r?\n/, 1)[0] ?? '';
    const kind = tardisKind(header);
    if (!kind) throw new UsageError(`${path}: not a Tardis CSV dataset this version reads (header: ${header.slice(0, 80)})`);
    return new TardisCsvSource(path, options, kind.kind, kind.depth);
  },
};
