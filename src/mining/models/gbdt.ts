import type { Classifier } from './model.js';

export interface BoostingParams {
  rounds: number;
  depth: number;
  learningRate: number;
  /** L2 penalty on leaf values (Newton step −G/(H + λ)). */
  lambda: number;
  minLeafRows: number;
  bins: number;
}

export const DEFAULT_BOOSTING: BoostingParams = { rounds: 100, depth: 3, learningRate: 0.1, lambda: 1, minLeafRows: 50, bins: 32 };

/** One regression tree in arrays: internal nodes split `feature` at bin threshold; leaves hold values. */
interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/**
 * Gradient-boosted trees for K classes with the softmax loss (Friedman 2001), second-order leaf values as
 * in XGBoost (Chen & Guestrin 2016): per round and class a depth-limited tree fitted to the gradient and
 * hessian of the log-loss, splits chosen on quantile histograms of each feature.
 */
export class GradientBoosting implements Classifier {
  readonly name = 'gbdt';
  private trees: Tree[][] = [];
  private edges: Float64Array[] = [];
  private classes = 0;
  private base = new Float64Array(0);

  constructor(private readonly params: BoostingParams = DEFAULT_BOOSTING) {}

  fit(x: Float64Array, width: number, y: Int32Array, classes: number): void {
    const rows = y.length;
    this.classes = classes;
    this.edges = quantileEdges(x, width, this.params.bins);
    const binned = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) binned[i] = binOf(this.edges[i % width]!, x[i]!);
    // Start from the log class frequencies.
    this.base = new Float64Array(classes);
    for (const label of y) this.base[label]! += 1;
    for (let k = 0; k < classes; k++) this.base[k] = Math.log(Math.max(this.base[k]!, 1) / rows);
    const scores = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) scores.set(this.base, r * classes);
    const gradient = new Float64Array(rows);
    const hessian = new Float64Array(rows);
    const p = new Float64Array(classes);
    this.trees = [];
    for (let round = 0; round < this.params.rounds; round++) {
      const roundTrees: Tree[] = [];
      const probabilities = new Float64Array(rows * classes);
      for (let r = 0; r < rows; r++) {
        softmax(scores, r * classes, classes, p);
        probabilities.set(p, r * classes);
      }
      for (let k = 0; k < classes; k++) {
        for (let r = 0; r < rows; r++) {
          const pk = probabilities[r * classes + k]!;
          gradient[r] = pk - (y[r] === k ? 1 : 0);
          hessian[r] = Math.max(pk * (1 - pk), 1e-6);
        }
        const tree = this.grow(binned, width, gradient, hessian);
        roundTrees.push(tree);
        for (let r = 0; r < rows; r++) scores[r * classes + k]! += this.params.learningRate * leafValue(tree, binned, r * width);
      }
      this.trees.push(roundTrees);
    }
  }

  predict(x: Float64Array, width: number): Float64Array {
    const rows = x.length / width;
    const binned = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) binned[i] = binOf(this.edges[i % width]!, x[i]!);
    const out = new Float64Array(rows * this.classes);
    const scores = new Float64Array(this.classes);
    for (let r = 0; r < rows; r++) {
      scores.set(this.base);
      for (const round of this.trees) for (let k = 0; k < this.classes; k++) scores[k]! += this.params.learningRate * leafValue(round[k]!, binned, r * width);
      softmax(scores, 0, this.classes, out.subarray(r * this.classes, (r + 1) * this.classes));
    }
    return out;
  }

  /** Grows one tree breadth-first over row index sets, choosing the split with the largest gain. */
  private grow(binned: Uint8Array, width: number, gradient: Float64Array, hessian: Float64Array): Tree {
    const { depth, lambda, minLeafRows, bins } = this.params;
    const nodes: { feature: number; threshold: number; left: number; right: number; value: number }[] = [];
    const rowsAll = Int32Array.from({ length: gradient.length }, (_, i) => i);
    const queue: { rows: Int32Array; level: number; node: number }[] = [];
    const leaf = (rows: Int32Array) => {
      let g = 0;
      let h = 0;
      for (const r of rows) {
        g += gradient[r]!;
        h += hessian[r]!;
      }
      return { g, h, value: -g / (h + lambda) };
    };
    nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: leaf(rowsAll).value });
    queue.push({ rows: rowsAll, level: 0, node: 0 });
    const gSum = new Float64Array(bins);
    const hSum = new Float64Array(bins);
    const nSum = new Int32Array(bins);
    while (queue.length > 0) {
      const { rows, level, node } = queue.shift()!;
      if (level >= depth || rows.length < 2 * minLeafRows) continue;
      const total = leaf(rows);
      const parentScore = (total.g * total.g) / (total.h + lambda);
      let best = { gain: 1e-12, feature: -1, bin: -1 };
      for (let c = 0; c < width; c++) {
        gSum.fill(0);
        hSum.fill(0);
        nSum.fill(0);
        for (const r of rows) {
          const b = binned[r * width + c]!;
          gSum[b]! += gradient[r]!;
          hSum[b]! += hessian[r]!;
          nSum[b]!++;
        }
        let gl = 0;
        let hl = 0;
        let nl = 0;
        for (let b = 0; b < bins - 1; b++) {
          gl += gSum[b]!;
          hl += hSum[b]!;
          nl += nSum[b]!;
          if (nl < minLeafRows || rows.length - nl < minLeafRows) continue;
          const gr = total.g - gl;
          const hr = total.h - hl;
          const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
          if (gain > best.gain) best = { gain, feature: c, bin: b };
        }
      }
      if (best.feature < 0) continue;
      const leftRows = rows.filter((r) => binned[r * width + best.feature]! <= best.bin);
      const rightRows = rows.filter((r) => binned[r * width + best.feature]! > best.bin);
      const leftNode = nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: leaf(leftRows).value }) - 1;
      const rightNode = nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: leaf(rightRows).value }) - 1;
      Object.assign(nodes[node]!, { feature: best.feature, threshold: best.bin, left: leftNode, right: rightNode });
      queue.push({ rows: leftRows, level: level + 1, node: leftNode }, { rows: rightRows, level: level + 1, node: rightNode });
    }
    return {
      feature: Int32Array.from(nodes, (n) => n.feature),
      threshold: Float64Array.from(nodes, (n) => n.threshold),
      left: Int32Array.from(nodes, (n) => n.left),
      right: Int32Array.from(nodes, (n) => n.right),
      value: Float64Array.from(nodes, (n) => n.value),
    };
  }
}

