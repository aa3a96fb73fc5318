import { Command } from 'commander';
import type { Episode } from '../core/episode.js';
import { UsageError } from '../core/errors.js';
import type { EventSource } from '../core/source.js';
import type { ColumnSpec } from '../core/table.js';
import { openTableWriter } from '../io/table/open.js';
import { detect, detectors, parseDetectorList } from '../surveillance/index.js';
import { INTENT_CLASSES, type EpisodeIntent, type IntentReason } from '../surveillance/intent.js';
import { Progress, stderrLine } from './progress.js';
import { integrityLine, writeRunReport } from './report-text.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface DetectOptions extends SourceOptions {
  detectors: string;
  out: string;
  list?: boolean;
  report?: string;
}

/** The output contract (DESIGN.md), the intent columns of `flowmine intent --episodes`, and `instrument` last for inputs with several instruments. */
export function episodeColumns(withInstrument: boolean, withIntent = false): ColumnSpec[] {
  const columns: ColumnSpec[] = [
    { name: 'detector', type: 'text' },
    { name: 'start_ns', type: 'epoch_ns' },
    { name: 'end_ns', type: 'epoch_ns' },
    { name: 'side', type: 'int' },
    { name: 'price', type: 'decimal' },
    { name: 'order_ids', type: 'text' },
    { name: 'score', type: 'int' },
    { name: 'explanation', type: 'text' },
  ];
  if (withIntent) {
    columns.push(
      { name: 'intent', type: 'text' },
      { name: 'intent_probability', type: 'float' },
      { name: 'intent_orders', type: 'int' },
      { name: 'intent_basis', type: 'text' },
      { name: 'intent_because', type: 'text' },
    );
  }
  if (withInstrument) columns.push({ name: 'instrument', type: 'text' });
  return columns;
}

/** Writes episodes per the output contract; with `intents` (one per episode) also their intent. */
export async function writeEpisodes(path: string, episodes: readonly Episode[], source: EventSource, timeBaseNs: bigint, intents?: readonly EpisodeIntent[]): Promise<number> {
  const withInstrument = source.instruments.size > 1;
  const writer = openTableWriter(path, episodeColumns(withInstrument, intents !== undefined));
  for (const [k, episode] of episodes.entries()) {
    const instrument = source.instruments.get(episode.instrument);
    writer.text(episode.kind);
    writer.epochNs(timeBaseNs, episode.startNs);
    writer.epochNs(timeBaseNs, episode.endNs);
    writer.int(episode.side);
    writer.decimal(episode.price, instrument.priceDecimals);
    writer.text(episode.orderIds.join(' '));
    writer.int(episode.score);
    writer.text(episode.explanation);
    const intent = intents?.[k];
    if (intent) {
      if (intent.intent < 0) writer.empty();
      else writer.text(INTENT_CLASSES[intent.intent]!);
      writer.float(intent.intent < 0 ? NaN : intent.probabilities[intent.intent]!);
      writer.int(intent.orders);
      writer.text(intent.basis);
      writer.text(reasonsText(intent.because));
    }
    if (withInstrument) writer.text(instrument.symbol);
    writer.endRow();
  }
  await writer.close();
  return writer.rows;
}

/** `feature=value (−drop)` for each reason, separated by semicolons. */
export function reasonsText(reasons: readonly IntentReason[]): string {
  return reasons.map((why) => `${why.feature}=${Number(why.value.toPrecision(4))} (−${why.drop.toFixed(2)})`).join('; ');
}

export function detectCommand(): Command {
  return withSourceOptions(
    new Command('detect')
      .description('find spoofing, layering, quote stuffing, momentum ignition, wash trading, pinging, icebergs, absorption and marking the close')
      .argument('[input]', 'market data file')
      .option('--detectors <list>', 'comma-separated detectors with optional :param=value, or all (see --list)', 'all')
      .option('--out <file>', 'episodes: .csv, .jsonl or .parquet; - for CSV on standard output', '-')
      .option('--list', 'list the detectors, their rules and parameters')
      .option('--report <file>', 'write the integrity report, replay summary and episode counts as JSON'),
  ).action(async (input: string | undefined, options: DetectOptions) => {
    if (options.list) {
      for (const definition of detectors.all()) {
        process.stdout.write(`${definition.name}:${definition.params.map((param) => `${param.name}=${param.default}`).join(':')}\n  ${definition.doc}\n  L2: ${definition.l2}\n`);
        for (const param of definition.params) process.stdout.write(`  ${param.name}: ${param.doc}\n`);
      }
      return;
    }
    if (input === undefined) throw new UsageError('detect: an input is required (or --list)');
    const requests = parseDetectorList(options.detectors);
    const { source, close } = await openInput(input, options, { batchAtATime: true });
    const progress = new Progress('detect');
    let result;
    try {
      result = await detect(source, requests, (rows) => progress.add(rows));
    } finally {
      progress.stop();
      close();
    }
    const rows = await writeEpisodes(options.out, result.episodes, source, result.summary.timeBaseNs);
    const counts: Record<string, number> = {};
    for (const episode of result.episodes) counts[episode.kind] = (counts[episode.kind] ?? 0) + 1;
    if (options.report) writeRunReport(options.report, source, result.summary, { episodes: counts });
    if (options.out !== '-') stderrLine(`${integrityLine(source, result.summary, rows)}; episodes: ${Object.entries(counts).map(([kind, n]) => `${kind}=${n}`).join(' ') || 'none'}`);
  });
}
