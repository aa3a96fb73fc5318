import { extname } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { ColumnSpec, TableWriter } from '../../core/table.js';
import { CsvRows } from './csv-rows.js';
import { ParquetWriter } from './parquet-writer.js';
import { CsvWriter, JsonlWriter, textWriter } from './text-writers.js';
import { ThreadedWriter } from '../writer-thread.js';

export interface TableWriterOptions {
  /** Format CSV and JSONL in a second thread (ThreadedWriter): for outputs of many rows, on two cores. */
  thread?: boolean;
  /** With `thread`: the output will be large, so the thread starts with the first row (ThreadedWriter's `fromFirstRow`). */
  large?: boolean;
}

/** Opens a table writer chosen by the output's extension: `.csv`, `.jsonl`, `.parquet`; `-` is CSV on stdout. */
export function openTableWriter(path: string, columns: readonly ColumnSpec[], options: TableWriterOptions = {}): TableWriter {
  const text = (format: 'csv' | 'jsonl'): TableWriter => {
    if (options.thread) return new ThreadedWriter(path, columns, format, { fromFirstRow: options.large === true });
    // In one thread too, a CSV table of int, decimal and epoch-ns columns is formatted in WebAssembly.
    if (format === 'csv' && CsvRows.formats(columns)) return new ThreadedWriter(path, columns, format, { worker: false });
    return textWriter(format, path, columns);
  };
  if (path === '-') return text('csv');
  switch (extname(path).toLowerCase()) {
    case '.csv':
      return text('csv');
    case '.jsonl':
    case '.ndjson':
      return text('jsonl');
    case '.parquet':
      return new ParquetWriter(path, columns);
    default:
      throw new UsageError(`--out ${path}: unknown extension (use .csv, .jsonl or .parquet)`);
  }
}

/**
 * How to write a row's run of float cells with this writer: in one call where it can (the CSV, JSONL and
 * Parquet writers), else cell by cell.
 */
export function floatsWriter(writer: TableWriter): (values: Float64Array) => void {
  if (writer instanceof CsvWriter || writer instanceof JsonlWriter || writer instanceof ParquetWriter || writer instanceof ThreadedWriter) return (values) => writer.floats(values);
  return (values) => {
    for (let i = 0; i < values.length; i++) writer.float(values[i]!);
  };
}
