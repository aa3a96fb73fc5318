/** Classification scores of predicted class probabilities (row-major, rows × classes) against labels. */
export interface Scores {
  accuracy: number;
  /** Mean over classes of F1 (a class never predicted nor present is left out). */
  macroF1: number;
  /** Multi-class Brier score: mean over rows of Σₖ (pₖ − 1{y = k})². */
  brier: number;
  /** Macro one-vs-rest ROC AUC (Mann–Whitney, ties counted half); classes absent from the labels are left out. */
  auc: number;
}

/**
 * Scores of a forecast. Accuracy and macro-F1 score the called class: `decisions` when the model has its
 * own decision rule, else the most probable class; Brier score and AUC score the probabilities.
 */
export function score(probabilities: Float64Array, labels: Int32Array, classes: number, decisions?: Int32Array): Scores {
  const rows = labels.length;
  const predicted = new Int32Array(rows);
  let correct = 0;
  let brier = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 0; k < classes; k++) {
      const p = probabilities[r * classes + k]!;
      if (p > probabilities[r * classes + best]!) best = k;
      brier += (p - (labels[r] === k ? 1 : 0)) ** 2;
    }
    predicted[r] = decisions ? decisions[r]! : best;
    if (predicted[r] === labels[r]) correct++;
  }
  let f1Sum = 0;
  let f1Classes = 0;
  let aucSum = 0;
  let aucClasses = 0;
  for (let k = 0; k < classes; k++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let r = 0; r < rows; r++) {
      if (predicted[r] === k && labels[r] === k) tp++;
      else if (predicted[r] === k) fp++;
      else if (labels[r] === k) fn++;
    }
    if (tp + fp + fn > 0) {
      f1Sum += (2 * tp) / (2 * tp + fp + fn);
      f1Classes++;
    }
    const auc = oneVsRestAuc(probabilities, labels, classes, k);
    if (!Number.isNaN(auc)) {
      aucSum += auc;
      aucClasses++;
    }
  }
  return { accuracy: correct / rows, macroF1: f1Sum / f1Classes, brier: brier / rows, auc: aucClasses > 0 ? aucSum / aucClasses : NaN };
}

/** P(score of a random positive > score of a random negative) for class k. */
function oneVsRestAuc(probabilities: Float64Array, labels: Int32Array, classes: number, k: number): number {
  const rows = labels.length;
  const order = Array.from({ length: rows }, (_, r) => r).sort((a, b) => probabilities[a * classes + k]! - probabilities[b * classes + k]!);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < rows; ) {
    let end = start + 1;
    while (end < rows && probabilities[order[end]! * classes + k] === probabilities[order[start]! * classes + k]) end++;
    const rank = (start + end + 1) / 2;
    for (let i = start; i < end; i++) {
      if (labels[order[i]!] === k) {
        positives++;
        rankSum += rank;
      }
    }
    start = end;
  }
  const negatives = rows - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Predicted-probability interval [lo, hi) (the last bin includes 1). */
  lo: number;
  hi: number;
  /** Rows whose predicted probability fell in the bin, their mean predicted probability, and how often the event happened. */
  n: number;
  meanPredicted: number;
  observed: number;
}

/**
 * Reliability diagram of the predicted probability of class k (Murphy & Winkler 1977): `bins` equal-width
 * bins on [0, 1]; per bin the mean prediction and the observed frequency of class k. Empty bins are kept
 * (n = 0, NaN means) so diagrams of different folds line up and can be pooled.
 */
export function reliability(probabilities: Float64Array, labels: Int32Array, classes: number, k: number, bins = 10): ReliabilityBin[] {
  const n = new Int32Array(bins);
  const predicted = new Float64Array(bins);
  const observed = new Float64Array(bins);
  for (let r = 0; r < labels.length; r++) {
    const p = probabilities[r * classes + k]!;
    if (!Number.isFinite(p)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    n[b]!++;
    predicted[b]! += p;
    if (labels[r] === k) observed[b]!++;
  }
  return Array.from({ length: bins }, (_, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    n: n[b]!,
    meanPredicted: n[b]! > 0 ? predicted[b]! / n[b]! : NaN,
    observed: n[b]! > 0 ? observed[b]! / n[b]! : NaN,
  }));
}

/** Pools reliability diagrams with the same bins (e.g. over folds): counts add, means are weighted by counts. */
export function poolReliability(diagrams: readonly ReliabilityBin[][]): ReliabilityBin[] {
  if (diagrams.length === 0) return [];
  return diagrams[0]!.map((first, b) => {
    let n = 0;
    let predicted = 0;
    let observed = 0;
    for (const diagram of diagrams) {
      const bin = diagram[b]!;
      if (bin.n === 0) continue;
      n += bin.n;
      predicted += bin.meanPredicted * bin.n;
      observed += bin.observed * bin.n;
    }
    return { lo: first.lo, hi: first.hi, n, meanPredicted: n > 0 ? predicted / n : NaN, observed: n > 0 ? observed / n : NaN };
  });
}
