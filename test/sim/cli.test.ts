import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { flowmine } from '../support/cli.js';
import { fixture, needs, REPO_ROOT } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const scenario = (name: string) => join(REPO_ROOT, 'scenarios', name);
const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';

test('flowmine sim writes the LOBSTER files, the truth and a summary; --facts prints the stylized facts', () => {
  const out = tempDir('flowmine-sim-cli-');
  const run = flowmine('sim', scenario('mixed.json'), '--out', out, '--duration', '10m', '--facts');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^simulated mixed \(seed 42\): [\d,]+ messages in [\d.]+ s \([\d,]+\/s\): [\d,]+ adds, [\d,]+ cancels, [\d,]+ modifies, [\d,]+ trades \([\d,]+ self-trades\); episodes /);
  assert.match(run.stdout, /10-s excess kurtosis/);
  const files = readdirSync(out).sort();
  assert.deepEqual(files, ['SIM_2024-01-02_34200000_34800000_message_10.csv', 'SIM_2024-01-02_34200000_34800000_orderbook_10.csv', 'truth_episodes.csv', 'truth_orders.csv']);
  assert.equal(readFileSync(join(out, 'truth_orders.csv'), 'utf8').split('\n')[0], 'order_id,agent,kind,owner');
  const episodes = readFileSync(join(out, 'truth_episodes.csv'), 'utf8').trim().split('\n');
  assert.equal(episodes[0], 'kind,start_ns,end_ns,side,price,order_ids,actor,explanation');
  assert.ok(episodes.length > 5);
  // The run replays as the LOBSTER input it is.
  const replay = flowmine('replay', join(out, files[0]!), '--no-orderbook', '--out', join(out, 'bbo.csv'));
  assert.equal(replay.status, 0, replay.stderr);
});

test('a scenario is an input: flowmine replay and inspect run the simulation', () => {
  const out = tempDir('flowmine-sim-replay-');
  const run = flowmine('replay', scenario('pinging.json'), '--out', join(out, 'bbo.csv'));
  assert.equal(run.status, 0, run.stderr);
  assert.ok(readFileSync(join(out, 'bbo.csv'), 'utf8').startsWith('ts_ns,seq,bid_px,bid_sz,ask_px,ask_sz\n'));
  const inspect = flowmine('inspect', scenario('pinging.json'));
  assert.equal(inspect.status, 0, inspect.stderr);
  assert.match(inspect.stdout, /format\s+sim-scenario \(L3\)/);
  assert.match(inspect.stdout, /crossed or locked after 0,/);
});

test('flowmine plant merges labelled episodes into an L3 input and writes LOBSTER files and the truth', () => {
  const input = tempDir('flowmine-plant-in-');
  assert.equal(flowmine('sim', scenario('baseline.json'), '--out', input, '--duration', '10m').status, 0);
  const messages = join(input, readdirSync(input).find((name) => name.includes('_message_'))!);
  const out = tempDir('flowmine-plant-out-');
  const run = flowmine('plant', messages, '--no-orderbook', '--episodes', 'spoofing,wash_trading,quote_stuffing', '--count', '2', '--out', out);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^planted \d+ episodes \(.*spoofing.*; 2 planned per kind\)/);
  for (const name of ['truth_orders.csv', 'truth_episodes.csv']) assert.ok(existsSync(join(out, name)));
  const planted = join(out, readdirSync(out).find((name) => name.includes('_message_'))!);
  const replay = flowmine('inspect', planted, '--no-orderbook');
  assert.equal(replay.status, 0, replay.stderr);
  assert.match(replay.stdout, /crossed or locked after 0,/);
});

test('flowmine facts puts inputs side by side', needs(AMZN), () => {
  const run = flowmine('facts', fixture(AMZN), scenario('quote-stuffing.json'));
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^input\s+AMZN\s+SIM\n/);
  assert.match(run.stdout, /cancel-to-trade\s+1\.60\s+[\d.]+\n/);
});

test('sim and plant refuse bad arguments with one line', () => {
  assert.equal(flowmine('sim', 'no-such.json').stderr, "flowmine: no-such.json: cannot read the scenario: ENOENT: no such file or directory, open 'no-such.json'\n");
  assert.equal(flowmine('sim', scenario('mixed.json'), '--messages', '0').stderr, 'flowmine: --messages 0: expected a whole number of at least 1\n');
  const out = join(tempDir('flowmine-plant-'), 'planted');
  assert.equal(flowmine('plant', scenario('mixed.json'), '--episodes', 'absorption', '--out', out).stderr, 'flowmine: --episodes: "absorption" cannot be planted (plantable: spoofing, layering, quote_stuffing, momentum_ignition, wash_trading, pinging, iceberg)\n');
  assert.ok(!existsSync(out), 'a refused plant makes no output folder');
});
