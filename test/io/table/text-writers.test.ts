import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CsvWriter, JsonlWriter } from '../../../src/io/table/text-writers.js';
import { seededRandom } from '../../support/random.js';
import { tempDir } from '../../support/temp.js';

test('CSV: several epoch-ns columns each print their own seconds, however the rows repeat them', async () => {
  const path = join(tempDir('flowmine-csv-'), 'out.csv');
  const writer = new CsvWriter(path, [
    { name: 'start_ns', type: 'epoch_ns' },
    { name: 'end_ns', type: 'epoch_ns' },
  ]);
  const base = 1_723_161_477_000_000_000n;
  // Offsets (ns after base): each row's two cells fall in different seconds, and cells repeat a second of
  // the other column's previous cell — what episode files (start, end) look like.
  const rows: [number, number][] = [
    [0.929e9, 3.5e9],
    [3.1e9, 3.2e9],
    [3.3e9, 0.5e9],
    [0.6e9, 0.7e9],
    [NaN, 0.8e9],
    [0.9e9, NaN],
  ];
  for (const [start, end] of rows) {
    writer.epochNs(base, start);
    writer.epochNs(base, end);
    writer.endRow();
  }
  await writer.close();
  const cell = (offset: number) => (Number.isNaN(offset) ? '' : String(base + BigInt(offset)));
  const expected = ['start_ns,end_ns', ...rows.map(([start, end]) => `${cell(start)},${cell(end)}`)];
  assert.deepEqual(readFileSync(path, 'utf8').trimEnd().split('\n'), expected);
});

/** Decimal text of integer units of 10^-decimals: no trailing zeros, no point for whole numbers. */
function unitsText(units: number, decimals: number): string {
  const sign = units < 0 ? '-' : '';
  const magnitude = Math.abs(units);
  const scale = 10 ** decimals;
  const whole = Math.floor(magnitude / scale);
  const fraction = String(magnitude - whole * scale).padStart(decimals, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** What a float cell says: empty for NaN and infinities, the shortest decimal of at most 8 places, else String(). */
function floatText(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value)) return String(value);
  for (let decimals = 1, scale = 10; decimals <= 8; decimals++, scale *= 10) {
    const units = Math.round(value * scale);
    if (units / scale === value && Math.abs(units) < 2 ** 53) return unitsText(units, decimals);
  }
  return String(value);
}

