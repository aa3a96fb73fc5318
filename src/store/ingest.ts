/**
 * Ingest: every normalized event of an input written into a dataset as Hive-partitioned Parquet, one part
 * per (instrument, UTC date) partition, replacing the input's previous parts atomically (staging.ts).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventSource } from '../core/source.js';
import { partFilesOf } from './dataset.js';
import { openDuckDB, type DuckDB } from './duckdb.js';
import { partFileName, partId, partitionPath, sidecarFileName } from './layout.js';
import { PartitionStager, type ParquetLayout } from './partition-stager.js';
import { PART_LAYOUT_VERSION, PART_METADATA_KEY, type IntegrityJson, type PartDescription } from './schema.js';
import { Staging, writeFileSynced } from './staging.js';

/**
 * The Parquet layout of parts (docs/DATASET.md says why): LZ4 pages (the reader decodes them in
 * JavaScript several times faster than Zstandard), Parquet 2 encodings (delta-packed integers,
 * dictionaries for few-valued columns), row groups of 128 Ki rows so that a reader streams a part in
 * bounded memory.
 */
export const PART_LAYOUT: ParquetLayout = { compression: 'lz4_raw', rowGroupRows: 32_768, parquetVersion: 'V2', metadataKey: PART_METADATA_KEY };

/** What one ingest did. */
export interface IngestResult {
  input: string;
  id: string;
  format: string;
  events: number;
  parts: { path: string; rows: number }[];
  /** Files of the input's earlier parts removed because it no longer has rows there. */
  removed: number;
}

/**
 * Reads a whole source and replaces its parts in `datasetDir` (created if missing). `onBatch` is told the
 * rows of each batch (progress). The dataset changes only at the end, all at once for this input.
 */
export async function ingestSource(source: EventSource, datasetDir: string, onBatch?: (rows: number) => void, layout: ParquetLayout = PART_LAYOUT): Promise<IngestResult> {
  const dataset = resolve(datasetDir);
  mkdirSync(dataset, { recursive: true });
  const input = resolve(source.path);
  const id = partId(input, source.format);
  const staging = Staging.begin(dataset);
  let db: DuckDB | null = null;
  try {
    const stager = new PartitionStager(source.path, (key) => staging.path(`${key}.staging.parquet`));
    let timeBaseNs: bigint | null = null;
    for await (const batch of source.batches()) {
      timeBaseNs ??= batch.timeBaseNs;
      stager.add(batch);
      onBatch?.(batch.length);
    }
    stager.finish();
    const instruments = source.instruments.list;
    const partitions = stager.partitions;
    const integrity = source.integrity.report.toJSON() as IntegrityJson;
    const descriptions: PartDescription[] = [];
    db = await openDuckDB(staging.path('spill'));
    await stager.writeParts(
      db,
      instruments,
      (partition) => staging.path(`${partition.key}.parquet`),
      (partition, ranges) => {
        const instrument = instruments[partition.instrument]!;
        const description: PartDescription = {
          layout: PART_LAYOUT_VERSION,
          part: id,
          input,
          format: source.format,
          granularity: source.granularity,
          windowLevels: source.windowLevels ?? null,
          depthLimit: source.depthLimit ?? null,
          checksum: source.checksum?.name ?? null,
          timeBaseNs: String(timeBaseNs ?? 0n),
          instrument: { ...instrument, index: partition.instrument },
          partition: { venue: instrument.venue, symbol: instrument.symbol, date: partition.date },
          rows: partition.rows,
          firstEventIndex: partition.firstEventIndex,
          lastEventIndex: partition.lastEventIndex,
          tsEvent: ranges.tsEvent,
          tsRecv: ranges.tsRecv,
          inputEvents: stager.events,
          inputParts: partitions.length,
          integrity,
        };
        descriptions[partition.key] = description;
        return JSON.stringify(description);
      },
      layout,
    );
    db.close();
    db = null;
    const moves: { from: string; to: string }[] = [];
    const parts: IngestResult['parts'] = [];
    for (const [key, description] of descriptions.entries()) {
      const path = `${partitionPath(description.partition.venue, description.partition.symbol, description.partition.date)}/${partFileName(id)}`;
      writeFileSynced(staging.path(`${key}.integrity.json`), JSON.stringify(description, null, 2) + '\n');
      rmSync(staging.path(`${key}.staging.parquet`));
      moves.push({ from: `${key}.parquet`, to: path }, { from: `${key}.integrity.json`, to: path.replace(partFileName(id), sidecarFileName(id)) });
      parts.push({ path, rows: description.rows });
    }
    let removed = 0;
    staging.commit(moves, () => {
      const old = partFilesOf(dataset, id);
      const targets = new Set(moves.map((move) => move.to));
      removed = old.filter((path) => !targets.has(path)).length;
      return old;
    });
    return { input, id, format: source.format, events: stager.events, parts, removed };
  } catch (error) {
    db?.close();
    staging.remove();
    throw error;
  }
}
