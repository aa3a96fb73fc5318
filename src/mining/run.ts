import { UsageError } from '../core/errors.js';
import type { Episode } from '../core/episode.js';
import type { FeatureFrame } from '../features/run.js';
import { evaluateSignals, medianSpacing, type SignalEvaluation } from './evaluate.js';
import { GradientBoosting } from './models/gbdt.js';
import { LogisticRegression, Prior } from './models/logistic.js';
import { poolReliability, type ReliabilityBin } from './models/metrics.js';
import { ColumnSubset, type Classifier } from './models/model.js';
import { RidgeDirection } from './models/ridge.js';
import { IsolationForest } from './patterns/isolation-forest.js';
import { findRegimes, type BicPoint, type RegimeMethod } from './patterns/regimes.js';
import { robustZScores } from './patterns/robust.js';
import { windowFeatures } from './patterns/windows.js';
import { walkForward, type FoldResult } from './walk-forward.js';

/** Everything `mineFrame` does, with its defaults. */
export interface MineOptions {
  /** Forward-return horizons for signal evaluation (ns). */
  horizonsNs: readonly number[];
  /** Horizon of the models' direction label (default: the middle of `horizonsNs`). */
  modelHorizonNs?: number;
  folds?: number;
  embargoNs?: number;
  /** Label threshold on the forward log return (default 0: flat means the mid did not move). */
  threshold?: number;
  /** False discovery rate (default 0.05). */
  q?: number;
  /** Columns whose rolling mean and sd make the regime inputs (default: mid_return_bps, spread, and volume when present). */
  regimeColumns?: readonly string[];
  /** Bars per regime window (default 60). */
  regimeWindow?: number;
  regimeMethod?: RegimeMethod;
  /** Largest number of regimes tried (default 8). */
  kMax?: number;
  /** Columns scored for anomalies (default: the model features). */
  anomalyColumns?: readonly string[];
  /** Seed of k-means++, the isolation forest (default 1). */
  seed?: number;
  /** A signal column is a model feature when at least this share of its values is finite (default 0.95). */
  minFiniteShare?: number;
  /** Detector alerts to show with the price (may be empty). */
  alerts?: readonly Episode[];
  /** Called before each stage (for progress). */
  onStage?: (stage: MineStage) => void;
}

export type MineStage = 'prepare' | 'regimes' | 'anomalies' | 'signals' | 'models';

export interface ModelSummary {
  model: string;
  folds: number;
  /** Means over folds. */
  accuracy: number;
  macroF1: number;
  brier: number;
  auc: number;
  /** Trades over all folds and their mean P&L after the spread (basis points). */
  trades: number;
  pnlBps: number;
  /** Reliability of P(up) and P(down), pooled over folds. */
  calibration: { up: ReliabilityBin[]; down: ReliabilityBin[] };
}

export interface MiningResult {
  /** One-instrument frame with the derived columns added (`mid_return_bps`, `*_dev_bps`). */
  frame: FeatureFrame;
  /** Columns evaluated as signals, those the models use, and price-level columns turned into deviations. */
  signalColumns: string[];
  modelColumns: string[];
  /** Signal columns left out of the models, with the reason. */
  leftOut: { column: string; reason: string }[];
  derived: { column: string; from: string }[];
  horizonsNs: number[];
  modelHorizonNs: number;
  threshold: number;
  q: number;
  medianSpacingNs: number;
  signals: SignalEvaluation[];
  folds: FoldResult[];
  models: ModelSummary[];
  /** The model whose out-of-sample calls are shown with the price: the best mean AUC among the fitted (non-baseline) models. */
  signalModel: string;
  /** Its call per frame row: −1 down, 0 flat, +1 up; NaN outside the test folds. */
  calls: Float64Array;
  regimes: {
    method: RegimeMethod;
    window: number;
    columns: string[];
    inputs: string[];
    k: number;
    /** Rows (non-overlapping windows) the regimes were fitted and scored on. */
    fitRows: number;
    curve: BicPoint[];
    components: { regime: number; share: number; center: number[] }[];
    /** Regime per frame row, −1 where the window is incomplete. */
    labels: Int32Array;
    confidence: Float64Array;
  };
  anomalies: {
    columns: string[];
    median: number[];
    scale: number[];
    /** Per column: share of its finite values with |z| above the threshold. */
    flaggedShare: number[];
    threshold: number;
    /** Largest robust |z| per row and the column it came from (−1: none). */
    robust: Float64Array;
    worst: Int32Array;
    /** Isolation-forest score per row (NaN where a column is missing). */
    isolation: Float64Array;
    trees: number;
    sampleSize: number;
  };
  alerts: Episode[];
  seed: number;
}

const BASELINES = new Set(['prior', 'qi-only']);

