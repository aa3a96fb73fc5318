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
  /**
   * `epochNs(baseNs, offsets[at])` for hot loops, the offset read by the writer: a double passed to a call
   * that is not inlined is boxed, an allocation per row (an offset in ns is beyond the small integers).
   */
  epochNsAt(baseNs: bigint, offsets: Float64Array, at: number): void;
  /** `int(values[at])`, read by the writer for the same reason (a venue's update ids pass 2^31). */
  intAt(values: Float64Array, at: number): void;
  /** Decimal cell from integer units of 10**-decimals; NaN writes an empty cell. */
  decimal(units: number, decimals: number): void;
  /** Real-number cell, written so that it reads back as the same double; NaN and infinities write an empty cell. */
  float(value: number): void;
  text(value: string): void;
  empty(): void;
  /** Ends the current row (every column must have been written). */
  endRow(): void;
  /**
   * Optional, for rows written in a hot loop: takes the next `count` cells of the row, all of `type`, to
   * be written in place in `cells` — a float in one slot, a decimal in two (its units, then its decimals),
   * NaN for an empty cell — and returns the first one's slot; or returns -1, taking none, when they are
   * to be written by the cell methods.
   */
  cellSlots?(type: 'float' | 'decimal', count: number): number;
  /**
   * Optional, the same for a whole row: takes every cell of the next row, to be written in place in `cells`
   * at `at + cellSlot[column]` — an int or a float its value, a decimal its units (its decimals in the next
   * slot), an epoch-ns cell its offset from `baseNs` (NaN: empty) — and returns `at`; or returns -1, taking
   * none, when the row is to be written by the cell methods (always for a table with text cells). One call
   * a row where a cell method costs a call a cell: the emitters' hot path.
   */
  rowSlots?(baseNs: bigint): number;
  /**
   * Optional, `rowSlots` for a run of rows: takes every cell of as many of the next `count` rows as the
   * writer has room for at once (at least one: `rowsTaken`), the first row's at the returned slot and each
   * next row's `rowStride` slots on, written as `rowSlots` says; `endRows` ends them all. Returns -1, taking
   * none, when rows are to be written by the cell methods.
   */
  rowsSlots?(baseNs: bigint, count: number): number;
  endRows?(): void;
  readonly rowsTaken?: number;
  readonly rowStride?: number;
  /** Per column, where `rowSlots` puts its cell's value, from the row's first slot. */
  readonly cellSlot?: Int32Array;
  /** Where `cellSlots` and `rowSlots` point. */
  readonly cells?: Float64Array;
  /** Flushes and closes; resolves when the file is complete. */
  close(): Promise<void>;
  /** Rows written so far. */
  readonly rows: number;
}
