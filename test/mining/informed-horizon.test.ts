import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { MINE_FEATURES } from '../../src/cli/mine.js';
import { computeFeatures } from '../../src/features/index.js';
import { MIN_WINDOWS, type SignalEvaluation } from '../../src/mining/evaluate.js';
import { mineFrame } from '../../src/mining/run.js';
import { loadScenario, type Scenario } from '../../src/sim/scenario.js';
import { ScenarioSource } from '../../src/sim/source.js';
import { REPO_ROOT } from '../support/data.js';

// The honesty test of the mining layer on a market with an informed trader: scenarios/informed.json (two
// simulated hours), mined the way `flowmine mine scenarios/informed.json --horizons 1s,5s,10s,30s,60s,120s`
// does — the default features on one-second bars, Benjamini–Hochberg over every feature × horizon.
// The informative feature is OFI, a public feature of the book: nothing from the simulator's truth enters it.
const PATH = join(REPO_ROOT, 'scenarios', 'informed.json');
const HORIZONS_S = [1, 5, 10, 30, 60, 120];
// The file's seed and one more: a peak that holds on one path of the market only would not count.
const SEEDS = [21, 1];

/** The shipped scenario under another seed, with every informed trader's horizon and every market maker's anchor replaced where given. */
function variant(seed: number, change: { horizonSeconds?: number; anchor?: number } = {}): Scenario {
  const scenario = loadScenario(PATH);
  const agents = scenario.agents.map((agent) => {
    if (agent.kind === 'informed' && change.horizonSeconds !== undefined) return { ...agent, params: { ...agent.params, horizonSeconds: change.horizonSeconds } };
    if (agent.kind === 'market_maker' && change.anchor !== undefined) return { ...agent, params: { ...agent.params, anchor: change.anchor } };
    return agent;
  });
  return { ...scenario, seed, agents };
}

/** OFI's tests by horizon, from the whole mining pass over the scenario's stream. */
async function minedOfi(scenario: Scenario): Promise<SignalEvaluation[]> {
  const frame = await computeFeatures(new ScenarioSource(PATH, scenario), MINE_FEATURES, '1s');
  const result = mineFrame(frame, { horizonsNs: HORIZONS_S.map((seconds) => seconds * 1e9) });
  return HORIZONS_S.map((seconds) => result.signals.find((signal) => signal.feature === 'ofi' && signal.horizonNs === seconds * 1e9)!);
}

function peakSeconds(curve: SignalEvaluation[]): number {
  return curve.reduce((best, signal) => (signal.ic > best.ic ? signal : best)).horizonNs / 1e9;
}

function describe(curve: SignalEvaluation[]): string {
  return curve.map((signal) => `${signal.horizonNs / 1e9}s ${signal.ic.toFixed(3)}${signal.significant ? '*' : ''}`).join(', ');
}

test('informed.json: order flow imbalance is found at the informed traders’ 30-s horizon, and its IC peaks there', async () => {
  assert.equal(loadScenario(PATH).seed, SEEDS[0]);
  for (const seed of SEEDS) {
    const curve = await minedOfi(variant(seed));
    const at = curve[HORIZONS_S.indexOf(30)]!;
    assert.ok(at.significant, `seed ${seed}: OFI at 30 s is no discovery: ${describe(curve)} (t ${at.t.toFixed(2)})`);
    assert.ok(at.windows >= MIN_WINDOWS, `seed ${seed}: ${at.windows} windows`);
    assert.equal(peakSeconds(curve), 30, `seed ${seed}: ${describe(curve)}`);
  }
});

test('informed.json with a 10-s horizon: the peak moves to 10 s', async () => {
  for (const seed of SEEDS) {
    const curve = await minedOfi(variant(seed, { horizonSeconds: 10 }));
    assert.ok(curve[HORIZONS_S.indexOf(10)]!.significant, `seed ${seed}: ${describe(curve)}`);
    assert.equal(peakSeconds(curve), 10, `seed ${seed}: ${describe(curve)}`);
  }
});

test('informed.json with makers quoting around the mid alone: the informed traders’ impact gives their news away within seconds', async () => {
  // Without the published value to return to, the price follows the informed orders themselves: the flow
  // forecasts the next seconds, not the horizon. The first test would fail on such a market.
  const curve = await minedOfi(variant(SEEDS[0]!, { anchor: 0 }));
  assert.ok(peakSeconds(curve) < 30, describe(curve));
  assert.ok(!curve[HORIZONS_S.indexOf(30)]!.significant, describe(curve));
});
