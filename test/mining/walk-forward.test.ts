import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardReturns } from '../../src/mining/labels.js';
import { GradientBoosting } from '../../src/mining/models/gbdt.js';
import { LogisticRegression, Prior } from '../../src/mining/models/logistic.js';
import { ColumnSubset, type Classifier } from '../../src/mining/models/model.js';
import { RidgeDirection } from '../../src/mining/models/ridge.js';
import { walkForward } from '../../src/mining/walk-forward.js';
import { sampleFrame } from './sample.js';
import { ar1, syntheticFrame } from './synthetic.js';

const models = (qiIndex: number): Record<string, () => Classifier> => ({
  prior: () => new Prior(),
  'qi-only': () => new ColumnSubset('qi-only', new LogisticRegression(), [qiIndex]),
  logistic: () => new LogisticRegression(),
  ridge: () => new RidgeDirection(),
  gbdt: () => new GradientBoosting(),
});

test('purging and embargo: no training label reaches into the embargo before the test block', () => {
  const frame = sampleFrame(3000, 1);
  const horizonNs = 20e9;
  const embargoNs = 15e9;
  const seen: { rows: number; increasing: boolean }[] = [];
  // Sees the training design: column 0 is the row's time, standardized (an increasing map of it).
  const spy: Classifier = {
    name: 'spy',
    fit(x, width, y) {
      let increasing = true;
      for (let r = 1; r < y.length; r++) if (!(x[r * width]! > x[(r - 1) * width]!)) increasing = false;
      seen.push({ rows: y.length, increasing });
    },
    predict: (x, width) => new Float64Array((x.length / width) * 3).fill(1 / 3),
  };
  const columns = { ...frame.columns, time: Float64Array.from(frame.ts) };
  const folds = walkForward({ ...frame, columns }, { features: ['time', 'qi'], horizonNs, embargoNs, folds: 4, models: { spy: () => spy } });
  assert.equal(folds.length, 4);
  const forward = forwardReturns(frame.ts, frame.columns.mid!, horizonNs);
  const usable = [...frame.ts.keys()].filter((i) => Number.isFinite(forward[i]!));
  folds.forEach((fold, k) => {
    const candidates = usable.filter((i) => frame.ts[i]! < fold.testStartNs);
    const clean = candidates.filter((i) => frame.ts[i]! + horizonNs < fold.testStartNs - embargoNs);
    assert.equal(fold.trainRows, clean.length);
    assert.equal(fold.purgedRows, candidates.length - clean.length);
    // Labels span 20 bars and the embargo 15 more: 35 one-second bars are purged before each test block.
    assert.equal(fold.purgedRows, 35);
    assert.equal(seen[k]!.rows, fold.trainRows);
    assert.ok(seen[k]!.increasing, 'training rows are the earliest rows, in time order');
    assert.ok(fold.testStartNs > frame.ts[clean[clean.length - 1]!]! + horizonNs + embargoNs - 1e9);
  });
});

test('on noise features no model beats chance or the spread', () => {
  const rows = 6000;
  const frame = syntheticFrame(rows, 12, (normal) => ({ qi: ar1(normal, rows, 0.8), a: ar1(normal, rows, 0.5), b: ar1(normal, rows, 0.95) }));
  const folds = walkForward(frame, { features: ['qi', 'a', 'b'], horizonNs: 5e9, folds: 4, models: models(0) });
  for (const name of ['qi-only', 'logistic', 'ridge', 'gbdt']) {
    const mine = folds.filter((fold) => fold.model === name);
    const auc = mine.reduce((sum, fold) => sum + fold.auc, 0) / mine.length;
    assert.ok(Math.abs(auc - 0.5) < 0.03, `${name}: mean AUC ${auc}`);
    const trades = mine.reduce((sum, fold) => sum + fold.trades, 0);
    const pnl = mine.reduce((sum, fold) => sum + fold.pnlBps * fold.trades, 0) / trades;
    // A 1 bp spread per trade; noise forecasts earn about nothing before it.
    assert.ok(pnl < 0, `${name}: ${pnl} bps per trade`);
  }
});

test('with an informative feature every fitted model beats the prior, and qi-only sits between', () => {
  const frame = sampleFrame(6000, 2);
  const features = ['qi', 'informed', 'ofi', 'noise'];
  const folds = walkForward(frame, { features, horizonNs: 1e9, folds: 4, models: models(0) });
  const mean = (name: string, pick: (fold: (typeof folds)[number]) => number) => {
    const mine = folds.filter((fold) => fold.model === name);
    return mine.reduce((sum, fold) => sum + pick(fold), 0) / mine.length;
  };
  const prior = mean('prior', (fold) => fold.auc);
  assert.equal(prior, 0.5);
  for (const name of ['logistic', 'ridge', 'gbdt']) {
    assert.ok(mean(name, (fold) => fold.auc) > 0.65, `${name} AUC ${mean(name, (fold) => fold.auc)}`);
    assert.ok(mean(name, (fold) => fold.macroF1) > mean('prior', (fold) => fold.macroF1) + 0.1, name);
    assert.ok(mean(name, (fold) => fold.pnlBps) > 0, `${name} P&L ${mean(name, (fold) => fold.pnlBps)}`);
  }
  const qiOnly = mean('qi-only', (fold) => fold.auc);
  assert.ok(qiOnly > 0.52 && qiOnly < mean('logistic', (fold) => fold.auc), `qi-only AUC ${qiOnly}`);
  for (const fold of folds) {
    assert.ok(Math.abs(fold.testShares.reduce((sum, share) => sum + share, 0) - 1) < 1e-9);
    for (const diagram of [fold.calibration.up, fold.calibration.down]) {
      assert.equal(diagram.length, 10);
      assert.equal(
        diagram.reduce((sum, bin) => sum + bin.n, 0),
        fold.testRows,
      );
    }
  }
  // Deterministic.
  const again = walkForward(frame, { features, horizonNs: 1e9, folds: 4, models: models(0) });
  assert.deepEqual(again, folds);
});
