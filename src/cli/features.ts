import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { ColumnSpec, TableWriter } from '../core/table.js';
import { DEFAULT_FEATURES, features, parseClock, parseFeatureList, runFeatures } from '../features/index.js';
import { floatsWriter, openTableWriter } from '../io/table/open.js';
import { Progress } from './progress.js';
import { integrityLine, writeRunReport } from './report-text.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface FeaturesOptions extends SourceOptions {
  features: string;
  clock: string;
  out: string;
  list?: boolean;
  report?: string;
}

export function featuresCommand(): Command {
  return withSourceOptions(
    new Command('features')
      .description('compute order-flow features over an input, one row per bar of the clock')
      .argument('[input]', 'market data file')
      .option('--features <list>', 'comma-separated features with optional :param=value (see --list)', DEFAULT_FEATURES)
      .option('--clock <clock>', 'bars: event, an interval (100ms, 1s, 10s), tick:N, volume:V, dollar:D, imbalance:N, run:N', 'event')
      .option('--out <file>', 'output: .csv, .jsonl or .parquet; - for CSV on standard output', '-')
      .option('--list', 'list the features, their parameters and columns')
      .option('--report <file>', 'write the integrity report and replay summary as JSON'),
  ).action(async (input: string | undefined, options: FeaturesOptions) => {
    if (options.list) return listFeatures();
    if (input === undefined) throw new UsageError('features: an input is required (or --list)');
    const requests = parseFeatureList(options.features);
    const clock = parseClock(options.clock);
    const { source, close } = await openInput(input, options, { batchAtATime: true });
    const progress = new Progress('features');
    let writer: TableWriter | null = null;
    const columns = requests.flatMap((request) => request.columns);
    const open = () => {
      const withInstrument = source.instruments.size > 1;
      const specs: ColumnSpec[] = [{ name: 'ts_ns', type: 'epoch_ns' }];
      if (withInstrument) specs.push({ name: 'instrument', type: 'text' });
      for (const name of columns) specs.push({ name, type: 'float' });
      const opened = openTableWriter(options.out, specs, { thread: options.threads === '2' });
      return { writer: opened, writeFloats: floatsWriter(opened), withInstrument };
    };
    let withInstrument = false;
    let writeFloats: (values: Float64Array) => void = () => {};
    let result;
    try {
      result = await runFeatures(
        source,
        requests,
        clock,
        (instrument, ts, baseNs, values) => {
          if (!writer) ({ writer, writeFloats, withInstrument } = open());
          writer.epochNs(baseNs, ts);
          if (withInstrument) writer.text(source.instruments.get(instrument).symbol);
          writeFloats(values);
          writer.endRow();
        },
        (rows) => progress.add(rows),
      );
      writer ??= open().writer;
    } finally {
      progress.stop();
      close();
      await (writer as TableWriter | null)?.close();
    }
    if (options.report) writeRunReport(options.report, source, result.summary);
    if (options.out !== '-') process.stderr.write(`${integrityLine(source, result.summary, (writer as TableWriter).rows)}\n`);
  });
}

function listFeatures(): void {
  for (const definition of features.all()) {
    const params = definition.params.map((param) => `${param.name}=${param.default}`).join(':');
    const defaults = Object.fromEntries(definition.params.map((param) => [param.name, param.default]));
    process.stdout.write(`${definition.name}${params ? `:${params}` : ''}\n  ${definition.doc}\n  columns: ${definition.columns(defaults).join(', ')}\n`);
    for (const param of definition.params) process.stdout.write(`  ${param.name}: ${param.doc}\n`);
  }
}
