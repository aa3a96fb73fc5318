import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { EPISODE_KINDS, type EpisodeKind } from '../core/episode.js';
import { UsageError } from '../core/errors.js';
import { LobsterWriter } from '../sim/lobster-writer.js';
import { plantEpisodes, PLANTABLE_KINDS } from '../sim/plant.js';
import { writeTruth } from '../sim/truth-files.js';
import { Progress } from './progress.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface PlantOptions extends SourceOptions {
  episodes: string;
  out: string;
  seed: string;
  count: string;
  levels?: string;
}

/**
 * `flowmine plant INPUT --episodes KIND[,KIND…] --out DIR`: injects labelled manipulation episodes into
 * a real L3 stream and writes the merged stream as LOBSTER files with the truth of the planted orders
 * and episodes (see plantEpisodes for how planted orders meet real flow).
 */
export function plantCommand(): Command {
  return withSourceOptions(
    new Command('plant')
      .description('inject labelled manipulation episodes into real L3 data; writes the merged stream as LOBSTER files plus the truth')
      .argument('<input>', 'L3 market data file (LOBSTER, Databento MBO, a scenario, …)')
      .requiredOption('--episodes <kinds>', `comma-separated kinds: ${Object.keys(PLANTABLE_KINDS).join(', ')}`)
      .option('--out <dir>', 'folder for the merged LOBSTER files and the truth files', 'flowmine-planted')
      .option('--count <n>', 'episodes per kind, spread over the activity of the input', '3')
      .option('--seed <n>', 'random seed', '1')
      .option('--levels <n>', 'levels per orderbook row (default: the input window of a level-N LOBSTER file, else 10)'),
  ).action(async (input: string, options: PlantOptions) => {
    const kinds = options.episodes.split(',').map((kind) => kind.trim()) as EpisodeKind[];
    for (const kind of kinds) if (!(EPISODE_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--episodes: unknown kind "${kind}" (plantable: ${Object.keys(PLANTABLE_KINDS).join(', ')})`);
    const count = Number(options.count);
    const seed = Number(options.seed);
    if (!Number.isInteger(count) || count < 1) throw new UsageError(`--count ${options.count}: expected a positive whole number`);
    if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed ${options.seed}: expected a whole number`);
    const closers: (() => void)[] = [];
    const open = async () => {
      const { source, close } = await openInput(input, options);
      closers.push(close);
      return source;
    };
    const dir = resolve(options.out);
    const progress = new Progress('plant');
    const started = performance.now();
    try {
      const planted = await plantEpisodes(open, { kinds, count, seed });
      const levels = options.levels === undefined ? (planted.windowLevels ?? 10) : Number(options.levels);
      if (!Number.isInteger(levels) || levels < 1) throw new UsageError(`--levels ${options.levels}: expected a positive whole number`);
      // Made once the arguments are known good: a refused run leaves no empty folder behind.
      mkdirSync(dir, { recursive: true });
      const writer = new LobsterWriter(dir, planted.instruments.get(0), 0, { levels, levelTotalsFollowVenue: planted.windowLevels !== undefined });
      let rows = 0;
      for await (const batch of planted.batches()) {
        writer.push(batch);
        rows += batch.length;
        progress.add(batch.length);
      }
      progress.stop();
      const files = writer.close();
      const truth = planted.truth();
      writeTruth(dir, truth, planted.instruments.get(0), planted.timeBaseNs);
      const notes = Object.fromEntries(planted.integrity.report.notes);
      const byKind = new Map<string, number>();
      for (const episode of truth.episodes) byKind.set(episode.kind, (byKind.get(episode.kind) ?? 0) + 1);
      const labelled = [...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
      const out = process.stdout;
      out.write(
        `planted ${truth.episodes.length} episodes (${labelled}; ${count} planned per kind) into ${input} in ${((performance.now() - started) / 1000).toFixed(2)} s: ` +
          `${fmt(rows)} rows, ${fmt(truth.stats.messages)} of them planted messages\n` +
          `  real flow filled planted orders ${fmt(notes.planted_orders_filled_by_real_flow ?? 0)} times, planted orders executed real ones ${fmt(notes.planted_fills_of_real_orders ?? 0)} times, ` +
          `${fmt(notes.planted_orders_pulled ?? 0)} planted orders pulled ahead of crossing real orders, ${fmt((notes.real_rows_clipped ?? 0) + (notes.real_rows_dropped ?? 0))} real rows clipped or dropped\n`,
      );
      for (const outcome of planted.outcomes()) {
        if (outcome.labelled === outcome.planned) continue;
        const reasons = Object.entries(outcome.abandoned).map(([reason, n]) => `${n} ${reason}`);
        const waiting = outcome.planned - outcome.begun;
        if (waiting > 0) reasons.push(`${waiting} never found a book to start in`);
        out.write(`  ${outcome.kind}: ${outcome.labelled} of ${outcome.planned} labelled (${reasons.join('; ') || 'still open when the input ended'})\n`);
      }
      out.write(`wrote ${dir}/\n  ${files.messagePath.slice(dir.length + 1)}, ${files.orderbookPath.slice(dir.length + 1)} (${fmt(files.messages)} rows)\n  truth_orders.csv, truth_episodes.csv\n`);
    } finally {
      progress.stop();
      for (const close of closers) close();
    }
  });
}

function fmt(x: number): string {
  return x.toLocaleString('en-US');
}
