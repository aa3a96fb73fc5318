/**
 * A classifier over rows of standardized features: `fit` on training rows, `predict` class probabilities.
 * Features arrive as a row-major Float64Array (rows × width); classes are 0..K−1.
 */
export interface Classifier {
  readonly name: string;
  /**
   * Fits on the training rows. `target` is the continuous quantity the labels were cut from (the forward
   * return), for models that regress on it rather than on the classes (ridge); classifiers ignore it.
   */
  fit(x: Float64Array, width: number, y: Int32Array, classes: number, target?: Float64Array): void;
  /** Class probabilities, row-major (rows × classes). */
  predict(x: Float64Array, width: number): Float64Array;
  /**
   * The class each row is called, for models whose decision is not the most probable class (ridge: the
   * predicted return against thresholds). Without it the decision is the arg-max of `predict`.
   */
  decide?(x: Float64Array, width: number): Int32Array;
}

/** The most probable class of each row (ties: the lowest class). */
export function argmaxClasses(probabilities: Float64Array, classes: number): Int32Array {
  const rows = probabilities.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[r * classes + k]! > probabilities[r * classes + best]!) best = k;
    out[r] = best;
  }
  return out;
}

/** Column means and standard deviations of the training rows, applied to any rows (constant columns → 0). */
export class Standardizer {
  private mean = new Float64Array(0);
  private scale = new Float64Array(0);

  fit(x: Float64Array, width: number): this {
    const rows = x.length / width;
    this.mean = new Float64Array(width);
    this.scale = new Float64Array(width);
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) this.mean[c]! += x[r * width + c]! / rows;
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) this.scale[c]! += (x[r * width + c]! - this.mean[c]!) ** 2 / rows;
    for (let c = 0; c < width; c++) this.scale[c] = Math.sqrt(this.scale[c]!) || 1;
    return this;
  }

  apply(x: Float64Array, width: number): Float64Array {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = (x[i]! - this.mean[i % width]!) / this.scale[i % width]!;
    return out;
  }
}

/**
 * A model restricted to some of the columns: the `qi-only` baseline is a logistic regression that sees the
 * queue-imbalance column alone. Fits and predicts `inner` on the chosen columns of every row.
 */
export class ColumnSubset implements Classifier {
  private classes = 0;

  constructor(readonly name: string, private readonly inner: Classifier, private readonly columns: readonly number[]) {
    if (columns.length === 0) throw new Error(`${name}: no columns`);
  }

  fit(x: Float64Array, width: number, y: Int32Array, classes: number, target?: Float64Array): void {
    this.classes = classes;
    this.inner.fit(this.select(x, width), this.columns.length, y, classes, target);
  }

  predict(x: Float64Array, width: number): Float64Array {
    return this.inner.predict(this.select(x, width), this.columns.length);
  }

  decide(x: Float64Array, width: number): Int32Array {
    const selected = this.select(x, width);
    return this.inner.decide ? this.inner.decide(selected, this.columns.length) : argmaxClasses(this.inner.predict(selected, this.columns.length), this.classes);
  }

  private select(x: Float64Array, width: number): Float64Array {
    const rows = x.length / width;
    const out = new Float64Array(rows * this.columns.length);
    for (let r = 0; r < rows; r++) for (let j = 0; j < this.columns.length; j++) out[r * this.columns.length + j] = x[r * width + this.columns[j]!]!;
    return out;
  }
}
