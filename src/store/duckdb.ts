/**
 * Embedded DuckDB for the store: loaded on demand (its native module costs start-up time that reading a
 * dataset does not need), one in-memory database per use.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { FlowmineError } from '../core/errors.js';

/** The DuckDB module, imported on first use. */
export type DuckDBModule = typeof import('@duckdb/node-api');

/** An open in-memory database and one connection to it; `close()` releases both. */
export interface DuckDB {
  readonly module: DuckDBModule;
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  close(): void;
}

/** Opens an in-memory DuckDB; `tempDirectory` is where it may spill when the data outgrows memory. */
export async function openDuckDB(tempDirectory?: string): Promise<DuckDB> {
  const module = await import('@duckdb/node-api');
  const instance = await module.DuckDBInstance.create(':memory:', tempDirectory === undefined ? {} : { temp_directory: tempDirectory });
  const connection = await instance.connect();
  return {
    module,
    instance,
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** The first line of a DuckDB error message, as a FlowmineError (the CLI prints it as one line). */
export function duckdbError(context: string, error: unknown): FlowmineError {
  const message = error instanceof Error ? error.message : String(error);
  const line = (message.split('\n').find((text) => text.trim() !== '') ?? message).trim().replace(/^Failed to extract statements: /, '');
  return new FlowmineError(`${context}: ${line}`);
}
