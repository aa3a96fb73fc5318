import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { EventSource } from '../core/source.js';
import { UsageError } from '../core/errors.js';
import { openScenario, type ScenarioOverrides } from '../sim/source.js';
import { FactsCollector, type StylizedFacts, type Summary } from '../sim/stylized-facts.js';
import { writeScenarioRun, type RunFiles } from '../sim/write-run.js';
import './formats.js';
import { Progress } from './progress.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface SimOptions {
  out: string;
  seed?: string;
  messages?: string;
  duration?: string;
  levels: string;
  facts?: boolean;
  factsJson?: string;
}

/**
 * `flowmine sim SCENARIO --out DIR`: runs a scenario and writes it as LOBSTER message and orderbook
 * files, with the ground truth beside them (truth_orders.csv, truth_episodes.csv); `--facts` also
 * prints the run's stylized facts.
 */
export function simCommand(): Command {
  return new Command('sim')
    .description('simulate a market from a scenario file: LOBSTER files plus the ground truth of every order and manipulation episode')
    .argument('<scenario>', 'scenario JSON file (see docs/SIMULATOR.md; examples in scenarios/)')
    .option('--out <dir>', 'folder for the LOBSTER files and the truth files', 'flowmine-sim')
    .option('--seed <n>', "random seed (default: the scenario's)")
    .option('--messages <n>', 'stop after this many messages (instead of the scenario length)')
    .option('--duration <d>', 'simulate this long, e.g. 30m, 2h (instead of the scenario length)')
    .option('--levels <n>', 'levels per orderbook row', '10')
    .option('--facts', 'also print the stylized facts of the run')
    .option('--facts-json <file>', 'write the stylized facts as JSON')
    .action(async (path: string, options: SimOptions) => {
      const overrides: ScenarioOverrides = {};
      if (options.seed !== undefined) overrides.seed = wholeNumber('--seed', options.seed, -(2 ** 31));
      if (options.messages !== undefined) overrides.messages = wholeNumber('--messages', options.messages, 1);
      if (options.duration !== undefined) overrides.duration = options.duration;
      if (overrides.messages !== undefined && overrides.duration !== undefined) throw new UsageError('--messages and --duration: give one');
      const levels = wholeNumber('--levels', options.levels, 1);
      const source = openScenario(path, overrides);
      const scenario = source.scenario;
      const dir = resolve(options.out);
      mkdirSync(dir, { recursive: true });
      const facts = options.facts || options.factsJson ? new FactsCollector(source) : null;
      const progress = new Progress('sim');
      let files: RunFiles;
      try {
        files = await writeScenarioRun(source, dir, {
          levels,
          onBatch: (batch) => {
            facts?.push(batch);
            progress.add(batch.length);
          },
        });
      } finally {
        progress.stop();
      }
      const seconds = files.seconds;
      const truth = source.truth();
      const stats = truth.stats;
      const byKind = new Map<string, number>();
      for (const episode of truth.episodes) byKind.set(episode.kind, (byKind.get(episode.kind) ?? 0) + 1);
      const episodes = byKind.size === 0 ? 'no episodes' : `episodes ${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')}`;
      const out = process.stdout;
      out.write(
        `simulated ${scenario.name} (seed ${scenario.seed}): ${n(stats.messages)} messages in ${seconds.toFixed(2)} s (${n(Math.round(stats.messages / seconds))}/s): ` +
          `${n(stats.adds)} adds, ${n(stats.cancels + stats.deletes)} cancels, ${n(stats.modifies)} modifies, ${n(stats.trades)} trades (${n(stats.selfTrades)} self-trades); ${episodes}\n`,
      );
      out.write(`wrote ${dir}/\n  ${rel(dir, files.messagePath)}, ${rel(dir, files.orderbookPath)} (${n(files.messages)} rows)\n  ${rel(dir, files.truthOrdersPath)}, ${rel(dir, files.truthEpisodesPath)}\n`);
      if (facts) {
        const result = facts.finish();
        if (options.factsJson) writeFileSync(options.factsJson, JSON.stringify(result, null, 2) + '\n');
        if (options.facts) out.write(formatFacts([result]));
      }
    });
}

interface FactsOptions extends SourceOptions {
  json?: string;
}

