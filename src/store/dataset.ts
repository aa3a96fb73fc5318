/**
 * Finding the parts of a dataset folder: a walk of its `venue=…/symbol=…/date=…/` folders (never into
 * the staging folder), names decoded, nothing opened.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { decodePartitionValue, partFileName, partIdOf, sidecarFileName, STAGING_DIR, UNKNOWN_DATE } from './layout.js';

/** One part found in a dataset. */
export interface PartFile {
  /** The input's part id. */
  id: string;
  venue: string;
  symbol: string;
  /** `YYYY-MM-DD` or `unknown`. */
  date: string;
  /** Partition folder relative to the dataset, e.g. `venue=kraken/symbol=XMR%2FUSD/date=2021-04-17`. */
  folder: string;
  /** Absolute paths of the Parquet file and its integrity report. */
  parquet: string;
  sidecar: string;
}

/** True when `path` is a folder that looks like a dataset: it has `venue=…` folders or a staging folder. */
export function isDatasetFolder(path: string): boolean {
  try {
    if (!statSync(path).isDirectory()) return false;
  } catch {
    return false;
  }
  return readdirSync(path).some((name) => name.startsWith('venue=') || name === STAGING_DIR);
}

/** Every part of a dataset, sorted by partition then id. Throws a one-line error for a folder that is not a dataset. */
export function listParts(datasetDir: string): PartFile[] {
  if (!existsSync(datasetDir) || !statSync(datasetDir).isDirectory()) throw new UsageError(`${datasetDir}: not a folder`);
  const parts: PartFile[] = [];
  for (const venueFolder of subfolders(datasetDir, 'venue=')) {
    const venue = decodePartitionValue(venueFolder.slice('venue='.length));
    if (venue === null) continue;
    for (const symbolFolder of subfolders(join(datasetDir, venueFolder), 'symbol=')) {
      const symbol = decodePartitionValue(symbolFolder.slice('symbol='.length));
      if (symbol === null) continue;
      for (const dateFolder of subfolders(join(datasetDir, venueFolder, symbolFolder), 'date=')) {
        const date = dateFolder.slice('date='.length);
        if (date !== UNKNOWN_DATE && !/^\d{4}-\d{2}-\d{2}$/.test(date)) continue;
        const folder = `${venueFolder}/${symbolFolder}/${dateFolder}`;
        const abs = join(datasetDir, folder);
        for (const name of readdirSync(abs).sort()) {
          const id = partIdOf(name);
          if (id === null || name !== partFileName(id)) continue;
          parts.push({ id, venue, symbol, date, folder, parquet: join(abs, name), sidecar: join(abs, sidecarFileName(id)) });
        }
      }
    }
  }
  return parts;
}

/** Dataset-relative paths of every file of an input's parts (Parquet and report). */
export function partFilesOf(datasetDir: string, id: string): string[] {
  const files: string[] = [];
  if (!existsSync(datasetDir)) return files;
  for (const venueFolder of subfolders(datasetDir, 'venue=')) {
    for (const symbolFolder of subfolders(join(datasetDir, venueFolder), 'symbol=')) {
      for (const dateFolder of subfolders(join(datasetDir, venueFolder, symbolFolder), 'date=')) {
        const folder = `${venueFolder}/${symbolFolder}/${dateFolder}`;
        for (const name of readdirSync(join(datasetDir, folder))) if (partIdOf(name) === id) files.push(`${folder}/${name}`);
      }
    }
  }
  return files;
}

function subfolders(dir: string, prefix: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith(prefix))
    .map((entry) => entry.name)
    .sort();
}
