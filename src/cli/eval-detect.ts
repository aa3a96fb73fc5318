import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseIntervalNs } from '../book/emit.js';
import { openL2View } from '../book/l2-view.js';
import type { Episode, EpisodeKind } from '../core/episode.js';
import { UsageError } from '../core/errors.js';
import type { EventSource } from '../core/source.js';
import { openSource } from '../io/index.js';
import { plantEpisodes, PLANTABLE_KINDS } from '../sim/plant.js';
import type { SimulationTruth } from '../sim/simulation.js';
import { openScenario } from '../sim/source.js';
import { episodeKey, scoreDetections, type DetectorScore } from '../surveillance/evaluate.js';
import { detect, parseDetectorList } from '../surveillance/index.js';
import { Progress } from './progress.js';

interface EvalOptions {
  detectors: string;
  seeds?: string;
  plant?: string;
  count: string;
  tolerance: string;
  json?: string;
  /** `true` for an L2 view of every update, or a conflation interval such as `100ms`. */
  l2?: boolean | string;
}

interface Run {
  input: string;
  seed: number | null;
  hours: number;
  scores: DetectorScore[];
}

/** Labelled inputs: scenario files (one run per seed), or a real L3 file with planted episodes. */
async function labelledRuns(inputs: string[], options: EvalOptions): Promise<{ input: string; seed: number | null; source: EventSource; truth: () => SimulationTruth; planted: boolean }[]> {
  const seeds = options.seeds ? options.seeds.split(',').map(Number) : [NaN];
  if (seeds.some((seed) => Number.isNaN(seed)) && options.seeds) throw new UsageError(`--seeds ${options.seeds}: expected integers separated by commas`);
  const runs = [];
  for (const input of inputs) {
    for (const seed of seeds) {
      const withSeed = Number.isNaN(seed) ? {} : { seed };
      if (input.endsWith('.json') && !options.plant) {
        const source = openScenario(input, withSeed);
        runs.push({ input, seed: Number.isNaN(seed) ? null : seed, source, truth: () => source.truth(), planted: false });
        continue;
      }
      if (!options.plant) throw new UsageError(`${input}: not a scenario; name the episodes to plant with --plant KIND[,KIND…]`);
      const kinds = options.plant.split(',') as EpisodeKind[];
      const source = await plantEpisodes(() => openSource(input), { kinds, count: Number(options.count), ...withSeed });
      runs.push({ input, seed: Number.isNaN(seed) ? null : seed, source, truth: () => source.truth(), planted: true });
    }
  }
  return runs;
}

/**
 * `flowmine eval-detect`: precision, recall and F1 of every detector on labelled data — simulator scenarios
 * (their manipulators' episodes are the truth) or real L3 streams with planted episodes.
 */
