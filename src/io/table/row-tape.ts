import type { ColumnSpec } from '../../core/table.js';
import type { CsvWriter, JsonlWriter } from './text-writers.js';

/**
 * The tape on which a writer thread receives rows (see io/writer-thread.ts): a ring of blocks of rows in
 * one shared Float64Array, each row the same number of slots, each cell at a fixed slot of its row.
 * An int or a float takes one slot; a decimal two (units, decimals); an epoch-ns cell two (its base, as
 * the index of its text among the block's strings, and the offset); a text cell one (the index of its
 * text). An empty cell is NaN in its first slot. Strings travel beside the block, by message.
 */
export const INT = 0;
export const FLOAT = 1;
export const DECIMAL = 2;
export const EPOCH = 3;
export const TEXT = 4;
const KIND: Record<ColumnSpec['type'], number> = { int: INT, float: FLOAT, decimal: DECIMAL, epoch_ns: EPOCH, text: TEXT };
const SLOTS = [1, 1, 2, 2, 1];

/**
 * Blocks in the ring, and slots per block (256 KiB: a block stays in the cache of the core that writes it).
 * 32 blocks (8 MiB, some 32,000 rows of `features`) let either thread stall for a collection or a
 * compilation without stopping the other: `features` on AMZN ×60 took 4.8 s against 5.3 s with 8 blocks
 * (medians of 10 runs each, alternated); 64 were no faster.
 */
export const BLOCKS = 32;
const BLOCK_SLOTS = 1 << 15;

/**
 * Words of the shared control array. The writing thread counts blocks PUBLISHED and the writer thread
 * blocks CONSUMED; SIGNAL changes whenever the writer thread is woken to look again (blocks, or DONE);
 * IDLE is set while the writer thread waits; READY once it can take rows; FAILED once it stopped on an error.
 */
export const PUBLISHED = 0;
export const CONSUMED = 1;
export const SIGNAL = 2;
export const DONE = 3;
export const READY = 4;
export const FAILED = 5;
export const IDLE = 6;
export const CONTROL_WORDS = 7;

export interface TapeLayout {
  /** Each column's kind (INT, FLOAT…) and first slot in its row. */
  readonly kinds: Uint8Array;
  readonly slots: Int32Array;
  /** Per column: the end of the run of columns of its kind that it starts. */
  readonly runEnd: Int32Array;
  /** Slots per row, rows per block. */
  readonly stride: number;
  readonly blockRows: number;
}

export function tapeLayout(columns: readonly ColumnSpec[]): TapeLayout {
  const kinds = Uint8Array.from(columns, (column) => KIND[column.type]);
  const slots = new Int32Array(columns.length);
  let stride = 0;
  for (let i = 0; i < columns.length; i++) {
    slots[i] = stride;
    stride += SLOTS[kinds[i]!]!;
  }
  const runEnd = new Int32Array(columns.length);
  for (let i = columns.length - 1; i >= 0; i--) runEnd[i] = i + 1 < columns.length && kinds[i + 1] === kinds[i] ? runEnd[i + 1]! : i + 1;
  return { kinds, slots, runEnd, stride, blockRows: Math.max(16, Math.floor(BLOCK_SLOTS / stride)) };
}

/** Slots the ring takes. */
export function ringSlots(layout: TapeLayout): number {
  return BLOCKS * layout.blockRows * layout.stride;
}

/** Writes rows of a tape block into a writer by other means; returns how many it wrote (csv-rows.ts: CsvRows). */
export interface RowFormatter {
  write(cells: Float64Array, at: number, rows: number, strings: readonly string[], writer: CsvWriter | JsonlWriter): number;
}

/**
 * The writer thread's side of the tape: turns its rows back into cells of a text writer; with a
 * `formatter`, the rows it writes first (CsvRows: CSV lines formatted in WebAssembly).
 */
export class TapeReader {
  private baseText = '';
  private base = 0n;

  constructor(
    private readonly layout: TapeLayout,
    private readonly writer: CsvWriter | JsonlWriter,
    private readonly formatter: RowFormatter | null = null,
  ) {}

  /**
   * Writes `rows` rows of the tape from slot `at` into the writer, the texts of their text and epoch cells
   * indexing `strings`. A run of float or decimal columns goes in one call.
   */
  read(cells: Float64Array, at: number, rows: number, strings: readonly string[]): void {
    const { kinds, slots, runEnd, stride } = this.layout;
    const writer = this.writer;
    const columns = kinds.length;
    let r = 0;
    if (this.formatter !== null) {
      r = this.formatter.write(cells, at, rows, strings, writer);
      at += r * stride;
    }
    for (; r < rows; r++, at += stride) {
      for (let column = 0; column < columns; ) {
        const slot = at + slots[column]!;
        switch (kinds[column]) {
          case FLOAT: {
            const end = runEnd[column]!;
            writer.floatsFrom(cells, slot, slot + end - column);
            column = end;
            continue;
          }
          case INT:
            writer.intAt(cells, slot);
            break;
          case DECIMAL: {
            const end = runEnd[column]!;
            writer.decimalsFrom(cells, slot, end - column);
            column = end;
            continue;
          }
          case EPOCH: {
            const id = cells[slot]!;
            if (id !== id) writer.empty();
            else writer.epochNsAt(this.baseOf(strings[id]!), cells, slot + 1);
            break;
          }
          default: {
            const id = cells[slot]!;
            if (id !== id) writer.empty();
            else writer.text(strings[id]!);
          }
        }
        column++;
      }
      writer.endRow();
    }
  }

  private baseOf(text: string): bigint {
    if (text !== this.baseText) {
      this.baseText = text;
      this.base = BigInt(text);
    }
    return this.base;
  }
}
