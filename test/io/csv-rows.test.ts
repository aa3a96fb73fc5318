import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ColumnSpec } from '../../src/core/table.js';
import { CsvRows } from '../../src/io/table/csv-rows.js';
import { TapeReader, tapeLayout } from '../../src/io/table/row-tape.js';
import { CsvWriter, JsonlWriter } from '../../src/io/table/text-writers.js';
import { seededRandom } from '../support/random.js';
import { tempDir } from '../support/temp.js';

// CSV lines formatted in WebAssembly (the writer thread's tables of int, decimal and epoch-ns columns)
// against the JavaScript writer, byte for byte, on random blocks: values that repeat from row to row (the
// module copies those), empty cells, negative numbers, integers past 2^31, decimals of 0 to 18 places with
// trailing zeros, times on several bases and at the epoch's first second.

const random = seededRandom(20261128);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

const BASES = ['1340236800000000000', '1724716800000000000', '0'];

/** A random cell of `kind` written on the tape at `slot` (an epoch cell names its base by index into BASES). */
function fillCell(cells: Float64Array, slot: number, type: ColumnSpec['type']): void {
  if (random() < 0.05) {
    cells[slot] = NaN;
    return;
  }
  const magnitude = pick([9, 999, 99_999, 2 ** 31 + 5, 2 ** 40, 2 ** 53 - 1]);
  const sign = random() < 0.15 ? -1 : 1;
  if (type === 'int') cells[slot] = sign * int(0, magnitude);
  else if (type === 'decimal') {
    const decimals = pick([0, 1, 2, 4, 8, 18]);
    cells[slot] = sign * int(0, magnitude) * pick([1, 10, 1000]);
    cells[slot + 1] = decimals;
  } else {
    cells[slot] = int(0, BASES.length - 1);
    cells[slot + 1] = random() < 0.05 ? NaN : int(0, 3) * 86_400e9 + int(0, 5) * 1e9 + int(0, 999_999_999);
  }
}

/** A block of `rows` random rows on a tape of `columns`, most cells repeating the one above, as a book's best levels do. */
function randomCells(columns: ColumnSpec[], rows: number): Float64Array {
  const layout = tapeLayout(columns);
  const cells = new Float64Array(rows * layout.stride);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns.length; c++) {
      const slot = r * layout.stride + layout.slots[c]!;
      if (r > 0 && random() < 0.6 && columns[c]!.type !== 'epoch_ns') {
        cells[slot] = cells[slot - layout.stride]!;
        cells[slot + 1] = cells[slot + 1 - layout.stride]!;
      } else fillCell(cells, slot, columns[c]!.type);
    }
  }
  return cells;
}

/** The CSV text of `cells` written by the JavaScript writer, and by `write` with the WebAssembly module (`write` returns the rows the module wrote). */
async function writeBoth(columns: ColumnSpec[], cells: Float64Array, write: (writer: CsvWriter, formatter: CsvRows) => number, outputLimit?: number): Promise<{ js: string; wasm: string; wrote: number }> {
  const layout = tapeLayout(columns);
  const dir = tempDir('flowmine-csv-rows-');
  const paths = [join(dir, 'js.csv'), join(dir, 'wasm.csv')];
  const js = new CsvWriter(paths[0]!, columns);
  try {
    new TapeReader(layout, js).read(cells, 0, cells.length / layout.stride, BASES);
  } finally {
    await js.close();
  }
  const wasmWriter = new CsvWriter(paths[1]!, columns);
  let wrote = 0;
  try {
    wrote = write(wasmWriter, CsvRows.for(columns, wasmWriter, outputLimit)!);
  } finally {
    await wasmWriter.close();
  }
  return { js: readFileSync(paths[0]!, 'latin1'), wasm: readFileSync(paths[1]!, 'latin1'), wrote };
}

test('CSV rows formatted in WebAssembly: the bytes of the JavaScript writer on 200 random tables, a tape block at a time, the output handed over at random lengths', async () => {
  let rows = 0;
  for (let table = 0; table < 200; table++) {
    const columns: ColumnSpec[] = Array.from({ length: int(1, 12) }, (_, i) => ({ name: `c${i}`, type: pick(['int', 'decimal', 'epoch_ns'] as const) }));
    const layout = tapeLayout(columns);
    // Blocks as the tape holds them (at most 32,768 slots), some full; the module's output handed over
    // after every row, every few rows, or as it does.
    const blockRows = Math.floor(32_768 / layout.stride);
    const count = table % 10 === 0 ? 3 * blockRows : int(1, 400);
    const cells = randomCells(columns, count);
    const { js, wasm } = await writeBoth(columns, cells, (writer, formatter) => {
      const reader = new TapeReader(layout, writer, formatter);
      for (let at = 0; at < count; ) {
        const block = Math.min(count - at, table % 10 === 0 ? blockRows : int(1, 200));
        reader.read(cells, at * layout.stride, block, BASES);
        at += block;
      }
      return count;
    }, pick([undefined, 1, 64, 4096]));
    assert.equal(wasm, js, `table ${table}: ${columns.map((column) => column.type).join(',')}`);
    rows += count;
  }
  assert.ok(rows > 100_000, `${rows} rows`);
});

test('CSV rows formatted in WebAssembly: a cell the module leaves goes to the JavaScript writer, from its row on', async () => {
  const columns: ColumnSpec[] = [
    { name: 'ts_ns', type: 'epoch_ns' },
    { name: 'px', type: 'decimal' },
  ];
  const stride = tapeLayout(columns).stride;
  const writeAll = (cells: Float64Array) => (writer: CsvWriter, formatter: CsvRows) => {
    const wrote = formatter.write(cells, 0, 50, BASES, writer);
    new TapeReader(tapeLayout(columns), writer).read(cells, wrote * stride, 50 - wrote, BASES);
    return wrote;
  };
  // A fraction of a unit: the JavaScript writer reports it.
  const fraction = randomCells(columns, 50);
  fraction[20 * stride + 2] = 1.5;
  await assert.rejects(writeBoth(columns, fraction, writeAll(fraction)), /decimal cell: 1.5 is not a whole number of units/);
  // A fraction of a nanosecond: the module writes the rows before it, the JavaScript writer the rest, the same bytes.
  const time = randomCells(columns, 50);
  time[20 * stride] = 0;
  time[20 * stride + 1] = 5.5;
  const { js, wasm, wrote } = await writeBoth(columns, time, writeAll(time));
  assert.equal(wrote, 20);
  assert.equal(wasm, js);
});

test('CSV rows in WebAssembly only for CSV tables of int, decimal and epoch-ns columns', () => {
  const numeric: ColumnSpec[] = [{ name: 'a', type: 'int' }];
  const dir = tempDir('flowmine-csv-rows-');
  assert.ok(CsvRows.for(numeric, new CsvWriter(join(dir, 'a.csv'), numeric)));
  assert.equal(CsvRows.for(numeric, new JsonlWriter(join(dir, 'a.jsonl'), numeric)), null);
  const withFloat: ColumnSpec[] = [...numeric, { name: 'b', type: 'float' }];
  assert.equal(CsvRows.for(withFloat, new CsvWriter(join(dir, 'b.csv'), withFloat)), null);
});
