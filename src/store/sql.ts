/**
 * SQL over a dataset with embedded DuckDB: a view `events` reads every part with Hive partitioning, so
 * `venue`, `symbol` and `date` are columns next to the stored ones (docs/DATASET.md).
 */
import { extname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { listParts } from './dataset.js';
import { sqlString } from '../io/sql-text.js';
import { duckdbError, openDuckDB, type DuckDB } from './duckdb.js';

/** The glob of every part of a dataset (staging folders never match it). */
export function partsGlob(datasetDir: string): string {
  return join(datasetDir, 'venue=*', 'symbol=*', 'date=*', 'part-*.parquet');
}

/** The view over a dataset: partition columns as text (`date` is `YYYY-MM-DD` or `unknown`). */
export function eventsViewSql(datasetDir: string): string {
  return (
    `CREATE VIEW events AS SELECT * FROM read_parquet(${sqlString(partsGlob(datasetDir))}, hive_partitioning = true, ` +
    `hive_types = {'venue': VARCHAR, 'symbol': VARCHAR, 'date': VARCHAR})`
  );
}

/** Opens DuckDB with the `events` view over a dataset; a folder without parts is a one-line error. */
export async function openDatasetSql(datasetDir: string): Promise<DuckDB> {
  if (listParts(datasetDir).length === 0) throw new UsageError(`${datasetDir}: no dataset parts in it (see flowmine ingest)`);
  const db = await openDuckDB();
  await db.connection.run(eventsViewSql(datasetDir));
  return db;
}

/** A query result for display: column names, whether each is numeric, and rows of text (null for NULL). */
export interface TextResult {
  columns: string[];
  numeric: boolean[];
  rows: AsyncIterable<(string | null)[][]>;
}

const NUMERIC = /^(?:U?(?:TINY|SMALL|BIG|HUGE)?INT(?:EGER)?|DOUBLE|FLOAT|REAL|DECIMAL.*)$/;

/**
 * Runs the statements of `sql` (separated by `;`) and streams the result of the last one as text, chunk
 * by chunk. DuckDB errors become one line.
 */
export async function queryText(db: DuckDB, sql: string): Promise<TextResult> {
  const statements = splitStatements(sql);
  if (statements.length === 0) throw new UsageError('sql: the query is empty');
  try {
    for (const statement of statements.slice(0, -1)) await db.connection.run(statement);
    const result = await db.connection.stream(statements[statements.length - 1]!);
    const types = result.columnTypes().map(String);
    return {
      columns: result.columnNames(),
      numeric: types.map((type) => NUMERIC.test(type)),
      rows: (async function* () {
        for (;;) {
          let chunk;
          try {
            chunk = await result.fetchChunk();
          } catch (error) {
            throw duckdbError('sql', error);
          }
          if (!chunk || chunk.rowCount === 0) return;
          yield chunk.getRows().map((row) => row.map((value) => (value === null ? null : String(value))));
        }
      })(),
    };
  } catch (error) {
    throw duckdbError('sql', error);
  }
}

/** Runs the statements of `sql` and writes the result of the last one to `path` (.csv, .jsonl or .parquet) with DuckDB. */
export async function queryToFile(db: DuckDB, sql: string, path: string): Promise<void> {
  const statements = splitStatements(sql);
  if (statements.length === 0) throw new UsageError('sql: the query is empty');
  const format = fileFormat(path);
  try {
    for (const statement of statements.slice(0, -1)) await db.connection.run(statement);
    const last = statements[statements.length - 1]!;
    try {
      await db.connection.run(`COPY (${last}) TO ${sqlString(path)} (${format})`);
    } catch (error) {
      // DESCRIBE, SHOW, SUMMARIZE… are not queries COPY takes as they are, but are as a subquery.
      if (!/^Parser Error/.test((error as Error).message)) throw error;
      await db.connection.run(`COPY (SELECT * FROM (${last})) TO ${sqlString(path)} (${format})`);
    }
  } catch (error) {
    throw duckdbError('sql', error);
  }
}

function fileFormat(path: string): string {
  switch (extname(path).toLowerCase()) {
    case '.csv':
      return 'FORMAT csv, HEADER';
    case '.jsonl':
    case '.ndjson':
      return 'FORMAT json';
    case '.parquet':
      return 'FORMAT parquet, COMPRESSION zstd';
    default:
      throw new UsageError(`--out ${path}: unknown extension (use .csv, .jsonl or .parquet)`);
  }
}

/**
 * Splits SQL text at the semicolons that end statements: not those inside quotes (`'…'`, `"…"`, `$$…$$`)
 * or comments (`-- …`, `/* … *\/`). Empty statements are dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      i++;
      while (i < n && !(sql[i] === c && sql[i + 1] !== c)) i += sql[i] === c ? 2 : 1;
      i++;
    } else if (c === '$' && sql[i + 1] === '$') {
      const end = sql.indexOf('$$', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ';') {
      statements.push(sql.slice(start, i));
      start = ++i;
    } else i++;
  }
  statements.push(sql.slice(start));
  return statements.map((statement) => statement.trim()).filter((statement) => statement !== '' && !/^(?:--[^\n]*\n?|\/\*[\s\S]*?\*\/|\s)*$/.test(statement));
}