function leafValue(tree: Tree, binned: Uint8Array, offset: number): number {
  let node = 0;
  while (tree.feature[node]! >= 0) node = binned[offset + tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  return tree.value[node]!;
}

function softmax(scores: Float64Array, offset: number, classes: number, out: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, scores[offset + k]!);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += out[k] = Math.exp(scores[offset + k]! - max);
  for (let k = 0; k < classes; k++) out[k]! /= sum;
}

/** Per feature: up to `bins − 1` distinct quantile cut points of the training values. */
function quantileEdges(x: Float64Array, width: number, bins: number): Float64Array[] {
  const rows = x.length / width;
  const edges: Float64Array[] = [];
  for (let c = 0; c < width; c++) {
    const column = new Float64Array(rows);
    for (let r = 0; r < rows; r++) column[r] = x[r * width + c]!;
    column.sort();
    const cuts: number[] = [];
    for (let b = 1; b < bins; b++) {
      const value = column[Math.min(rows - 1, Math.floor((b * rows) / bins))]!;
      if (cuts.length === 0 || value > cuts[cuts.length - 1]!) cuts.push(value);
    }
    edges.push(Float64Array.from(cuts));
  }
  return edges;
}

/** Bin index: the number of cut points strictly below the value (values equal to a cut go left). */
function binOf(edges: Float64Array, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
