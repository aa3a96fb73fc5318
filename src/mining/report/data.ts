import type { Episode } from '../../core/episode.js';
import { MIN_WINDOWS, type SignalEvaluation } from '../evaluate.js';
import type { BicPoint } from '../patterns/regimes.js';
import type { MiningResult, ModelSummary } from '../run.js';
import type { FoldResult } from '../walk-forward.js';

/** What the report says about its input (given by the caller: the CLI knows the file, clock and features). */
export interface ReportMeta {
  input: string;
  instrument: string;
  clock: string;
  features: string;
  /** flowmine's version, for the record. */
  version: string;
  /** Decimals of the instrument's price units (alerts carry prices in integer units). */
  priceDecimals?: number;
  /** Seconds the mining took (optional; left out of tests that compare reports). */
  seconds?: number;
}

/** The headline numbers: what a reader should take away, all taken from the sections below. */
export interface Headline {
  rows: number;
  start: string;
  end: string;
  tests: number;
  significant: number;
  /** Significant tests resting on fewer than `minWindows` non-overlapping horizons (their p-values are too low). */
  significantFewWindows: number;
  minWindows: number;
  /** The test with the largest |IC| among the significant ones with enough windows (null when none is). */
  strongest: { feature: string; horizonS: number; ic: number; t: number; p: number } | null;
  /** Significant tests per horizon. */
  byHorizon: { horizonS: number; tests: number; significant: number }[];
  /** Fitted model with the best mean AUC, and the baselines, over the folds. */
  bestModel: { model: string; auc: number; macroF1: number; accuracy: number; pnlBps: number; trades: number };
  prior: { auc: number; macroF1: number; accuracy: number; pnlBps: number };
  qiOnly: { auc: number; macroF1: number; accuracy: number; pnlBps: number };
  regimes: number;
  /** Rows with a robust |z| above the threshold, and the isolation-forest score's 99th percentile. */
  robustOutliers: number;
  isolationP99: number;
}

/** Everything in report.json. Times: `*_ns` are Unix epoch nanoseconds as decimal strings; `ts` offsets are ns after `timeBaseNs`. */
export interface ReportData {
  meta: ReportMeta & {
    rows: number;
    timeBaseNs: string;
    horizonsS: number[];
    modelHorizonS: number;
    folds: number;
    threshold: number;
    q: number;
    seed: number;
    barSpacingS: number;
    signalColumns: string[];
    modelColumns: string[];
    leftOut: { column: string; reason: string }[];
    derived: { column: string; from: string }[];
  };
  headline: Headline;
  signals: (Omit<SignalEvaluation, 'horizonNs'> & { horizonS: number })[];
  models: ModelSummary[];
  folds: (Omit<FoldResult, 'testStartNs' | 'testEndNs'> & { testStartNs: string; testEndNs: string })[];
  signalModel: string;
  regimes: { method: string; window: number; columns: string[]; inputs: string[]; k: number; fitRows: number; curve: BicPoint[]; components: { regime: number; share: number; center: number[] }[] };
  anomalies: {
    columns: string[];
    median: number[];
    scale: number[];
    flaggedShare: number[];
    threshold: number;
    trees: number;
    sampleSize: number;
    /** The 20 rows with the highest isolation score. */
    top: { tsNs: string; isolation: number; robustZ: number; column: string }[];
  };
  alerts: (Omit<Episode, 'startNs' | 'endNs'> & { startNs: string; endNs: string })[];
  /** Per row: time offset (ns after timeBaseNs), mid, regime (−1 none), its confidence, largest robust |z|, its column index, isolation score, the signal model's call. */
  timeline: { ts: number[]; mid: number[]; regime: number[]; regimeConfidence: number[]; robustZ: number[]; robustColumn: number[]; isolation: number[]; call: number[] };
}

export function epochNs(base: bigint, offset: number): string {
  return (base + BigInt(Math.round(offset))).toString();
}

export function isoTime(base: bigint, offset: number): string {
  const ns = base + BigInt(Math.round(offset));
  const ms = ns / 1_000_000n;
  const rest = Number(ns % 1_000_000_000n);
  return `${new Date(Number(ms)).toISOString().slice(0, 19)}.${String(rest).padStart(9, '0')}Z`;
}