/**
 * The whole mining pass over a one-instrument feature frame: regimes of rolling windows (BIC over
 * 1..kMax), robust z-scores and isolation-forest anomaly scores, every signal at every horizon
 * (`evaluateSignals`, stability by day and by regime), and walk-forward models — the baselines `prior` and
 * `qi-only` against logistic, ridge and gradient-boosted trees — with per-fold scores and calibration.
 *
 * Signal columns are the frame's columns except `mid`; a column that is a price level (its ratio to the mid
 * within 1% of 1 from the 5th to the 95th percentile: `weighted_mid`, `vwap`, micro-prices) is replaced by its deviation from the mid in
 * basis points, `<name>_dev_bps`; `mid_return_bps`, the mid's log change over the bar just closed (bps), is
 * added. The frame must have `mid`, `spread` and `qi`.
 */
export function mineFrame(input: FeatureFrame, options: MineOptions): MiningResult {
  const stage = options.onStage ?? (() => {});
  stage('prepare');
  for (const name of ['mid', 'spread', 'qi']) if (!input.columns[name]) throw new UsageError(`mine: the frame needs the ${name} column`);
  if (new Set(input.instrument).size > 1) throw new UsageError('mine: the frame holds several instruments; mine one at a time');
  if (options.horizonsNs.length === 0) throw new UsageError('mine: no horizons');
  const mid = input.columns.mid!;
  const columns: Record<string, Float64Array> = {};
  const derived: { column: string; from: string }[] = [];
  const signalColumns: string[] = [];
  const midReturn = new Float64Array(input.length).fill(NaN);
  for (let i = 1; i < input.length; i++) midReturn[i] = Math.log(mid[i]! / mid[i - 1]!) * 1e4;
  for (const [name, column] of Object.entries(input.columns)) {
    columns[name] = column;
    if (name === 'mid') continue;
    if (isPriceLevel(column, mid)) {
      const deviation = `${name}_dev_bps`;
      columns[deviation] = Float64Array.from(column, (value, i) => ((value - mid[i]!) / mid[i]!) * 1e4);
      derived.push({ column: deviation, from: name });
      signalColumns.push(deviation);
    } else signalColumns.push(name);
  }
  columns.mid_return_bps = midReturn;
  derived.push({ column: 'mid_return_bps', from: 'mid' });
  signalColumns.push('mid_return_bps');
  const frame: FeatureFrame = { ...input, columns };

  const minFinite = options.minFiniteShare ?? 0.95;
  const modelColumns: string[] = [];
  const leftOut: { column: string; reason: string }[] = [];
  for (const name of signalColumns) {
    const column = columns[name]!;
    let finite = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const value of column) {
      if (!Number.isFinite(value)) continue;
      finite++;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    if (finite < minFinite * frame.length) leftOut.push({ column: name, reason: `finite in ${((100 * finite) / Math.max(1, frame.length)).toFixed(1)}% of rows (< ${(100 * minFinite).toFixed(0)}%)` });
    else if (!(max > min)) leftOut.push({ column: name, reason: 'constant' });
    else modelColumns.push(name);
  }
  if (!modelColumns.includes('qi')) throw new UsageError('mine: the qi column is missing too often to fit the qi-only baseline');
  const seed = options.seed ?? 1;

  // Regimes of rolling windows.
  stage('regimes');
  const regimeColumns = [...(options.regimeColumns ?? ['mid_return_bps', 'spread', ...(columns.volume ? ['volume'] : [])])];
  for (const name of regimeColumns) if (!columns[name]) throw new UsageError(`mine: no column ${name} for regimes (columns: ${Object.keys(columns).join(', ')})`);
  const window = options.regimeWindow ?? 60;
  const windows = windowFeatures(columns, regimeColumns, window);
  const labels = new Int32Array(frame.length).fill(-1);
  const confidence = new Float64Array(frame.length).fill(NaN);
  const method = options.regimeMethod ?? 'gmm';
  let regimeFit: { k: number; fitRows: number; curve: BicPoint[]; components: { regime: number; share: number; center: number[] }[] } = { k: 0, fitRows: 0, curve: [], components: [] };
  if (windows.rows.length >= 10) {
    const found = findRegimes(windows.x, windows.width, { method, kMax: options.kMax ?? 8, seed, stride: Math.min(window, Math.max(1, Math.floor(windows.rows.length / 100))) });
    windows.rows.forEach((row, r) => {
      labels[row] = found.labels[r]!;
      confidence[row] = found.confidence[r]!;
    });
    regimeFit = found;
  }

  // Anomalies.
  stage('anomalies');
  const anomalyColumns = [...(options.anomalyColumns ?? modelColumns)];
  for (const name of anomalyColumns) if (!columns[name]) throw new UsageError(`mine: no column ${name} for anomalies`);
  const anomalySources = anomalyColumns.map((name) => columns[name]!);
  const robust = robustZScores(anomalySources);
  const isolation = new Float64Array(frame.length).fill(NaN);
  const complete: number[] = [];
  for (let i = 0; i < frame.length; i++) if (anomalySources.every((column) => Number.isFinite(column[i]!))) complete.push(i);
  const forestOptions = { trees: 100, sampleSize: 256, seed };
  if (complete.length >= 2 && anomalySources.length > 0) {
    const width = anomalySources.length;
    const x = new Float64Array(complete.length * width);
    complete.forEach((row, r) => anomalySources.forEach((column, c) => (x[r * width + c] = column[row]!)));
    const forest = new IsolationForest(forestOptions).fit(x, width);
    const scores = forest.score(x);
    complete.forEach((row, r) => (isolation[row] = scores[r]!));
  }

  // Signals.
  stage('signals');
  const q = options.q ?? 0.05;
  const signals = evaluateSignals(frame, { features: signalColumns, horizonsNs: options.horizonsNs, q, regimes: labels });

  // Models.
  stage('models');
  const horizons = [...options.horizonsNs];
  const modelHorizonNs = options.modelHorizonNs ?? [...horizons].sort((a, b) => a - b)[Math.floor((horizons.length - 1) / 2)]!;
  const threshold = options.threshold ?? 0;
  const qiIndex = modelColumns.indexOf('qi');
  const models: Record<string, () => Classifier> = {
    prior: () => new Prior(),
    'qi-only': () => new ColumnSubset('qi-only', new LogisticRegression(1e-3, 200, 'logistic'), [qiIndex]),
    logistic: () => new LogisticRegression(),
    ridge: () => new RidgeDirection(),
    gbdt: () => new GradientBoosting(),
  };
  const calls = new Map<string, Float64Array>();
  const folds = walkForward(frame, {
    features: modelColumns,
    horizonNs: modelHorizonNs,
    folds: options.folds ?? 5,
    embargoNs: options.embargoNs ?? modelHorizonNs,
    threshold,
    models,
    onPredictions: (model, _fold, rows, _probabilities, decisions) => {
      if (!calls.has(model)) calls.set(model, new Float64Array(frame.length).fill(NaN));
      const out = calls.get(model)!;
      rows.forEach((row, r) => (out[row] = decisions[r]! - 1));
    },
  });
  const summaries = Object.keys(models).map((model) => summarize(model, folds.filter((fold) => fold.model === model)));
  const fitted = summaries.filter((summary) => !BASELINES.has(summary.model) && Number.isFinite(summary.auc));
  const signalModel = fitted.length > 0 ? fitted.reduce((best, summary) => (summary.auc > best.auc ? summary : best)).model : 'logistic';

  return {
    frame,
    signalColumns,
    modelColumns,
    leftOut,
    derived,
    horizonsNs: horizons,
    modelHorizonNs,
    threshold,
    q,
    medianSpacingNs: medianSpacing(frame.ts),
    signals,
    folds,
    models: summaries,
    signalModel,
    calls: calls.get(signalModel) ?? new Float64Array(frame.length).fill(NaN),
    regimes: { method, window, columns: regimeColumns, inputs: windows.names, k: regimeFit.k, fitRows: regimeFit.fitRows, curve: regimeFit.curve, components: regimeFit.components, labels, confidence },
    anomalies: {
      columns: anomalyColumns,
      median: robust.median,
      scale: robust.scale,
      flaggedShare: anomalyColumns.map((_, j) => {
        let finite = 0;
        let flagged = 0;
        for (let r = 0; r < frame.length; r++) {
          const z = robust.z[r * anomalyColumns.length + j]!;
          if (Number.isNaN(z)) continue;
          finite++;
          if (Math.abs(z) > robust.threshold) flagged++;
        }
        return finite > 0 ? flagged / finite : NaN;
      }),
      threshold: robust.threshold,
      robust: robust.combined,
      worst: robust.worst,
      isolation,
      trees: forestOptions.trees,
      sampleSize: Math.min(forestOptions.sampleSize, complete.length),
    },
    alerts: [...(options.alerts ?? [])],
    seed,
  };
}