export function evalDetectCommand(): Command {
  return new Command('eval-detect')
    .description('precision, recall and F1 of the detectors on labelled scenarios or on real L3 data with planted episodes')
    .argument('<inputs...>', 'scenario files, or L3 market data files with --plant')
    .option('--detectors <list>', 'detectors to evaluate (default all)', 'all')
    .option('--seeds <list>', 'run each scenario (or planting) with these seeds, e.g. 1,2,3')
    .option('--plant <kinds>', `plant these episodes into real data: ${Object.keys(PLANTABLE_KINDS).join(', ')}`)
    .option('--count <n>', 'planted episodes per kind', '3')
    .option('--tolerance <seconds>', 'a detection matches a labelled episode within this many seconds of its span', '1')
    .option('--json <file>', 'write every run and the totals as JSON')
    .option('--l2 [interval]', 'run the detectors on what an L2 venue would publish of each run: level changes and trades, no order ids; every update, or conflated per interval (e.g. 100ms)')
    .action(async (inputs: string[], options: EvalOptions) => {
      const requests = parseDetectorList(options.detectors);
      const intervalNs = typeof options.l2 === 'string' ? parseIntervalNs(options.l2) : 0;
      const kinds = requests.map((request) => request.definition.name);
      const toleranceNs = Number(options.tolerance) * 1e9;
      if (!(toleranceNs >= 0)) throw new UsageError(`--tolerance ${options.tolerance}: expected seconds`);
      const runs: Run[] = [];
      // The real input's own detections, once per input: a planted run's detections among them are its background.
      const backgrounds = new Map<string, Set<string>>();
      const view = (source: EventSource) => (options.l2 ? openL2View(source, { intervalNs }) : source);
      for (const run of await labelledRuns(inputs, options)) {
        if (run.planted && !backgrounds.has(run.input)) {
          const { episodes } = await detect(view(await openSource(run.input)), requests);
          backgrounds.set(run.input, new Set(episodes.map(episodeKey)));
        }
        const progress = new Progress(`eval ${run.input}${run.seed === null ? '' : ` seed ${run.seed}`}`);
        // The labels keep their order ids; detections on L2 have none and match by kind and time alone.
        const source = view(run.source);
        const { episodes, summary } = await detect(source, requests, (rows) => progress.add(rows));
        progress.stop();
        const truth = run.truth();
        const span = summary.rows > 0 ? spanHours(truth.episodes, episodes) : 0;
        const actorOf = (id: number) => {
          const k = truth.identityOf(id);
          return k < 0 ? undefined : truth.identities[k]!.kind;
        };
        runs.push({ input: run.input, seed: run.seed, hours: span, scores: scoreDetections(episodes, truth.episodes, kinds, toleranceNs, actorOf, MANIPULATORS, backgrounds.get(run.input)) });
      }
      const totals = kinds.map((kind) => total(kind, runs));
      process.stdout.write(table(totals, options.plant !== undefined));
      if (options.json) writeFileSync(options.json, JSON.stringify({ runs, totals }, null, 2) + '\n');
    });
}

function spanHours(truth: Episode[], detections: Episode[]): number {
  const all = [...truth, ...detections];
  if (all.length === 0) return 0;
  return (Math.max(...all.map((episode) => episode.endNs)) - Math.min(...all.map((episode) => episode.startNs))) / 3.6e12;
}

/** The simulated actor behind each manipulation (an unlabelled detection of its own orders is its attempt). */
const MANIPULATORS: Record<string, string> = Object.fromEntries(Object.entries(PLANTABLE_KINDS).map(([kind, actor]) => [kind, actor!]));

/** Pools the counts of every run for one detector. */
function total(kind: string, runs: Run[]): DetectorScore {
  const scores = runs.map((run) => run.scores.find((score) => score.kind === kind)!);
  const sum = (key: 'truth' | 'detected' | 'truePositives' | 'attempts' | 'found' | 'background') => scores.reduce((n, score) => n + score[key], 0);
  const precision = sum('detected') > 0 ? sum('truePositives') / sum('detected') : NaN;
  const precisionWithAttempts = sum('detected') > 0 ? (sum('truePositives') + sum('attempts')) / sum('detected') : NaN;
  const precisionBeyondBackground = sum('detected') > sum('background') ? sum('truePositives') / (sum('detected') - sum('background')) : NaN;
  const recall = sum('truth') > 0 ? sum('found') / sum('truth') : NaN;
  return { kind, truth: sum('truth'), detected: sum('detected'), truePositives: sum('truePositives'), attempts: sum('attempts'), found: sum('found'), background: sum('background'), precision, precisionWithAttempts, precisionBeyondBackground, recall, f1: (2 * precision * recall) / (precision + recall) };
}

/** The totals; with planted runs also the detections the real input makes on its own, and the precision without them. */
function table(scores: DetectorScore[], planted: boolean): string {
  const fmt = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(2));
  const lines = [`detector            labelled  detected  precision  recall  F1    attempts  precision with attempts${planted ? '  background  precision beyond background' : ''}`];
  for (const score of scores) {
    lines.push(
      `${score.kind.padEnd(20)}${String(score.truth).padStart(8)}${String(score.detected).padStart(10)}${fmt(score.precision).padStart(11)}${fmt(score.recall).padStart(8)}${fmt(score.f1).padStart(6)}${String(score.attempts).padStart(10)}${fmt(score.precisionWithAttempts).padStart(11)}` +
        (planted ? `${String(score.background).padStart(26)}${fmt(score.precisionBeyondBackground).padStart(12)}` : ''),
    );
  }
  return lines.join('\n') + '\n';
}
