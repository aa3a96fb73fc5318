import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { flowmine } from '../support/cli.js';
import { fixture, needs } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const BINANCE = 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz';
const KRAKEN = 'cryptofeed_KRAKEN.ws.50.0.txt';
const TABLES = ['signals', 'stability', 'models', 'folds', 'calibration', 'bic', 'regimes', 'anomalies', 'calls', 'alerts'];
const folder = () => tempDir('flowmine-mine-cli-');

test('mine AMZN: headline on stdout, report.html, report.json and one Parquet table per section', needs(AMZN), async () => {
  const out = folder();
  const run = flowmine('mine', fixture(AMZN), '--out', out);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^mined 23,399 bars of AMZN \(1s clock, 2012-06-21T13:30:01\.000000000Z \.\. 2012-06-21T19:59:59\.000000000Z\)/);
  assert.match(run.stdout, /signals: 22 of 60 tests significant after Benjamini–Hochberg \(q = 0\.05\); strongest vwap_dev_bps at 10s: IC 0\.245, t 9\.26/);
  assert.match(run.stdout, /models \(10s direction, 5 folds\): gbdt AUC 0\.532, macro-F1 0\.313, P&L -5\.33 bps\/trade after the spread; prior AUC 0\.500, qi-only AUC 0\.534/);
  assert.match(run.stdout, /regimes: 6 \(gmm, BIC over 1\.\.8\); anomalies: 6,867 bars \(29\.3%\)/);
  assert.match(run.stdout, new RegExp(`wrote ${join(out, 'report.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  for (const name of ['report.html', 'report.json', ...TABLES.map((table) => `${table}.parquet`)]) assert.ok(existsSync(join(out, name)), name);
  const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(json.headline.significant, 22);
  assert.equal(json.meta.instrument, 'AMZN');
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const [row] = (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n, sum(significant)::INTEGER AS significant FROM '${join(out, 'signals.parquet')}'`)).getRowObjectsJS();
  assert.deepEqual(row, { n: 60, significant: 22 });
  connection.closeSync();
});

test('mine with --alerts: episodes as flowmine detect writes them show with the price', needs(BINANCE), async () => {
  const out = folder();
  const alerts = join(out, 'alerts.csv');
  writeFileSync(alerts, 'detector,start_ns,end_ns,side,price,order_ids,score,explanation\nspoofing,1723161300000000000,1723161301000000000,1,61000.5,1 2,80,"big bid, pulled ""fast"""\nlayering,1723161400000000000,1723161405000000000,-1,,,55,planted\n');
  const run = flowmine('mine', fixture(BINANCE), '--clock', '100ms', '--alerts', alerts, '--out', out);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /mined 3,447 bars of BTCUSDT/);
  assert.match(run.stdout, /note: 6 of the significant tests span fewer than 30 non-overlapping horizons/);
  assert.match(run.stdout, /alerts: 2 shown with the price/);
  const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.deepEqual(
    json.alerts.map((a: { kind: string; startNs: string; explanation: string }) => [a.kind, a.startNs, a.explanation]),
    [
      ['spoofing', '1723161300000000000', 'big bid, pulled "fast"'],
      ['layering', '1723161400000000000', 'planted'],
    ],
  );
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /big bid, pulled &quot;fast&quot;/);
});

test('mine: bad options and inputs are one-line errors', needs(KRAKEN), () => {
  const cases: [string[], RegExp][] = [
    [['x.csv', '--horizons', '1s,1x'], /^flowmine: --horizons: interval "1x": expected a number and a unit/],
    [['x.csv', '--regimes', 'dbscan'], /^flowmine: --regimes dbscan: expected gmm or kmeans$/],
    [['x.csv', '--q', '2'], /^flowmine: --q 2: expected a rate between 0 and 1$/],
    [['x.csv', '--folds', '0'], /^flowmine: --folds 0: expected a whole number ≥ 1$/],
    [['x.csv', '--features', 'ofx'], /^flowmine: unknown feature "ofx"/],
    [[fixture(KRAKEN)], /^flowmine: .*cryptofeed_KRAKEN\.ws\.50\.0\.txt: 10 instruments \(.*\); choose one with --instrument$/],
    [[fixture(KRAKEN), '--instrument', 'XMR/USD'], /^flowmine: .*: 29 bars on the 1s clock; mining needs at least 100 \(choose a finer clock\)$/],
  ];
  for (const [args, message] of cases) {
    const run = flowmine('mine', ...args, '--out', folder());
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    assert.match(run.stderr.trimEnd(), message);
  }
});
