import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateSignals, MIN_WINDOWS } from '../../src/mining/evaluate.js';
import { forwardReturns } from '../../src/mining/labels.js';
import { finiteRows, neweyWest, twoSidedP } from '../../src/mining/statistics.js';
import { ar1, syntheticFrame } from './synthetic.js';

const ROWS = 10_000;
const FEATURES = 40;
const HORIZONS = [1e9, 5e9, 30e9, 120e9];
/** Persistence of the noise features, in turn: white, and AR(1) from mild to near a unit root. */
const PHI = [0, 0.5, 0.9, 0.99];
const names = Array.from({ length: FEATURES }, (_, j) => `noise_${j}`);

function noiseFrame(seed: number) {
  return syntheticFrame(ROWS, seed, (normal) => Object.fromEntries(names.map((name, j) => [name, ar1(normal, ROWS, PHI[j % PHI.length]!)])));
}

test('independent noise features: nothing is significant after Benjamini–Hochberg (40 features × 4 horizons, 3 seeds)', () => {
  let raw = 0;
  let tests = 0;
  for (const seed of [1, 2, 3]) {
    const results = evaluateSignals(noiseFrame(seed), { features: names, horizonsNs: HORIZONS });
    assert.equal(results.length, FEATURES * HORIZONS.length);
    const discoveries = results.filter((result) => result.significant);
    assert.deepEqual(
      discoveries.map((result) => `${result.feature}@${result.horizonNs / 1e9}s p=${result.p}`),
      [],
      `seed ${seed}`,
    );
    raw += results.filter((result) => result.p < 0.05).length;
    tests += results.length;
  }
  // Uncorrected, some tests do fall below 5% — the correction is what removes them — and about as many
  // as chance says (Newey–West keeps the size near nominal).
  assert.ok(raw > 0, 'no raw p-value below 0.05 at all: the test has no power to fail');
  assert.ok(raw / tests < 0.1, `${raw} of ${tests} raw p-values below 0.05`);
});

test('Newey–West: persistent noise looks significant to plain OLS at a long horizon, much less so with HAC errors', () => {
  let naive = 0;
  let hac = 0;
  let count = 0;
  for (const seed of [1, 2, 3]) {
    const frame = noiseFrame(seed);
    const forward = forwardReturns(frame.ts, frame.columns.mid!, 120e9);
    names.forEach((name, j) => {
      if (PHI[j % PHI.length] !== 0.99) return;
      const feature = frame.columns[name]!;
      const rows = finiteRows(feature, forward);
      count++;
      if (twoSidedP(neweyWest(feature, forward, rows, 0).t) < 0.05) naive++;
      if (twoSidedP(neweyWest(feature, forward, rows, 120).t) < 0.05) hac++;
    });
  }
  assert.equal(count, 30);
  assert.ok(naive / count > 0.5, `plain OLS rejected ${naive} of ${count}`);
  // Near a unit root with 10,000 one-second bars there are few independent 120 s windows; HAC errors are
  // still somewhat oversized there (see docs/MINING.md), but far from OLS.
  assert.ok(hac / count < 0.25, `Newey–West rejected ${hac} of ${count}`);
});

test('a planted signal among the noise is found at its horizon, and only it', () => {
  const frame = syntheticFrame(ROWS, 8, (normal, mid) => {
    const columns: Record<string, Float64Array> = Object.fromEntries(names.map((name, j) => [name, ar1(normal, ROWS, PHI[j % PHI.length]!)]));
    // Sees the next bar's return through noise ten times its size.
    columns.planted = Float64Array.from(mid, (_, i) => (i + 1 < ROWS ? Math.log(mid[i + 1]! / mid[i]!) / 1e-4 : 0) + 10 * normal.next());
    return columns;
  });
  const results = evaluateSignals(frame, { features: [...names, 'planted'], horizonsNs: HORIZONS });
  const found = results.filter((result) => result.significant).map((result) => `${result.feature}@${result.horizonNs / 1e9}s`);
  assert.ok(found.includes('planted@1s'), found.join(', '));
  assert.ok(
    found.every((entry) => entry.startsWith('planted@')),
    found.join(', '),
  );
  const oneSecond = results.find((result) => result.feature === 'planted' && result.horizonNs === 1e9)!;
  // IC of a signal that is the return plus 10× noise: 1/√(1 + 100) ≈ 0.0995.
  assert.ok(Math.abs(oneSecond.ic - 0.0995) < 0.025, `IC ${oneSecond.ic}`);
  assert.ok(oneSecond.hitRate > 0.5);
});

test('a short sample: at a horizon with few non-overlapping windows the p-values are too low, and those tests are flagged', () => {
  // Six minutes of 100 ms bars (the Binance capture's shape): a 60 s horizon spans under six windows.
  const rows = 3447;
  const horizons = [1e9, 10e9, 60e9];
  const counts = { flagged: 0, flaggedLow: 0, trusted: 0, trustedLow: 0 };
  for (const seed of [1, 2, 3, 4, 5]) {
    const frame = noiseFrame(seed);
    const short = {
      ...frame,
      length: rows,
      ts: Float64Array.from({ length: rows }, (_, i) => (i + 1) * 1e8),
      instrument: frame.instrument.subarray(0, rows),
      columns: Object.fromEntries(Object.entries(frame.columns).map(([name, column]) => [name, column.subarray(0, rows)])),
    };
    for (const result of evaluateSignals(short, { features: names, horizonsNs: horizons })) {
      const few = result.windows < MIN_WINDOWS;
      assert.equal(few, result.horizonNs === 60e9, `${result.horizonNs / 1e9}s spans ${result.windows} windows`);
      if (few) {
        counts.flagged++;
        if (result.p < 0.05) counts.flaggedLow++;
      } else {
        counts.trusted++;
        if (result.p < 0.05) counts.trustedLow++;
      }
    }
  }
  // Nominal 5%: about right with enough windows, about three times too often without.
  assert.ok(counts.trustedLow / counts.trusted < 0.1, JSON.stringify(counts));
  assert.ok(counts.flaggedLow / counts.flagged > 0.12, JSON.stringify(counts));
});
