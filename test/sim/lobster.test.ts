import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Replayer } from '../../src/book/replay.js';
import type { BookView } from '../../src/book/view.js';
import { Action } from '../../src/core/event.js';
import { openSource } from '../../src/io/index.js';
import { writeLobster } from '../../src/sim/lobster-writer.js';
import { openScenario } from '../../src/sim/source.js';
import { writeScenarioRun } from '../../src/sim/write-run.js';
import { fixture, needs, REPO_ROOT } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const ES25 = 'databento_GLBX-MDP3_ESH4_2023-12-25_mbo.dbn.zst';

/** The top `levels` levels in LOBSTER orderbook layout, with LOBSTER's prices (1/10,000). */
function topLevels(book: BookView, levels: number, scale: number): string {
  const cells: string[] = [];
  for (let rank = 0; rank < levels; rank++) {
    cells.push(rank < book.depth(-1) ? `${book.priceAt(-1, rank) * scale},${book.sizeAt(-1, rank)}` : '9999999999,0');
    cells.push(rank < book.depth(1) ? `${book.priceAt(1, rank) * scale},${book.sizeAt(1, rank)}` : '-9999999999,0');
  }
  return cells.join(',');
}

/** Replays a message file alone (no orderbook file) and compares the book after every message with the orderbook file. */
async function compareWithOracle(messagePath: string, orderbookPath: string, levels: number) {
  const source = await openSource(messagePath, { companion: false });
  const expected = readFileSync(orderbookPath, 'latin1').split('\n');
  const replayer = Replayer.for(source);
  let compared = 0;
  let matched = 0;
  for await (const batch of source.batches()) replayer.push(batch, (book) => (topLevels(book, levels, 1) === expected[compared++] ? matched++ : 0));
  return { compared, matched, rows: expected.length - 1, summary: replayer.finish() };
}

test('LOBSTER round trip: a simulated run written as LOBSTER files replays from the messages alone to the orderbook file, row for row', async () => {
  const dir = tempDir('flowmine-lobster-');
  const source = openScenario(join(REPO_ROOT, 'scenarios', 'iceberg.json'), { duration: '10m' });
  let trades = 0;
  let fillVolume = 0;
  const files = await writeScenarioRun(source, dir, {
    onBatch: (batch) => {
      for (let i = 0; i < batch.length; i++) {
        if (batch.action[i] === Action.Trade) trades++;
        if (batch.action[i] === Action.Fill) fillVolume += batch.size[i]!;
      }
    },
  });
  assert.match(files.messagePath, /SIM_2024-01-02_34200000_34800000_message_10\.csv$/);
  const oracle = await compareWithOracle(files.messagePath, files.orderbookPath, 10);
  assert.equal(oracle.rows, files.messages);
  assert.equal(oracle.compared, files.messages);
  assert.equal(oracle.matched, oracle.compared);
  assert.deepEqual(oracle.summary.findings, {});
  assert.equal(oracle.summary.crossedUpdates, 0);
  // The executions survive: one type-4 message per engine execution, the same volume.
  const read = await openSource(files.messagePath, { companion: false });
  let readTrades = 0;
  let readVolume = 0;
  for await (const batch of read.batches()) {
    for (let i = 0; i < batch.length; i++) {
      if (batch.action[i] === Action.Trade) readTrades++;
      if (batch.action[i] === Action.Fill) readVolume += batch.size[i]!;
    }
  }
  assert.equal(readTrades, trades);
  assert.equal(readVolume, fillVolume);
  // Read with its orderbook file (a level-10 window) under the strict policy: nothing to repair.
  const withBook = await openSource(files.messagePath);
  const summary = await (async () => {
    const replayer = Replayer.for(withBook);
    for await (const batch of withBook.batches()) replayer.push(batch);
    return replayer.finish();
  })();
  assert.deepEqual(summary.findings, {});
  assert.equal(summary.updatesChangedBySnapshot, 0);
});

test('LOBSTER writer on Databento MBO: modifies, the fill echo and the opening uncross become messages the orderbook file confirms', needs(ES25), async () => {
  const dir = tempDir('flowmine-lobster-es-');
  const files = await writeLobster(await openSource(fixture(ES25)), dir);
  assert.match(files.messagePath, /ESH4_2023-12-24_\d+_\d+_message_10\.csv$/);
  // Seven auction fills of orders the book never showed have no side and no book effect: left out.
  assert.deepEqual(files.notes, { fills_of_unknown_orders_without_side_skipped: 7 });
  const oracle = await compareWithOracle(files.messagePath, files.orderbookPath, 10);
  assert.equal(oracle.matched, oracle.compared);
  assert.equal(oracle.compared, files.messages);
  assert.deepEqual(oracle.summary.findings, {});
  // Crossed only in the Globex pre-open (outside Nasdaq's hours, which the LOBSTER reader assumes).
  assert.ok(oracle.summary.crossedUpdates > 0);
  assert.equal(oracle.summary.crossedWhileNotTrading, oracle.summary.crossedUpdates);
});
