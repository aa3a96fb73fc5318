import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Episode } from '../core/episode.js';
import { UsageError } from '../core/errors.js';
import { openTableWriter } from '../io/table/open.js';
import { GradientBoosting } from '../mining/models/gbdt.js';
import { PLANTABLE_KINDS } from '../sim/plant.js';
import { openScenario } from '../sim/source.js';
import { matches } from '../surveillance/evaluate.js';
import { parseDetectorList, type DetectorRequest } from '../surveillance/index.js';
import {
  agentStretches,
  confusion,
  EPISODE_FEATURES,
  episodeFeatures,
  episodeIntents,
  INTENT_CLASSES,
  INTENT_FEATURES,
  intentOfAgent,
  IntentModel,
  orderFeaturesAndEpisodes,
  type EpisodeTable,
  type FeatureRows,
  type OrderTable,
} from '../surveillance/intent.js';
import { reasonsText, writeEpisodes } from './detect.js';
import { shippedScenario } from './shipped.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface IntentOptions extends SourceOptions {
  train?: string;
  seeds: string;
  test?: string;
  out?: string;
  episodes?: string;
  detectors: string;
  json?: string;
}

const PREDATORY = INTENT_CLASSES.indexOf('predatory');

/** A scenario run's order table, the intent of every order's agent, and the episodes `detectors` find in it. */
async function labelledOrders(scenario: string, seed: number, detectors: readonly DetectorRequest[] = []) {
  const source = openScenario(scenario, { seed });
  const { table, episodes } = await orderFeaturesAndEpisodes(source, detectors);
  const truth = source.truth();
  const identity = Int32Array.from(table.ids, (id) => truth.identityOf(id));
  const labels = Int32Array.from(identity, (k) => (k < 0 ? -1 : intentOfAgent(truth.identities[k]!.kind)));
  return { table, labels, identity, truth, episodes };
}

type LabelledRun = Awaited<ReturnType<typeof labelledOrders>>;

/** The intent of the agent behind a labelled episode: predatory, but providing for an iceberg user's. */
function episodeLabel(episode: Episode): number {
  return intentOfAgent(PLANTABLE_KINDS[episode.kind] ?? '');
}

/** The labelled episode of a run that `detection` finds (within a second, as eval-detect scores it), if any. */
function labelFound(run: LabelledRun, detection: Episode): Episode | undefined {
  return run.truth.episodes.find((episode) => matches(detection, episode, 1e9));
}

/**
 * A run's episodes with the intent behind each: the labelled ones; the detections, as the detectors name
 * their orders (one that finds a labelled episode has its label, any other the intent most of its orders'
 * agents have); and stretches of the other agents' orders (agentStretches). -1: no order seen.
 */
function labelledEpisodes(run: LabelledRun): { table: EpisodeTable; labels: Int32Array } {
  const truth = run.truth.episodes;
  const stretches = agentStretches(run.table, (id) => run.truth.identityOf(id), (k) => run.truth.identities[k]!.kind);
  const table = episodeFeatures([...truth, ...run.episodes, ...stretches.episodes], run.table);
  const detectionLabels = run.episodes.map((detection, k) => {
    const label = labelFound(run, detection);
    if (label) return episodeLabel(label);
    const votes = new Array<number>(INTENT_CLASSES.length).fill(0);
    for (const row of table.orders[truth.length + k]!) if (run.labels[row]! >= 0) votes[run.labels[row]!]!++;
    return Math.max(...votes) > 0 ? votes.indexOf(Math.max(...votes)) : -1;
  });
  return { table, labels: Int32Array.from([...truth.map(episodeLabel), ...detectionLabels, ...stretches.labels]) };
}

/** The labelled rows of several feature tables (`width` features a row) and their labels, one after the other. */
function stacked(parts: { table: FeatureRows; labels: Int32Array }[], width: number): { table: FeatureRows; labels: Int32Array } {
  const length = parts.reduce((n, part) => n + part.table.length, 0);
  const features = new Float64Array(length * width);
  const labels = new Int32Array(length);
  let at = 0;
  for (const part of parts) {
    for (let r = 0; r < part.table.length; r++) {
      // Rows without a label (no order seen) are left out.
      if (part.labels[r]! < 0) continue;
      features.set(part.table.features.subarray(r * width, (r + 1) * width), at * width);
      labels[at++] = part.labels[r]!;
    }
  }
  return { table: { length: at, features: features.subarray(0, at * width) }, labels: labels.subarray(0, at) };
}

/**
 * The episode model on a held-out run: its confusion over the labelled episodes and the other agents'
 * stretches, and per detector how its detections read — those that find a labelled episode should get its
 * agent's intent; those that find none are false alarms, and how many of them are called predatory.
 */
