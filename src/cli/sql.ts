import { Command } from 'commander';

interface SqlOptions {
  dataset: string;
  out?: string;
}

/** Rows whose values set the column widths of the printed table (later rows may overflow them). */
const WIDTH_SAMPLE_ROWS = 2048;

/** `flowmine sql "SELECT …" --dataset DIR [--out F]`: DuckDB over a dataset (docs/DATASET.md). */
export function sqlCommand(): Command {
  return new Command('sql')
    .description('run SQL over a dataset with DuckDB; the view `events` has every row, with venue, symbol and date columns')
    .argument('<query>', 'SQL, e.g. "SELECT symbol, date, count(*) FROM events GROUP BY ALL" (several statements: the last one is shown)')
    .requiredOption('--dataset <dir>', 'dataset folder (written by flowmine ingest)')
    .option('--out <file>', 'write the result as .csv, .jsonl or .parquet instead of printing a table')
    .action(async (query: string, options: SqlOptions) => {
      // DuckDB and the store load only when this command runs.
      const { openDatasetSql, queryText, queryToFile } = await import('../store/sql.js');
      const db = await openDatasetSql(options.dataset);
      try {
        if (options.out !== undefined) await queryToFile(db, query, options.out);
        else await printTable(await queryText(db, query));
      } finally {
        db.close();
      }
    });
}

/** Prints a result as an aligned text table: numbers right-aligned, NULL as `NULL`, a row count at the end. */
async function printTable(result: { columns: string[]; numeric: boolean[]; rows: AsyncIterable<(string | null)[][]> }): Promise<void> {
  const widths = result.columns.map((name) => name.length);
  const out = process.stdout;
  let printed = 0;
  let pending: (string | null)[][] = [];
  let headed = false;
  const cell = (value: string | null, c: number) => {
    const text = value ?? 'NULL';
    return result.numeric[c] ? text.padStart(widths[c]!) : text.padEnd(widths[c]!);
  };
  const flush = () => {
    if (!headed) {
      out.write(result.columns.map((name, c) => (result.numeric[c] ? name.padStart(widths[c]!) : name.padEnd(widths[c]!))).join('  ').trimEnd() + '\n');
      out.write(widths.map((width) => '-'.repeat(width)).join('  ') + '\n');
      headed = true;
    }
    if (pending.length) out.write(pending.map((row) => row.map(cell).join('  ').trimEnd()).join('\n') + '\n');
    printed += pending.length;
    pending = [];
  };
  for await (const rows of result.rows) {
    if (!headed) {
      for (const row of rows) row.forEach((value, c) => (widths[c] = Math.max(widths[c]!, (value ?? 'NULL').length)));
      pending.push(...rows);
      if (pending.length < WIDTH_SAMPLE_ROWS) continue;
    } else pending = rows;
    flush();
  }
  flush();
  out.write(`(${printed} row${printed === 1 ? '' : 's'})\n`);
}
