/**
 * What part of a dataset a command reads: venues, symbols, and a time window `[from, to)` applied to
 * whole venue updates (the time of an update is that of its last row: venue time, else receive time).
 */
import { UsageError } from '../core/errors.js';
import { parseIsoDate } from '../core/time.js';

/** A selection of a dataset; every field optional (absent: everything). */
export interface DatasetFilter {
  venues?: readonly string[];
  symbols?: readonly string[];
  /** Epoch ns, inclusive. */
  fromNs?: bigint;
  /** Epoch ns, exclusive. */
  toNs?: bigint;
}

/**
 * Parses a time given as epoch nanoseconds (digits) or ISO 8601 (`2024-08-08`, `2024-08-08T23:55:00Z`,
 * `2024-08-08T19:55:00.123456789-04:00`; up to nine fractional digits; no zone means UTC).
 */
export function parseTimeNs(text: string, option: string): bigint {
  if (/^-?\d+$/.test(text)) return BigInt(text);
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  if (match && parseIsoDate(match[1]!)) {
    const [, date, hours = '00', minutes = '00', seconds = '00', fraction = '', zone = 'Z'] = match;
    const ms = Date.parse(`${date}T${hours}:${minutes}:${seconds}${zone}`);
    if (Number.isFinite(ms)) return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
  }
  throw new UsageError(`${option} ${text}: expected epoch nanoseconds or an ISO time such as 2024-08-08T23:55:00Z`);
}

/** Splits a comma-separated list option; undefined when absent. */
export function listOption(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}

/** The filter as the options that give it, for messages (`--venue kraken --symbol XMR/USD`). */
export function describeFilter(filter: DatasetFilter): string {
  const parts: string[] = [];
  if (filter.venues) parts.push(`--venue ${filter.venues.join(',')}`);
  if (filter.symbols) parts.push(`--symbol ${filter.symbols.join(',')}`);
  if (filter.fromNs !== undefined) parts.push(`--from ${filter.fromNs}`);
  if (filter.toNs !== undefined) parts.push(`--to ${filter.toNs}`);
  return parts.join(' ');
}

/** True when the filter has a time window. */
export function hasTimeWindow(filter: DatasetFilter): boolean {
  return filter.fromNs !== undefined || filter.toNs !== undefined;
}
