import type { FeatureFrame } from '../features/run.js';
import { forwardReturns } from './labels.js';
import { reliability, score, type ReliabilityBin, type Scores } from './models/metrics.js';
import { argmaxClasses, Standardizer, type Classifier } from './models/model.js';

/** Classes of the direction label: 0 down, 1 flat, 2 up. */
const CLASSES = 3;

export interface WalkForwardOptions {
  /** Feature columns the models use. */
  features: readonly string[];
  horizonNs: number;
  /** Test folds (the data is cut into folds + 1 blocks by time; the first only trains). Default 5. */
  folds?: number;
  /** Gap between the last training label's end and the test start, beyond the purge (default: one horizon). */
  embargoNs?: number;
  /** A forward log return above +threshold is up, below −threshold down, else flat (default 0). */
  threshold?: number;
  /** Models by name; each fold fits a fresh one. */
  models: Record<string, () => Classifier>;
  price?: string;
  spread?: string;
  /** Bins of the per-fold reliability diagrams (default 10). */
  calibrationBins?: number;
  /** Sees every model's test predictions: frame rows, class probabilities (rows × 3) and the called classes. */
  onPredictions?: (model: string, fold: number, rows: readonly number[], probabilities: Float64Array, decisions: Int32Array) => void;
}

export interface FoldResult extends Scores {
  model: string;
  fold: number;
  trainRows: number;
  testRows: number;
  /** Training rows removed because their label's horizon reached into the embargoed test start. */
  purgedRows: number;
  testStartNs: number;
  testEndNs: number;
  /** Shares of down, flat and up among the test labels (what a constant call would score). */
  testShares: [number, number, number];
  /** Signals taken (up or down called) and their mean P&L after the spread, basis points of the mid. */
  trades: number;
  pnlBps: number;
  /** Reliability of the predicted probability of up and of down on the test rows. */
  calibration: { up: ReliabilityBin[]; down: ReliabilityBin[] };
}

/**
 * Walk-forward validation with purging and embargo (López de Prado 2018, ch. 7): fold k tests block k and
 * trains on every earlier row whose label ends before `test start − embargo` (its time + horizon), so no
 * training label overlaps the test period. Features are standardized on the training rows only. Each
 * model predicts down / flat / up; trading the call (long on up, short on down, over the horizon, paying
 * the spread) gives the P&L. A model's call is its own decision rule where it has one (`decide`), else its
 * most probable class. Models that regress (ridge) are fitted to the training rows' forward returns.
 */
export function walkForward(frame: FeatureFrame, options: WalkForwardOptions): FoldResult[] {
  const price = frame.columns[options.price ?? 'mid']!;
  const spread = frame.columns[options.spread ?? 'spread']!;
  const forward = forwardReturns(frame.ts, price, options.horizonNs);
  const threshold = options.threshold ?? 0;
  const width = options.features.length;
  const columns = options.features.map((name) => {
    const column = frame.columns[name];
    if (!column) throw new Error(`walkForward: no column ${name}`);
    return column;
  });
  // Usable rows: every feature, the label and the cost defined.
  const rows: number[] = [];
  for (let i = 0; i < frame.length; i++) {
    if (!Number.isFinite(forward[i]!) || !Number.isFinite(spread[i]! / price[i]!)) continue;
    if (columns.every((column) => Number.isFinite(column[i]!))) rows.push(i);
  }
  const folds = options.folds ?? 5;
  const embargo = options.embargoNs ?? options.horizonNs;
  const blockSize = Math.floor(rows.length / (folds + 1));
  const results: FoldResult[] = [];
  if (blockSize < 10) return results;
  for (let fold = 1; fold <= folds; fold++) {
    const testRows = rows.slice(fold * blockSize, fold === folds ? rows.length : (fold + 1) * blockSize);
    const testStart = frame.ts[testRows[0]!]!;
    const candidates = rows.slice(0, fold * blockSize);
    const trainRows = candidates.filter((i) => frame.ts[i]! + options.horizonNs < testStart - embargo);
    const train = design(columns, trainRows, width);
    const test = design(columns, testRows, width);
    const standardizer = new Standardizer().fit(train, width);
    const trainX = standardizer.apply(train, width);
    const testX = standardizer.apply(test, width);
    const trainY = Int32Array.from(trainRows, (i) => direction(forward[i]!, threshold));
    const testY = Int32Array.from(testRows, (i) => direction(forward[i]!, threshold));
    const trainTarget = Float64Array.from(trainRows, (i) => forward[i]!);
    const testShares: [number, number, number] = [0, 0, 0];
    for (const label of testY) testShares[label]! += 1 / testY.length;
    for (const [name, make] of Object.entries(options.models)) {
      const model = make();
      model.fit(trainX, width, trainY, CLASSES, trainTarget);
      const probabilities = model.predict(testX, width);
      const decisions = model.decide ? model.decide(testX, width) : argmaxClasses(probabilities, CLASSES);
      options.onPredictions?.(name, fold, testRows, probabilities, decisions);
      const { trades, pnlBps } = tradeCalls(decisions, testRows, forward, price, spread);
      results.push({
        model: name,
        fold,
        trainRows: trainRows.length,
        testRows: testRows.length,
        purgedRows: candidates.length - trainRows.length,
        testStartNs: testStart,
        testEndNs: frame.ts[testRows[testRows.length - 1]!]!,
        ...score(probabilities, testY, CLASSES, decisions),
        testShares,
        trades,
        pnlBps,
        calibration: {
          up: reliability(probabilities, testY, CLASSES, 2, options.calibrationBins),
          down: reliability(probabilities, testY, CLASSES, 0, options.calibrationBins),
        },
      });
    }
  }
  return results;
}

function direction(r: number, threshold: number): number {
  return r > threshold ? 2 : r < -threshold ? 0 : 1;
}

function design(columns: Float64Array[], rows: number[], width: number): Float64Array {
  const x = new Float64Array(rows.length * width);
  for (let c = 0; c < width; c++) {
    const column = columns[c]!;
    for (let r = 0; r < rows.length; r++) x[r * width + c] = column[rows[r]!]!;
  }
  return x;
}

function tradeCalls(decisions: Int32Array, rows: number[], forward: Float64Array, price: Float64Array, spread: Float64Array) {
  let trades = 0;
  let pnl = 0;
  rows.forEach((i, r) => {
    const position = decisions[r]! - 1;
    if (position === 0) return;
    trades++;
    pnl += (position * Math.expm1(forward[i]!) - spread[i]! / price[i]!) * 1e4;
  });
  return { trades, pnlBps: trades > 0 ? pnl / trades : NaN };
}
