import { extname } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { ColumnSpec, TableWriter } from '../../core/table.js';
import { ParquetWriter } from './parquet-writer.js';
import { CsvWriter, JsonlWriter } from './text-writers.js';

/** Opens a table writer chosen by the output's extension: `.csv`, `.jsonl`, `.parquet`; `-` is CSV on stdout. */
export function openTableWriter(path: string, columns: readonly ColumnSpec[]): TableWriter {
  if (path === '-') return new CsvWriter(path, columns);
  switch (extname(path).toLowerCase()) {
    case '.csv':
      return new CsvWriter(path, columns);
    case '.jsonl':
    case '.ndjson':
      return new JsonlWriter(path, columns);
    case '.parquet':
      return new ParquetWriter(path, columns);
    default:
      throw new UsageError(`--out ${path}: unknown extension (use .csv, .jsonl or .parquet)`);
  }
}
