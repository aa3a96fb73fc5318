import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { ColumnSpec, TableWriter } from '../../../src/core/table.js';
import { CsvWriter, JsonlWriter } from '../../../src/io/table/text-writers.js';
import { ThreadedWriter } from '../../../src/io/writer-thread.js';
import { REPO_ROOT } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const COLUMNS: ColumnSpec[] = [
  { name: 'ts', type: 'epoch_ns' },
  { name: 'n', type: 'int' },
  { name: 'symbol', type: 'text' },
  { name: 'px', type: 'decimal' },
  { name: 'a', type: 'float' },
  { name: 'b', type: 'float' },
  { name: 'c', type: 'float' },
  { name: 'note', type: 'text' },
  { name: 'sz', type: 'decimal' },
];

const BASES = [1_340_285_400_000_000_000n, 1_700_000_000_123_456_789n];
const SYMBOLS = ['AMZN', 'BTC-USD', 'ETH "spot", perp'];

/**
 * Writes `rows` rows of every cell kind: repeated and changing values, two epoch bases, three symbols,
 * texts with quotes, commas and newlines, empty cells of each kind, NaN and infinities; on a writer
 * thread, a third of the rows' floats and a quarter of their first decimals written in place.
 */
function fill(writer: TableWriter & { floats(values: Float64Array): void }, rows: number): void {
  const floats = new Float64Array(3);
  for (let r = 0; r < rows; r++) {
    if (r % 97 === 13) writer.empty();
    else writer.epochNs(BASES[(r >> 12) & 1]!, r * 1_000_003 + (r % 7) * 2 ** 40);
    if (r % 89 === 5) writer.empty();
    else writer.int(r % 3 === 0 ? -r * 12345 : 2 ** 40 + r);
    if (r % 83 === 7) writer.empty();
    else writer.text(SYMBOLS[(r >> 9) % 3]!);
    const units = r % 79 === 3 ? NaN : 10_000 + (r % 50);
    const tape = r % 4 === 2 && writer instanceof ThreadedWriter ? writer : null;
    const at = tape ? tape.cellSlots('decimal', 1) : -1;
    if (tape && at >= 0) {
      tape.cells[at] = units;
      tape.cells[at + 1] = 2 + (r % 3);
    } else writer.decimal(units, 2 + (r % 3));
    floats[0] = r % 5 === 0 ? floats[0]! : Math.sin(r) * 1e3;
    floats[1] = r % 71 === 1 ? NaN : r % 73 === 2 ? Infinity : r / 8;
    floats[2] = r % 11;
    if (r % 101 === 9) {
      writer.float(floats[0]!);
      writer.empty();
      writer.float(floats[2]!);
    } else if (r % 3 === 1 && writer instanceof ThreadedWriter) {
      // In place on the tape, once the thread writes (before, cellSlots says -1 and the cells go by floats).
      const at = writer.cellSlots('float', 3);
      if (at >= 0) writer.cells.set(floats, at);
      else writer.floats(floats);
    } else writer.floats(floats);
    if (r % 67 === 0) writer.text(`row ${r}: "quoted", with\nnewline`);
    else if (r % 61 === 0) writer.empty();
    else writer.text('');
    writer.decimal(r % 13, 0);
    writer.endRow();
  }
}

for (const format of ['csv', 'jsonl'] as const) {
  test(`writer thread: ${format} bytes equal the plain writer's, over many blocks of the ring, with the rows handed over from the first or midway, or never (a short table)`, async () => {
    const folder = tempDir('flowmine-threaded-');
    for (const [rows, fromFirstRow] of [[120_000, true], [120_000, false], [500, false]] as const) {
      const plainPath = join(folder, `plain-${rows}.${format}`);
      const plain = format === 'csv' ? new CsvWriter(plainPath, COLUMNS) : new JsonlWriter(plainPath, COLUMNS);
      fill(plain, rows);
      await plain.close();
      const path = join(folder, `threaded-${rows}-${fromFirstRow}.${format}`);
      const threaded = new ThreadedWriter(path, COLUMNS, format, { fromFirstRow });
      fill(threaded, rows);
      await threaded.close();
      assert.equal(threaded.rows, rows);
      assert.ok(readFileSync(path).equals(readFileSync(plainPath)), `${rows} rows, fromFirstRow ${fromFirstRow}`);
    }
  });
}

/** A table without text: what `rowSlots` takes whole. Two epoch columns, so each row fills two bases. */
const NUMERIC: ColumnSpec[] = [
  { name: 'ts', type: 'epoch_ns' },
  { name: 'seq', type: 'int' },
  { name: 'px', type: 'decimal' },
  { name: 'sz', type: 'decimal' },
  { name: 'x', type: 'float' },
  { name: 'until', type: 'epoch_ns' },
];

/** NUMERIC without its float: a table the writer thread formats in WebAssembly (csv-rows.ts). */
const BOOK: ColumnSpec[] = NUMERIC.filter((column) => column.type !== 'float');

