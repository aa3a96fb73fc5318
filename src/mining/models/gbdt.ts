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
 *
 * Trees grow over one index array of the rows, each node a contiguous range of it that a split partitions
 * stably in place (rows keep ascending order, so every sum runs in the same order as over the row set); no
 * per-node allocation.
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
    const probabilities = new Float64Array(rows * classes);
    const grower = new TreeGrower(binned, rows, width, this.params);
    this.trees = [];
    for (let round = 0; round < this.params.rounds; round++) {
      const roundTrees: Tree[] = [];
      for (let r = 0; r < rows; r++) softmax(scores, r * classes, classes, probabilities, r * classes);
      for (let k = 0; k < classes; k++) {
        for (let r = 0; r < rows; r++) {
          const pk = probabilities[r * classes + k]!;
          gradient[r] = pk - (y[r] === k ? 1 : 0);
          hessian[r] = Math.max(pk * (1 - pk), 1e-6);
        }
        const tree = grower.grow(gradient, hessian);
        roundTrees.push(tree);
        const leafOf = grower.leafOf;
        for (let r = 0; r < rows; r++) scores[r * classes + k]! += this.params.learningRate * tree.value[leafOf[r]!]!;
      }
      this.trees.push(roundTrees);
    }
  }

  predict(x: Float64Array, width: number): Float64Array {
    const rows = x.length / width;
    const classes = this.classes;
    const binned = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) binned[i] = binOf(this.edges[i % width]!, x[i]!);
    const scores = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) scores.set(this.base, r * classes);
    for (const round of this.trees) {
      for (let k = 0; k < classes; k++) {
        const tree = round[k]!;
        for (let r = 0; r < rows; r++) scores[r * classes + k]! += this.params.learningRate * leafValue(tree, binned, r * width);
      }
    }
    const out = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) softmax(scores, r * classes, classes, out, r * classes);
    return out;
  }
}

/**
 * Grows regression trees breadth-first over binned rows, choosing at each node the split with the largest
 * gain (G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ)). One pass over a node's rows fills the histograms of
 * every feature; of two children only the smaller is passed over, the larger's histograms are the parent's
 * minus the smaller's (as in LightGBM, Ke et al. 2017). Buffers are allocated once per fit.
 */
class TreeGrower {
  private readonly order: Int32Array;
  private readonly scratch: Int32Array;
  /** Leaf node of every row after the last `grow`. */
  readonly leafOf: Int32Array;
  /** Histograms of gradient, hessian and row count per node × feature × bin. */
  private readonly gSum: Float64Array;
  private readonly hSum: Float64Array;
  private readonly nSum: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly value: Float64Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly level: Int32Array;
  private readonly g: Float64Array;
  private readonly h: Float64Array;

  constructor(private readonly binned: Uint8Array, private readonly rows: number, private readonly width: number, private readonly params: BoostingParams) {
    this.order = new Int32Array(rows);
    this.scratch = new Int32Array(rows);
    this.leafOf = new Int32Array(rows);
    const maxNodes = 2 ** (params.depth + 1) - 1;
    this.gSum = new Float64Array(maxNodes * params.bins * width);
    this.hSum = new Float64Array(maxNodes * params.bins * width);
    this.nSum = new Int32Array(maxNodes * params.bins * width);
    this.feature = new Int32Array(maxNodes);
    this.threshold = new Float64Array(maxNodes);
    this.left = new Int32Array(maxNodes);
    this.right = new Int32Array(maxNodes);
    this.value = new Float64Array(maxNodes);
    this.start = new Int32Array(maxNodes);
    this.end = new Int32Array(maxNodes);
    this.level = new Int32Array(maxNodes);
    this.g = new Float64Array(maxNodes);
    this.h = new Float64Array(maxNodes);
  }

