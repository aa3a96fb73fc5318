/**
 * Labels for supervised mining, computed from a frame's times and a price column (mid or micro-price).
 * Every label of row i uses only rows whose time is at most ts[i] + horizon: nothing after the horizon's
 * end (test/mining/labels.test.ts changes everything after it and checks the label does not move).
 * A label whose horizon runs past the end of the data is NaN.
 */

/** Index of the last row with ts ≤ limit, searching forward from `from` (ts ascending). */
function lastAtOrBefore(ts: ArrayLike<number>, limit: number, from: number): number {
  let j = from;
  while (j + 1 < ts.length && ts[j + 1]! <= limit) j++;
  return j;
}

/** Log return of `price` from row i to the price as of ts[i] + horizonNs (the last row at or before it). */
export function forwardReturns(ts: ArrayLike<number>, price: ArrayLike<number>, horizonNs: number): Float64Array {
  const n = ts.length;
  const out = new Float64Array(n).fill(NaN);
  const end = ts[n - 1]!;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const limit = ts[i]! + horizonNs;
    if (limit > end) break;
    j = lastAtOrBefore(ts, limit, Math.max(j, i));
    out[i] = Math.log(price[j]! / price[i]!);
  }
  return out;
}

/** Log return from row i to row i + k (event horizon). */
export function forwardReturnsEvents(price: ArrayLike<number>, k: number): Float64Array {
  const n = price.length;
  const out = new Float64Array(n).fill(NaN);
  for (let i = 0; i + k < n; i++) out[i] = Math.log(price[i + k]! / price[i]!);
  return out;
}

/**
 * Smoothed three-class labels as in FI-2010 (Ntakaris et al. 2018) and DeepLOB (Zhang, Zohren & Roberts
 * 2019): m⁺ = mean of the next k prices, l = (m⁺ − pᵢ)/pᵢ; +1 if l > α, −1 if l < −α, else 0; NaN where
 * fewer than k rows follow or a price is missing.
 */
export function smoothedLabels(price: ArrayLike<number>, k: number, alpha: number): Float64Array {
  const n = price.length;
  const out = new Float64Array(n).fill(NaN);
  for (let i = 0; i + k < n; i++) {
    let sum = 0;
    for (let j = i + 1; j <= i + k; j++) sum += price[j]!;
    const change = (sum / k - price[i]!) / price[i]!;
    out[i] = change > alpha ? 1 : change < -alpha ? -1 : Number.isNaN(change) ? NaN : 0;
  }
  return out;
}

/**
 * Triple-barrier labels (López de Prado 2018, ch. 3): from row i, +1 if the price reaches pᵢ·(1 + up)
 * before pᵢ·(1 − down) within the horizon, −1 if the lower barrier comes first, 0 if neither is touched by
 * ts[i] + horizon (the vertical barrier). `touchNs` gives the time the label was decided.
 */
export function tripleBarrier(ts: ArrayLike<number>, price: ArrayLike<number>, horizonNs: number, up: number, down: number): { label: Float64Array; touchNs: Float64Array } {
  const n = ts.length;
  const label = new Float64Array(n).fill(NaN);
  const touchNs = new Float64Array(n).fill(NaN);
  const end = ts[n - 1]!;
  for (let i = 0; i < n; i++) {
    const limit = ts[i]! + horizonNs;
    const base = price[i]!;
    if (Number.isNaN(base)) continue;
    const upper = base * (1 + up);
    const lower = base * (1 - down);
    let j = i + 1;
    for (; j < n && ts[j]! <= limit; j++) {
      const p = price[j]!;
      if (p >= upper || p <= lower) break;
    }
    if (j < n && ts[j]! <= limit) {
      label[i] = price[j]! >= upper ? 1 : -1;
      touchNs[i] = ts[j]!;
    } else if (limit <= end) {
      label[i] = 0;
      touchNs[i] = limit;
    }
  }
  return { label, touchNs };
}
