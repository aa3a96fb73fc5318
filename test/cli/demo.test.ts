import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { flowmine } from '../support/cli.js';

test('demo: the simulated market is rebuilt exactly from its own LOBSTER files, and the outputs are written', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'flowmine-demo-')), 'demo');
  const run = flowmine('demo', '--out', out, '--messages', '20000', '--seed', '7');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /top 10 levels equal the engine's after 20,000 of 20,000 messages/);
  assert.match(run.stdout, /crossed after 0 updates/);
  for (const file of ['bbo.csv', 'depth10-1s.parquet', 'DEMO_2024-01-02_34200000_57600000_message_10.csv']) assert.ok(existsSync(join(out, file)), file);
  assert.equal(flowmine('demo', '--messages', '-3').stderr, 'flowmine: --messages -3: expected a positive whole number\n');
});
