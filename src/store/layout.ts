/**
 * Where things live in a dataset folder (docs/DATASET.md):
 *
 * ```
 * DIR/venue=<venue>/symbol=<symbol>/date=<YYYY-MM-DD>/part-<id>.parquet
 *                                                    /part-<id>.integrity.json
 * DIR/.flowmine-staging/…   (work in progress of running ingests; never read as data)
 * ```
 *
 * Partition values are percent-encoded (`encodePartitionValue`), so any venue or symbol text maps to one
 * folder name and back; DuckDB's hive partitioning decodes them the same way.
 */
import { lazyModule } from '../core/lazy-module.js';

const crypto = lazyModule<typeof import('node:crypto')>('node:crypto');

/** The folder inside a dataset where ingests stage their parts before committing them. */
export const STAGING_DIR = '.flowmine-staging';
/** The `date` partition of rows that have neither a venue time nor a receive time. */
export const UNKNOWN_DATE = 'unknown';

const NS_PER_DAY = 86_400_000_000_000n;
const SAFE = /^[A-Za-z0-9._-]$/;

/**
 * Percent-encodes every byte of the UTF-8 text except ASCII letters, digits, `.`, `_` and `-`, e.g.
 * `XMR/USD` -> `XMR%2FUSD`, `BTC-PERPETUAL` unchanged. The encoding is reversible (`decodePartitionValue`)
 * and never yields `/` or `=`; every `%` is followed by two upper-case hex digits. (Venues and symbols are never
 * empty: an ingest refuses an instrument without a symbol.)
 */
export function encodePartitionValue(text: string): string {
  let out = '';
  for (const char of text) {
    if (SAFE.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Reverses `encodePartitionValue`; returns null for a folder name that is not such an encoding. */
export function decodePartitionValue(name: string): string | null {
  if (!/^(?:[A-Za-z0-9._-]|%[0-9A-F]{2})+$/.test(name)) return null;
  try {
    const text = decodeURIComponent(name);
    return encodePartitionValue(text) === name ? text : null;
  } catch {
    return null;
  }
}

/** `key=<encoded value>` folder name of one partition level. */
export function partitionFolder(key: 'venue' | 'symbol', value: string): string {
  return `${key}=${encodePartitionValue(value)}`;
}

/** The folder of a partition, relative to the dataset root. */
export function partitionPath(venue: string, symbol: string, date: string): string {
  return `${partitionFolder('venue', venue)}/${partitionFolder('symbol', symbol)}/date=${date}`;
}

/**
 * The id of one input in a dataset: 12 hex digits of the SHA-256 of its absolute path and format name.
 * Its parts are `part-<id>.*` in every partition it has rows in; ingesting it again replaces exactly those.
 */
export function partId(absolutePath: string, format: string): string {
  return crypto().createHash('sha256').update(`${absolutePath}\u0000${format}`).digest('hex').slice(0, 12);
}

/** File name of a part's Parquet file. */
export function partFileName(id: string): string {
  return `part-${id}.parquet`;
}

/** File name of a part's integrity report, beside its Parquet file. */
export function sidecarFileName(id: string): string {
  return `part-${id}.integrity.json`;
}

/** The part id of a part's Parquet or sidecar file name, or null for other names. */
export function partIdOf(fileName: string): string | null {
  const match = /^part-([0-9a-f]{12})\.(?:parquet|integrity\.json)$/.exec(fileName);
  return match ? match[1]! : null;
}

/** `YYYY-MM-DD` (UTC) of an epoch-nanosecond time. */
export function utcDateOfNs(epochNs: bigint): string {
  const day = epochNs >= 0n ? epochNs / NS_PER_DAY : -((-epochNs + NS_PER_DAY - 1n) / NS_PER_DAY);
  return new Date(Number(day) * 86_400_000).toISOString().slice(0, 10);
}

/** Epoch nanoseconds of the UTC midnight that starts a day number (days since 1970-01-01). */
export function dayStartNs(day: number): bigint {
  return BigInt(day) * NS_PER_DAY;
}
