import { Command } from 'commander';
import { BookEmitter, emitColumns, parseEmitSpec, parseIntervalNs } from '../book/emit.js';
import { Replayer } from '../book/replay.js';
import type { TableWriter } from '../core/table.js';
import { openTableWriter } from '../io/table/open.js';
import { Progress, stderrLine } from './progress.js';
import { integrityLine, writeRunReport } from './report-text.js';
import { largeOutput, openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface ReplayOptions extends SourceOptions {
  emit: string;
  every?: string;
  out: string;
  report?: string;
}

export function replayCommand(): Command {
  return withSourceOptions(
    new Command('replay')
      .description('rebuild the order book and write its state after every complete venue update')
      .argument('<input>', 'market data file, or a dataset folder (flowmine ingest; select with --venue, --symbol, --from, --to)')
      .option('--emit <what>', 'bbo, or depth:N for the top N levels (LOBSTER orderbook layout)', 'bbo')
      .option('--every <interval>', 'one row per interval (e.g. 100ms, 1s) with the state as of its end, instead of one per update')
      .option('--out <file>', 'output: .csv, .jsonl or .parquet; - for CSV on standard output', '-')
      .option('--report <file>', 'write the integrity report and replay summary as JSON'),
  ).action(async (input: string, options: ReplayOptions) => {
    const spec = parseEmitSpec(options.emit);
    const everyNs = options.every === undefined ? undefined : parseIntervalNs(options.every);
    const { source, close } = await openInput(input, options, { batchAtATime: true, ticks: false });
    const progress = new Progress('replay');
    const replayer = Replayer.for(source);
    let writer: TableWriter | null = null;
    let emitter: BookEmitter | null = null;
    try {
      for await (const batch of source.batches()) {
        if (!emitter) {
          const withInstrument = source.instruments.size > 1;
          writer = openTableWriter(options.out, emitColumns(spec, withInstrument), { thread: options.threads === '2', large: everyNs === undefined && largeOutput(input) });
          emitter = new BookEmitter(writer, spec, source.instruments, withInstrument, everyNs);
        }
        if (emitter.onBest) replayer.pushBest(batch, emitter.onBest);
        else replayer.push(batch, emitter.onUpdate);
        progress.add(batch.length);
      }
      emitter?.finish();
      writer ??= openTableWriter(options.out, emitColumns(spec, false));
    } finally {
      progress.stop();
      close();
      await writer?.close();
    }
    const summary = replayer.finish();
    if (options.report) writeRunReport(options.report, source, summary);
    if (options.out !== '-') stderrLine(integrityLine(source, summary, writer.rows));
  });
}
