import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { openTableWriter } from '../io/table/open.js';
import { GradientBoosting } from '../mining/models/gbdt.js';
import { openScenario } from '../sim/source.js';
import { confusion, INTENT_CLASSES, INTENT_FEATURES, intentOfAgent, IntentModel, orderFeatures, type OrderTable } from '../surveillance/intent.js';
import { shippedScenario } from './shipped.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface IntentOptions extends SourceOptions {
  train?: string;
  seeds: string;
  test?: string;
  out?: string;
  json?: string;
}

/** A scenario run's order table and the intent of every order's agent. */
async function labelledOrders(scenario: string, seed: number) {
  const source = openScenario(scenario, { seed });
  const table = await orderFeatures(source);
  const truth = source.truth();
  const identity = Int32Array.from(table.ids, (id) => truth.identityOf(id));
  const labels = Int32Array.from(identity, (k) => (k < 0 ? -1 : intentOfAgent(truth.identities[k]!.kind)));
  return { table, labels, identity, truth };
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
      .option('--json <file>', 'write the evaluation as JSON'),
  ).action(async (input: string | undefined, options: IntentOptions) => {
    const seeds = options.seeds.split(',').map(Number);
    if (seeds.some((seed) => !Number.isInteger(seed))) throw new UsageError(`--seeds ${options.seeds}: expected integers separated by commas`);
    const train = options.train ?? shippedScenario('mixed');
    const tests = (options.test ?? `${shippedScenario('mixed')}:3,${shippedScenario('informed')}:9`).split(',').map(scenarioSeed);
    if (tests.some(([path, seed]) => resolve(path) === resolve(train) && seeds.includes(seed))) throw new UsageError('--test: a held-out run may not use a training seed of the training scenario');
    const training = concat(await Promise.all(seeds.map((seed) => labelledOrders(train, seed))));
    const model = new IntentModel(new GradientBoosting());
    model.fit(training.table, training.labels);
    const evaluation = [];
    for (const [path, seed] of tests) {
      const run = await labelledOrders(path, seed);
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
      evaluation.push({ scenario: path, seed, orders: run.table.length, orderScores: orders, participants: ids.length, participantScores: participants });
      process.stdout.write(`${path} seed ${seed}: ${run.table.length} orders, macro-F1 ${orders.macroF1.toFixed(3)} (${INTENT_CLASSES.map((name, k) => `${name} ${Number.isNaN(orders.f1[k]!) ? '—' : orders.f1[k]!.toFixed(2)}`).join(', ')}); ${ids.length} participants, macro-F1 ${participants.macroF1.toFixed(3)}\n`);
      process.stdout.write(`  confusion (rows truth, columns predicted: ${INTENT_CLASSES.join(', ')}): ${JSON.stringify(orders.matrix)}\n`);
    }
    if (options.json) writeFileSync(options.json, JSON.stringify({ train: { scenario: train, seeds, orders: training.table.length }, features: INTENT_FEATURES, classes: INTENT_CLASSES, evaluation }, null, 2) + '\n');
    if (input === undefined) return;
    if (!options.out) throw new UsageError('intent: name where the per-order classes go with --out');
    const { source, close } = await openInput(input, options);
    let table: OrderTable;
    try {
      table = await orderFeatures(source);
    } finally {
      close();
    }
    const probabilities = model.predict(table);
    const writer = openTableWriter(options.out, [
      { name: 'order_id', type: 'int' },
      { name: 'arrived_ns', type: 'epoch_ns' },
      { name: 'intent', type: 'text' },
      { name: 'probability', type: 'float' },
      { name: 'because', type: 'text' },
    ]);
    const reasons = model.explain(table);
    for (let r = 0; r < table.length; r++) {
      let best = 0;
      for (let k = 1; k < INTENT_CLASSES.length; k++) if (probabilities[r * INTENT_CLASSES.length + k]! > probabilities[r * INTENT_CLASSES.length + best]!) best = k;
      writer.int(table.ids[r]!);
      writer.epochNs(table.timeBaseNs, table.arrivedNs[r]!);
      writer.text(INTENT_CLASSES[best]!);
      writer.float(probabilities[r * INTENT_CLASSES.length + best]!);
      writer.text(reasons[r]!.map((why) => `${why.feature}=${Number(why.value.toPrecision(4))} (−${why.drop.toFixed(2)})`).join('; '));
      writer.endRow();
    }
    await writer.close();
  });
}
