import assert from 'node:assert/strict';
import { test } from 'node:test';
import { L3Book, type OrderLife } from '../../src/book/l3-book.js';
import { Replayer } from '../../src/book/replay.js';
import { openSource } from '../../src/io/index.js';
import { fixture, needs } from '../support/data.js';

const ES25 = 'databento_GLBX-MDP3_ESH4_2023-12-25_mbo.dbn.zst';

test('order lifetimes: filled, cancelled and dropped orders are reported with their times and sizes', () => {
  const book = new L3Book();
  const lives: OrderLife[] = [];
  book.onOrderEnd = (life) => lives.push({ ...life });
  book.nowNs = 0;
  book.add(1, 1, 100, 10, 0);
  book.add(2, 1, 100, 5, 0);
  book.add(3, -1, 105, 7, 0);
  book.nowNs = 2_000;
  book.fill(1, 1, 100, 4);
  book.fill(1, 1, 100, 6); // filled in two parts
  book.nowNs = 3_500;
  book.cancel(3, -1, 105, 2);
  book.delete(3, -1, 105, 5); // a partial cancel, then the rest
  book.nowNs = 9_000;
  book.setLevel(1, 100, 0); // the level is gone: order 2 left unseen
  book.modify(99, 1, 90, 1, 9_000); // re-queues and unknown orders are no ends of life
  assert.deepEqual(lives, [
    { orderId: 1, side: 1, price: 100, addedNs: 0, endedNs: 2_000, filled: 10, remaining: 0, end: 'filled' },
    { orderId: 3, side: -1, price: 105, addedNs: 0, endedNs: 3_500, filled: 0, remaining: 5, end: 'cancelled' },
    { orderId: 2, side: 1, price: 100, addedNs: 0, endedNs: 9_000, filled: 0, remaining: 5, end: 'dropped' },
  ]);
});

test('ESH4 2023-12-25: how the orders that left the book ended, and how long cancelled ones lived', needs(ES25), async () => {
  const source = await openSource(fixture(ES25));
  const replayer = new Replayer(source.granularity, source.integrity);
  const ends = { filled: 0, cancelled: 0, dropped: 0 };
  const cancelledLives: number[] = [];
  for await (const batch of source.batches()) {
    const book = replayer.book(0) as L3Book;
    book.onOrderEnd ??= (life) => {
      ends[life.end]++;
      if (life.end === 'cancelled') cancelledLives.push(life.endedNs - life.addedNs);
    };
    replayer.push(batch);
  }
  // 5,412 ended filled (an iceberg's display ends filled and returns as a refill), 12,670 cancelled.
  assert.deepEqual(ends, { filled: 5_412, cancelled: 12_670, dropped: 0 });
  cancelledLives.sort((a, b) => a - b);
  const median = cancelledLives[cancelledLives.length >> 1]!;
  assert.ok(cancelledLives.every((life) => life >= 0), 'no order ends before it starts');
  assert.equal(Math.round(median / 1e6), 4_371, 'median life of a cancelled ESH4 order on this holiday evening, in ms');
});
