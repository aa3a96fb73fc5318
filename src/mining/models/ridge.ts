import { choleskySolve } from './logistic.js';
import type { Classifier } from './model.js';

/**
 * Ridge regression of the forward return on the features (Hoerl & Kennard 1970), turned into a direction
 * call: minimizes mean (r − b − xᵀβ)² + λ‖β‖² (intercept unpenalized; inputs standardized), then
 *
 * - **decision**: thresholds fitted on the training predictions so that each class is called as often as it
 *   occurred in training — lo is the n_down-th smallest training prediction, hi the n_up-th largest; a row
 *   is up when r̂ ≥ hi, else down when r̂ ≤ lo, else flat (a class absent from training is never called);
 * - **probabilities**: the training label frequencies among training rows in the same decile of r̂ (edges
 *   from the training predictions, add-one smoothing), so Brier score, AUC and calibration have a forecast
 *   to score.
 *
 * Requires `classes` = 3 (down, flat, up) and the continuous target.
 */
export class RidgeDirection implements Classifier {
  readonly name: string;
  private beta = new Float64Array(0);
  private intercept = 0;
  private lo = -Infinity;
  private hi = Infinity;
  private edges = new Float64Array(0);
  private table = new Float64Array(0);

  constructor(private readonly lambda = 1e-2, private readonly bins = 10, name = 'ridge') {
    this.name = name;
  }

  fit(x: Float64Array, width: number, y: Int32Array, classes: number, target?: Float64Array): void {
    if (classes !== 3) throw new Error(`${this.name}: needs the three direction classes (down, flat, up)`);
    if (!target || target.length !== y.length) throw new Error(`${this.name}: needs the forward return of every training row`);
    const rows = y.length;
    // Centre, then solve (XcᵀXc/n + λI)β = Xcᵀrc/n.
    const mean = new Float64Array(width);
    let targetMean = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) mean[c]! += x[r * width + c]! / rows;
      targetMean += target[r]! / rows;
    }
    const gram = new Float64Array(width * width);
    const beta = new Float64Array(width);
    const centred = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) centred[c] = x[r * width + c]! - mean[c]!;
      const t = target[r]! - targetMean;
      for (let c = 0; c < width; c++) {
        beta[c]! += (centred[c]! * t) / rows;
        for (let e = c; e < width; e++) gram[c * width + e]! += (centred[c]! * centred[e]!) / rows;
      }
    }
    for (let c = 0; c < width; c++) {
      gram[c * width + c]! += this.lambda;
      for (let e = c + 1; e < width; e++) gram[e * width + c] = gram[c * width + e]!;
    }
    if (!choleskySolve(gram, width, beta)) beta.fill(0);
    this.beta = beta;
    this.intercept = targetMean;
    for (let c = 0; c < width; c++) this.intercept -= beta[c]! * mean[c]!;

    const predicted = this.regress(x, width);
    const sorted = predicted.slice().sort();
    const counts = [0, 0, 0];
    for (const label of y) counts[label]!++;
    this.lo = counts[0]! > 0 ? sorted[counts[0]! - 1]! : -Infinity;
    this.hi = counts[2]! > 0 ? sorted[rows - counts[2]!]! : Infinity;

    const edges: number[] = [];
    for (let b = 1; b < this.bins; b++) {
      const value = sorted[Math.min(rows - 1, Math.floor((b * rows) / this.bins))]!;
      if (edges.length === 0 || value > edges[edges.length - 1]!) edges.push(value);
    }
    this.edges = Float64Array.from(edges);
    const bins = this.edges.length + 1;
    const table = new Float64Array(bins * 3).fill(1);
    const totals = new Float64Array(bins).fill(3);
    for (let r = 0; r < rows; r++) {
      const b = binOf(this.edges, predicted[r]!);
      table[b * 3 + y[r]!]! += 1;
      totals[b]! += 1;
    }
    for (let b = 0; b < bins; b++) for (let k = 0; k < 3; k++) table[b * 3 + k]! /= totals[b]!;
    this.table = table;
  }

  /** The predicted forward return of every row. */
  regress(x: Float64Array, width: number): Float64Array {
    const rows = x.length / width;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let value = this.intercept;
      for (let c = 0; c < width; c++) value += this.beta[c]! * x[r * width + c]!;
      out[r] = value;
    }
    return out;
  }

  predict(x: Float64Array, width: number): Float64Array {
    const predicted = this.regress(x, width);
    const out = new Float64Array(predicted.length * 3);
    for (let r = 0; r < predicted.length; r++) {
      const b = binOf(this.edges, predicted[r]!);
      out.set(this.table.subarray(b * 3, b * 3 + 3), r * 3);
    }
    return out;
  }

  decide(x: Float64Array, width: number): Int32Array {
    const predicted = this.regress(x, width);
    return Int32Array.from(predicted, (value) => (value >= this.hi ? 2 : value <= this.lo ? 0 : 1));
  }

  /** Coefficients on the standardized features and the thresholds (for reports). */
  get coefficients(): { beta: number[]; intercept: number; lo: number; hi: number } {
    return { beta: Array.from(this.beta), intercept: this.intercept, lo: this.lo, hi: this.hi };
  }
}

/** Bin index: the number of edges strictly below the value. */
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
