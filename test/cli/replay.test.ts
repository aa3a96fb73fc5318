import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatUnits } from '../../src/core/decimal.js';
import { flowmine } from '../support/cli.js';
import { concatenatedLobster } from '../../bench/inputs.js';
import { DATA_DIR, fixture, needs } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const AAPL = 'lobster_AAPL_2012-06-21_first999_message_10.csv';
const AAPL_BOOK = 'lobster_AAPL_2012-06-21_first999_orderbook_10.csv';
const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const AMZN_BOOK = 'lobster_AMZN_2012-06-21_34200000_57600000_orderbook_1.csv';
const out = (name: string) => join(tempDir('flowmine-cli-'), name);

function csv(path: string): string[][] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => line.split(','));
}

test('replay --emit depth:10 writes the LOBSTER orderbook file, row for row, in real units', needs(AAPL, AAPL_BOOK), () => {
  const path = out('depth.csv');
  const run = flowmine('replay', fixture(AAPL), '--emit', 'depth:10', '--out', path);
  assert.equal(run.status, 0, run.stderr);
  const [header, ...rows] = csv(path);
  assert.deepEqual(header!.slice(0, 6), ['ts_ns', 'seq', 'ask_px_1', 'ask_sz_1', 'bid_px_1', 'bid_sz_1']);
  assert.equal(header!.length, 2 + 40);
  const expected = readFileSync(fixture(AAPL_BOOK), 'utf8').trim().split('\n');
  assert.equal(rows.length, expected.length);
  rows.forEach((row, i) => {
    const values = expected[i]!.split(',').map(Number);
    const cells = values.map((value, k) => (values[k - (k % 2)]! === 9999999999 || values[k - (k % 2)]! === -9999999999 ? '' : k % 2 === 0 ? formatUnits(value, 4) : String(value)));
    assert.deepEqual(row.slice(2), cells, `row ${i + 1}`);
    assert.equal(row[1], String(i + 1), 'seq is the message row number');
  });
  assert.equal(rows[0]![0], '1340285400004241176');
});

test('replay --emit bbo --every 1s samples the book as of each second', needs(AMZN), () => {
  const everyUpdate = out('bbo.csv');
  const sampled = out('bbo-1s.csv');
  assert.equal(flowmine('replay', fixture(AMZN), '--out', everyUpdate).status, 0);
  const run = flowmine('replay', fixture(AMZN), '--every', '1s', '--out', sampled);
  assert.equal(run.status, 0, run.stderr);
  const [header, ...updates] = csv(everyUpdate);
  assert.deepEqual(header, ['ts_ns', 'seq', 'bid_px', 'bid_sz', 'ask_px', 'ask_sz']);
  const [, ...seconds] = csv(sampled);
  // 09:30:00.017 to 15:59:59.959 New York: the boundaries 09:30:01 .. 15:59:59.
  assert.equal(seconds.length, 23_399);
  let u = 0;
  for (const row of seconds) {
    const boundary = BigInt(row[0]!);
    assert.equal(boundary % 1_000_000_000n, 0n);
    while (u + 1 < updates.length && BigInt(updates[u + 1]![0]!) <= boundary) u++;
    assert.deepEqual(row.slice(1), updates[u]!.slice(1), `state at ${boundary}`);
  }
});

test('replay and features write the same bytes with the output formatted in a second thread (the default) as in one (--threads 1)', needs(AMZN), () => {
  for (const [command, name, ...args] of [
    ['replay', 'bbo.csv'],
    ['replay', 'depth.jsonl', '--emit', 'depth:5'],
    ['features', 'features.csv'],
  ] as const) {
    const one = out(name);
    const two = out(name);
    const first = flowmine(command, fixture(AMZN), ...args, '--threads', '1', '--out', one, '--report', `${one}.json`);
    assert.equal(first.status, 0, first.stderr);
    const second = flowmine(command, fixture(AMZN), ...args, '--out', two, '--report', `${two}.json`);
    assert.equal(second.status, 0, second.stderr);
    assert.ok(readFileSync(one).length > 1000, command);
    assert.ok(readFileSync(one).equals(readFileSync(two)), `${command} ${name}: output`);
    assert.equal(readFileSync(`${one}.json`, 'utf8'), readFileSync(`${two}.json`, 'utf8'), `${command}: report`);
  }
});

