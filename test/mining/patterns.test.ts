import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePathLength, findRegimes, fitMixture, IsolationForest, kMeans, robustZScores, windowFeatures } from '../../src/mining/patterns/index.js';
import { Normal } from './synthetic.js';

/** Three planted clusters in 4 dimensions with different spreads; returns rows and their true cluster. */
function planted(seed: number, spreads = [1, 0.5, 1.5], perCluster = 400): { x: Float64Array; truth: Int32Array; width: number } {
  const normal = new Normal(seed);
  const centres = [
    [0, 0, 0, 0],
    [6, 6, 0, 0],
    [0, 6, -6, 3],
  ];
  const width = 4;
  const x = new Float64Array(3 * perCluster * width);
  const truth = new Int32Array(3 * perCluster);
  // Interleaved, so row order says nothing about the cluster.
  for (let i = 0; i < 3 * perCluster; i++) {
    const c = i % 3;
    truth[i] = c;
    for (let j = 0; j < width; j++) x[i * width + j] = centres[c]![j]! + spreads[c]! * normal.next();
  }
  return { x, truth, width };
}

/** Share of rows whose label maps to their true cluster under the best one-to-one relabelling (3 clusters). */
function agreement(labels: Int32Array, truth: Int32Array): number {
  const permutations = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  let best = 0;
  for (const p of permutations) {
    let hits = 0;
    for (let i = 0; i < labels.length; i++) if (p[labels[i]!] === truth[i]) hits++;
    best = Math.max(best, hits / labels.length);
  }
  return best;
}

test('k-means finds three planted clusters, and is seeded', () => {
  const { x, truth, width } = planted(7);
  const result = kMeans(x, width, 3, { seed: 3 });
  assert.ok(agreement(result.labels, truth) > 0.99, `agreement ${agreement(result.labels, truth)}`);
  const again = kMeans(x, width, 3, { seed: 3 });
  assert.deepEqual(Array.from(again.labels), Array.from(result.labels));
  assert.equal(again.inertia, result.inertia);
});

test('the Gaussian mixture recovers planted means and variances; BIC picks k = 3', () => {
  const { x, truth, width } = planted(11);
  const mixture = fitMixture(x, width, 3, { seed: 5 });
  // Each fitted component: mean near a planted centre, variance near the planted spread².
  const planted3 = [
    { centre: [0, 0, 0, 0], variance: 1 },
    { centre: [6, 6, 0, 0], variance: 0.25 },
    { centre: [0, 6, -6, 3], variance: 2.25 },
  ];
  for (const { centre, variance } of planted3) {
    const c = [0, 1, 2].find((k) => Math.abs(mixture.means[k * width]! - centre[0]!) < 0.3 && Math.abs(mixture.means[k * width + 2]! - centre[2]!) < 0.3)!;
    assert.ok(c !== undefined, `no component near ${centre}`);
    for (let j = 0; j < width; j++) {
      assert.ok(Math.abs(mixture.means[c * width + j]! - centre[j]!) < 0.25, `mean ${j}`);
      assert.ok(Math.abs(mixture.variances[c * width + j]! / variance - 1) < 0.25, `variance ${j}: ${mixture.variances[c * width + j]} vs ${variance}`);
    }
    assert.ok(Math.abs(mixture.weights[c]! - 1 / 3) < 0.01);
  }
  const regimes = findRegimes(x, width, { method: 'gmm', kMax: 6, seed: 2 });
  assert.equal(regimes.k, 3, `BIC curve ${regimes.curve.map((p) => p.bic.toFixed(0)).join(', ')}`);
  assert.deepEqual(
    regimes.curve.map((p) => p.k),
    [1, 2, 3, 4, 5, 6],
  );
  assert.ok(agreement(regimes.labels, truth) > 0.99);
  // Numbered by share: equal planted shares, so every regime holds about a third.
  for (const component of regimes.components) assert.ok(Math.abs(component.share - 1 / 3) < 0.02);
  assert.ok(regimes.confidence.every((p) => p > 1 / 3 && p <= 1));
});

test('k-means BIC (one shared spherical variance) picks k = 3 for equal-spread clusters, and over-splits unequal ones', () => {
  const equal = planted(13, [1, 1, 1]);
  const regimes = findRegimes(equal.x, equal.width, { method: 'kmeans', kMax: 6, seed: 2 });
  assert.equal(regimes.k, 3, `BIC curve ${regimes.curve.map((p) => p.bic.toFixed(0)).join(', ')}`);
  assert.ok(agreement(regimes.labels, equal.truth) > 0.99);
  // Its model assumes one spread: spreads of 0.5, 1 and 1.5 read as more than three clusters (the GMM's job).
  const unequal = planted(11);
  assert.ok(findRegimes(unequal.x, unequal.width, { method: 'kmeans', kMax: 6, seed: 2 }).k > 3);
});

test('BIC prefers one regime when the rows are one Gaussian cloud', () => {
  const normal = new Normal(21);
  const x = Float64Array.from({ length: 1500 * 3 }, () => normal.next());
  assert.equal(findRegimes(x, 3, { method: 'gmm', kMax: 5 }).k, 1);
  assert.equal(findRegimes(x, 3, { method: 'kmeans', kMax: 5 }).k, 1);
});

