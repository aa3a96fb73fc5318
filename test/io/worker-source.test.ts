import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../src/book/replay.js';
import type { EventBatch } from '../../src/core/batch.js';
import { InputError } from '../../src/core/errors.js';
import { openSource } from '../../src/io/index.js';
import { openSourceInWorker } from '../../src/io/worker-source.js';
import { fixture, needs } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
// Streams its batches (after the first 200k rows, held for tick inference), so buffers go round many times.
const USDM = 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz';

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

test('recycled batches, here and from a worker: each is the same as a fresh one until the next is asked for', needs(USDM), async () => {
  // Small batches, so that buffers go round hundreds of times; every column of every row is compared.
  const digest = (batch: EventBatch) => {
    let h = 0;
    for (const column of [batch.tsEvent, batch.tsRecv, batch.instrument, batch.action, batch.side, batch.price, batch.size, batch.orderId, batch.seq, batch.flags, batch.sourceRow]) {
      for (let i = 0; i < batch.length; i++) h = (h * 31 + (Number.isNaN(column[i]!) ? 17 : column[i]!)) % 1_000_000_007;
    }
    return `${batch.length}:${h}`;
  };
  const digests = async (source: Awaited<ReturnType<typeof openSource>>, keep: EventBatch[] = []) => {
    const out: string[] = [];
    for await (const batch of source.batches()) {
      out.push(digest(batch));
      keep.push(batch);
    }
    return out;
  };
  const fresh = await digests(await openSource(fixture(USDM), { batchRows: 500 }));
  assert.equal(fresh.length, 781);
  const here: EventBatch[] = [];
  assert.deepEqual(await digests(await openSource(fixture(USDM), { batchRows: 500, recycleBatches: true }), here), fresh);
  const there: EventBatch[] = [];
  assert.deepEqual(await digests(await openSourceInWorker(fixture(USDM), { batchRows: 500, recycleBatches: true }), there), fresh);
  // Here, the columns of batches consumed earlier were refilled by later ones; there, their buffers went
  // back to the worker (the batches are empty now).
  const refilled = here.filter((batch, k) => digest(batch) !== fresh[k]).length;
  assert.ok(refilled > 400, `${refilled} of ${here.length} batches refilled`);
  assert.ok(there.every((batch) => batch.tsEvent.length === 0));
});

test('an error in the worker arrives as the same one-line InputError', async () => {
  const dir = tempDir('flowmine-worker-');
  const path = join(dir, 'XYZ_2012-06-21_0_0_message_1.csv');
  writeFileSync(path, '34200.1,1,11,100,2238100,1\n34200.2,1,12,100,2238100\n');
  const source = await openSourceInWorker(path, { format: 'lobster' });
  await assert.rejects(replay(source), (error: unknown) => error instanceof InputError && error.message === `${path}:2: columns: expected 6 fields, found 5`);
});

test('a source decoded in a worker, opened from a process whose Node options a worker cannot take (`--input-type`, only for -e), reads the file', needs(AMZN), () => {
  const script = `
    const { openSourceInWorker } = await import(${JSON.stringify(new URL('../../src/io/worker-source.js', import.meta.url).href)});
    const source = await openSourceInWorker(${JSON.stringify(fixture(AMZN))});
    let rows = 0;
    for await (const batch of source.batches()) rows += batch.length;
    console.log(rows);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), '108354');
});