test('an input of 16 MiB or more: replay and features start their writer thread with the first row, and write the same bytes as one thread', needs(AMZN, AMZN_BOOK), () => {
  // Eight copies of the AMZN day, as the benchmark builds its long inputs: 19 MB of messages.
  const input = concatenatedLobster(DATA_DIR, tempDir('flowmine-large-'), 8);
  assert.ok(statSync(input).size >= 16 << 20);
  for (const [command, name, ...args] of [
    ['replay', 'bbo.csv'],
    ['features', 'features.csv', '--features', 'ofi,qi,spread,vpin'],
  ] as const) {
    const one = out(name);
    const two = out(name);
    const first = flowmine(command, input, ...args, '--threads', '1', '--out', one);
    assert.equal(first.status, 0, first.stderr);
    const second = flowmine(command, input, ...args, '--out', two);
    assert.equal(second.status, 0, second.stderr);
    // A header, a row per message (8 × 57,515), and the last line's end.
    assert.equal(readFileSync(one, 'latin1').split('\n').length, 1 + 8 * 57_515 + 1, command);
    assert.ok(readFileSync(one).equals(readFileSync(two)), `${command}: output`);
  }
});

test('replay writes the same rows as JSONL and as Parquet (typed, readable by DuckDB)', needs(AAPL), async () => {
  const csvPath = out('bbo.csv');
  const jsonlPath = out('bbo.jsonl');
  const parquetPath = out('bbo.parquet');
  for (const path of [csvPath, jsonlPath, parquetPath]) assert.equal(flowmine('replay', fixture(AAPL), '--out', path).status, 0);
  const rows = csv(csvPath).slice(1);
  const lines = readFileSync(jsonlPath, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, rows.length);
  // After the first message the orderbook file shows an ask that no message announced.
  assert.equal(lines[0], '{"ts_ns":1340285400004241176,"seq":1,"bid_px":585.33,"bid_sz":18,"ask_px":585.94,"ask_sz":200}');
  // Without the orderbook file that ask is unknown, and an empty side is null.
  const bare = out('bare.jsonl');
  assert.equal(flowmine('replay', fixture(AAPL), '--no-orderbook', '--out', bare).status, 0);
  assert.equal(readFileSync(bare, 'utf8').split('\n')[0], '{"ts_ns":1340285400004241176,"seq":1,"bid_px":585.33,"bid_sz":18,"ask_px":null,"ask_sz":null}');

  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // Decimal columns carry the instrument's precision (LOBSTER prices: 4 decimals), in 18 digits (INT64).
  const types = await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${parquetPath}')`);
  assert.deepEqual(types.getRows(), [
    ['ts_ns', 'BIGINT'],
    ['seq', 'BIGINT'],
    ['bid_px', 'DECIMAL(18,4)'],
    ['bid_sz', 'DECIMAL(18,0)'],
    ['ask_px', 'DECIMAL(18,4)'],
    ['ask_sz', 'DECIMAL(18,0)'],
  ]);
  const stats = await connection.runAndReadAll(`SELECT count(*), (sum(bid_px) * 100)::BIGINT, max(ts_ns)::VARCHAR, count(ask_px) FROM '${parquetPath}'`);
  const bidSum = rows.reduce((sum, row) => sum + (row[2] ? Math.round(Number(row[2]) * 100) : 0), 0);
  assert.deepEqual(stats.getRows()[0], [BigInt(rows.length), BigInt(bidSum), rows.at(-1)![0], BigInt(rows.filter((row) => row[4] !== '').length)]);
  connection.closeSync();
  instance.closeSync();
});

