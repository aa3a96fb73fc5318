import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GradientBoosting } from '../../src/mining/models/gbdt.js';
import { LogisticRegression, Prior } from '../../src/mining/models/logistic.js';
import { poolReliability, reliability, score } from '../../src/mining/models/metrics.js';
import { argmaxClasses, ColumnSubset, type Classifier } from '../../src/mining/models/model.js';
import { RidgeDirection } from '../../src/mining/models/ridge.js';
import { Normal } from './synthetic.js';

/** Rows of `width` standard normal features; class from a linear score through fixed cut points, with noise. */
function linearData(rows: number, width: number, seed: number, weights: number[]): { x: Float64Array; y: Int32Array; score: Float64Array } {
  const normal = new Normal(seed);
  const x = new Float64Array(rows * width);
  const y = new Int32Array(rows);
  const latent = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < width; c++) {
      x[r * width + c] = normal.next();
      s += (weights[c] ?? 0) * x[r * width + c]!;
    }
    latent[r] = s;
    const noisy = s + normal.next();
    y[r] = noisy > 0.5 ? 2 : noisy < -0.5 ? 0 : 1;
  }
  return { x, y, score: latent };
}

function gradientNorm(model: LogisticRegression, x: Float64Array, y: Int32Array, classes: number): number {
  const weights = (model as unknown as { weights: Float64Array }).weights;
  const gradient = new Float64Array(weights.length);
  model.loss(weights, x, y, gradient, new Float64Array(classes));
  return Math.max(...gradient.map(Math.abs));
}

test('logistic regression: Newton (small widths) and L-BFGS (wide) both reach the minimum of the penalized loss', () => {
  const narrow = linearData(3000, 4, 1, [1.5, -1, 0.5, 0]);
  const newton = new LogisticRegression();
  newton.fit(narrow.x, 4, narrow.y, 3);
  assert.ok(newton.iterationsUsed < 20, `${newton.iterationsUsed} Newton steps`);
  assert.ok(gradientNorm(newton, narrow.x, narrow.y, 3) < 1e-9);
  // 45 features × 3 classes = 138 parameters: L-BFGS.
  const wide = linearData(3000, 45, 2, [1, -1, 0.5]);
  const lbfgs = new LogisticRegression();
  lbfgs.fit(wide.x, 45, wide.y, 3);
  assert.ok(gradientNorm(lbfgs, wide.x, wide.y, 3) < 1e-6, `gradient ${gradientNorm(lbfgs, wide.x, wide.y, 3)}`);
  // Both learn the direction: AUC well above chance on fresh data.
  const test4 = linearData(2000, 4, 3, [1.5, -1, 0.5, 0]);
  assert.ok(score(newton.predict(test4.x, 4), test4.y, 3).auc > 0.75);
  const test45 = linearData(2000, 45, 4, [1, -1, 0.5]);
  assert.ok(score(lbfgs.predict(test45.x, 45), test45.y, 3).auc > 0.7);
  // Deterministic.
  const again = new LogisticRegression();
  again.fit(narrow.x, 4, narrow.y, 3);
  assert.deepEqual(Array.from(again.predict(test4.x, 4)), Array.from(newton.predict(test4.x, 4)));
});

test('ridge recovers a linear return model; its thresholds call each class as often as training had it', () => {
  const normal = new Normal(5);
  const rows = 4000;
  const width = 3;
  const beta = [2e-4, -1e-4, 0];
  const x = new Float64Array(rows * width);
  const target = new Float64Array(rows);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let value = 1e-5;
    for (let c = 0; c < width; c++) {
      x[r * width + c] = normal.next();
      value += beta[c]! * x[r * width + c]!;
    }
    target[r] = value + 1e-4 * normal.next();
    y[r] = target[r]! > 5e-5 ? 2 : target[r]! < -5e-5 ? 0 : 1;
  }
  const ridge = new RidgeDirection(1e-6);
  ridge.fit(x, width, y, 3, target);
  const fitted = ridge.coefficients;
  beta.forEach((b, c) => assert.ok(Math.abs(fitted.beta[c]! - b) < 1e-5, `β${c} ${fitted.beta[c]} vs ${b}`));
  assert.ok(Math.abs(fitted.intercept - 1e-5) < 5e-6);
  const calls = ridge.decide(x, width);
  for (let k = 0; k < 3; k++) {
    const called = calls.filter((c) => c === k).length;
    const present = y.filter((c) => c === k).length;
    assert.ok(Math.abs(called - present) <= 2, `class ${k}: called ${called}, present ${present}`);
  }
  // Probabilities are a distribution per row, rising in P(up) with the predicted return.
  const p = ridge.predict(x, width);
  for (let r = 0; r < rows; r++) assert.ok(Math.abs(p[r * 3]! + p[r * 3 + 1]! + p[r * 3 + 2]! - 1) < 1e-12);
  const predicted = ridge.regress(x, width);
  const low = [...predicted.keys()].sort((a, b) => predicted[a]! - predicted[b]!);
  assert.ok(p[low[rows - 1]! * 3 + 2]! > p[low[0]! * 3 + 2]! + 0.3);
  assert.throws(() => new RidgeDirection().fit(x, width, y, 3), /forward return/);
});

