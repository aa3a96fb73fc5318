import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ColumnSpec, TableWriter } from '../../core/table.js';
import { CsvWriter } from './text-writers.js';

/**
 * Parquet through embedded DuckDB: rows are staged as CSV in the temp folder, then converted with
 * exact column types (BIGINT for integers and epoch ns, DECIMAL(38, d) with the most decimals seen,
 * DOUBLE for floats, VARCHAR for text). The staging file is removed afterwards, also on failure.
 */
export class ParquetWriter implements TableWriter {
  private readonly staging: string;
  private readonly csv: CsvWriter;

  constructor(private readonly path: string, readonly columns: readonly ColumnSpec[]) {
    this.staging = join(tmpdir(), `flowmine-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.csv`);
    this.csv = new CsvWriter(this.staging, columns);
  }

  get rows(): number {
    return this.csv.rows;
  }
  int(value: number): void {
    this.csv.int(value);
  }
  epochNs(baseNs: bigint, offsetNs: number): void {
    this.csv.epochNs(baseNs, offsetNs);
  }
  decimal(units: number, decimals: number): void {
    this.csv.decimal(units, decimals);
  }
  float(value: number): void {
    this.csv.float(value);
  }
  floats(values: Float64Array): void {
    this.csv.floats(values);
  }
  text(value: string): void {
    this.csv.text(value);
  }
  empty(): void {
    this.csv.empty();
  }
  endRow(): void {
    this.csv.endRow();
  }

  async close(): Promise<void> {
    await this.csv.close();
    try {
      const types = this.columns.map((column, i) => `${sqlString(column.name)}: '${sqlType(column, this.csv.decimalsSeen[i]!)}'`).join(', ');
      // Loaded on demand: the native module costs startup time that CSV output does not need.
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        await connection.run(
          `COPY (SELECT * FROM read_csv(${sqlString(this.staging)}, header = true, auto_detect = false, columns = {${types}})) ` +
            `TO ${sqlString(this.path)} (FORMAT parquet, COMPRESSION zstd)`,
        );
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    } finally {
      rmSync(this.staging, { force: true });
    }
  }
}

function sqlType(column: ColumnSpec, decimals: number): string {
  switch (column.type) {
    case 'int':
    case 'epoch_ns':
      return 'BIGINT';
    case 'decimal':
      return `DECIMAL(38, ${decimals})`;
    case 'float':
      return 'DOUBLE';
    default:
      return 'VARCHAR';
  }
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
