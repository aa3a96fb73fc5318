import type { Classifier } from './model.js';

/** Above this many parameters the fit uses L-BFGS instead of Newton steps (the Hessian costs P² per row). */
const NEWTON_MAX_PARAMETERS = 120;

/**
 * Multinomial logistic regression with an L2 penalty (λ/2·‖W‖², intercepts unpenalized) on the mean
 * log-loss. Inputs should be standardized. The fit is Newton's method with a backtracking (Armijo) line
 * search for up to 120 parameters (classes × (width + 1)), L-BFGS with the same line search beyond; it stops
 * when the largest gradient component is below 1e-10 (or after `iterations` steps). The loss is strictly
 * convex in the weights, so both reach the same minimum; every buffer is allocated once per fit.
 */
export class LogisticRegression implements Classifier {
  readonly name: string;
  private weights = new Float64Array(0);
  private width = 0;
  private classes = 0;
  /** Optimizer steps taken by the last fit and the final loss (for tests and diagnostics). */
  iterationsUsed = 0;
  finalLoss = NaN;

  constructor(private readonly lambda = 1e-3, private readonly iterations = 200, name = 'logistic') {
    this.name = name;
  }

  fit(x: Float64Array, width: number, y: Int32Array, classes: number): void {
    this.width = width;
    this.classes = classes;
    const size = classes * (width + 1);
    this.weights = new Float64Array(size);
    if (y.length === 0) return;
    if (size <= NEWTON_MAX_PARAMETERS) this.newton(x, y, size);
    else this.lbfgs(x, y, size);
  }

  predict(x: Float64Array, width: number): Float64Array {
    const rows = x.length / width;
    const out = new Float64Array(rows * this.classes);
    for (let r = 0; r < rows; r++) this.probabilities(this.weights, x, r, out, r * this.classes);
    return out;
  }

