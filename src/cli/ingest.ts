import { resolve } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { Progress } from './progress.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface IngestOptions extends SourceOptions {
  out: string;
}

/** `flowmine ingest INPUT… --out DIR`: inputs into a Hive-partitioned Parquet dataset (docs/DATASET.md). */
export function ingestCommand(): Command {
  return withSourceOptions(
    new Command('ingest')
      .description('write every normalized event of the inputs into a Parquet dataset, partitioned by venue, symbol and UTC date')
      .argument('<inputs...>', 'market data files')
      .requiredOption('--out <dir>', 'dataset folder (created if missing); ingesting an input again replaces its parts'),
  ).action(async (inputs: string[], options: IngestOptions) => {
    // The store (and DuckDB with it) is loaded only when this command runs.
    const { ingestSource } = await import('../store/ingest.js');
    for (const input of inputs) {
      if (resolve(input) === resolve(options.out)) throw new UsageError(`${input}: is the dataset being written (--out)`);
      const { source, close } = await openInput(input, options);
      const progress = new Progress('ingest');
      let result;
      try {
        result = await ingestSource(source, options.out, (rows) => progress.add(rows));
      } finally {
        progress.stop();
        close();
      }
      const report = source.integrity.report;
      const issues = [...report.issues].map(([kind, entry]) => `${kind}=${entry.count}`);
      process.stdout.write(
        `${input}: ${report.rowsRead} rows read, ${report.accepted} accepted, ${report.repaired} repaired, ${report.skipped} skipped; ` +
          `${result.events} events in ${result.parts.length} part${result.parts.length === 1 ? '' : 's'} (part-${result.id}) in ${options.out}` +
          (result.removed ? `; ${result.removed} files of its earlier parts removed` : '') +
          (issues.length ? `; issues: ${issues.join(' ')}` : '') +
          '\n',
      );
    }
  });
}
