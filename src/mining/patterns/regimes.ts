import { fitMixture, posteriors, type GaussianMixture } from './gmm.js';
import { kMeans, squaredDistance, type KMeansResult } from './kmeans.js';

export type RegimeMethod = 'gmm' | 'kmeans';

export interface RegimeOptions {
  /** `gmm` (default): diagonal Gaussian mixture; `kmeans`: k-means scored as a spherical Gaussian mixture. */
  method?: RegimeMethod;
  /** Candidate numbers of regimes 1..kMax (default 6). */
  kMax?: number;
  seed?: number;
  /**
   * Fit and score BIC on every `stride`-th row only (default 1), then assign every row. BIC counts rows as
   * independent: rolling windows that overlap are not, and all of them would let the likelihood outgrow the
   * ln n penalty; every window-th row gives windows that do not overlap.
   */
  stride?: number;
  /** GMM: variance floor relative to each input's variance (default 1e-2: a component's sd is at least a tenth of the input's). */
  varianceFloor?: number;
}

export interface BicPoint {
  k: number;
  logLikelihood: number;
  parameters: number;
  bic: number;
}

export interface Regimes {
  method: RegimeMethod;
  /** The k with the lowest BIC. */
  k: number;
  /** Rows the models were fitted and scored on. */
  fitRows: number;
  /** BIC of every candidate k (the curve the choice was made on). */
  curve: BicPoint[];
  /** Regime of every input row; regimes are numbered by share, 0 the most common. */
  labels: Int32Array;
  /** Posterior probability of the assigned regime (GMM); 1 for k-means. */
  confidence: Float64Array;
  /** Per regime: share of rows and centre (in the standardized inputs). */
  components: { regime: number; share: number; center: number[] }[];
}

/**
 * Regimes of the rows of `x` (rows × width, standardized): fits 1..kMax components and keeps the k with
 * the lowest BIC = −2·log L + p·ln n. For `gmm`, L is the mixture likelihood and p = k·2·width + k − 1.
 * For `kmeans`, the clusters are read as a mixture of spherical Gaussians with one shared variance
 * σ² = inertia / (n·width) and weights n_c/n (as in X-means, Pelleg & Moore 2000): log L = Σ_c n_c·ln(n_c/n)
 * − (n·width/2)·(ln(2πσ²) + 1), p = k·width + 1 + k − 1. Every row is then assigned to its most probable
 * component (GMM) or nearest centroid (k-means).
 */
export function findRegimes(all: Float64Array, width: number, options: RegimeOptions = {}): Regimes {
  const method = options.method ?? 'gmm';
  const allRows = all.length / width;
  const stride = Math.max(1, Math.floor(options.stride ?? 1));
  let x = all;
  if (stride > 1) {
    x = new Float64Array(Math.ceil(allRows / stride) * width);
    for (let r = 0, i = 0; r < allRows; r += stride, i++) x.set(all.subarray(r * width, (r + 1) * width), i * width);
  }
  const rows = x.length / width;
  const kMax = Math.max(1, Math.min(options.kMax ?? 6, rows));
  const seed = options.seed ?? 1;
  const curve: BicPoint[] = [];
  let best: { bic: number; fit: GaussianMixture | KMeansResult } | null = null;
  for (let k = 1; k <= kMax; k++) {
    let point: BicPoint;
    let fit: GaussianMixture | KMeansResult;
    if (method === 'gmm') {
      const mixture = fitMixture(x, width, k, { seed, varianceFloor: options.varianceFloor ?? 1e-2 });
      point = { k, logLikelihood: mixture.logLikelihood, parameters: mixture.parameters, bic: mixture.bic };
      fit = mixture;
    } else {
      const clusters = kMeans(x, width, k, { seed });
      const counts = new Int32Array(k);
      for (const label of clusters.labels) counts[label]!++;
      const variance = Math.max(clusters.inertia / (rows * width), 1e-300);
      let logLikelihood = -(rows * width / 2) * (Math.log(2 * Math.PI * variance) + 1);
      for (const n of counts) if (n > 0) logLikelihood += n * Math.log(n / rows);
      const parameters = k * width + 1 + (k - 1);
      point = { k, logLikelihood, parameters, bic: -2 * logLikelihood + parameters * Math.log(rows) };
      fit = clusters;
    }
    curve.push(point);
    if (!best || point.bic < best.bic) best = { bic: point.bic, fit };
  }
  const fit = best!.fit;
  const k = fit.k;
  const raw = new Int32Array(allRows);
  const confidence = new Float64Array(allRows).fill(1);
  let centers: Float64Array;
  if ('weights' in fit) {
    const { responsibilities } = posteriors(fit, all);
    for (let r = 0; r < allRows; r++) {
      let c = 0;
      for (let j = 1; j < k; j++) if (responsibilities[r * k + j]! > responsibilities[r * k + c]!) c = j;
      raw[r] = c;
      confidence[r] = responsibilities[r * k + c]!;
    }
    centers = fit.means;
  } else {
    centers = fit.centroids;
    for (let r = 0; r < allRows; r++) {
      let c = 0;
      let best = Infinity;
      for (let j = 0; j < k; j++) {
        const d = squaredDistance(all, r * width, centers, j * width, width);
        if (d < best) {
          best = d;
          c = j;
        }
      }
      raw[r] = c;
    }
  }
  // Renumber by share, largest first (ties: the lower original index).
  const counts = new Int32Array(k);
  for (const label of raw) counts[label]!++;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const rename = new Int32Array(k);
  order.forEach((original, regime) => (rename[original] = regime));
  const labels = Int32Array.from(raw, (label) => rename[label]!);
  const components = order.map((original, regime) => ({
    regime,
    share: counts[original]! / Math.max(1, allRows),
    center: Array.from(centers.subarray(original * width, (original + 1) * width)),
  }));
  return { method, k, fitRows: rows, curve, labels, confidence, components };
}
