import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../src/book/replay.js';
import { InputError } from '../../src/core/errors.js';
import { openSource } from '../../src/io/index.js';
import { openSourceInWorker } from '../../src/io/worker-source.js';
import { fixture, needs } from '../support/data.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';

test('a source decoded in a worker thread gives the same book, counts and report as one decoded here', needs(AMZN), async () => {
  const states = async (source: Awaited<ReturnType<typeof openSource>>) => {
    let checksum = 0;
    const summary = await replay(source, {
      onUpdate(book, batch, row) {
        checksum = (checksum * 31 + book.bestBidPrice() + 7 * book.bestAskSize() + batch.seq[row]!) % 1_000_000_007;
      },
    });
    return { checksum, updates: summary.updates, report: source.integrity.report.toJSON() };
  };
  const here = await states(await openSource(fixture(AMZN)));
  const worker = await states(await openSourceInWorker(fixture(AMZN)));
  assert.deepEqual(worker, here);
  assert.equal(worker.updates, 57_515);
});

test('an error in the worker arrives as the same one-line InputError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowmine-worker-'));
  const path = join(dir, 'XYZ_2012-06-21_0_0_message_1.csv');
  writeFileSync(path, '34200.1,1,11,100,2238100,1\n34200.2,1,12,100,2238100\n');
  const source = await openSourceInWorker(path, { format: 'lobster' });
  await assert.rejects(replay(source), (error: unknown) => error instanceof InputError && error.message === `${path}:2: columns: expected 6 fields, found 5`);
});
