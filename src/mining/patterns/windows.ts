/**
 * Inputs for regime clustering: per chosen column, the trailing mean and standard deviation over the last
 * `window` bars (the bar itself included, so a window never looks ahead), each standardized to mean 0 and
 * standard deviation 1 over the rows where every window is complete and finite.
 */
export interface WindowMatrix {
  /** Frame rows that have a complete window for every column, ascending. */
  rows: Int32Array;
  /** Row-major values (rows × width), standardized. */
  x: Float64Array;
  width: number;
  /** Column names: `<column>_mean`, `<column>_sd`. */
  names: string[];
  /** Mean and standard deviation used to standardize each column (for reading cluster centres back). */
  center: Float64Array;
  scale: Float64Array;
}

export function windowFeatures(columns: Readonly<Record<string, Float64Array>>, names: readonly string[], window: number): WindowMatrix {
  if (!Number.isInteger(window) || window < 2) throw new Error(`windowFeatures: window ${window}: expected a whole number ≥ 2`);
  if (names.length === 0) throw new Error('windowFeatures: no columns');
  const sources = names.map((name) => {
    const column = columns[name];
    if (!column) throw new Error(`windowFeatures: no column ${name}`);
    return column;
  });
  const n = sources[0]!.length;
  const width = 2 * names.length;
  const raw = new Float64Array(n * width).fill(NaN);
  sources.forEach((column, j) => {
    for (let i = window - 1; i < n; i++) {
      let sum = 0;
      let finite = true;
      for (let k = i - window + 1; k <= i; k++) {
        const v = column[k]!;
        if (!Number.isFinite(v)) {
          finite = false;
          break;
        }
        sum += v;
      }
      if (!finite) continue;
      const mean = sum / window;
      let squares = 0;
      for (let k = i - window + 1; k <= i; k++) squares += (column[k]! - mean) ** 2;
      raw[i * width + 2 * j] = mean;
      raw[i * width + 2 * j + 1] = Math.sqrt(squares / (window - 1));
    }
  });
  const kept: number[] = [];
  outer: for (let i = 0; i < n; i++) {
    for (let c = 0; c < width; c++) if (!Number.isFinite(raw[i * width + c]!)) continue outer;
    kept.push(i);
  }
  const rows = Int32Array.from(kept);
  const x = new Float64Array(rows.length * width);
  const center = new Float64Array(width);
  const scale = new Float64Array(width);
  for (let c = 0; c < width; c++) {
    let mean = 0;
    for (const i of rows) mean += raw[i * width + c]!;
    mean /= Math.max(1, rows.length);
    let variance = 0;
    for (const i of rows) variance += (raw[i * width + c]! - mean) ** 2;
    const sd = Math.sqrt(variance / Math.max(1, rows.length)) || 1;
    center[c] = mean;
    scale[c] = sd;
    rows.forEach((i, r) => (x[r * width + c] = (raw[i * width + c]! - mean) / sd));
  }
  return { rows, x, width, names: names.flatMap((name) => [`${name}_mean`, `${name}_sd`]), center, scale };
}