/** Row r of NUMERIC: its time base and its cells' values. */
function numericRow(r: number) {
  return {
    base: BASES[(r >> 13) & 1]!,
    time: r % 97 === 13 ? NaN : r * 1_000_003 + (r % 7) * 2 ** 40,
    seq: r % 89 === 5 ? NaN : 2 ** 40 + (r >> 2),
    px: r % 79 === 3 ? NaN : 10_000 + (r % 50),
    x: r % 71 === 1 ? NaN : r % 5 === 0 ? 0.5 : r / 8,
  };
}

/** Writes row r of NUMERIC (of BOOK without `withFloat`) in place, at `at` of `writer.cells`. */
function putNumeric(writer: TableWriter, at: number, r: number, withFloat: boolean): void {
  const { time, seq, px, x } = numericRow(r);
  const cells = writer.cells!;
  const slot = writer.cellSlot!;
  cells[at + slot[0]!] = time;
  cells[at + slot[1]!] = seq;
  cells[at + slot[2]!] = px;
  cells[at + slot[2]! + 1] = 2 + (r % 3);
  cells[at + slot[3]!] = r % 13;
  cells[at + slot[3]! + 1] = 0;
  if (withFloat) cells[at + slot[4]!] = x;
  cells[at + slot[withFloat ? 5 : 4]!] = time + 5;
}

/** Writes row r of NUMERIC (of BOOK without `withFloat`) a cell at a time, and ends it. */
function cellsNumeric(writer: TableWriter, r: number, withFloat: boolean): void {
  const { base, time, seq, px, x } = numericRow(r);
  const times = new Float64Array([time]);
  writer.epochNsAt(base, times, 0);
  writer.int(seq);
  writer.decimal(px, 2 + (r % 3));
  writer.decimal(r % 13, 0);
  if (withFloat) writer.float(x);
  writer.epochNs(base, time + 5);
  writer.endRow();
}

/** Rows of NUMERIC (of BOOK without `withFloat`); on a writer thread, two rows in three go in place through `rowSlots` (once it offers them). */
function fillNumeric(writer: TableWriter, rows: number, withFloat = true): void {
  for (let r = 0; r < rows; r++) {
    const at = r % 3 !== 0 && writer.rowSlots ? writer.rowSlots(numericRow(r).base) : -1;
    if (at < 0) {
      cellsNumeric(writer, r, withFloat);
      continue;
    }
    putNumeric(writer, at, r, withFloat);
    writer.endRow();
  }
}

/**
 * The rows of `fillNumeric`, in runs of 1 to 5,000 rows (of one time base) asked of `rowsSlots`; each run
 * as many rows as the writer took, and a row a cell at a time when it takes none.
 */
function fillNumericRuns(writer: TableWriter, rows: number, withFloat = true): void {
  const lengths = [1, 7, 300, 5_000];
  for (let r = 0, k = 0; r < rows; k++) {
    const wanted = Math.min(lengths[k % lengths.length]!, rows - r, 8192 - (r & 8191));
    const at = writer.rowsSlots!(numericRow(r).base, wanted);
    if (at < 0) {
      cellsNumeric(writer, r++, withFloat);
      continue;
    }
    const taken = writer.rowsTaken!;
    assert.ok(taken >= 1 && taken <= wanted, `${taken} rows taken of ${wanted}`);
    for (let i = 0; i < taken; i++) putNumeric(writer, at + i * writer.rowStride!, r++, withFloat);
    writer.endRows!();
  }
}

test('writer thread: whole rows taken in place (rowSlots, or a run at a time by rowsSlots) write the bytes the cells would; a table with text, or a row begun, does not take them', async () => {
  const folder = tempDir('flowmine-threaded-');
  for (const [rows, fromFirstRow] of [[60_000, true], [60_000, false]] as const) {
    const plainPath = join(folder, `plain-${rows}.csv`);
    const plain = new CsvWriter(plainPath, NUMERIC);
    fillNumeric(plain, rows);
    await plain.close();
    for (const fill of [fillNumeric, fillNumericRuns]) {
      const path = join(folder, `threaded-${rows}-${fromFirstRow}-${fill.name}.csv`);
      const threaded = new ThreadedWriter(path, NUMERIC, 'csv', { fromFirstRow });
      fill(threaded, rows);
      await threaded.close();
      assert.equal(threaded.rows, rows);
      assert.ok(readFileSync(path).equals(readFileSync(plainPath)), `${rows} rows, fromFirstRow ${fromFirstRow}, ${fill.name}`);
    }
  }
  const withText = new ThreadedWriter(join(folder, 'text.csv'), COLUMNS, 'csv', { fromFirstRow: true });
  assert.equal(withText.rowSlots(BASES[0]!), -1);
  await withText.close();
  const begun = new ThreadedWriter(join(folder, 'begun.csv'), NUMERIC, 'csv', { fromFirstRow: true });
  begun.epochNs(BASES[0]!, 1);
  assert.throws(() => begun.rowSlots(BASES[0]!), /a whole row taken after 1 of its cells/);
  await begun.close();
});

