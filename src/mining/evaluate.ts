import type { FeatureFrame } from '../features/run.js';
import { forwardReturns } from './labels.js';
import { benjaminiHochberg, finiteRows, neweyWest, pearson, spearman, twoSidedP } from './statistics.js';

const DAY_NS = 86_400e9;

/** Below this many non-overlapping horizons a test's Newey–West p-value is not to be trusted (see `windows`). */
export const MIN_WINDOWS = 30;

/** One feature at one horizon. Returns are log returns of the price column; P&L is per signal, after the spread. */
export interface SignalEvaluation {
  feature: string;
  horizonNs: number;
  /** Rows with a finite feature value and label. */
  n: number;
  /**
   * Non-overlapping horizons the rows span: (last − first row time) / horizon. Newey–West errors need many:
   * below about 30 they are too small and p-values too low (docs/MINING.md), whatever n is.
   */
  windows: number;
  /** Information coefficient (Pearson) and rank IC (Spearman) of the feature with the forward return. */
  ic: number;
  rankIc: number;
  /** Slope of the forward return on the feature, its Newey–West t-statistic and two-sided p-value. */
  slope: number;
  t: number;
  p: number;
  /** Benjamini–Hochberg discovery over every feature × horizon test of the run. */
  significant: boolean;
  /** Share of signals (non-zero feature) whose sign matches the forward return's (zero returns left out). */
  hitRate: number;
  /** Share of consecutive rows whose signal sign changes: how often a sign-following position turns over. */
  turnover: number;
  /** Mean P&L of holding sign(feature) over the horizon, paying the spread at entry (crossing it: buy at the ask, sell at the bid), in basis points of the mid. */
  pnlBps: number;
  /** The same before costs. */
  grossBps: number;
  /** IC per UTC day (stability). */
  byDay: { day: string; n: number; ic: number }[];
  /** IC per regime, when regimes are given. */
  byRegime: { regime: number; n: number; ic: number }[];
}

export interface EvaluationOptions {
  /** Feature columns to test. */
  features: readonly string[];
  horizonsNs: readonly number[];
  /** Price column for returns (default `mid`) and spread column for costs (default `spread`). */
  price?: string;
  spread?: string;
  /** False discovery rate for Benjamini–Hochberg (default 0.05). */
  q?: number;
  /** A regime label per row (e.g. from clustering), for stability by regime. */
  regimes?: Int32Array;
}

/**
 * Evaluates every feature at every horizon on a one-instrument frame: IC, rank IC, the decay of IC over
 * horizons, Newey–West t-statistics (lags = the bars a horizon spans), Benjamini–Hochberg control over all
 * tests, stability by day and regime, hit rate, turnover and P&L after the spread.
 */
export function evaluateSignals(frame: FeatureFrame, options: EvaluationOptions): SignalEvaluation[] {
  const price = frame.columns[options.price ?? 'mid'];
  const spread = frame.columns[options.spread ?? 'spread'];
  if (!price || !spread) throw new Error(`evaluateSignals: the frame needs the ${options.price ?? 'mid'} and ${options.spread ?? 'spread'} columns`);
  const spacing = medianSpacing(frame.ts);
  const results: SignalEvaluation[] = [];
  for (const horizonNs of options.horizonsNs) {
    const forward = forwardReturns(frame.ts, price, horizonNs);
    const lags = Math.max(1, Math.ceil(horizonNs / spacing));
    for (const name of options.features) {
      const feature = frame.columns[name];
      if (!feature) throw new Error(`evaluateSignals: no column ${name}`);
      const rows = finiteRows(feature, forward);
      const { slope, t } = neweyWest(feature, forward, rows, lags);
      results.push({
        feature: name,
        horizonNs,
        n: rows.length,
        windows: rows.length > 1 ? (frame.ts[rows[rows.length - 1]!]! - frame.ts[rows[0]!]!) / horizonNs : 0,
        ic: pearson(feature, forward, rows),
        rankIc: rows.length >= 3 ? spearman(feature, forward, rows) : NaN,
        slope,
        t,
        p: twoSidedP(t),
        significant: false,
        ...trading(feature, forward, price, spread, rows),
        byDay: byGroup(feature, forward, rows, (i) => Math.floor((Number(frame.timeBaseNs % BigInt(DAY_NS)) + frame.ts[i]!) / DAY_NS)).map(({ key, n, ic }) => ({
          day: dayName(frame.timeBaseNs, key),
          n,
          ic,
        })),
        byRegime: options.regimes ? byGroup(feature, forward, rows, (i) => options.regimes![i]!).map(({ key, n, ic }) => ({ regime: key, n, ic })) : [],
      });
    }
  }
  const discoveries = benjaminiHochberg(
    results.map((result) => result.p),
    options.q ?? 0.05,
  );
  results.forEach((result, k) => (result.significant = discoveries[k]!));
  return results;
}

function trading(feature: Float64Array, forward: Float64Array, price: Float64Array, spread: Float64Array, rows: Int32Array) {
  let hits = 0;
  let calls = 0;
  let flips = 0;
  let pairs = 0;
  let previousSign = NaN;
  let net = 0;
  let gross = 0;
  let trades = 0;
  for (const i of rows) {
    const sign = Math.sign(feature[i]!);
    if (!Number.isNaN(previousSign)) {
      pairs++;
      if (sign !== previousSign) flips++;
    }
    previousSign = sign;
    if (sign === 0) continue;
    const r = forward[i]!;
    if (r !== 0) {
      calls++;
      if (Math.sign(r) === sign) hits++;
    }
    const cost = spread[i]! / price[i]!;
    if (!Number.isFinite(cost)) continue;
    // Log return ≈ relative move; the position pays the full spread (half in, half out).
    gross += sign * Math.expm1(r) * 1e4;
    net += (sign * Math.expm1(r) - cost) * 1e4;
    trades++;
  }
  return { hitRate: calls > 0 ? hits / calls : NaN, turnover: pairs > 0 ? flips / pairs : NaN, pnlBps: trades > 0 ? net / trades : NaN, grossBps: trades > 0 ? gross / trades : NaN };
}

function byGroup(feature: Float64Array, forward: Float64Array, rows: Int32Array, keyOf: (row: number) => number) {
  const groups = new Map<number, number[]>();
  for (const i of rows) {
    const key = keyOf(i);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  return [...groups].sort((a, b) => a[0] - b[0]).map(([key, members]) => {
    const subset = Int32Array.from(members);
    return { key, n: subset.length, ic: pearson(feature, forward, subset) };
  });
}

function dayName(timeBaseNs: bigint, dayIndex: number): string {
  const baseDays = Number(timeBaseNs / BigInt(DAY_NS));
  return new Date((baseDays + dayIndex) * 86_400_000).toISOString().slice(0, 10);
}

/** Median time between consecutive rows (ns); 1 when there are fewer than two rows. */
export function medianSpacing(ts: Float64Array): number {
  if (ts.length < 2) return 1;
  const gaps = new Float64Array(ts.length - 1);
  for (let i = 1; i < ts.length; i++) gaps[i - 1] = ts[i]! - ts[i - 1]!;
  gaps.sort();
  return Math.max(1, gaps[gaps.length >> 1]!);
}