/** The report's numbers from a mining result. */
export function reportData(result: MiningResult, meta: ReportMeta): ReportData {
  const frame = result.frame;
  const base = frame.timeBaseNs;
  const significant = result.signals.filter((signal) => signal.significant);
  const trusted = significant.filter((signal) => signal.windows >= MIN_WINDOWS);
  const strongest = trusted.length > 0 ? trusted.reduce((best, signal) => (Math.abs(signal.ic) > Math.abs(best.ic) ? signal : best)) : null;
  const model = (name: string) => result.models.find((summary) => summary.model === name);
  const best = model(result.signalModel)!;
  const pick = (summary: ModelSummary | undefined) => ({ auc: summary?.auc ?? NaN, macroF1: summary?.macroF1 ?? NaN, accuracy: summary?.accuracy ?? NaN, pnlBps: summary?.pnlBps ?? NaN });
  const isolation = Float64Array.from(result.anomalies.isolation.filter(Number.isFinite)).sort();
  const headline: Headline = {
    rows: frame.length,
    start: frame.length > 0 ? isoTime(base, frame.ts[0]!) : '',
    end: frame.length > 0 ? isoTime(base, frame.ts[frame.length - 1]!) : '',
    tests: result.signals.length,
    significant: significant.length,
    significantFewWindows: significant.length - trusted.length,
    minWindows: MIN_WINDOWS,
    strongest: strongest && { feature: strongest.feature, horizonS: strongest.horizonNs / 1e9, ic: strongest.ic, t: strongest.t, p: strongest.p },
    byHorizon: result.horizonsNs.map((horizonNs) => {
      const tests = result.signals.filter((signal) => signal.horizonNs === horizonNs);
      return { horizonS: horizonNs / 1e9, tests: tests.length, significant: tests.filter((signal) => signal.significant).length };
    }),
    bestModel: { model: best.model, ...pick(best), trades: best.trades },
    prior: pick(model('prior')),
    qiOnly: pick(model('qi-only')),
    regimes: result.regimes.k,
    robustOutliers: result.anomalies.robust.filter((z) => z > result.anomalies.threshold).length,
    isolationP99: isolation.length > 0 ? isolation[Math.min(isolation.length - 1, Math.floor(0.99 * isolation.length))]! : NaN,
  };
  const ranked = [...frame.ts.keys()].filter((i) => Number.isFinite(result.anomalies.isolation[i]!)).sort((a, b) => result.anomalies.isolation[b]! - result.anomalies.isolation[a]! || a - b);
  return {
    meta: {
      ...meta,
      rows: frame.length,
      timeBaseNs: base.toString(),
      horizonsS: result.horizonsNs.map((h) => h / 1e9),
      modelHorizonS: result.modelHorizonNs / 1e9,
      folds: Math.max(0, ...result.folds.map((fold) => fold.fold)),
      threshold: result.threshold,
      q: result.q,
      seed: result.seed,
      barSpacingS: result.medianSpacingNs / 1e9,
      signalColumns: result.signalColumns,
      modelColumns: result.modelColumns,
      leftOut: result.leftOut,
      derived: result.derived,
    },
    headline,
    signals: result.signals.map(({ horizonNs, ...rest }) => ({ ...rest, horizonS: horizonNs / 1e9 })),
    models: result.models,
    folds: result.folds.map((fold) => ({ ...fold, testStartNs: epochNs(base, fold.testStartNs), testEndNs: epochNs(base, fold.testEndNs) })),
    signalModel: result.signalModel,
    regimes: {
      method: result.regimes.method,
      window: result.regimes.window,
      columns: result.regimes.columns,
      inputs: result.regimes.inputs,
      k: result.regimes.k,
      fitRows: result.regimes.fitRows,
      curve: result.regimes.curve,
      components: result.regimes.components,
    },
    anomalies: {
      columns: result.anomalies.columns,
      median: result.anomalies.median,
      scale: result.anomalies.scale,
      flaggedShare: result.anomalies.flaggedShare,
      threshold: result.anomalies.threshold,
      trees: result.anomalies.trees,
      sampleSize: result.anomalies.sampleSize,
      top: ranked.slice(0, 20).map((i) => ({
        tsNs: epochNs(base, frame.ts[i]!),
        isolation: result.anomalies.isolation[i]!,
        robustZ: result.anomalies.robust[i]!,
        column: result.anomalies.columns[result.anomalies.worst[i]!] ?? '',
      })),
    },
    alerts: result.alerts.map(({ startNs, endNs, ...rest }) => ({ ...rest, startNs: epochNs(base, startNs), endNs: epochNs(base, endNs) })),
    timeline: {
      ts: Array.from(frame.ts),
      mid: Array.from(frame.columns.mid!),
      regime: Array.from(result.regimes.labels),
      regimeConfidence: Array.from(result.regimes.confidence),
      robustZ: Array.from(result.anomalies.robust),
      robustColumn: Array.from(result.anomalies.worst),
      isolation: Array.from(result.anomalies.isolation),
      call: Array.from(result.calls),
    },
  };
}

/** report.json: NaN and infinities as null (JSON has no such numbers); indented, the per-row timeline compact. */
export function toJson(data: ReportData): string {
  const replacer = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value);
  const { timeline, ...rest } = data;
  const head = JSON.stringify(rest, replacer, 1);
  return `${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n "timeline": ${JSON.stringify(timeline, replacer)}\n}\n`;
}