/** `flowmine facts INPUT…`: the stylized facts of L3 inputs (scenario files included), side by side. */
export function factsCommand(): Command {
  return withSourceOptions(
    new Command('facts')
      .description('stylized facts of L3 inputs side by side: return tails, volatility clustering, spreads, sizes, cancel ratios, order lifetimes')
      .argument('<inputs...>', 'L3 market data files or scenario files')
      .option('--json <file>', 'write the facts as JSON'),
  ).action(async (inputs: string[], options: FactsOptions) => {
    const list: StylizedFacts[] = [];
    for (const input of inputs) {
      const { source, close } = await openInput(input, options);
      try {
        list.push(await collect(source));
      } finally {
        close();
      }
    }
    if (options.json) writeFileSync(options.json, JSON.stringify(list, null, 2) + '\n');
    process.stdout.write(formatFacts(list));
  });
}

async function collect(source: EventSource): Promise<StylizedFacts> {
  if (source.granularity !== 'L3') throw new UsageError(`${source.path}: stylized facts need order-by-order (L3) data; this input is ${source.granularity}`);
  const collector = new FactsCollector(source);
  const progress = new Progress('facts');
  try {
    for await (const batch of source.batches()) {
      collector.push(batch);
      progress.add(batch.length);
    }
  } finally {
    progress.stop();
  }
  return collector.finish();
}

/** The facts of one or more inputs as an aligned text table, one column per input. */
export function formatFacts(list: readonly StylizedFacts[]): string {
  const rows: [string, ...string[]][] = [];
  const add = (label: string, pick: (facts: StylizedFacts) => string) => rows.push([label, ...list.map(pick)]);
  const summary = (label: string, pick: (facts: StylizedFacts) => Summary, digits = 1) => {
    add(`${label} mean`, (facts) => fixed(pick(facts).mean, digits));
    add(`${label} p10 / p50 / p90 / p99`, (facts) => [pick(facts).p10, pick(facts).p50, pick(facts).p90, pick(facts).p99].map((x) => fixed(x, digits)).join(' / '));
  };
  add('input', (facts) => facts.symbol);
  add('hours covered', (facts) => fixed((facts.lastNs - facts.firstNs) / 3.6e12, 2));
  add('complete updates', (facts) => n(facts.updates));
  add('adds / cancels+deletes / modifies', (facts) => `${n(facts.adds)} / ${n(facts.cancels + facts.deletes)} / ${n(facts.modifies)}`);
  add('trades', (facts) => n(facts.trades));
  add('cancel-to-add', (facts) => fixed(facts.cancelToAdd, 2));
  add('cancel-to-trade', (facts) => fixed(facts.cancelToTrade, 2));
  const intervals = list[0]?.returns.map((r) => r.intervalSeconds) ?? [];
  intervals.forEach((seconds, k) => {
    const label = seconds >= 60 ? `${seconds / 60}-min` : `${seconds}-s`;
    add(`${label} returns (n)`, (facts) => n(facts.returns[k]?.count ?? 0));
    add(`${label} std (bp)`, (facts) => fixed(facts.returns[k]?.stdBps ?? NaN, 2));
    add(`${label} zero returns`, (facts) => `${fixed(100 * (facts.returns[k]?.zeroShare ?? NaN), 0)}%`);
    add(`${label} excess kurtosis`, (facts) => fixed(facts.returns[k]?.excessKurtosis ?? NaN, 1));
    add(`${label} Hill tail index (k)`, (facts) => `${fixed(facts.returns[k]?.hillAlpha ?? NaN, 2)} (${facts.returns[k]?.hillK ?? 0})`);
    add(`${label} ACF |r| lags 1,2,5,10`, (facts) => [1, 2, 5, 10].map((lag) => fixed(facts.returns[k]?.absAcf[lag - 1] ?? NaN, 2)).join(' '));
  });
  summary('spread (ticks)', (facts) => facts.spreadTicks, 2);
  summary('order size', (facts) => facts.orderSize);
  summary('trade size', (facts) => facts.tradeSize);
  summary('cancelled lifetime (ms)', (facts) => facts.cancelledLifetimeMs);
  summary('filled lifetime (ms)', (facts) => facts.filledLifetimeMs);
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join('  ')).join('\n') + '\n';
}

function fixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return '–';
  if (Math.abs(x) >= 1000) return n(Math.round(x));
  return x.toFixed(digits);
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function rel(dir: string, path: string): string {
  return path.startsWith(dir + '/') ? path.slice(dir.length + 1) : path;
}

function wholeNumber(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`${option} ${text}: expected a whole number${min === 1 ? ' of at least 1' : ''}`);
  return value;
}
