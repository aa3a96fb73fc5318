import { Random } from '../../features/random.js';

export interface IsolationForestOptions {
  /** Trees (default 100) and rows drawn for each, without replacement (ψ, default 256), as in the paper. */
  trees?: number;
  sampleSize?: number;
  seed?: number;
}

/** One isolation tree in arrays; a leaf has feature −1 and `size` training rows. */
interface IsolationTree {
  feature: Int32Array;
  split: Float64Array;
  left: Int32Array;
  right: Int32Array;
  size: Int32Array;
  depth: Int32Array;
}

/** Euler–Mascheroni constant, for the harmonic number H(i) ≈ ln i + γ. */
const EULER = 0.5772156649015329;

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n points, which
 * normalizes path lengths: 2H(n − 1) − 2(n − 1)/n for n > 2, 1 for n = 2, 0 below (Liu, Ting & Zhou 2008).
 */
export function averagePathLength(n: number): number {
  if (n > 2) return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
  return n === 2 ? 1 : 0;
}

/**
 * Isolation forest (Liu, Ting & Zhou 2008). Each tree is grown on ψ rows drawn without replacement: a node
 * picks a feature at random among those not constant on its rows and a split uniformly between their
 * minimum and maximum, until one row is left, the rows are identical, or the height limit ⌈log₂ ψ⌉ is
 * reached. A row's path length h(x) is the depth of the leaf it falls into plus c(size of the leaf); its
 * anomaly score is s = 2^(−E[h(x)] / c(ψ)) over the trees: near 1 isolated quickly (anomalous), about 0.5
 * or below ordinary. Seeded: same rows, options and seed give the same scores.
 */
export class IsolationForest {
  private trees: IsolationTree[] = [];
  private psi = 0;
  private width = 0;

  constructor(private readonly options: IsolationForestOptions = {}) {}

  fit(x: Float64Array, width: number): this {
    const rows = x.length / width;
    const random = new Random(this.options.seed ?? 1);
    this.width = width;
    this.psi = Math.min(this.options.sampleSize ?? 256, rows);
    const heightLimit = Math.ceil(Math.log2(Math.max(2, this.psi)));
    const pool = Int32Array.from({ length: rows }, (_, i) => i);
    this.trees = [];
    for (let t = 0; t < (this.options.trees ?? 100); t++) {
      // Partial Fisher–Yates: the first ψ entries of the pool are the sample.
      for (let i = 0; i < this.psi; i++) {
        const j = i + Math.floor(random.uniform() * (rows - i));
        const swap = pool[i]!;
        pool[i] = pool[j]!;
        pool[j] = swap;
      }
      this.trees.push(grow(x, width, pool.slice(0, this.psi), heightLimit, random));
    }
    return this;
  }

  /** Anomaly score 2^(−E[h]/c(ψ)) of every row of x (rows × width). */
  score(x: Float64Array): Float64Array {
    const rows = x.length / this.width;
    const out = new Float64Array(rows);
    const norm = averagePathLength(this.psi);
    for (let r = 0; r < rows; r++) {
      let total = 0;
      for (const tree of this.trees) {
        let node = 0;
        while (tree.feature[node]! >= 0) node = x[r * this.width + tree.feature[node]!]! < tree.split[node]! ? tree.left[node]! : tree.right[node]!;
        total += tree.depth[node]! + averagePathLength(tree.size[node]!);
      }
      const mean = total / this.trees.length;
      out[r] = norm > 0 ? 2 ** (-mean / norm) : 0.5;
    }
    return out;
  }
}

function grow(x: Float64Array, width: number, sample: Int32Array, heightLimit: number, random: Random): IsolationTree {
  const feature: number[] = [];
  const split: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const size: number[] = [];
  const depth: number[] = [];
  const low = new Float64Array(width);
  const high = new Float64Array(width);
  const candidates = new Int32Array(width);
  // Nodes as ranges of `sample`, partitioned in place.
  const build = (from: number, to: number, level: number): number => {
    const node = feature.length;
    feature.push(-1);
    split.push(0);
    left.push(-1);
    right.push(-1);
    size.push(to - from);
    depth.push(level);
    if (to - from <= 1 || level >= heightLimit) return node;
    low.fill(Infinity);
    high.fill(-Infinity);
    for (let i = from; i < to; i++) {
      const offset = sample[i]! * width;
      for (let c = 0; c < width; c++) {
        const v = x[offset + c]!;
        if (v < low[c]!) low[c] = v;
        if (v > high[c]!) high[c] = v;
      }
    }
    let count = 0;
    for (let c = 0; c < width; c++) if (high[c]! > low[c]!) candidates[count++] = c;
    if (count === 0) return node;
    const c = candidates[Math.floor(random.uniform() * count)]!;
    let at = low[c]! + random.uniform() * (high[c]! - low[c]!);
    if (!(at > low[c]!)) at = high[c]!; // a draw of exactly the minimum would leave the left side empty
    let l = from;
    for (let i = from; i < to; i++) {
      if (x[sample[i]! * width + c]! < at) {
        const swap = sample[l]!;
        sample[l] = sample[i]!;
        sample[i] = swap;
        l++;
      }
    }
    feature[node] = c;
    split[node] = at;
    left[node] = build(from, l, level + 1);
    right[node] = build(l, to, level + 1);
    return node;
  };
  build(0, sample.length, 0);
  return {
    feature: Int32Array.from(feature),
    split: Float64Array.from(split),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    size: Int32Array.from(size),
    depth: Int32Array.from(depth),
  };
}
