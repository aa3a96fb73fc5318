import { normalCdf } from '../features/stats.js';

/** Statistics for signal evaluation: correlations, HAC standard errors, p-values, multiple testing. */

/** Indices of rows where every array is finite. */
export function finiteRows(...columns: ArrayLike<number>[]): Int32Array {
  const n = columns[0]!.length;
  const rows = new Int32Array(n);
  let m = 0;
  outer: for (let i = 0; i < n; i++) {
    for (const column of columns) if (!Number.isFinite(column[i]!)) continue outer;
    rows[m++] = i;
  }
  return rows.slice(0, m);
}

/** Pearson correlation over the given rows; NaN when either side is constant or fewer than 3 rows. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>, rows: Int32Array): number {
  const n = rows.length;
  if (n < 3) return NaN;
  let mx = 0;
  let my = 0;
  for (const i of rows) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const i of rows) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/**
 * Ranks 1..n of the values at the given rows (ties share their mean rank), as a column aligned with `rows`.
 * The values are sorted once (native numeric sort); each value's rank is the mean of the positions its
 * equals occupy, found by binary search.
 */
export function ranks(values: ArrayLike<number>, rows: Int32Array): Float64Array {
  const n = rows.length;
  const sorted = new Float64Array(n);
  for (let k = 0; k < n; k++) sorted[k] = values[rows[k]!]!;
  sorted.sort();
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const value = values[rows[k]!]!;
    // First position not below the value, and first position above it.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    hi = n;
    while (end < hi) {
      const mid = (end + hi) >> 1;
      if (sorted[mid]! <= value) end = mid + 1;
      else hi = mid;
    }
    out[k] = (lo + 1 + end) / 2;
  }
  return out;
}

/** Spearman rank correlation over the given rows. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>, rows: Int32Array): number {
  const all = new Int32Array(rows.length);
  for (let k = 0; k < all.length; k++) all[k] = k;
  return pearson(ranks(x, rows), ranks(y, rows), all);
}

/**
 * Slope of y on x (with intercept) and its t-statistic with Newey–West (1987) standard errors: Bartlett
 * weights over `lags` autocovariances of the score x̃ᵢ·eᵢ, for overlapping-horizon labels (lags ≈ the
 * number of bars a label spans).
 */
export function neweyWest(x: ArrayLike<number>, y: ArrayLike<number>, rows: Int32Array, lags: number): { slope: number; t: number } {
  const n = rows.length;
  if (n < 3) return { slope: NaN, t: NaN };
  let mx = 0;
  let my = 0;
  for (const i of rows) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (const i of rows) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  if (!(sxx > 0)) return { slope: NaN, t: NaN };
  const slope = sxy / sxx;
  const score = new Float64Array(n);
  rows.forEach((i, k) => {
    const residual = y[i]! - my - slope * (x[i]! - mx);
    score[k] = (x[i]! - mx) * residual;
  });
  let s = 0;
  for (let k = 0; k < n; k++) s += score[k]! * score[k]!;
  const maxLag = Math.min(lags, n - 1);
  for (let lag = 1; lag <= maxLag; lag++) {
    let gamma = 0;
    for (let k = lag; k < n; k++) gamma += score[k]! * score[k - lag]!;
    s += 2 * (1 - lag / (maxLag + 1)) * gamma;
  }
  const variance = s / (sxx * sxx);
  return { slope, t: variance > 0 ? slope / Math.sqrt(variance) : NaN };
}

/** Two-sided p-value of a t-statistic under the normal approximation (large samples); 2Φ(−|t|), which keeps its precision in the tail. */
export function twoSidedP(t: number): number {
  if (!Number.isFinite(t)) return NaN;
  return 2 * normalCdf(-Math.abs(t));
}

/**
 * Benjamini–Hochberg (1995) at false discovery rate q: which of the p-values are discoveries. NaN p-values
 * are never discoveries but count in m (a test that could not be run still counts as a test).
 */
export function benjaminiHochberg(pValues: readonly number[], q: number): boolean[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [Number.isNaN(p) ? Infinity : p, i] as const).sort((a, b) => a[0] - b[0]);
  let cutoff = -1;
  order.forEach(([p], k) => {
    if (p <= ((k + 1) / m) * q) cutoff = k;
  });
  const out = new Array<boolean>(m).fill(false);
  for (let k = 0; k <= cutoff; k++) out[order[k]![1]] = true;
  return out;
}
