import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CsvWriter } from '../../../src/io/table/text-writers.js';

test('CSV: several epoch-ns columns each print their own seconds, however the rows repeat them', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'flowmine-csv-')), 'out.csv');
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
