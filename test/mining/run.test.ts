import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FeatureFrame } from '../../src/features/run.js';
import { mineFrame } from '../../src/mining/run.js';
import { sampleFrame } from './sample.js';
import { ar1, Normal } from './synthetic.js';

/** 4,000 one-second bars: calm first half (1 bp moves, 1 bp spread), wild second half (4 bp, 3 bp). */
function twoRegimes(seed: number): FeatureFrame {
  const rows = 4000;
  const normal = new Normal(seed);
  const ts = Float64Array.from({ length: rows }, (_, i) => (i + 1) * 1e9);
  const mid = new Float64Array(rows);
  const spread = new Float64Array(rows);
  let log = Math.log(50);
  for (let i = 0; i < rows; i++) {
    const wild = i >= rows / 2;
    mid[i] = Math.exp(log);
    spread[i] = (mid[i]! * (wild ? 3 : 1) * (1 + 0.2 * normal.uniform())) / 1e4;
    log += (wild ? 4e-4 : 1e-4) * normal.next();
  }
  const qi = ar1(normal, rows, 0.7);
  const other = ar1(normal, rows, 0.3);
  // Planted anomalies: five bars where both columns jump far out together.
  for (const i of [500, 1500, 2500, 3000, 3500]) {
    qi[i] = 9;
    other[i] = -9;
  }
  const weighted = Float64Array.from(mid, (m, i) => m * (1 + (0.3 * qi[i]!) / 1e4));
  const sparse = Float64Array.from(mid, (_, i) => (i % 3 === 0 ? 1 : NaN));
  return { length: rows, timeBaseNs: 1_600_000_000_000_000_000n, ts, instrument: new Int32Array(rows), columns: { mid, spread, qi, other, weighted, sparse } };
}

test('mineFrame: derived columns, model columns, regimes of a volatility switch, planted anomalies', () => {
  const result = mineFrame(twoRegimes(4), { horizonsNs: [1e9, 10e9], regimeWindow: 30, kMax: 5, folds: 3 });
  // weighted is a price level: it becomes its deviation from the mid in bps; mid_return_bps is added.
  assert.deepEqual(result.signalColumns, ['spread', 'qi', 'other', 'weighted_dev_bps', 'sparse', 'mid_return_bps']);
  assert.deepEqual(result.derived, [
    { column: 'weighted_dev_bps', from: 'weighted' },
    { column: 'mid_return_bps', from: 'mid' },
  ]);
  const deviation = result.frame.columns.weighted_dev_bps!;
  assert.ok(Math.abs(deviation[10]! - 0.3 * result.frame.columns.qi![10]!) < 1e-6);
  // sparse is finite in a third of the rows: not a model feature.
  assert.deepEqual(result.leftOut.map((entry) => entry.column), ['sparse']);
  assert.equal(result.signals.length, 12);
  assert.equal(result.models.length, 5);

  // Regimes: the calm and the wild half land in different regimes.
  const regimes = result.regimes;
  assert.ok(regimes.k >= 2, `k = ${regimes.k}`);
  const majority = (from: number, to: number) => {
    const counts = new Map<number, number>();
    for (let i = from; i < to; i++) counts.set(regimes.labels[i]!, (counts.get(regimes.labels[i]!) ?? 0) + 1);
    const [label, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    return { label, share: count / (to - from) };
  };
  const calm = majority(100, 1950);
  const wild = majority(2100, 4000);
  assert.notEqual(calm.label, wild.label);
  assert.ok(calm.share > 0.8 && wild.share > 0.8, `calm ${calm.share}, wild ${wild.share}`);
  assert.ok(regimes.labels.subarray(0, 29).every((label) => label === -1), 'no regime before the first full window');
  assert.equal(regimes.curve.length, 5);
  assert.equal(regimes.curve.reduce((best, point) => (point.bic < best.bic ? point : best)).k, regimes.k);

  // Anomalies: the planted bars are the most isolated, and robust z flags them.
  const isolation = result.anomalies.isolation;
  const top = [...isolation.keys()].filter((i) => Number.isFinite(isolation[i]!)).sort((a, b) => isolation[b]! - isolation[a]!);
  assert.deepEqual(top.slice(0, 5).sort((a, b) => a - b), [500, 1500, 2500, 3000, 3500]);
  for (const i of [500, 1500, 2500, 3000, 3500]) assert.ok(result.anomalies.robust[i]! > result.anomalies.threshold);
});

test('mineFrame: the informative feature is the strongest signal and the signal model is a fitted one', () => {
  const result = mineFrame(sampleFrame(5000, 9), { horizonsNs: [1e9, 10e9, 60e9], folds: 3 });
  const significant = result.signals.filter((signal) => signal.significant);
  const strongest = significant.reduce((best, signal) => (Math.abs(signal.ic) > Math.abs(best.ic) ? signal : best));
  assert.equal(strongest.feature, 'informed');
  assert.equal(strongest.horizonNs, 1e9);
  assert.ok(!significant.some((signal) => signal.feature === 'noise' || signal.feature === 'ofi'), significant.map((s) => s.feature).join(', '));
  assert.ok(['logistic', 'ridge', 'gbdt'].includes(result.signalModel));
  assert.equal(result.modelHorizonNs, 10e9);
  // Calls exist exactly on the test folds' rows.
  const called = result.calls.filter((call) => !Number.isNaN(call)).length;
  assert.equal(called, result.folds.filter((fold) => fold.model === result.signalModel).reduce((sum, fold) => sum + fold.testRows, 0));
  assert.throws(() => mineFrame({ ...sampleFrame(500, 1), columns: { mid: new Float64Array(500) } }, { horizonsNs: [1e9] }), /needs the spread column/);
});
