import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import { Action, Flag, Side } from '../../../src/core/event.js';
import { LobsterSource } from '../../../src/io/lobster/reader.js';
import { fixture, needs } from '../../support/data.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const AMZN_BOOK = 'lobster_AMZN_2012-06-21_34200000_57600000_orderbook_1.csv';
const AAPL = 'lobster_AAPL_2012-06-21_first999_message_10.csv';
const AAPL_BOOK = 'lobster_AAPL_2012-06-21_first999_orderbook_10.csv';

/** Replays a LOBSTER file and compares the top N with the orderbook row after every message. */
async function compareWithOrderbook(message: string, orderbook: string) {
  const rows = readFileSync(fixture(orderbook), 'utf8').trim().split('\n').map((line) => line.split(',').map(Number));
  const levels = rows[0]!.length / 4;
  const source = new LobsterSource(fixture(message), { policy: 'strict' });
  let row = 0;
  let mismatches = 0;
  let firstMismatch = '';
  const summary = await replay(source, {
    onUpdate(book) {
      const expected = rows[row++]!;
      for (let level = 0; level < levels; level++) {
        const [askPx, askSz, bidPx, bidSz] = expected.slice(4 * level, 4 * level + 4) as [number, number, number, number];
        const askOk = askSz === 0 ? book.depth(Side.Ask) <= level : book.priceAt(Side.Ask, level) === askPx && book.sizeAt(Side.Ask, level) === askSz;
        const bidOk = bidSz === 0 ? book.depth(Side.Bid) <= level : book.priceAt(Side.Bid, level) === bidPx && book.sizeAt(Side.Bid, level) === bidSz;
        if (!askOk || !bidOk) {
          if (mismatches++ === 0) firstMismatch = `row ${row} level ${level + 1}`;
          break;
        }
      }
    },
  });
  return { rowsCompared: row, orderbookRows: rows.length, mismatches, firstMismatch, summary, notes: source.integrity.report.notes };
}

test('LOBSTER AMZN level 1: the rebuilt best level equals the orderbook file after all 57,515 messages', needs(AMZN, AMZN_BOOK), async () => {
  const result = await compareWithOrderbook(AMZN, AMZN_BOOK);
  assert.equal(result.rowsCompared, 57_515);
  assert.equal(result.orderbookRows, 57_515);
  assert.equal(result.mismatches, 0, `first mismatch: ${result.firstMismatch}`);
  assert.equal(result.summary.crossedUpdates, 0);
  // Level 1 hides everything below the touch: after 13,954 messages the best level is not what the
  // message alone implies, and the side is restated from the orderbook row. For 8,168 of them (14.2%)
  // the book learned something only the orderbook file knew; 3,246 levels had emptied out of sight.
  assert.equal(result.notes.get('window_restated_messages'), 13_954);
  assert.equal(result.notes.get('book_updates_changed_by_snapshot'), 8168);
  assert.equal(result.notes.get('book_levels_removed_by_snapshots'), 3246);
});

test('LOBSTER AAPL level 10: the rebuilt top 10 equals the orderbook file after each of the first 999 messages', needs(AAPL, AAPL_BOOK), async () => {
  const result = await compareWithOrderbook(AAPL, AAPL_BOOK);
  assert.equal(result.rowsCompared, 999);
  assert.equal(result.mismatches, 0, `first mismatch: ${result.firstMismatch}`);
  // With ten levels in view only 15 messages teach the book something the messages did not.
  assert.equal(result.notes.get('book_updates_changed_by_snapshot'), 15);
  assert.equal(result.notes.get('window_restated_messages'), 319);
  assert.equal(result.summary.findings.unknown_order_id, undefined);
});

test('LOBSTER rows: times in ns since the epoch (New York date), executions as a trade and a fill', needs(AMZN), async () => {
  const source = new LobsterSource(fixture(AMZN), { companion: false });
  const batches = source.batches()[Symbol.asyncIterator]();
  const batch = (await batches.next()).value!;
  await batches.return?.(undefined);
  // 34200.017459617 s after midnight EDT on 2012-06-21 = 13:30:00.017459617 UTC.
  assert.equal(batch.timeBaseNs + BigInt(batch.tsEvent[0]!), 1_340_285_400_017_459_617n);
  assert.equal(batch.action[0], Action.Trade);
  assert.equal(batch.flags[0]! & Flag.Hidden, Flag.Hidden, 'type 5 is a hidden execution');
  assert.equal(batch.side[0], Side.Buy, 'a sell limit order executed: the buyer initiated');
  assert.equal(batch.price[0], 2_238_200);
  // Row 3 of the file: 34200.190226476,4,11885113,21,2238100,1 -> Trade by a seller, then the bid's fill.
  const rows = [...batch.sourceRow].map((line, i) => [line, i]).filter(([line]) => line === 3).map(([, i]) => i!);
  assert.deepEqual(rows.map((i) => batch.action[i]), [Action.Trade, Action.Fill]);
  assert.deepEqual(rows.map((i) => batch.side[i]), [Side.Sell, Side.Bid]);
  assert.deepEqual(rows.map((i) => batch.flags[i]! & Flag.Last), [0, Flag.Last], 'one atomic update per message');
  assert.equal(batch.orderId[rows[1]!], 11_885_113);
});
