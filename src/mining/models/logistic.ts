import type { Classifier } from './model.js';

/**
 * Multinomial logistic regression with an L2 penalty (λ/2·‖W‖², intercepts unpenalized), fitted by
 * full-batch gradient descent with a backtracking step on the mean log-loss. Inputs should be standardized.
 */
export class LogisticRegression implements Classifier {
  readonly name: string;
  private weights = new Float64Array(0);
  private width = 0;
  private classes = 0;

  constructor(private readonly lambda = 1e-3, private readonly iterations = 300, name = 'logistic') {
    this.name = name;
  }

  fit(x: Float64Array, width: number, y: Int32Array, classes: number): void {
    this.width = width;
    this.classes = classes;
    const stride = width + 1;
    this.weights = new Float64Array(classes * stride);
    const gradient = new Float64Array(this.weights.length);
    let step = 1;
    let loss = this.loss(x, y, gradient);
    for (let iteration = 0; iteration < this.iterations; iteration++) {
      const previous = this.weights.slice();
      let norm = 0;
      for (const g of gradient) norm += g * g;
      if (norm < 1e-16) break;
      // Backtracking (Armijo) on the step along the negative gradient.
      for (;;) {
        for (let k = 0; k < this.weights.length; k++) this.weights[k] = previous[k]! - step * gradient[k]!;
        const next = new Float64Array(gradient.length);
        const candidate = this.loss(x, y, next);
        if (candidate <= loss - 0.5 * step * norm || step < 1e-8) {
          loss = candidate;
          gradient.set(next);
          step *= 2;
          break;
        }
        step /= 2;
      }
    }
  }

  predict(x: Float64Array, width: number): Float64Array {
    const rows = x.length / width;
    const out = new Float64Array(rows * this.classes);
    for (let r = 0; r < rows; r++) this.probabilities(x, r, out.subarray(r * this.classes, (r + 1) * this.classes));
    return out;
  }

  private probabilities(x: Float64Array, row: number, out: Float64Array): void {
    const stride = this.width + 1;
    let max = -Infinity;
    for (let k = 0; k < this.classes; k++) {
      let z = this.weights[k * stride + this.width]!;
      for (let c = 0; c < this.width; c++) z += this.weights[k * stride + c]! * x[row * this.width + c]!;
      out[k] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let k = 0; k < this.classes; k++) sum += out[k] = Math.exp(out[k]! - max);
    for (let k = 0; k < this.classes; k++) out[k]! /= sum;
  }

  /** Mean log-loss plus the penalty; writes its gradient. */
  private loss(x: Float64Array, y: Int32Array, gradient: Float64Array): number {
    const rows = y.length;
    const stride = this.width + 1;
    const p = new Float64Array(this.classes);
    gradient.fill(0);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      this.probabilities(x, r, p);
      total -= Math.log(Math.max(p[y[r]!]!, 1e-300));
      for (let k = 0; k < this.classes; k++) {
        const error = (p[k]! - (y[r] === k ? 1 : 0)) / rows;
        for (let c = 0; c < this.width; c++) gradient[k * stride + c]! += error * x[r * this.width + c]!;
        gradient[k * stride + this.width]! += error;
      }
    }
    let penalty = 0;
    for (let k = 0; k < this.classes; k++) {
      for (let c = 0; c < this.width; c++) {
        const w = this.weights[k * stride + c]!;
        penalty += w * w;
        gradient[k * stride + c]! += this.lambda * w;
      }
    }
    return total / rows + (this.lambda / 2) * penalty;
  }
}

/** Predicts the training class frequencies for every row: the "no information" baseline. */
export class Prior implements Classifier {
  readonly name = 'prior';
  private frequencies = new Float64Array(0);
  fit(_x: Float64Array, _width: number, y: Int32Array, classes: number): void {
    this.frequencies = new Float64Array(classes);
    for (const label of y) this.frequencies[label]! += 1 / y.length;
  }
  predict(x: Float64Array, width: number): Float64Array {
    const rows = x.length / width;
    const out = new Float64Array(rows * this.frequencies.length);
    for (let r = 0; r < rows; r++) out.set(this.frequencies, r * this.frequencies.length);
    return out;
  }
}
