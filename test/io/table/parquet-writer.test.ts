import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { ParquetWriter } from '../../../src/io/table/parquet-writer.js';
import { tempDir } from '../../support/temp.js';

test('Parquet: decimal columns take 18 digits when their values fit, 38 when they do not, and keep every value exact', async () => {
  const path = join(tempDir('flowmine-parquet-'), 'out.parquet');
  const writer = new ParquetWriter(path, [
    { name: 'price', type: 'decimal' },
    { name: 'size', type: 'decimal' },
    { name: 'wide', type: 'decimal' },
    { name: 'edge', type: 'decimal' },
    { name: 'x', type: 'float' },
  ]);
  // [price units at 2 decimals, size units at 8, wide: units and decimals, edge: units at 0 decimals].
  const rows: [number, number, number, number, number, number][] = [
    [12345, 150000000, 9_007_199_254_740_991, 0, 1, 0.5],
    [NaN, 1, 1, 8, 999_999_999_999_999, 1.5], // `wide` needs 16 + 8 digits; `edge` 15 digits at 2 decimals (below)
    [12346, NaN, 5, 8, -999_999_999_999_999, NaN],
  ];
  for (const [price, size, wideUnits, wideDecimals, edge, x] of rows) {
    writer.decimal(price, 2);
    writer.decimal(size, 8);
    writer.decimal(wideUnits, wideDecimals);
    writer.decimal(edge, 0);
    writer.float(x);
    writer.endRow();
  }
  // A last row puts 2 decimals into `edge`: 15 + 2 = 17 digits still fit in 18.
  writer.decimal(1, 2);
  writer.decimal(1, 8);
  writer.decimal(1, 8);
  writer.decimal(1, 2);
  writer.float(0);
  writer.endRow();
  await writer.close();

  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const types = await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${path}')`);
  assert.deepEqual(types.getRows(), [
    ['price', 'DECIMAL(18,2)'],
    ['size', 'DECIMAL(18,8)'],
    ['wide', 'DECIMAL(38,8)'],
    ['edge', 'DECIMAL(18,2)'],
    ['x', 'DOUBLE'],
  ]);
  const values = await connection.runAndReadAll(`SELECT price::VARCHAR, size::VARCHAR, wide::VARCHAR, edge::VARCHAR, x FROM '${path}'`);
  assert.deepEqual(values.getRows(), [
    ['123.45', '1.50000000', '9007199254740991.00000000', '1.00', 0.5],
    [null, '0.00000001', '0.00000001', '999999999999999.00', 1.5],
    ['123.46', null, '0.00000005', '-999999999999999.00', null],
    ['0.01', '0.00000001', '0.00000001', '0.01', 0],
  ]);
});

test('Parquet: text, epoch ns, ints and floats over several row groups, every value exact, missing ones NULL', async () => {
  const path = join(tempDir('flowmine-parquet-'), 'out.parquet');
  const writer = new ParquetWriter(path, [
    { name: 'ts_ns', type: 'epoch_ns' },
    { name: 'n', type: 'int' },
    { name: 'label', type: 'text' },
    { name: 'x', type: 'float' },
  ]);
  const texts = ['plain', 'comma, "quoted"\nand a new line', 'ünïcödé ✓', ''];
  const bases = [1_340_251_200_000_000_000n, 1_723_161_477_123_456_789n];
  const rows = 150_000; // three row groups of staging
  const expected: string[] = [];
  for (let i = 0; i < rows; i++) {
    const base = bases[i % 2]!;
    // Offsets up to 2^53 either way: the sum needs all 64 bits' carry and borrow.
    const offset = i % 7 === 0 ? NaN : (i % 3 === 0 ? -1 : 1) * (i * 1_000_003 + (i % 5 === 0 ? 2 ** 52 : 0));
    const n = i % 11 === 0 ? NaN : i * 1_000_000_007 - 2 ** 52;
    const text = texts[i % texts.length]!;
    const x = i % 13 === 0 ? Infinity : i % 17 === 0 ? NaN : i / 7;
    writer.epochNs(base, offset);
    writer.int(n);
    if (i % 19 === 0) writer.empty();
    else writer.text(text);
    writer.float(x);
    writer.endRow();
    const cell = (value: string | null) => (value === null ? '' : value);
    expected.push(
      [
        cell(Number.isNaN(offset) ? null : String(base + BigInt(offset))),
        cell(Number.isNaN(n) ? null : String(BigInt(n))),
        cell(i % 19 === 0 || text === '' ? null : JSON.stringify(text)),
        cell(Number.isFinite(x) ? String(x) : null),
      ].join('\t'),
    );
  }
  await writer.close();
  assert.equal(writer.rows, rows);

  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const types = await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${path}')`);
  assert.deepEqual(types.getRows(), [
    ['ts_ns', 'BIGINT'],
    ['n', 'BIGINT'],
    ['label', 'VARCHAR'],
    ['x', 'DOUBLE'],
  ]);
  const read = await connection.runAndReadAll(`SELECT ts_ns::VARCHAR, n::VARCHAR, to_json(label)::VARCHAR, x FROM '${path}'`);
  const got = read.getRows().map((row) => row.map((value) => (value === null ? '' : String(value))).join('\t'));
  assert.equal(got.length, rows);
  for (let i = 0; i < rows; i++) if (got[i] !== expected[i]) assert.fail(`row ${i}: ${got[i]} !== ${expected[i]}`);
});
