import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { Replayer } from '../book/replay.js';
import type { BookView } from '../book/view.js';
import { UsageError } from '../core/errors.js';
import { openSource } from '../io/index.js';
import { evalDetectCommand } from './eval-detect.js';
import { mineCommand } from './mine.js';
import { Progress } from './progress.js';
import { shippedScenario } from './shipped.js';
import { simCommand } from './sim.js';

const LEVELS = 10;
const EMPTY_ASK = '9999999999,0';
const EMPTY_BID = '-9999999999,0';

/**
 * `flowmine demo`: the whole pipeline on built-in data, no network, no external files. The market
 * simulator runs the `mixed` scenario (noise traders, market makers, momentum and informed traders, and
 * every labelled manipulator) and writes it as LOBSTER files with its ground truth; flowmine rebuilds the
 * book from the message file and checks it against the simulator's after every message; then mines the
 * file (features, signal evaluation, walk-forward models, regimes, anomalies, the detectors' alerts) into
 * a self-contained HTML report, and scores the detectors against the truth.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('simulate a market with labelled manipulators → rebuild its book → features → mine → detect → report')
    .option('--out <dir>', 'folder for the demo files', 'flowmine-demo')
    .option('--scenario <file>', 'scenario to simulate', shippedScenario('mixed'))
    .option('--seed <n>', 'random seed', '1')
    .action(async (options: { out: string; scenario: string; seed: string }) => {
      const dir = resolve(options.out);
      if (!/^\d+$/.test(options.seed)) throw new UsageError(`--seed ${options.seed}: expected a whole number`);
      const started = performance.now();
      const out = process.stdout;
      const marketDir = join(dir, 'market');
      rmSync(marketDir, { recursive: true, force: true });

      out.write(`== 1. simulate ${options.scenario} (seed ${options.seed})\n`);
      await simCommand().parseAsync([options.scenario, '--out', marketDir, '--seed', options.seed], { from: 'user' });
      const messageFile = readdirSync(marketDir).find((name) => name.includes('_message_'));
      if (!messageFile) throw new UsageError(`${marketDir}: the simulation wrote no LOBSTER message file`);
      const messagePath = join(marketDir, messageFile);

      out.write(`\n== 2. rebuild the L3 book from the message file alone\n`);
      const { compared, matched, crossed } = await rebuildCheck(messagePath);
      out.write(`top ${LEVELS} levels equal the simulator's after ${matched.toLocaleString('en-US')} of ${compared.toLocaleString('en-US')} messages; crossed after ${crossed} updates\n`);

      out.write(`\n== 3. features, signals, models, regimes, anomalies and detector alerts → report\n`);
      await mineCommand().parseAsync([messagePath, '--detect', 'all', '--clock', '1s', '--out', join(dir, 'report')], { from: 'user' });

      out.write(`\n== 4. the detectors against the simulator's labelled episodes\n`);
      await evalDetectCommand().parseAsync([options.scenario, '--seeds', options.seed], { from: 'user' });

      out.write(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s; open ${join(dir, 'report', 'report.html')} in a browser\n`);
      if (matched !== compared) process.exitCode = 1;
    });
}

/** Replays the message file without its orderbook file and compares the top levels with the orderbook file row by row. */
async function rebuildCheck(messagePath: string): Promise<{ compared: number; matched: number; crossed: number }> {
  const bare = await openSource(messagePath, { companion: false });
  const expected = readFileSync(messagePath.replace('_message_', '_orderbook_'), 'latin1').split('\n');
  let compared = 0;
  let matched = 0;
  const replayer = new Replayer(bare.granularity, bare.integrity);
  const progress = new Progress('rebuild');
  for await (const batch of bare.batches()) {
    replayer.push(batch, (book) => {
      if (topLevels(book) === expected[compared++]) matched++;
    });
    progress.add(batch.length);
  }
  progress.stop();
  return { compared, matched, crossed: replayer.finish().crossedUpdates };
}

/** The top ten levels in LOBSTER orderbook layout, as text. */
function topLevels(book: BookView): string {
  const cells: string[] = [];
  for (let rank = 0; rank < LEVELS; rank++) {
    cells.push(rank < book.depth(-1) ? `${book.priceAt(-1, rank)},${book.sizeAt(-1, rank)}` : EMPTY_ASK);
    cells.push(rank < book.depth(1) ? `${book.priceAt(1, rank)},${book.sizeAt(1, rank)}` : EMPTY_BID);
  }
  return cells.join(',');
}
