/**
 * A classifier over rows of standardized features: `fit` on training rows, `predict` class probabilities.
 * Features arrive as a row-major Float64Array (rows × width); classes are 0..K−1.
 */
export interface Classifier {
  readonly name: string;
  fit(x: Float64Array, width: number, y: Int32Array, classes: number): void;
  /** Class probabilities, row-major (rows × classes). */
  predict(x: Float64Array, width: number): Float64Array;
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