test('CSV and JSONL: float, decimal, int and text cells as written one by one, over rows that repeat and flushes', async () => {
  const next = seededRandom(3);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const floats = [0, -0, 1, -21, 0.1, 223.565, -0.6528925619834711, 223.83429752066118, 5.998311167772489e-5, 1e-7, 1.2e-9, 123456789.123, NaN, Infinity, -Infinity, 4503599627370497];
  const columns = [
    { name: 'a', type: 'float' },
    { name: 'b', type: 'float' },
    { name: 'price', type: 'decimal' },
    { name: 'n', type: 'int' },
    { name: 'c', type: 'float' },
    { name: 'symbol', type: 'text' },
    { name: 'd', type: 'float' },
  ] as const;
  const rows: { a: number; b: number; price: number; decimals: number; n: number; c: number; symbol: string; d: number }[] = [];
  let row = { a: 0, b: 0, price: 223565, decimals: 3, n: 1, c: 0, symbol: 'X', d: 0 };
  // Enough rows for the 1 MiB output buffer to flush several times; each cell changes now and then.
  for (let i = 0; i < 60_000; i++) {
    row = {
      a: next() < 0.3 ? pick(floats) : row.a,
      b: next() < 0.5 ? (next() - 0.5) * 10 ** Math.floor(next() * 12 - 6) : row.b,
      price: next() < 0.2 ? (next() < 0.1 ? NaN : Math.round((next() - 0.2) * 1e6)) : row.price,
      decimals: next() < 0.05 ? Math.floor(next() * 5) : row.decimals,
      n: next() < 0.1 ? (next() < 0.1 ? NaN : Math.floor(next() * 1e12)) : row.n,
      c: next() < 0.2 ? Math.round(next() * 1e5) / 100 : row.c,
      symbol: next() < 0.01 ? pick(['X', 'a,b', 'q"uote', 'long '.repeat(1000)]) : row.symbol,
      d: next() < 0.1 ? pick(floats) : row.d,
    };
    rows.push(row);
  }
  const dir = tempDir('flowmine-cells-');
  const csvPath = join(dir, 'out.csv');
  const jsonlPath = join(dir, 'out.jsonl');
  const csv = new CsvWriter(csvPath, columns);
  const jsonl = new JsonlWriter(jsonlPath, columns);
  for (const [k, r] of rows.entries()) {
    for (const writer of [csv, jsonl]) {
      // Float cells one by one, and the runs of them through `floats`.
      if (k % 2 === 0) {
        writer.float(r.a);
        writer.float(r.b);
      } else writer.floats(Float64Array.of(r.a, r.b));
      writer.decimal(r.price, r.decimals);
      writer.int(r.n);
      writer.float(r.c);
      writer.text(r.symbol);
      writer.floats(Float64Array.of(r.d));
      writer.endRow();
    }
  }
  await csv.close();
  await jsonl.close();
  const csvCell = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const decimalText = (units: number, decimals: number) => (Number.isNaN(units) ? '' : unitsText(units, decimals));
  const cells = (r: (typeof rows)[number]) => [floatText(r.a), floatText(r.b), decimalText(r.price, r.decimals), Number.isNaN(r.n) ? '' : String(r.n), floatText(r.c), r.symbol, floatText(r.d)];
  const expectedCsv = ['a,b,price,n,c,symbol,d', ...rows.map((r) => cells(r).map((cell, i) => (i === 5 ? csvCell(cell) : cell)).join(','))];
  assert.deepEqual(readFileSync(csvPath, 'utf8').trimEnd().split('\n'), expectedCsv);
  const expectedJsonl = rows.map((r) => `{${cells(r).map((cell, i) => `${JSON.stringify(columns[i]!.name)}:${i === 5 ? JSON.stringify(cell) : cell === '' ? 'null' : cell}`).join(',')}}`);
  assert.deepEqual(readFileSync(jsonlPath, 'utf8').trimEnd().split('\n'), expectedJsonl);
});

test('JSONL: rows longer than the default buffer', async () => {
  const path = join(tempDir('flowmine-wide-'), 'out.jsonl');
  const width = 20_000;
  const names = Array.from({ length: width }, (_, i) => `a_rather_long_column_name_${i}`);
  const writer = new JsonlWriter(path, names.map((name) => ({ name, type: 'float' as const })));
  // About 1.2 MB a row; rows repeat some cells of the one above.
  const rows = [0, 1, 1, 2].map((k) => Float64Array.from({ length: width }, (_, i) => -0.6528925619834711 * (i % 3 === k % 3 ? i + k : i)));
  for (const row of rows) {
    writer.floats(row);
    writer.endRow();
  }
  await writer.close();
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, rows.length);
  rows.forEach((row, r) => assert.equal(lines[r], `{${Array.from(row, (value, i) => `"${names[i]}":${floatText(value)}`).join(',')}}`, `row ${r}`));
});