/** A column whose ratio to the mid stays within 1% of 1 (5th to 95th percentile): a price, not a signal. */
function isPriceLevel(column: Float64Array, mid: Float64Array): boolean {
  const ratios: number[] = [];
  for (let i = 0; i < column.length; i++) {
    const ratio = column[i]! / mid[i]!;
    if (Number.isFinite(ratio)) ratios.push(ratio);
  }
  if (ratios.length === 0) return false;
  ratios.sort((a, b) => a - b);
  const at = (share: number) => ratios[Math.min(ratios.length - 1, Math.floor(share * ratios.length))]!;
  return Math.abs(at(0.05) - 1) < 0.01 && Math.abs(at(0.95) - 1) < 0.01;
}

function summarize(model: string, folds: FoldResult[]): ModelSummary {
  const mean = (pick: (fold: FoldResult) => number) => {
    const values = folds.map(pick).filter(Number.isFinite);
    return values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : NaN;
  };
  let trades = 0;
  let pnl = 0;
  for (const fold of folds) {
    if (fold.trades === 0) continue;
    trades += fold.trades;
    pnl += fold.pnlBps * fold.trades;
  }
  return {
    model,
    folds: folds.length,
    accuracy: mean((fold) => fold.accuracy),
    macroF1: mean((fold) => fold.macroF1),
    brier: mean((fold) => fold.brier),
    auc: mean((fold) => fold.auc),
    trades,
    pnlBps: trades > 0 ? pnl / trades : NaN,
    calibration: { up: poolReliability(folds.map((fold) => fold.calibration.up)), down: poolReliability(folds.map((fold) => fold.calibration.down)) },
  };
}