test('window features are trailing: a value never depends on later bars', () => {
  const n = 200;
  const normal = new Normal(3);
  const a = Float64Array.from({ length: n }, () => normal.next());
  const b = Float64Array.from({ length: n }, () => normal.next());
  const window = 10;
  const base = windowFeatures({ a, b }, ['a', 'b'], window);
  assert.equal(base.rows[0], window - 1);
  assert.equal(base.rows.length, n - window + 1);
  assert.deepEqual(base.names, ['a_mean', 'a_sd', 'b_mean', 'b_sd']);
  // Un-standardize row 50 and compare with the plain mean and sample sd of a[41..50].
  const r = 50 - (window - 1);
  const slice = Array.from(a.subarray(41, 51));
  const mean = slice.reduce((s, v) => s + v, 0) / window;
  const sd = Math.sqrt(slice.reduce((s, v) => s + (v - mean) ** 2, 0) / (window - 1));
  assert.ok(Math.abs(base.x[r * 4]! * base.scale[0]! + base.center[0]! - mean) < 1e-12);
  assert.ok(Math.abs(base.x[r * 4 + 1]! * base.scale[1]! + base.center[1]! - sd) < 1e-12);
  // Change everything after bar 120: the raw windows up to 120 do not move.
  const a2 = a.slice();
  for (let i = 121; i < n; i++) a2[i] = 1000 + i;
  const changed = windowFeatures({ a: a2, b }, ['a', 'b'], window);
  for (let i = 0; i <= 120 - (window - 1); i++) {
    for (let c = 0; c < 4; c++) {
      const before = base.x[i * 4 + c]! * base.scale[c]! + base.center[c]!;
      const after = changed.x[i * 4 + c]! * changed.scale[c]! + changed.center[c]!;
      assert.ok(Math.abs(before - after) < 1e-9, `row ${i} column ${c}`);
    }
  }
  // A missing value removes exactly the windows that contain it.
  const gap = a.slice();
  gap[100] = NaN;
  assert.equal(windowFeatures({ a: gap, b }, ['a', 'b'], window).rows.length, n - window + 1 - window);
});

test('robust z-scores flag planted outliers and not the bulk', () => {
  const normal = new Normal(5);
  const n = 2000;
  const a = Float64Array.from({ length: n }, () => normal.next());
  const b = Float64Array.from({ length: n }, () => 3 + 0.1 * normal.next());
  const planted = [17, 444, 1999];
  a[17] = 12;
  b[444] = 1.5; // 15 σ below b's median
  a[1999] = -9;
  const scores = robustZScores([a, b]);
  // Medians and scales estimate the centre and σ of the bulk.
  assert.ok(Math.abs(scores.median[1]! - 3) < 0.01);
  assert.ok(Math.abs(scores.scale[0]! - 1) < 0.1 && Math.abs(scores.scale[1]! - 0.1) < 0.01);
  const flagged = [...scores.combined.keys()].filter((r) => scores.combined[r]! > scores.threshold);
  for (const r of planted) assert.ok(flagged.includes(r), `row ${r} not flagged`);
  assert.ok(flagged.length < planted.length + 10, `${flagged.length} flagged`); // a normal bulk puts ~0.05% beyond 3.5σ per feature
  assert.equal(scores.worst[444], 1);
  assert.equal(scores.worst[17], 0);
  // Over half the values equal: MAD is 0, the mean absolute deviation takes over.
  const sparse = Float64Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 5 : 0));
  const sparseScores = robustZScores([sparse]);
  assert.ok(sparseScores.scale[0]! > 0);
  assert.ok(Math.abs(sparseScores.scale[0]! - 1.2533 * 0.5) < 1e-12);
});

test('isolation forest: c(n), planted outliers score highest, seeded', () => {
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  // c(256) = 2(ln 255 + γ) − 2·255/256 ≈ 10.2448
  assert.ok(Math.abs(averagePathLength(256) - 10.2448) < 1e-3);
  const normal = new Normal(9);
  const width = 3;
  const inliers = 2000;
  // Far out in every coordinate: isolation splits are axis-parallel, so a point beyond the sample's range
  // on one axis only isolates no faster than the sample's own extreme on that axis.
  const outliers = [
    [6, 6, 6],
    [-6, 6, -6],
    [6, -6, 5],
    [-5, -6, -6],
    [7, -5, -6],
  ];
  const x = new Float64Array((inliers + outliers.length) * width);
  for (let i = 0; i < inliers * width; i++) x[i] = normal.next();
  outliers.forEach((point, k) => x.set(point, (inliers + k) * width));
  const forest = new IsolationForest({ seed: 4 }).fit(x, width);
  const scores = forest.score(x);
  const ranked = [...scores.keys()].sort((p, q) => scores[q]! - scores[p]!);
  assert.deepEqual(
    ranked.slice(0, outliers.length).sort((p, q) => p - q),
    outliers.map((_, k) => inliers + k),
  );
  for (let k = 0; k < outliers.length; k++) assert.ok(scores[inliers + k]! > 0.7, `outlier ${k}: ${scores[inliers + k]}`);
  const bulk = Float64Array.from(scores.subarray(0, inliers)).sort();
  assert.ok(bulk[inliers >> 1]! < 0.5, `median inlier score ${bulk[inliers >> 1]}`);
  assert.deepEqual(Array.from(new IsolationForest({ seed: 4 }).fit(x, width).score(x)), Array.from(scores));
  assert.notDeepEqual(Array.from(new IsolationForest({ seed: 5 }).fit(x, width).score(x)), Array.from(scores));
});
