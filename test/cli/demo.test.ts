import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { flowmine } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

test('demo: simulate → rebuild (exact against the simulator) → features → mine → detect → report, on built-in data', () => {
  const out = join(tempDir('flowmine-demo-'), 'demo');
  const run = flowmine('demo', '--out', out, '--seed', '5');
  assert.equal(run.status, 0, run.stderr);
  const rebuilt = /top 10 levels equal the simulator's after ([\d,]+) of ([\d,]+) messages; crossed after 0 updates/.exec(run.stdout);
  assert.ok(rebuilt && rebuilt[1] === rebuilt[2], run.stdout);
  assert.match(run.stdout, /signals: \d+ of \d+ tests significant after Benjamini–Hochberg/);
  assert.match(run.stdout, /^spoofing +\d+ +\d+ +[\d.]+ +[\d.]+/m);
  const report = join(out, 'report', 'report.html');
  assert.ok(existsSync(report));
  assert.ok(!/(src|href)=["']https?:/.test(readFileSync(report, 'utf8')), 'the report loads nothing from the network');
  for (const file of ['report.json', 'signals.parquet', 'alerts.parquet']) assert.ok(existsSync(join(out, 'report', file)), file);
  assert.equal(flowmine('demo', '--seed', 'x').stderr, 'flowmine: --seed x: expected a whole number\n');
});
