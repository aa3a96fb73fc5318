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

export function score(probabilities: Float64Array, labels: Int32Array, classes: number): Scores {
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
    predicted[r] = best;
    if (best === labels[r]) correct++;
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