test('an output that cannot be written: exit code 2 and one line naming it, for every format, before or during the work', needs(AAPL), () => {
  const dir = tempDir('flowmine-cli-');
  for (const name of ['out.csv', 'out.jsonl', 'out.parquet']) {
    const path = join(dir, 'no-such-folder', name);
    const run = flowmine('replay', fixture(AAPL), '--out', path);
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr, `flowmine: ${path}: no such file or folder\n`);
  }
  const report = flowmine('replay', fixture(AAPL), '--out', join(dir, 'out.csv'), '--report', join(dir, 'out.csv', 'report.json'));
  assert.equal(report.status, 2);
  assert.equal(report.stderr.split('\n').at(-2), `flowmine: ${join(dir, 'out.csv', 'report.json')}: a part of the path is not a folder`);
  // A disk that fills up while the rows are written.
  if (existsSync('/dev/full')) {
    const full = join(dir, 'full.csv');
    symlinkSync('/dev/full', full);
    const run = flowmine('replay', fixture(AAPL), '--out', full);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, `flowmine: ${full}: no space left on the device\n`);
  }
});

test('bad input through the CLI: exit code 2 and one line naming file, line and field', () => {
  const dir = tempDir('flowmine-cli-');
  const path = join(dir, 'ABC_2012-06-21_0_0_message_1.csv');
  writeFileSync(path, '34200.1,1,11,100,2238100,1\n34200.2,1,12,x,2238500,-1\n');
  const run = flowmine('replay', path, '--out', join(dir, 'out.csv'));
  assert.equal(run.status, 2);
  assert.equal(run.stderr, `flowmine: ${path}:2: size: expected an integer, found "x"\n`);

  const skip = flowmine('replay', path, '--on-error', 'skip', '--quarantine', join(dir, 'q.tsv'), '--out', join(dir, 'out.csv'));
  assert.equal(skip.status, 0, skip.stderr);
  assert.match(skip.stderr, /2 rows read, 1 accepted, 0 repaired, 1 skipped/);
  assert.equal(readFileSync(join(dir, 'q.tsv'), 'utf8').split('\n')[1], `${path}\t2\tmalformed_row: size: expected an integer, found "x"\t34200.2,1,12,x,2238500,-1`);

  const missing = flowmine('inspect', join(dir, 'nope.csv'));
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, `flowmine: ${join(dir, 'nope.csv')}: cannot open (no such file)\n`);

  const unknown = flowmine('replay', path, '--format', 'lobstr');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^flowmine: unknown format "lobstr" \(known: .*lobster.*\)\n$/);

  const badEmit = flowmine('replay', path, '--emit', 'depth:0');
  assert.equal(badEmit.stderr, 'flowmine: --emit depth:0: expected bbo or depth:N (1 <= N <= 1000)\n');

  const garbage = join(dir, 'garbage.bin');
  writeFileSync(garbage, Buffer.from([0, 1, 2, 3, 255, 254]));
  const sniff = flowmine('inspect', garbage);
  assert.equal(sniff.status, 2);
  assert.match(sniff.stderr, /^flowmine: .*garbage\.bin: format not recognised; name it with --format \(known: .*\)\n$/);
});

test('inspect reports instruments, time range, counts by action and integrity', needs(AMZN), () => {
  const run = flowmine('inspect', fixture(AMZN), '--json');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.format, 'lobster');
  assert.deepEqual(report.instruments, [{ venue: 'nasdaq', symbol: 'AMZN', priceDecimals: 4, sizeDecimals: 0, tick: '0.01' }]);
  assert.equal(report.firstEventTime, '2012-06-21T13:30:00.017459617Z');
  assert.equal(report.lastEventTime, '2012-06-21T19:59:59.959359650Z');
  // MANIFEST: type1 27,845; type2 16; type3 18,235; type4 8,974; type5 2,445.
  assert.equal(report.actions.Add, 27_845);
  assert.equal(report.actions.Cancel, 16);
  assert.equal(report.actions.Delete, 18_235);
  assert.equal(report.actions.Fill, 8_974);
  assert.equal(report.actions.Trade, 8_974 + 2_445);
  assert.equal(report.integrity.rowsRead, 57_515);
  assert.equal(report.replay.updates, 57_515);
  assert.equal(report.replay.crossedUpdates, 0);
});