function episodeScores(run: LabelledRun, model: IntentModel) {
  const labelled = stacked([labelledEpisodes(run)], EPISODE_FEATURES.length);
  const probabilities = model.predict(labelled.table);
  const scores = confusion(probabilities, labelled.labels);
  const detections = episodeIntents(model, episodeFeatures(run.episodes, run.table));
  const byDetector = [...new Set(run.episodes.map((episode) => episode.kind))].sort().map((kind) => {
    let found = 0;
    let foundRight = 0;
    let falseAlarms = 0;
    let falseAlarmsPredatory = 0;
    run.episodes.forEach((detection, k) => {
      if (detection.kind !== kind) return;
      const label = labelFound(run, detection);
      if (label) {
        found++;
        if (detections[k]!.intent === episodeLabel(label)) foundRight++;
      } else {
        falseAlarms++;
        if (detections[k]!.intent === PREDATORY) falseAlarmsPredatory++;
      }
    });
    return { kind, found, foundRight, falseAlarms, falseAlarmsPredatory };
  });
  return { episodes: labelled.table.length, labelledEpisodes: run.truth.episodes.length, detections: run.episodes.length, scores, byDetector };
}

function concat(parts: { table: OrderTable; labels: Int32Array }[]): { table: OrderTable; labels: Int32Array } {
  const length = parts.reduce((n, part) => n + part.table.length, 0);
  const width = INTENT_FEATURES.length;
  const table: OrderTable = { length, timeBaseNs: parts[0]?.table.timeBaseNs ?? 0n, ids: new Float64Array(length), instrument: new Int32Array(length), arrivedNs: new Float64Array(length), features: new Float64Array(length * width) };
  const labels = new Int32Array(length);
  let at = 0;
  for (const part of parts) {
    table.ids.set(part.table.ids, at);
    table.features.set(part.table.features, at * width);
    labels.set(part.labels, at);
    at += part.table.length;
  }
  return { table, labels };
}

