import { FlowmineError } from '../../core/errors.js';
import type { ColumnSpec } from '../../core/table.js';
import { wasmInstance, type WasmMemory } from '../../core/wasm-module.js';
import { DECIMAL, EPOCH, INT, tapeLayout, type RowFormatter, type TapeLayout } from './row-tape.js';
import { CsvWriter, type JsonlWriter } from './text-writers.js';

interface Global {
  readonly value: number;
}

/** wasm/csv-rows.ts, as its instance exports it. */
interface CsvRowsExports {
  readonly memory: WasmMemory;
  readonly BLOCK_SLOTS: Global;
  readonly MAX_COLUMNS: Global;
  readonly MAX_BASES: Global;
  readonly OUT_BYTES: Global;
  readonly INT: Global;
  readonly DECIMAL: Global;
  readonly EPOCH: Global;
  blockCells(): number;
  columnKinds(): number;
  columnSlots(): number;
  epochSeconds(): number;
  epochNanos(): number;
  output(): number;
  outputBytes(): number;
  setLayout(columns: number, stride: number): void;
  format(from: number, to: number, limit: number): number;
}

const NS_PER_SECOND = 1_000_000_000n;

/**
 * Writes rows of the writer thread's tape as CSV lines formatted in WebAssembly (wasm/csv-rows.ts), for
 * tables whose every column is an int, a decimal or an epoch-ns time (the best bid/offer and depth rows of
 * `replay`): the same bytes as the JavaScript writer, at a fraction of its cost. `for` says which tables.
 */
export class CsvRows implements RowFormatter {
  private readonly wasm: CsvRowsExports;
  private readonly cells: Float64Array;
  private readonly seconds: Float64Array;
  private readonly nanos: Float64Array;
  private readonly output: Uint8Array;
  private readonly maxBases: number;
  /** The epoch bases' texts the module holds, by index. */
  private bases: readonly string[] = [];
  /** Bytes of output a call of the module writes at most before they are handed to the writer. */
  private readonly outputLimit: number;

  /**
   * A formatter of the tape's rows for `writer`, or null unless it is CSV and every column an int, a
   * decimal or an epoch-ns time. `outputLimit` (bytes; by default the module's whole output, 512 KiB) is
   * for tests, which make the module hand its output over often.
   */
  static for(columns: readonly ColumnSpec[], writer: CsvWriter | JsonlWriter, outputLimit?: number): CsvRows | null {
    return writer instanceof CsvWriter && CsvRows.formats(columns) ? new CsvRows(tapeLayout(columns), outputLimit) : null;
  }

  /** Whether a CSV table of `columns` is formatted here (every column an int, a decimal or an epoch-ns time). */
  static formats(columns: readonly ColumnSpec[]): boolean {
    return columns.every((column) => column.type === 'int' || column.type === 'decimal' || column.type === 'epoch_ns');
  }

  private constructor(
    private readonly layout: TapeLayout,
    outputLimit?: number,
  ) {
    const wasm = wasmInstance<CsvRowsExports>('csv-rows');
    this.wasm = wasm;
    if (wasm.INT?.value !== INT || wasm.DECIMAL?.value !== DECIMAL || wasm.EPOCH?.value !== EPOCH) {
      throw new FlowmineError('dist/src/wasm/csv-rows.wasm does not match this build: run `npm run build`');
    }
    const buffer = wasm.memory.buffer;
    const columns = layout.kinds.length;
    if (columns > wasm.MAX_COLUMNS.value || layout.blockRows * layout.stride > wasm.BLOCK_SLOTS.value) throw new FlowmineError(`a table of ${columns} columns is wider than the CSV module formats`);
    new Uint8Array(buffer, wasm.columnKinds(), columns).set(layout.kinds);
    new Int32Array(buffer, wasm.columnSlots(), columns).set(layout.slots);
    wasm.setLayout(columns, layout.stride);
    this.maxBases = wasm.MAX_BASES.value;
    this.outputLimit = Math.min(outputLimit ?? Infinity, wasm.OUT_BYTES.value);
    this.cells = new Float64Array(buffer, wasm.blockCells(), wasm.BLOCK_SLOTS.value);
    this.seconds = new Float64Array(buffer, wasm.epochSeconds(), this.maxBases);
    this.nanos = new Float64Array(buffer, wasm.epochNanos(), this.maxBases);
    this.output = new Uint8Array(buffer, wasm.output());
  }

  /**
   * Writes `rows` rows of the tape from slot `at` into `writer`, the texts of their epoch bases indexing
   * `strings`; returns how many it wrote: all, or fewer when a row holds a cell the module leaves to the
   * JavaScript writer (which reports it, or writes it as it always did).
   */
  write(cells: Float64Array, at: number, rows: number, strings: readonly string[], writer: CsvWriter | JsonlWriter): number {
    if (strings.length > this.maxBases) return 0;
    this.setBases(strings);
    this.cells.set(cells.subarray(at, at + rows * this.layout.stride));
    const wasm = this.wasm;
    let row = 0;
    while (row < rows) {
      const next = wasm.format(row, rows, this.outputLimit);
      if (next === row) break;
      writer.formattedRows(this.output.subarray(0, wasm.outputBytes()), next - row);
      row = next;
    }
    return row;
  }

  /** The block's epoch bases as whole seconds and nanoseconds (as the JavaScript writer splits them). */
  private setBases(strings: readonly string[]): void {
    if (strings === this.bases || (strings.length === this.bases.length && strings.every((text, i) => text === this.bases[i]))) return;
    strings.forEach((text, i) => {
      const base = BigInt(text);
      this.seconds[i] = Number(base / NS_PER_SECOND);
      this.nanos[i] = Number(base % NS_PER_SECOND);
    });
    this.bases = strings;
  }
}
