import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { flowmine } from '../support/cli.js';
import { fixture, needs } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const KRAKEN = 'cryptofeed_KRAKEN.ws.50.0.txt';
const out = (name: string) => join(tempDir('flowmine-features-'), name);

test('features --list names every feature with its parameters and columns', () => {
  const run = flowmine('features', '--list');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^ofi\n {2}order flow imbalance/m);
  assert.match(run.stdout, /^mlofi:levels=10\n/m);
  assert.match(run.stdout, /columns: vpin, vpin_bucket/);
});

test('features writes ts_ns then one column per feature, one row per bar (CSV and Parquet)', needs(AMZN), async () => {
  const path = out('f.csv');
  const run = flowmine('features', fixture(AMZN), '--features', 'ofi,qi,depth:levels=3', '--clock', '10s', '--out', path);
  assert.equal(run.status, 0, run.stderr);
  const [header, first, ...rest] = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(header, 'ts_ns,ofi,qi,depth_bid_3,depth_ask_3');
  // 09:30:10 New York on 2012-06-21 is the first 10-second boundary after the open.
  assert.equal(first!.split(',')[0], '1340285410000000000');
  assert.equal(rest.length + 1, 2339);
  assert.match(run.stderr, /57515 updates, 2339 rows written/);
  const parquet = out('f.parquet');
  assert.equal(flowmine('features', fixture(AMZN), '--features', 'ofi,qi', '--clock', '10s', '--out', parquet).status, 0);
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n, typeof(any_value(ofi)) AS t, sum(ofi)::DOUBLE AS total FROM '${parquet}'`);
  const [n, type, total] = reader.getRows()[0]!;
  assert.deepEqual([n, type], [2339, 'DOUBLE']);
  const csvTotal = readFileSync(path, 'utf8').trimEnd().split('\n').slice(1).reduce((sum, line) => sum + Number(line.split(',')[1]), 0);
  assert.equal(total, csvTotal);
});

test('features on a multi-instrument input adds the instrument column', needs(KRAKEN), () => {
  const run = flowmine('features', fixture(KRAKEN), '--features', 'spread', '--clock', '1s', '--out', '-');
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'ts_ns,instrument,spread');
  assert.equal(new Set(lines.slice(1).map((line) => line.split(',')[1])).size, 10);
});

test('bad feature lists and clocks are one-line usage errors', () => {
  const cases: [string[], string][] = [
    [['--features', 'ofx'], 'flowmine: unknown feature "ofx" (known: '],
    [['--features', 'mlofi:depth=3'], 'flowmine: --features mlofi:depth=3: "depth=3" is not a parameter of mlofi (parameters: levels)'],
    [['--features', 'vpin:window=x'], 'flowmine: --features vpin:window=x: window=x is not a number'],
    [['--features', 'ofi,ofi'], 'flowmine: --features: column "ofi" is requested twice'],
    [['--clock', '10parsecs'], 'flowmine: --clock 10parsecs: expected event, an interval'],
  ];
  for (const [args, message] of cases) {
    const run = flowmine('features', 'no-such-input.csv', ...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.ok(run.stderr.startsWith(message), run.stderr);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1);
  }
});

test('features read from an ingested dataset equal the features of the file', needs(AMZN), () => {
  const dataset = out('dataset');
  assert.equal(flowmine('ingest', fixture(AMZN), '--out', dataset).status, 0);
  const fromFile = out('file.csv');
  const fromDataset = out('dataset.csv');
  assert.equal(flowmine('features', fixture(AMZN), '--features', 'ofi,qi,vpin', '--clock', '10s', '--out', fromFile).status, 0);
  const run = flowmine('features', dataset, '--features', 'ofi,qi,vpin', '--clock', '10s', '--out', fromDataset);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(readFileSync(fromDataset, 'utf8'), readFileSync(fromFile, 'utf8'));
});
