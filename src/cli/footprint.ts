import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { ColumnSpec, TableWriter } from '../core/table.js';
import { FootprintCollector } from '../features/footprint.js';
import { parseClock, runFeatures } from '../features/index.js';
import { SIGNING_RULES, type SigningRule } from '../features/signing.js';
import { openTableWriter } from '../io/table/open.js';
import { Progress, stderrLine } from './progress.js';
import { integrityLine, writeRunReport } from './report-text.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface FootprintOptions extends SourceOptions {
  clock: string;
  rule: string;
  out: string;
  report?: string;
}

/** `flowmine footprint`: bid and ask volume per traded price per bar, one row per bar and price. */
export function footprintCommand(): Command {
  return withSourceOptions(
    new Command('footprint')
      .description('footprint: volume of seller- and buyer-initiated trades per traded price per bar (long format)')
      .argument('<input>', 'market data file')
      .option('--clock <clock>', 'bars: an interval (100ms, 1s, 1m), tick:N, volume:V, dollar:D, imbalance:N, run:N, or event', '1m')
      .option('--rule <rule>', `trade signing: ${SIGNING_RULES.join(', ')} (aggressor: the venue's side, else the tick rule)`, 'aggressor')
      .option('--out <file>', 'output: .csv, .jsonl or .parquet; - for CSV on standard output', '-')
      .option('--report <file>', 'write the integrity report and replay summary as JSON'),
  ).action(async (input: string, options: FootprintOptions) => {
    if (!SIGNING_RULES.includes(options.rule as SigningRule)) throw new UsageError(`--rule ${options.rule}: expected one of ${SIGNING_RULES.join(', ')}`);
    const clock = parseClock(options.clock);
    const { source, close } = await openInput(input, options);
    const progress = new Progress('footprint');
    let writer: TableWriter | null = null;
    let withInstrument = false;
    const open = (): TableWriter => {
      withInstrument = source.instruments.size > 1;
      const specs: ColumnSpec[] = [{ name: 'ts_ns', type: 'epoch_ns' }];
      if (withInstrument) specs.push({ name: 'instrument', type: 'text' });
      specs.push({ name: 'price', type: 'float' }, { name: 'bid_volume', type: 'float' }, { name: 'ask_volume', type: 'float' }, { name: 'delta', type: 'float' }, { name: 'trades', type: 'int' });
      return openTableWriter(options.out, specs, { thread: options.threads === '2' });
    };
    const collector = new FootprintCollector(
      source.instruments,
      (level) => {
        writer ??= open();
        writer.epochNs(level.timeBaseNs, level.ts);
        if (withInstrument) writer.text(source.instruments.get(level.instrument).symbol);
        writer.float(level.price);
        writer.float(level.bidVolume);
        writer.float(level.askVolume);
        writer.float(level.delta);
        writer.int(level.trades);
        writer.endRow();
      },
      options.rule as SigningRule,
    );
    let result;
    try {
      result = await runFeatures(source, [collector.request], clock, () => {}, (rows) => progress.add(rows));
      writer ??= open();
    } finally {
      progress.stop();
      close();
      await (writer as TableWriter | null)?.close();
    }
    if (options.report) writeRunReport(options.report, source, result.summary);
    if (options.out !== '-') stderrLine(integrityLine(source, result.summary, (writer as TableWriter).rows));
  });
}
