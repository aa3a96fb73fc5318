import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Action } from '../../src/core/event.js';
import { openSource } from '../../src/io/index.js';
import { openScenario } from '../../src/sim/source.js';
import { absoluteAutocorrelation, hillEstimator, stylizedFacts, summarize } from '../../src/sim/stylized-facts.js';
import { fixture, needs, REPO_ROOT } from '../support/data.js';
import { rowSource } from '../support/stream.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';

test('summaries, the Hill estimator and the absolute-return autocorrelation, worked by hand', () => {
  assert.deepEqual(summarize(Float64Array.from([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])), { count: 10, mean: 5.5, p10: 1, p50: 5, p90: 9, p99: 10 });
  // Eleven magnitudes e^10 … e^0: k = 10, threshold e^0, α = 10 / (10 + 9 + … + 1) = 10/55.
  const hill = hillEstimator(Float64Array.from({ length: 11 }, (_, i) => (i % 2 ? -1 : 1) * Math.exp(10 - i)));
  assert.equal(hill.k, 10);
  assert.ok(Math.abs(hill.alpha - 10 / 55) < 1e-12);
  // |r| = 2,0,2,0,2,0: deviations ±1 around the mean 1, so lag 1 is −1 and lag 2 is +1 …
  const r = Float64Array.from([2, 0, -2, 0, 2, 0]);
  assert.deepEqual(absoluteAutocorrelation(r, [0], 2), [-1, 1]);
  // … also when pairs may not cross the break between two runs (indices 0–2 and 3–5).
  assert.deepEqual(absoluteAutocorrelation(r, [0, 3], 2), [-1, 1]);
});

test('returns on a time grid, spreads in ticks, cancel ratios and lifetimes of a hand-written stream', async () => {
  const s = 1e9;
  const source = rowSource([
    { ts: 0, action: Action.Add, side: 1, price: 100, size: 5, id: 1 },
    { ts: 0, action: Action.Add, side: -1, price: 102, size: 5, id: 2 }, // mid 101, spread 2
    { ts: 5 * s, action: Action.Add, side: -1, price: 101, size: 3, id: 3 }, // mid 100.5, spread 1
    { ts: 12 * s, action: Action.Delete, side: -1, price: 101, size: 3, id: 3 }, // mid 101 again; order 3 lived 7 s
    { ts: 25 * s, action: Action.Trade, side: 1, price: 102, size: 5, id: 9, last: false },
    { ts: 25 * s, action: Action.Fill, side: -1, price: 102, size: 5, id: 2 }, // ask side empty; order 2 lived 25 s
    { ts: 31 * s, action: Action.Add, side: -1, price: 103, size: 1, id: 4 }, // mid 101.5, spread 3
  ]);
  const facts = await stylizedFacts(source, { intervalsNs: [10 * s] });
  // Grid points at 10, 20 and 30 s hold the mid as of 100.5, 101 and (empty ask side) none: one return.
  assert.equal(facts.returns[0]!.count, 1);
  assert.equal(facts.returns[0]!.stdBps, 0);
  // Spreads after the updates with both sides: 2, 1, 2, then 3 (103 against 100).
  assert.deepEqual(facts.spreadTicks, { count: 4, mean: 2, p10: 1, p50: 2, p90: 3, p99: 3 });
  assert.equal(facts.adds, 4);
  assert.equal(facts.deletes, 1);
  assert.equal(facts.trades, 1);
  assert.equal(facts.cancelToAdd, 0.25);
  assert.equal(facts.cancelToTrade, 1);
  assert.deepEqual([facts.cancelledLifetimeMs.count, facts.cancelledLifetimeMs.p50], [1, 7000]);
  assert.deepEqual([facts.filledLifetimeMs.count, facts.filledLifetimeMs.p50], [1, 25000]);
});

test('AMZN 2012-06-21 (LOBSTER level 1): the counts of its manifest and the stylized facts of a real stock', needs(AMZN), async () => {
  const facts = await stylizedFacts(await openSource(fixture(AMZN)));
  // MANIFEST: 27,845 adds, 16 partial cancels, 18,235 deletes, 8,974 visible and 2,445 hidden executions.
  assert.deepEqual([facts.adds, facts.cancels, facts.deletes, facts.trades], [27845, 16, 18235, 8974 + 2445]);
  assert.equal(facts.tickUnits, 100);
  const tenSeconds = facts.returns[0]!;
  assert.ok(tenSeconds.count > 2300);
  assert.ok(tenSeconds.excessKurtosis > 3, `kurtosis ${tenSeconds.excessKurtosis}`);
  assert.ok(tenSeconds.hillAlpha > 2 && tenSeconds.hillAlpha < 6, `Hill ${tenSeconds.hillAlpha}`);
  assert.ok(tenSeconds.absAcf.slice(0, 5).every((x) => x > 0.05), `ACF ${tenSeconds.absAcf}`);
  assert.ok(facts.spreadTicks.mean > 5);
});

test('the baseline scenario shows the stylized facts: heavy tails, volatility clustering, a spread of a few ticks, cancels well above trades', async () => {
  const facts = await stylizedFacts(openScenario(join(REPO_ROOT, 'scenarios', 'baseline.json'), { duration: '1h' }));
  const tenSeconds = facts.returns[0]!;
  assert.ok(tenSeconds.count >= 355, `${tenSeconds.count} returns`);
  assert.ok(tenSeconds.excessKurtosis > 1, `kurtosis ${tenSeconds.excessKurtosis}`);
  assert.ok(tenSeconds.hillAlpha > 1.5 && tenSeconds.hillAlpha < 8, `Hill ${tenSeconds.hillAlpha}`);
  assert.ok(tenSeconds.absAcf[0]! > 0.05, `ACF ${tenSeconds.absAcf}`);
  assert.ok(facts.spreadTicks.mean >= 1.5 && facts.spreadTicks.mean <= 5, `spread ${facts.spreadTicks.mean}`);
  assert.ok(facts.cancelToTrade > 1.5, `cancel-to-trade ${facts.cancelToTrade}`);
  assert.ok(facts.cancelToAdd > 0.5 && facts.cancelToAdd < 1);
  assert.ok(facts.cancelledLifetimeMs.p10 < facts.cancelledLifetimeMs.p50);
});
