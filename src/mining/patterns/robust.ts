/**
 * Robust z-scores (Iglewicz & Hoaglin 1993): per feature, z = (x − median) / (1.4826·MAD), MAD the median
 * absolute deviation from the median (1.4826·MAD estimates σ for normal data). Where MAD is 0 (over half
 * the values equal), the scale is 1.2533·mean absolute deviation instead; a feature with both 0 is constant
 * and scores 0. The combined score of a row is the largest |z| over its features; a row is an outlier
 * above `threshold` (3.5, the authors' suggestion for the modified z-score).
 */
export interface RobustScores {
  /** Per feature: median and scale used. */
  median: number[];
  scale: number[];
  /** z per row and feature (rows × features), NaN where the value is missing. */
  z: Float64Array;
  /** Largest |z| of each row over its finite features (NaN when none is finite). */
  combined: Float64Array;
  /** Feature with the largest |z| per row (−1 when none). */
  worst: Int32Array;
  threshold: number;
}

export function robustZScores(columns: readonly Float64Array[], threshold = 3.5): RobustScores {
  const features = columns.length;
  const rows = features > 0 ? columns[0]!.length : 0;
  const median: number[] = [];
  const scale: number[] = [];
  const z = new Float64Array(rows * features).fill(NaN);
  columns.forEach((column, j) => {
    const finite = column.filter(Number.isFinite);
    const m = medianOf(finite);
    const deviations = finite.map((v) => Math.abs(v - m));
    const mad = medianOf(deviations);
    let s = 1.4826 * mad;
    if (!(s > 0)) {
      let meanDeviation = 0;
      for (const d of deviations) meanDeviation += d / deviations.length;
      s = 1.2533 * meanDeviation;
    }
    median.push(m);
    scale.push(s);
    for (let r = 0; r < rows; r++) {
      const v = column[r]!;
      if (!Number.isFinite(v)) continue;
      z[r * features + j] = s > 0 ? (v - m) / s : 0;
    }
  });
  const combined = new Float64Array(rows).fill(NaN);
  const worst = new Int32Array(rows).fill(-1);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < features; j++) {
      const value = Math.abs(z[r * features + j]!);
      if (Number.isNaN(value)) continue;
      if (!(value <= combined[r]!)) {
        combined[r] = value;
        worst[r] = j;
      }
    }
  }
  return { median, scale, z, combined, worst, threshold };
}

/** Median of the values (NaN when empty); sorts a copy. */
export function medianOf(values: Float64Array): number {
  if (values.length === 0) return NaN;
  const sorted = values.slice().sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