test('writer thread: a CSV table of int, decimal and epoch-ns columns, formatted in WebAssembly here and on the thread, writes the bytes of the plain writer', async () => {
  const folder = tempDir('flowmine-threaded-');
  // 3,000 rows (180 KB) stay on this thread, formatted at the end; 120,000 (7.8 MB) are formatted here a
  // tape block at a time until the worker, started after 4 MiB, takes over; or all there from the first
  // row; or all here, without a worker (`--threads 1`).
  for (const [rows, options] of [[3_000, {}], [120_000, {}], [120_000, { fromFirstRow: true }], [120_000, { worker: false }]] as const) {
    const plainPath = join(folder, `plain-${rows}.csv`);
    const plain = new CsvWriter(plainPath, BOOK);
    fillNumeric(plain, rows, false);
    await plain.close();
    for (const fill of [fillNumeric, fillNumericRuns]) {
      const label = `${rows} rows, ${JSON.stringify(options)}, ${fill.name}`;
      const path = join(folder, `threaded-${label.replace(/\W+/g, '-')}.csv`);
      const threaded = new ThreadedWriter(path, BOOK, 'csv', options);
      fill(threaded, rows, false);
      await threaded.close();
      assert.equal(threaded.rows, rows);
      assert.ok(readFileSync(path).equals(readFileSync(plainPath)), label);
    }
  }
});

test('writer thread: an empty table is its header; a cell of the wrong kind or a short row is refused', async () => {
  const folder = tempDir('flowmine-threaded-');
  const path = join(folder, 'empty.csv');
  const empty = new ThreadedWriter(path, COLUMNS, 'csv', { fromFirstRow: true });
  await empty.close();
  assert.equal(readFileSync(path, 'utf8'), 'ts,n,symbol,px,a,b,c,note,sz\n');
  const writer = new ThreadedWriter(join(folder, 'bad.csv'), COLUMNS, 'csv', { fromFirstRow: true });
  assert.throws(() => writer.float(1), /a float cell in column 1 \(ts, epoch_ns\)/);
  await writer.close();
  const short = new ThreadedWriter(join(folder, 'short.csv'), COLUMNS, 'csv', { fromFirstRow: true });
  short.epochNs(BASES[0]!, 1);
  assert.throws(() => short.endRow(), /row has 1 cells, table has 9 columns/);
  await short.close();
});

test('writer thread: a write that fails there (a full device) is thrown here with its code and path', async () => {
  // JSONL: no header, so the first bytes written are the thread's.
  const writer = new ThreadedWriter('/dev/full', COLUMNS, 'jsonl', { fromFirstRow: true });
  // Enough rows to fill its 1 MiB buffer several times: the failed write stops the thread.
  const failed = await (async () => {
    try {
      fill(writer, 50_000);
    } catch (error) {
      await writer.close().catch(() => {});
      return error;
    }
    return writer.close().then(
      () => null,
      (error: unknown) => error,
    );
  })();
  assert.ok(failed instanceof Error);
  assert.deepEqual([(failed as NodeJS.ErrnoException).code, (failed as NodeJS.ErrnoException).path], ['ENOSPC', '/dev/full']);
});

/** This module as a child process imports it (the compiled file). */
const WRITER_MODULE = JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'io', 'writer-thread.js')).href);

test('writer thread: a reader that stops reading (EPIPE) is one error, thrown by the row that meets it and again by `close`, with its code', async () => {
  for (const fromFirstRow of [true, false]) {
    // A child writes a long table to its standard output; this side reads the first chunk and closes the pipe.
    const script = `
      const { ThreadedWriter } = await import(${WRITER_MODULE});
      const writer = new ThreadedWriter('-', [{ name: 'n', type: 'int' }, { name: 'px', type: 'decimal' }], 'csv', { fromFirstRow: ${fromFirstRow} });
      const codes = [];
      try {
        for (let r = 0; r < 5_000_000; r++) { writer.int(r); writer.decimal(r % 977, 2); writer.endRow(); }
      } catch (error) { codes.push(error.code); }
      try { await writer.close(); } catch (error) { codes.push(error.code); }
      process.stderr.write(codes.join(' '));`;
    const scriptPath = join(tempDir('flowmine-epipe-'), 'write.mjs');
    writeFileSync(scriptPath, script);
    const child = spawn(process.execPath, [scriptPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0, stderr);
    assert.equal(stderr, 'EPIPE EPIPE', `fromFirstRow ${fromFirstRow}`);
  }
});

test('writer thread: started from a process whose Node options a worker cannot take (`--input-type`, only for -e), it writes the table', () => {
  const path = join(tempDir('flowmine-threaded-'), 'from-eval.csv');
  const script = `
    const { ThreadedWriter } = await import(${WRITER_MODULE});
    const writer = new ThreadedWriter(${JSON.stringify(path)}, [{ name: 'n', type: 'int' }], 'csv', { fromFirstRow: true });
    for (let r = 0; r < 100_000; r++) { writer.int(r); writer.endRow(); }
    await writer.close();`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const lines = readFileSync(path, 'utf8').split('\n');
  assert.equal(lines.length, 100_002);
  assert.deepEqual([lines[0], lines[1], lines[100_000], lines[100_001]], ['n', '0', '99999', '']);
});
