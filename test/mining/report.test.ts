import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { openTableWriter } from '../../src/io/table/open.js';
import { writeReport } from '../../src/mining/report/write.js';
import { mineFrame } from '../../src/mining/run.js';
import { sampleAlerts, sampleFrame } from './sample.js';
import { tempDir } from '../support/temp.js';

test('the report: one self-contained HTML file, and the same numbers in report.json and the Parquet tables', async () => {
  const frame = sampleFrame(3000, 5);
  const result = mineFrame(frame, { horizonsNs: [1e9, 5e9, 30e9], folds: 3, kMax: 4, regimeWindow: 30, alerts: sampleAlerts(frame) });
  const dir = tempDir('flowmine-mine-');
  const written = await writeReport(result, { input: 'synthetic', instrument: 'TEST', clock: '1s', features: 'qi,ofi', version: 'test', priceDecimals: 2 }, dir, openTableWriter);

  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  // Nothing to fetch: no scripts, links, images, imports or external URLs (the SVG namespace is a name, not a fetch).
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|src=|href=/i);
  assert.deepEqual([...new Set(html.match(/https?:\/\/[^"' )<]+/g))], ['http://www.w3.org/2000/svg']);
  assert.deepEqual([...new Set(html.match(/url\([^)]*\)/g)?.map((u) => u.slice(0, 9)))], ['url(#clip']);
  // Clip-path ids are unique on the page.
  const ids = html.match(/<clipPath id="([^"]+)"/g) ?? [];
  assert.equal(new Set(ids).size, ids.length);
  // Text from the data is escaped.
  assert.match(html, /planted &amp; &quot;quoted&quot; &lt;text&gt;/);

  const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  assert.equal(json.signals.length, result.signals.length);
  result.signals.forEach((signal, k) => {
    assert.equal(json.signals[k].feature, signal.feature);
    assert.equal(json.signals[k].horizonS, signal.horizonNs / 1e9);
    assert.equal(json.signals[k].ic, Number.isFinite(signal.ic) ? signal.ic : null);
    assert.equal(json.signals[k].significant, signal.significant);
  });
  assert.equal(json.headline.significant, result.signals.filter((signal) => signal.significant).length);
  assert.equal(json.timeline.ts.length, frame.length);
  assert.equal(json.regimes.k, result.regimes.k);
  assert.equal(json.alerts.length, 2);
  assert.equal(json.alerts[0].startNs, (frame.timeBaseNs + BigInt(result.alerts[0]!.startNs)).toString());

  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
  const signals = await rows(`SELECT feature, horizon_s, ic, significant FROM '${join(dir, 'signals.parquet')}'`);
  assert.equal(signals.length, result.signals.length);
  signals.forEach((row, k) => {
    assert.equal(row.feature, result.signals[k]!.feature);
    assert.equal(row.ic, Number.isFinite(result.signals[k]!.ic) ? result.signals[k]!.ic : row.ic);
    assert.equal(Number(row.significant), result.signals[k]!.significant ? 1 : 0);
  });
  const folds = await rows(`SELECT model, fold, auc, pnl_bps, test_start_ns FROM '${join(dir, 'folds.parquet')}'`);
  assert.equal(folds.length, result.folds.length);
  folds.forEach((row, k) => {
    assert.equal(row.model, json.folds[k].model);
    assert.equal(row.auc, json.folds[k].auc);
    assert.equal(String(row.test_start_ns), json.folds[k].testStartNs);
  });
  const [regimes] = await rows(`SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE regime >= 0)::INTEGER AS assigned FROM '${join(dir, 'regimes.parquet')}'`);
  assert.equal(regimes!.n, frame.length);
  assert.equal(regimes!.assigned, json.timeline.regime.filter((r: number) => r >= 0).length);
  const [anomalies] = await rows(`SELECT max(isolation_score) AS top FROM '${join(dir, 'anomalies.parquet')}'`);
  assert.equal(anomalies!.top, json.anomalies.top[0].isolation);
  const bic = await rows(`SELECT k, bic, chosen FROM '${join(dir, 'bic.parquet')}' ORDER BY k`);
  assert.deepEqual(
    bic.map((row) => [Number(row.k), row.bic, Number(row.chosen)]),
    json.regimes.curve.map((point: { k: number; bic: number }) => [point.k, point.bic, point.k === json.regimes.k ? 1 : 0]),
  );
  const calibration = await rows(`SELECT sum(n)::INTEGER AS n FROM '${join(dir, 'calibration.parquet')}' WHERE fold = 'pooled' AND model = 'logistic' AND class = 'up'`);
  assert.equal(calibration[0]!.n, result.folds.filter((fold) => fold.model === 'logistic').reduce((sum, fold) => sum + fold.testRows, 0));
  assert.deepEqual(Object.keys(written.tables).sort(), ['alerts', 'anomalies', 'bic', 'calibration', 'calls', 'folds', 'models', 'regimes', 'signals', 'stability']);
  assert.equal(written.tables.alerts!.rows, 2);
  connection.closeSync();
});
