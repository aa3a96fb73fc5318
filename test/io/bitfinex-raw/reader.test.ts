import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import { rowAt } from '../../../src/core/batch.js';
import { Action, Flag, Side } from '../../../src/core/event.js';
import { openSource } from '../../../src/io/index.js';
import { BitfinexRawSource } from '../../../src/io/bitfinex-raw/reader.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const FEED = 'bitfinex_raw_book_R0_tBTCUSD_L3_feed_100k.json';

test('Bitfinex R0: 100,001 messages streamed; snapshot, upserts and removals; a consistent book', needs(FEED), async () => {
  const source = await openSource(fixture(FEED));
  assert.equal(source.format, 'bitfinex-raw');
  const counts = new Map<number, number>();
  let first = null;
  let positive = true;
  const summary = await replay(source, {
    onUpdate(book) {
      for (const side of [Side.Bid, Side.Ask]) for (let rank = 0; rank < book.depth(side); rank++) positive &&= book.sizeAt(side, rank) > 0;
    },
  });
  for await (const batch of new BitfinexRawSource(fixture(FEED)).batches()) {
    first ??= rowAt(batch, 1);
    for (const action of batch.action) counts.set(action, (counts.get(action) ?? 0) + 1);
  }
  const report = source.integrity.report;
  assert.equal(report.rowsRead, 100_001);
  assert.equal(source.instruments.get(0).symbol, 'BTCUSD');
  assert.equal(report.notes.get('window_orders_per_side'), 25);
  // MANIFEST: bid adds/changes 37,252; ask 25,725; deletes 37,021 — the 62,977 upserts are 37,009 orders
  // entering the view and 25,968 changes of orders already in it (after the 50-order snapshot).
  assert.equal(counts.get(Action.Add), 50 + 37_009);
  assert.equal(counts.get(Action.Modify), 25_968);
  assert.equal(counts.get(Action.Delete), 37_021);
  // First snapshot order: [60504777678, 60945, 0.246386]; no timestamps anywhere.
  assert.deepEqual([first!.action, first!.orderId, first!.price, first!.size, first!.side, first!.flags & Flag.Snapshot], [Action.Add, 60_504_777_678, 6_094_500_000_000, 24_638_600, Side.Bid, Flag.Snapshot]);
  assert.equal(first!.tsEventNs, null);
  assert.deepEqual(summary.findings, {}, 'every removal and change refers to an order in the book');
  assert.ok(positive, 'no level with a non-positive size');
  // Per-order messages are not atomic: a taker briefly rests before its fills arrive (21 updates, each a
  // single message long), and the feed has no status or clock to call them anything but crossed.
  assert.equal(summary.crossedUpdates, 21);
});

test('Bitfinex bad input: a broken element, a removal of an unknown order, a file cut inside the array', async () => {
  const dir = tempDir('flowmine-bitfinex-');
  const path = join(dir, 'feed.json');
  writeFileSync(path, '[{"event": "subscribed", "channel": "book", "chanId": 1, "symbol": "tBTCUSD", "prec": "R0", "len": "25"}, [1, [[5, 100.5, 1.5], [6, 101, -2]]], [1, [7, 100.25, 0.5]], [1, [8, 0, 1]], [1, [7, "x", 1]], [1, [7, 100.25, 0.7]');
  await assert.rejects((async () => {
    for await (const _ of new BitfinexRawSource(path).batches());
  })(), { message: `${path}:4: id: removal of order 8, which the book never showed` });
  const source = new BitfinexRawSource(path, { policy: 'skip' });
  const summary = await replay(source);
  const report = source.integrity.report;
  assert.deepEqual([report.rowsRead, report.accepted, report.skipped], [6, 3, 3]);
  assert.equal(report.issueCount('unknown_order_id'), 1);
  assert.equal(report.issues.get('malformed_row')!.examples[0], 'line 5: price: not a number ("x")');
  assert.equal(report.issues.get('malformed_file')!.examples[0], 'line 6: array: file ends inside the top-level array');
  assert.equal(summary.updates, 2);
});
