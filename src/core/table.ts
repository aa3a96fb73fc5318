/**
 * A row-oriented sink for tabular output (CSV, JSONL, Parquet). Writers are fed cell by cell with typed
 * values, so hot emitters format numbers straight into bytes without building strings or objects.
 */
export interface ColumnSpec {
  name: string;
  /**
   * `int`: integer (exact to 2^53); `epoch_ns`: base + offset nanoseconds; `decimal`: integer units;
   * `float`: a real number (a computed value such as a feature); `text`.
   */
  type: 'int' | 'epoch_ns' | 'decimal' | 'float' | 'text';
}

export interface TableWriter {
  readonly columns: readonly ColumnSpec[];
  /** Integer cell; NaN writes an empty cell. */
  int(value: number): void;
  /** Epoch-nanosecond cell: `baseNs` + `offsetNs` (exact); NaN offset writes an empty cell. */
  epochNs(baseNs: bigint, offsetNs: number): void;
  /** Decimal cell from integer units of 10**-decimals; NaN writes an empty cell. */
  decimal(units: number, decimals: number): void;
  /** Real-number cell, written so that it reads back as the same double; NaN and infinities write an empty cell. */
  float(value: number): void;
  text(value: string): void;
  empty(): void;
  /** Ends the current row (every column must have been written). */
  endRow(): void;
  /** Flushes and closes; resolves when the file is complete. */
  close(): Promise<void>;
  /** Rows written so far. */
  readonly rows: number;
}
