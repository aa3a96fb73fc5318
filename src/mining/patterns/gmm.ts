import { kMeans } from './kmeans.js';

export interface GaussianMixture {
  k: number;
  width: number;
  /** Mixing weights (k), means and variances (k × width, row-major): diagonal covariances. */
  weights: Float64Array;
  means: Float64Array;
  variances: Float64Array;
  /** Total log-likelihood of the fitted rows. */
  logLikelihood: number;
  /** Free parameters: k·2·width + (k − 1). */
  parameters: number;
  /** Bayesian information criterion (Schwarz 1978): −2·log L + parameters·ln n. Lower is better. */
  bic: number;
  iterations: number;
}

export interface MixtureOptions {
  seed?: number;
  maxIterations?: number;
  /** Stop when the mean log-likelihood per row improves by less than this (default 1e-7). */
  tolerance?: number;
  /** Variance floor, relative to each column's overall variance (default 1e-6). */
  varianceFloor?: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Gaussian mixture with diagonal covariances fitted by expectation–maximization (Dempster, Laird & Rubin
 * 1977), started from k-means (seeded) clusters: their shares, centroids and within-cluster variances.
 * Variances are floored at `varianceFloor` × the column's variance so a component cannot collapse on one
 * point. Deterministic for a given seed.
 */
export function fitMixture(x: Float64Array, width: number, k: number, options: MixtureOptions = {}): GaussianMixture {
  const rows = x.length / width;
  const start = kMeans(x, width, k, { seed: options.seed ?? 1 });
  const floor = new Float64Array(width);
  {
    const mean = new Float64Array(width);
    for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) mean[j]! += x[r * width + j]! / rows;
    for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) floor[j]! += (x[r * width + j]! - mean[j]!) ** 2 / rows;
    for (let j = 0; j < width; j++) floor[j] = Math.max(floor[j]! * (options.varianceFloor ?? 1e-6), 1e-300);
  }
  const weights = new Float64Array(k);
  const means = start.centroids.slice();
  const variances = new Float64Array(k * width);
  for (let r = 0; r < rows; r++) {
    const c = start.labels[r]!;
    weights[c]! += 1;
    for (let j = 0; j < width; j++) variances[c * width + j]! += (x[r * width + j]! - means[c * width + j]!) ** 2;
  }
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < width; j++) variances[c * width + j] = Math.max(weights[c]! > 0 ? variances[c * width + j]! / weights[c]! : 1, floor[j]!);
    weights[c] = Math.max(weights[c]!, 1) / rows;
  }
  normalize(weights);
  const responsibilities = new Float64Array(rows * k);
  let logLikelihood = -Infinity;
  let iterations = 0;
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-7;
  for (; iterations < maxIterations; iterations++) {
    const next = expectation(x, width, rows, k, weights, means, variances, responsibilities);
    const improved = (next - logLikelihood) / rows;
    logLikelihood = next;
    if (improved < tolerance) break;
    // M-step.
    weights.fill(0);
    means.fill(0);
    variances.fill(0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        const w = responsibilities[r * k + c]!;
        weights[c]! += w;
        for (let j = 0; j < width; j++) means[c * width + j]! += w * x[r * width + j]!;
      }
    }
    for (let c = 0; c < k; c++) for (let j = 0; j < width; j++) means[c * width + j] = weights[c]! > 0 ? means[c * width + j]! / weights[c]! : 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        const w = responsibilities[r * k + c]!;
        for (let j = 0; j < width; j++) variances[c * width + j]! += w * (x[r * width + j]! - means[c * width + j]!) ** 2;
      }
    }
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < width; j++) variances[c * width + j] = Math.max(weights[c]! > 0 ? variances[c * width + j]! / weights[c]! : 1, floor[j]!);
      weights[c] = Math.max(weights[c]! / rows, 1e-300);
    }
    normalize(weights);
  }
  const parameters = k * 2 * width + (k - 1);
  return { k, width, weights, means, variances, logLikelihood, parameters, bic: -2 * logLikelihood + parameters * Math.log(rows), iterations };
}

/** Posterior probability of each component for each row (rows × k), and the log-likelihood. */
export function posteriors(mixture: GaussianMixture, x: Float64Array): { responsibilities: Float64Array; logLikelihood: number } {
  const rows = x.length / mixture.width;
  const responsibilities = new Float64Array(rows * mixture.k);
  const logLikelihood = expectation(x, mixture.width, rows, mixture.k, mixture.weights, mixture.means, mixture.variances, responsibilities);
  return { responsibilities, logLikelihood };
}

/** E-step: responsibilities by log-sum-exp; returns the total log-likelihood. */
function expectation(x: Float64Array, width: number, rows: number, k: number, weights: Float64Array, means: Float64Array, variances: Float64Array, out: Float64Array): number {
  const constant = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let logDet = 0;
    for (let j = 0; j < width; j++) logDet += Math.log(variances[c * width + j]!);
    constant[c] = Math.log(weights[c]!) - 0.5 * (width * LOG_2PI + logDet);
  }
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let q = 0;
      for (let j = 0; j < width; j++) q += (x[r * width + j]! - means[c * width + j]!) ** 2 / variances[c * width + j]!;
      const log = constant[c]! - 0.5 * q;
      out[r * k + c] = log;
      if (log > max) max = log;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[r * k + c] = Math.exp(out[r * k + c]! - max);
    for (let c = 0; c < k; c++) out[r * k + c]! /= sum;
    total += max + Math.log(sum);
  }
  return total;
}

function normalize(weights: Float64Array): void {
  let sum = 0;
  for (const w of weights) sum += w;
  for (let c = 0; c < weights.length; c++) weights[c]! /= sum;
}
