/** The header line of a Binance T_DEPTH CSV: which columns it has, and where. */

/** Columns a T_DEPTH CSV must have (`timestamp` may be called `time`); `pu` is optional. */
export const REQUIRED = ['symbol', 'timestamp', 'first_update_id', 'last_update_id', 'side', 'update_type', 'price', 'qty'] as const;
export type Column = (typeof REQUIRED)[number] | 'pu';

/** Where each column is in a T_DEPTH CSV, by its header line; null when the line is not such a header. */
export function tdepthColumns(header: string): Record<Column, number> | null {
  const names = header.replace(/^\uFEFF/, '').split(',').map((name) => (name === 'time' ? 'timestamp' : name));
  const at = (name: string) => names.indexOf(name);
  if (REQUIRED.some((name) => at(name) < 0)) return null;
  return { symbol: at('symbol'), timestamp: at('timestamp'), first_update_id: at('first_update_id'), last_update_id: at('last_update_id'), side: at('side'), update_type: at('update_type'), price: at('price'), qty: at('qty'), pu: at('pu') };
}