test('gradient-boosted trees learn an interaction a linear model cannot, deterministically', () => {
  const normal = new Normal(6);
  const make = (rows: number) => {
    const x = new Float64Array(rows * 2);
    const y = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const a = normal.next();
      const b = normal.next();
      x[r * 2] = a;
      x[r * 2 + 1] = b;
      const xor = a * b > 0;
      y[r] = Math.abs(a) < 0.3 ? 1 : xor ? 2 : 0;
    }
    return { x, y };
  };
  const train = make(4000);
  const test2 = make(2000);
  const trees = new GradientBoosting();
  trees.fit(train.x, 2, train.y, 3);
  const linear = new LogisticRegression();
  linear.fit(train.x, 2, train.y, 3);
  const treeScores = score(trees.predict(test2.x, 2), test2.y, 3);
  const linearScores = score(linear.predict(test2.x, 2), test2.y, 3);
  assert.ok(treeScores.accuracy > 0.9, `trees ${treeScores.accuracy}`);
  assert.ok(linearScores.accuracy < 0.7, `linear ${linearScores.accuracy}`);
  const again = new GradientBoosting();
  again.fit(train.x, 2, train.y, 3);
  assert.deepEqual(Array.from(again.predict(test2.x, 2)), Array.from(trees.predict(test2.x, 2)));
});

test('a column subset model sees only its columns', () => {
  const data = linearData(3000, 3, 7, [0, 0, 2]);
  const only = new ColumnSubset('third', new LogisticRegression(), [2]);
  only.fit(data.x, 3, data.y, 3);
  const alone = new LogisticRegression();
  const third = Float64Array.from({ length: 3000 }, (_, r) => data.x[r * 3 + 2]!);
  alone.fit(third, 1, data.y, 3);
  assert.deepEqual(Array.from(only.predict(data.x, 3)), Array.from(alone.predict(third, 1)));
  assert.deepEqual(Array.from(only.decide(data.x, 3)), Array.from(argmaxClasses(alone.predict(third, 1), 3)));
  const blind = new ColumnSubset('first', new LogisticRegression(), [0]);
  blind.fit(data.x, 3, data.y, 3);
  assert.ok(Math.abs(score(blind.predict(data.x, 3), data.y, 3).auc - 0.5) < 0.05);
});

test('scores and reliability diagrams on a hand example', () => {
  // Three rows, three classes.
  const p = Float64Array.of(0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.2, 0.5, 0.3);
  const y = Int32Array.of(0, 2, 2);
  const s = score(p, y, 3);
  assert.equal(s.accuracy, 2 / 3);
  // Brier: (0.09 + 0.04 + 0.01) + (0.01 + 0.09 + 0.16) + (0.04 + 0.25 + 0.49) = 1.18 over 3 rows.
  assert.ok(Math.abs(s.brier - 1.18 / 3) < 1e-12);
  // Decisions override the arg-max for accuracy.
  assert.equal(score(p, y, 3, Int32Array.of(0, 2, 2)).accuracy, 1);
  const diagram = reliability(p, y, 3, 2, 10);
  assert.equal(diagram.length, 10);
  assert.deepEqual(
    diagram.filter((bin) => bin.n > 0).map((bin) => [bin.lo, bin.n, bin.meanPredicted, bin.observed]),
    [
      [0.1, 1, 0.1, 0],
      [0.3, 1, 0.3, 1],
      [0.6, 1, 0.6, 1],
    ],
  );
  const pooled = poolReliability([diagram, reliability(Float64Array.of(0.2, 0.3, 0.35), Int32Array.of(1), 3, 2, 10)]);
  assert.equal(pooled[3]!.n, 2);
  assert.ok(Math.abs(pooled[3]!.meanPredicted - 0.325) < 1e-15);
  assert.equal(pooled[3]!.observed, 0.5);
  const prior: Classifier = new Prior();
  prior.fit(new Float64Array(4), 1, Int32Array.of(0, 1, 1, 2), 3);
  assert.deepEqual(Array.from(prior.predict(new Float64Array(1), 1)), [0.25, 0.5, 0.25]);
});