  grow(gradient: Float64Array, hessian: Float64Array): Tree {
    const { depth, lambda, minLeafRows, bins } = this.params;
    const { order, scratch, gSum, hSum, nSum, binned, rows, width } = this;
    for (let i = 0; i < rows; i++) order[i] = i;
    let count = 0;
    const addNode = (from: number, to: number, level: number): number => {
      let g = 0;
      let h = 0;
      for (let i = from; i < to; i++) {
        g += gradient[order[i]!]!;
        h += hessian[order[i]!]!;
      }
      const node = count++;
      this.feature[node] = -1;
      this.threshold[node] = 0;
      this.left[node] = -1;
      this.right[node] = -1;
      this.value[node] = -g / (h + lambda);
      this.start[node] = from;
      this.end[node] = to;
      this.level[node] = level;
      this.g[node] = g;
      this.h[node] = h;
      return node;
    };
    addNode(0, rows, 0);
    // Nodes are created in breadth-first order, so visiting them by index is the queue.
    for (let node = 0; node < count; node++) {
      const from = this.start[node]!;
      const to = this.end[node]!;
      const size = to - from;
      if (this.level[node]! >= depth || size < 2 * minLeafRows) continue;
      const totalG = this.g[node]!;
      const totalH = this.h[node]!;
      const parentScore = (totalG * totalG) / (totalH + lambda);
      let bestGain = 1e-12;
      let bestFeature = -1;
      let bestBin = -1;
      const histogram = node * width * bins;
      if (node === 0) this.histogram(0, from, to, gradient, hessian);
      for (let c = 0; c < width; c++) {
        let gl = 0;
        let hl = 0;
        let nl = 0;
        for (let b = histogram + c * bins, last = histogram + c * bins + bins - 1; b < last; b++) {
          gl += gSum[b]!;
          hl += hSum[b]!;
          nl += nSum[b]!;
          if (nl < minLeafRows || size - nl < minLeafRows) continue;
          const gr = totalG - gl;
          const hr = totalH - hl;
          const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = c;
            bestBin = b - histogram - c * bins;
          }
        }
      }
      if (bestFeature < 0) continue;
      // Stable partition of the node's range: rows at or below the split bin first.
      let l = from;
      let s = 0;
      for (let i = from; i < to; i++) {
        const r = order[i]!;
        if (binned[r * width + bestFeature]! <= bestBin) order[l++] = r;
        else scratch[s++] = r;
      }
      order.set(scratch.subarray(0, s), l);
      const leftNode = addNode(from, l, this.level[node]! + 1);
      const rightNode = addNode(l, to, this.level[node]! + 1);
      this.feature[node] = bestFeature;
      this.threshold[node] = bestBin;
      this.left[node] = leftNode;
      this.right[node] = rightNode;
      const nextLevel = this.level[node]! + 1;
      if (nextLevel < depth && Math.max(l - from, to - l) >= 2 * minLeafRows) {
        const [small, large] = l - from <= to - l ? [leftNode, rightNode] : [rightNode, leftNode];
        this.histogram(small, this.start[small]!, this.end[small]!, gradient, hessian);
        const span = width * bins;
        for (let i = 0; i < span; i++) {
          gSum[large * span + i] = gSum[histogram + i]! - gSum[small * span + i]!;
          hSum[large * span + i] = hSum[histogram + i]! - hSum[small * span + i]!;
          nSum[large * span + i] = nSum[histogram + i]! - nSum[small * span + i]!;
        }
      }
    }
    for (let node = 0; node < count; node++) {
      if (this.feature[node]! >= 0) continue;
      for (let i = this.start[node]!; i < this.end[node]!; i++) this.leafOf[order[i]!] = node;
    }
    return {
      feature: this.feature.slice(0, count),
      threshold: this.threshold.slice(0, count),
      left: this.left.slice(0, count),
      right: this.right.slice(0, count),
      value: this.value.slice(0, count),
    };
  }

  /** Fills node's histograms from the rows order[from..to). */
  private histogram(node: number, from: number, to: number, gradient: Float64Array, hessian: Float64Array): void {
    const { order, gSum, hSum, nSum, binned, width } = this;
    const bins = this.params.bins;
    const base = node * width * bins;
    gSum.fill(0, base, base + width * bins);
    hSum.fill(0, base, base + width * bins);
    nSum.fill(0, base, base + width * bins);
    for (let i = from; i < to; i++) {
      const r = order[i]!;
      const g = gradient[r]!;
      const h = hessian[r]!;
      const offset = r * width;
      for (let c = 0; c < width; c++) {
        const b = base + c * bins + binned[offset + c]!;
        gSum[b]! += g;
        hSum[b]! += h;
        nSum[b]!++;
      }
    }
  }
}

function leafValue(tree: Tree, binned: Uint8Array, offset: number): number {
  let node = 0;
  while (tree.feature[node]! >= 0) node = binned[offset + tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  return tree.value[node]!;
}

function softmax(scores: Float64Array, offset: number, classes: number, out: Float64Array, at: number): void {
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, scores[offset + k]!);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += out[at + k] = Math.exp(scores[offset + k]! - max);
  for (let k = 0; k < classes; k++) out[at + k]! /= sum;
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