test('CSV: wide rows of floats written in one call, with runs of repeated cells of every length', async () => {
  const path = join(tempDir('flowmine-runs-'), 'out.csv');
  const next = seededRandom(11);
  const width = 12;
  const values = [0, -0, 1, 7, -21, 100, 2147483647, -2147483648, 2147483648, 0.77, 223.565, -0.6528925619834711, 1.0392879006558316e-20, NaN, Infinity];
  const columns = Array.from({ length: width }, (_, i) => ({ name: `c${i}`, type: 'float' as const }));
  const writer = new CsvWriter(path, [{ name: 'ts_ns', type: 'epoch_ns' }, ...columns]);
  const base = 1_340_285_400_000_000_000n;
  const rows: Float64Array[] = [];
  let row = new Float64Array(width);
  // Each row keeps each cell of the one above with a probability that changes from row to row, so that
  // runs of kept cells start, end and span the row anywhere; enough rows to flush the buffer a few times.
  for (let r = 0; r < 40_000; r++) {
    const keep = next();
    row = row.map((value) => (next() < keep ? value : next() < 0.5 ? values[Math.floor(next() * values.length)]! : (next() - 0.5) * 10 ** Math.floor(next() * 8 - 4)));
    rows.push(row);
    writer.epochNs(base, r * 1_000_003);
    writer.floats(row);
    writer.endRow();
  }
  await writer.close();
  const expected = ['ts_ns,' + columns.map((column) => column.name).join(','), ...rows.map((cells, r) => `${base + BigInt(r * 1_000_003)},${Array.from(cells, floatText).join(',')}`)];
  assert.deepEqual(readFileSync(path, 'utf8').trimEnd().split('\n'), expected);
});

test('CSV: rows of decimal cells written in one call, as a tape holds them, with runs of repeated cells of every length', async () => {
  const path = join(tempDir('flowmine-decimal-runs-'), 'out.csv');
  const next = seededRandom(12);
  const width = 6;
  const columns = Array.from({ length: width }, (_, i) => ({ name: `d${i}`, type: 'decimal' as const }));
  const writer = new CsvWriter(path, [{ name: 'seq', type: 'int' }, ...columns]);
  const rows: Float64Array[] = [];
  // Pairs of units and decimals; a kept cell keeps both, a new one may keep the units at other decimals
  // (not a repeat) or be empty (NaN units).
  let row = new Float64Array(2 * width);
  for (let r = 0; r < 30_000; r++) {
    const keep = next();
    row = row.slice();
    for (let c = 0; c < width; c++) {
      if (next() < keep) continue;
      const roll = next();
      if (roll < 0.1) row[2 * c] = NaN;
      else if (roll < 0.3) row[2 * c + 1] = Math.floor(next() * 9);
      else row[2 * c] = Math.round((next() - 0.3) * 10 ** Math.floor(next() * 10));
    }
    rows.push(row);
    writer.int(r);
    writer.decimalsFrom(row, 0, width);
    writer.endRow();
  }
  await writer.close();
  const decimalText = (units: number, decimals: number) => {
    if (Number.isNaN(units)) return '';
    const digits = Math.abs(units).toString().padStart(decimals + 1, '0');
    const text = decimals > 0 ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`.replace(/\.?0+$/, '') : digits;
    return units < 0 ? `-${text}` : text;
  };
  const cellsOf = (cells: Float64Array) => Array.from({ length: width }, (_, c) => decimalText(cells[2 * c]!, cells[2 * c + 1]!));
  const expected = ['seq,' + columns.map((column) => column.name).join(','), ...rows.map((cells, r) => `${r},${cellsOf(cells).join(',')}`)];
  assert.deepEqual(readFileSync(path, 'utf8').trimEnd().split('\n'), expected);
});

test('CSV: a column that holds a decimal, then a float, then the same decimal writes each cell as its own', async () => {
  // A float cell does not overwrite what the decimal above was: the decimal below must not be taken for a repeat of it.
  const path = join(tempDir('flowmine-mixed-'), 'mixed.csv');
  const writer = new CsvWriter(path, [{ name: 'x', type: 'decimal' }]);
  for (const cell of [() => writer.decimal(5, 0), () => writer.float(7), () => writer.decimal(5, 0), () => writer.decimal(5, 0), () => writer.float(5)]) {
    cell();
    writer.endRow();
  }
  await writer.close();
  assert.equal(readFileSync(path, 'utf8'), 'x\n5\n7\n5\n5\n5\n');
});