  /** Mean log-loss plus the penalty at `w`; writes its gradient. */
  loss(w: Float64Array, x: Float64Array, y: Int32Array, gradient: Float64Array, p: Float64Array): number {
    const rows = y.length;
    const width = this.width;
    const stride = width + 1;
    const classes = this.classes;
    gradient.fill(0);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      this.probabilities(w, x, r, p, 0);
      total -= Math.log(Math.max(p[y[r]!]!, 1e-300));
      const offset = r * width;
      for (let k = 0; k < classes; k++) {
        const error = p[k]! - (y[r] === k ? 1 : 0);
        const base = k * stride;
        for (let c = 0; c < width; c++) gradient[base + c]! += error * x[offset + c]!;
        gradient[base + width]! += error;
      }
    }
    let penalty = 0;
    for (let i = 0; i < gradient.length; i++) gradient[i]! /= rows;
    for (let k = 0; k < classes; k++) {
      for (let c = 0; c < width; c++) {
        const v = w[k * stride + c]!;
        penalty += v * v;
        gradient[k * stride + c]! += this.lambda * v;
      }
    }
    return total / rows + (this.lambda / 2) * penalty;
  }

  private probabilities(w: Float64Array, x: Float64Array, row: number, out: Float64Array, at: number): void {
    const width = this.width;
    const stride = width + 1;
    let max = -Infinity;
    for (let k = 0; k < this.classes; k++) {
      let z = w[k * stride + width]!;
      for (let c = 0; c < width; c++) z += w[k * stride + c]! * x[row * width + c]!;
      out[at + k] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let k = 0; k < this.classes; k++) sum += out[at + k] = Math.exp(out[at + k]! - max);
    for (let k = 0; k < this.classes; k++) out[at + k]! /= sum;
  }

  /** Newton's method: H·d = −g by Cholesky (H damped by 1e-10·(1 + max diag) for the intercepts' flat direction). */
  private newton(x: Float64Array, y: Int32Array, size: number): void {
    const rows = y.length;
    const width = this.width;
    const stride = width + 1;
    const classes = this.classes;
    const w = this.weights;
    const gradient = new Float64Array(size);
    const trialGradient = new Float64Array(size);
    const trial = new Float64Array(size);
    const direction = new Float64Array(size);
    const hessian = new Float64Array(size * size);
    const p = new Float64Array(classes);
    const row = new Float64Array(stride);
    let loss = this.loss(w, x, y, gradient, p);
    let iteration = 0;
    for (; iteration < this.iterations; iteration++) {
      if (maxAbs(gradient) < 1e-10) break;
      // Hessian of the mean log-loss: Σᵣ pₖ(δₖₗ − pₗ)·x̃ᵣ x̃ᵣᵀ / n, upper triangle, then the penalty.
      hessian.fill(0);
      for (let r = 0; r < rows; r++) {
        this.probabilities(w, x, r, p, 0);
        for (let c = 0; c < width; c++) row[c] = x[r * width + c]!;
        row[width] = 1;
        // Each block (k, l) is symmetric in (c, e): accumulate its upper triangle only.
        for (let k = 0; k < classes; k++) {
          for (let l = k; l < classes; l++) {
            const a = p[k]! * ((k === l ? 1 : 0) - p[l]!);
            for (let c = 0; c < stride; c++) {
              const ac = a * row[c]!;
              const base = (k * stride + c) * size + l * stride;
              for (let e = c; e < stride; e++) hessian[base + e]! += ac * row[e]!;
            }
          }
        }
      }
      for (let k = 0; k < classes; k++) {
        for (let l = k + 1; l < classes; l++) {
          for (let c = 1; c < stride; c++) for (let e = 0; e < c; e++) hessian[(k * stride + c) * size + l * stride + e] = hessian[(k * stride + e) * size + l * stride + c]!;
        }
      }
      let maxDiagonal = 0;
      for (let i = 0; i < size; i++) {
        for (let j = i; j < size; j++) hessian[i * size + j]! /= rows;
        if ((i % stride) < width) hessian[i * size + i]! += this.lambda;
        maxDiagonal = Math.max(maxDiagonal, hessian[i * size + i]!);
      }
      for (let i = 0; i < size; i++) {
        hessian[i * size + i]! += 1e-10 * (1 + maxDiagonal);
        for (let j = i + 1; j < size; j++) hessian[j * size + i] = hessian[i * size + j]!;
      }
      for (let i = 0; i < size; i++) direction[i] = -gradient[i]!;
      if (!choleskySolve(hessian, size, direction)) break;
      const next = this.lineSearch(x, y, loss, gradient, direction, trial, trialGradient, p);
      if (next === null) break;
      const decrease = loss - next;
      loss = next;
      w.set(trial);
      gradient.set(trialGradient);
      if (decrease <= 1e-16 * (1 + Math.abs(loss))) break;
    }
    this.iterationsUsed = iteration;
    this.finalLoss = loss;
  }

  /** L-BFGS (Nocedal & Wright 2006, alg. 7.4) with 10 correction pairs. */
  private lbfgs(x: Float64Array, y: Int32Array, size: number): void {
    const memory = 10;
    const w = this.weights;
    const gradient = new Float64Array(size);
    const trialGradient = new Float64Array(size);
    const trial = new Float64Array(size);
    const direction = new Float64Array(size);
    const s = Array.from({ length: memory }, () => new Float64Array(size));
    const u = Array.from({ length: memory }, () => new Float64Array(size));
    const rho = new Float64Array(memory);
    const alpha = new Float64Array(memory);
    const p = new Float64Array(this.classes);
    let stored = 0;
    let newest = -1;
    let loss = this.loss(w, x, y, gradient, p);
    let iteration = 0;
    for (; iteration < this.iterations; iteration++) {
      const norm = maxAbs(gradient);
      if (norm < 1e-10) break;
      for (let i = 0; i < size; i++) direction[i] = -gradient[i]!;
      if (stored === 0) {
        const scale = 1 / Math.max(1, Math.sqrt(dot(gradient, gradient)));
        for (let i = 0; i < size; i++) direction[i]! *= scale;
      } else {
        for (let j = 0; j < stored; j++) {
          const m = (newest - j + memory) % memory;
          alpha[m] = rho[m]! * dot(s[m]!, direction);
          axpy(-alpha[m]!, u[m]!, direction);
        }
        const gamma = dot(s[newest]!, u[newest]!) / dot(u[newest]!, u[newest]!);
        for (let i = 0; i < size; i++) direction[i]! *= gamma;
        for (let j = stored - 1; j >= 0; j--) {
          const m = (newest - j + memory) % memory;
          const beta = rho[m]! * dot(u[m]!, direction);
          axpy(alpha[m]! - beta, s[m]!, direction);
        }
      }
      const next = this.lineSearch(x, y, loss, gradient, direction, trial, trialGradient, p);
      if (next === null) break;
      const slot = (newest + 1) % memory;
      for (let i = 0; i < size; i++) {
        s[slot]![i] = trial[i]! - w[i]!;
        u[slot]![i] = trialGradient[i]! - gradient[i]!;
      }
      const curvature = dot(s[slot]!, u[slot]!);
      if (curvature > 1e-20) {
        rho[slot] = 1 / curvature;
        newest = slot;
        stored = Math.min(stored + 1, memory);
      }
      const decrease = loss - next;
      loss = next;
      w.set(trial);
      gradient.set(trialGradient);
      if (decrease <= 1e-16 * (1 + Math.abs(loss))) break;
    }
    this.iterationsUsed = iteration;
    this.finalLoss = loss;
  }

  /** Backtracking from a unit step until the Armijo condition holds; the accepted point lands in `trial`. */
  private lineSearch(x: Float64Array, y: Int32Array, loss: number, gradient: Float64Array, direction: Float64Array, trial: Float64Array, trialGradient: Float64Array, p: Float64Array): number | null {
    const slope = dot(gradient, direction);
    if (!(slope < 0)) return null;
    for (let step = 1; step > 1e-12; step /= 2) {
      for (let i = 0; i < trial.length; i++) trial[i] = this.weights[i]! + step * direction[i]!;
      const candidate = this.loss(trial, x, y, trialGradient, p);
      if (candidate <= loss + 1e-4 * step * slope) return candidate;
    }
    return null;
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

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
}

/**
 * Solves A·x = b in place (b becomes x) for a symmetric positive definite n × n `a` (overwritten by its
 * Cholesky factor). False when `a` is not positive definite.
 */
export function choleskySolve(a: Float64Array, n: number, b: Float64Array): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let v = a[i * n + j]!;
      for (let k = 0; k < j; k++) v -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = v / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let v = b[i]!;
    for (let k = 0; k < i; k++) v -= a[i * n + k]! * b[k]!;
    b[i] = v / a[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let v = b[i]!;
    for (let k = i + 1; k < n; k++) v -= a[k * n + i]! * b[k]!;
    b[i] = v / a[i * n + i]!;
  }
  return true;
}