/** `scenarios/mixed.json:3` → [path, seed]. */
function scenarioSeed(text: string): [string, number] {
  const match = /^(.+):(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--test ${text}: expected SCENARIO:SEED, e.g. scenarios/mixed.json:3`);
  return [match[1]!, Number(match[2])];
}

/**
 * `flowmine intent`: trains the order-intent classifier on simulator scenarios (labels: the agent behind
 * every order), reports the confusion matrix and macro-F1 on scenarios and seeds never used in training,
 * per order and per participant, and classifies the orders of an input with the features that decided.
 */
export function intentCommand(): Command {
  return withSourceOptions(
    new Command('intent')
      .description('classify orders as liquidity providing, liquidity seeking (uninformed or informed) or predatory; trained on simulator labels, evaluated on held-out runs')
      .argument('[input]', 'L3 market data to classify (optional)')
      .option('--train <scenario>', 'scenario to train on (default: the shipped scenarios/mixed.json)')
      .option('--seeds <list>', 'training seeds', '1,2')
      .option('--test <list>', 'held-out runs, SCENARIO:SEED separated by commas (default: the shipped mixed.json:3 and informed.json:9)')
      .option('--out <file>', 'per-order classes of the input: .csv, .jsonl or .parquet')
      .option('--episodes <file>', 'the input\'s detections (flowmine detect\'s columns) with the intent of their orders: .csv, .jsonl or .parquet')
      .option('--detectors <list>', 'detectors for --episodes and for the held-out runs\' episodes, as for flowmine detect', 'all')
      .option('--json <file>', 'write the evaluation as JSON'),
  ).action(async (input: string | undefined, options: IntentOptions) => {
    const seeds = options.seeds.split(',').map(Number);
    if (seeds.some((seed) => !Number.isInteger(seed))) throw new UsageError(`--seeds ${options.seeds}: expected integers separated by commas`);
    const train = options.train ?? shippedScenario('mixed');
    const tests = (options.test ?? `${shippedScenario('mixed')}:3,${shippedScenario('informed')}:9`).split(',').map(scenarioSeed);
    if (tests.some(([path, seed]) => resolve(path) === resolve(train) && seeds.includes(seed))) throw new UsageError('--test: a held-out run may not use a training seed of the training scenario');
    const detectors = parseDetectorList(options.detectors);
    const trainingRuns = await Promise.all(seeds.map((seed) => labelledOrders(train, seed, detectors)));
    const training = concat(trainingRuns);
    const model = new IntentModel(new GradientBoosting());
    model.fit(training.table, training.labels);
    const trainingEpisodes = stacked(trainingRuns.map(labelledEpisodes), EPISODE_FEATURES.length);
    const episodeModel = new IntentModel(new GradientBoosting(), EPISODE_FEATURES);
    episodeModel.fit(trainingEpisodes.table, trainingEpisodes.labels);
    const evaluation = [];
    for (const [path, seed] of tests) {
      const run = await labelledOrders(path, seed, detectors);
      const probabilities = model.predict(run.table);
      const orders = confusion(probabilities, run.labels);
      // Participants: each account's orders vote with their mean probabilities.
      const sums = new Map<number, Float64Array>();
      run.identity.forEach((k, r) => {
        if (k < 0) return;
        const sum = sums.get(k) ?? new Float64Array(INTENT_CLASSES.length);
        for (let c = 0; c < INTENT_CLASSES.length; c++) sum[c]! += probabilities[r * INTENT_CLASSES.length + c]!;
        sums.set(k, sum);
      });
      const ids = [...sums.keys()];
      const participants = confusion(Float64Array.from(ids.flatMap((k) => [...sums.get(k)!])), Int32Array.from(ids, (k) => intentOfAgent(run.truth.identities[k]!.kind)));
      const episodes = episodeScores(run, episodeModel);
      evaluation.push({ scenario: path, seed, orders: run.table.length, orderScores: orders, participants: ids.length, participantScores: participants, episodeScores: episodes });
      process.stdout.write(`${path} seed ${seed}: ${run.table.length} orders, macro-F1 ${orders.macroF1.toFixed(3)} (${INTENT_CLASSES.map((name, k) => `${name} ${Number.isNaN(orders.f1[k]!) ? '—' : orders.f1[k]!.toFixed(2)}`).join(', ')}); ${ids.length} participants, macro-F1 ${participants.macroF1.toFixed(3)}\n`);
      process.stdout.write(`  confusion (rows truth, columns predicted: ${INTENT_CLASSES.join(', ')}): ${JSON.stringify(orders.matrix)}\n`);
      process.stdout.write(
        `  episodes (${episodes.labelledEpisodes} labelled, ${episodes.detections} detected, the rest stretches of other agents' orders: ${episodes.episodes} with orders seen): macro-F1 ${episodes.scores.macroF1.toFixed(3)} (${INTENT_CLASSES.map((name, k) => `${name} ${Number.isNaN(episodes.scores.f1[k]!) ? '—' : episodes.scores.f1[k]!.toFixed(2)}`).join(', ')}), confusion ${JSON.stringify(episodes.scores.matrix)}\n`,
      );
      const detected = episodes.byDetector.filter((score) => score.found + score.falseAlarms > 0);
      if (detected.length > 0) {
        process.stdout.write(
          `  detections given their agent's intent: ${detected.map((score) => `${score.kind} ${score.foundRight}/${score.found}`).join(', ')}; false alarms called predatory: ${detected.reduce((n, score) => n + score.falseAlarmsPredatory, 0)} of ${detected.reduce((n, score) => n + score.falseAlarms, 0)}\n`,
        );
      }
    }
    if (options.json) {
      const trainInfo = { scenario: train, seeds, orders: training.table.length, episodes: trainingEpisodes.table.length };
      writeFileSync(options.json, JSON.stringify({ train: trainInfo, features: INTENT_FEATURES, episodeFeatures: EPISODE_FEATURES, classes: INTENT_CLASSES, evaluation }, null, 2) + '\n');
    }
    if (input === undefined) return;
    if (!options.out && !options.episodes) throw new UsageError('intent: name where the per-order classes go with --out, or the episodes with --episodes');
    const { source, close } = await openInput(input, options);
    let table: OrderTable;
    let episodes: Episode[];
    try {
      ({ table, episodes } = await orderFeaturesAndEpisodes(source, options.episodes ? detectors : []));
    } finally {
      close();
    }
    if (options.episodes) await writeEpisodes(options.episodes, episodes, source, table.timeBaseNs, episodeIntents(episodeModel, episodeFeatures(episodes, table), true));
    if (!options.out) return;
    const probabilities = model.predict(table);
    const reasons = model.explain(table);
    const writer = openTableWriter(options.out, [
      { name: 'order_id', type: 'int' },
      { name: 'arrived_ns', type: 'epoch_ns' },
      { name: 'intent', type: 'text' },
      { name: 'probability', type: 'float' },
      { name: 'because', type: 'text' },
    ]);
    for (let r = 0; r < table.length; r++) {
      let best = 0;
      for (let k = 1; k < INTENT_CLASSES.length; k++) if (probabilities[r * INTENT_CLASSES.length + k]! > probabilities[r * INTENT_CLASSES.length + best]!) best = k;
      writer.int(table.ids[r]!);
      writer.epochNs(table.timeBaseNs, table.arrivedNs[r]!);
      writer.text(INTENT_CLASSES[best]!);
      writer.float(probabilities[r * INTENT_CLASSES.length + best]!);
      writer.text(reasonsText(reasons[r]!));
      writer.endRow();
    }
    await writer.close();
  });
}
