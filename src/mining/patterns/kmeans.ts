import { Random } from '../../features/random.js';

export interface KMeansResult {
  k: number;
  /** Centroids, row-major (k × width). */
  centroids: Float64Array;
  /** Cluster of every row. */
  labels: Int32Array;
  /** Sum of squared distances of rows to their centroids. */
  inertia: number;
  iterations: number;
}

export interface KMeansOptions {
  seed?: number;
  /** Independent k-means++ starts; the one with the least inertia wins (default 4). */
  restarts?: number;
  maxIterations?: number;
}

/**
 * k-means (Lloyd 1982) from k-means++ seeds (Arthur & Vassilvitskii 2007): the first centre is a uniformly
 * drawn row, each next one a row drawn with probability proportional to its squared distance to the
 * nearest centre so far. Iterates until no row changes cluster. Seeded: the same input and seed give the
 * same clusters. An empty cluster keeps its previous centroid.
 */
export function kMeans(x: Float64Array, width: number, k: number, options: KMeansOptions = {}): KMeansResult {
  const rows = x.length / width;
  if (!Number.isInteger(k) || k < 1) throw new Error(`kMeans: k ${k}: expected a whole number ≥ 1`);
  if (rows < k) throw new Error(`kMeans: ${rows} rows cannot form ${k} clusters`);
  const random = new Random(options.seed ?? 1);
  let best: KMeansResult | null = null;
  for (let start = 0; start < (options.restarts ?? 4); start++) {
    const result = lloyd(x, width, rows, k, seedCentroids(x, width, rows, k, random), options.maxIterations ?? 300);
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best!;
}

function seedCentroids(x: Float64Array, width: number, rows: number, k: number, random: Random): Float64Array {
  const centroids = new Float64Array(k * width);
  const nearest = new Float64Array(rows).fill(Infinity);
  let chosen = Math.min(rows - 1, Math.floor(random.uniform() * rows));
  for (let c = 0; c < k; c++) {
    centroids.set(x.subarray(chosen * width, (chosen + 1) * width), c * width);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const d = squaredDistance(x, r * width, centroids, c * width, width);
      if (d < nearest[r]!) nearest[r] = d;
      total += nearest[r]!;
    }
    if (c === k - 1) break;
    if (!(total > 0)) {
      // Every row sits on a centre already: any row will do.
      chosen = Math.min(rows - 1, Math.floor(random.uniform() * rows));
      continue;
    }
    let target = random.uniform() * total;
    chosen = rows - 1;
    for (let r = 0; r < rows; r++) {
      target -= nearest[r]!;
      if (target < 0) {
        chosen = r;
        break;
      }
    }
  }
  return centroids;
}

function lloyd(x: Float64Array, width: number, rows: number, k: number, centroids: Float64Array, maxIterations: number): KMeansResult {
  const labels = new Int32Array(rows).fill(-1);
  const sums = new Float64Array(k * width);
  const counts = new Int32Array(k);
  let iterations = 0;
  let inertia = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = 0;
    inertia = 0;
    for (let r = 0; r < rows; r++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const d = squaredDistance(x, r * width, centroids, c * width, width);
        if (d < bestDistance) {
          bestDistance = d;
          best = c;
        }
      }
      inertia += bestDistance;
      if (labels[r] !== best) {
        labels[r] = best;
        changed++;
      }
    }
    if (changed === 0) break;
    sums.fill(0);
    counts.fill(0);
    for (let r = 0; r < rows; r++) {
      const c = labels[r]!;
      counts[c]!++;
      for (let j = 0; j < width; j++) sums[c * width + j]! += x[r * width + j]!;
    }
    for (let c = 0; c < k; c++) if (counts[c]! > 0) for (let j = 0; j < width; j++) centroids[c * width + j] = sums[c * width + j]! / counts[c]!;
  }
  return { k, centroids, labels, inertia, iterations };
}

export function squaredDistance(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, width: number): number {
  let sum = 0;
  for (let j = 0; j < width; j++) {
    const d = a[aOffset + j]! - b[bOffset + j]!;
    sum += d * d;
  }
  return sum;
}
