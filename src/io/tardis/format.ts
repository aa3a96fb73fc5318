import type { FormatDescriptor } from '../../core/source.js';
import { UsageError } from '../../core/errors.js';
import { headBytes } from '../bytes.js';

const COMMON = 'exchange,symbol,timestamp,local_timestamp';
const DERIVATIVE_TICKER = 'funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price';

/** The Tardis CSV datasets flowmine reads, told apart by their header. */
export type TardisKind = 'incremental_book_L2' | 'book_snapshot' | 'quotes' | 'trades' | 'derivative_ticker';

/** Which dataset a header line is, with the snapshot depth for book_snapshot_N; null if none. */
export function tardisKind(header: string): { kind: TardisKind; depth: number } | null {
  if (!header.startsWith(COMMON + ',')) return null;
  const rest = header.slice(COMMON.length + 1);
  if (rest === 'is_snapshot,side,price,amount') return { kind: 'incremental_book_L2', depth: 0 };
  if (rest === 'ask_amount,ask_price,bid_price,bid_amount') return { kind: 'quotes', depth: 1 };
  if (rest === 'id,side,price,amount') return { kind: 'trades', depth: 0 };
  if (rest === DERIVATIVE_TICKER) return { kind: 'derivative_ticker', depth: 0 };
  const levels = rest.split(',');
  if (levels.length % 4 !== 0 || levels.length === 0) return null;
  for (let k = 0; k < levels.length / 4; k++) {
    if (levels.slice(4 * k, 4 * k + 4).join(',') !== `asks[${k}].price,asks[${k}].amount,bids[${k}].price,bids[${k}].amount`) return null;
  }
  return { kind: 'book_snapshot', depth: levels.length / 4 };
}

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
    return new (await import('./reader.js')).TardisCsvSource(path, options, kind.kind, kind.depth);
  },
};
