import assert from 'node:assert/strict';
import { test } from 'node:test';
import { L2Book } from '../../src/book/l2-book.js';
import { Replayer } from '../../src/book/replay.js';
import { BatchBuilder } from '../../src/core/batch.js';
import { Action, Flag } from '../../src/core/event.js';
import { InstrumentTable } from '../../src/core/instrument.js';
import { Integrity, IntegrityReport } from '../../src/core/integrity.js';
import { L3Book, type OrderLife } from '../../src/book/l3-book.js';
import { seededRandom } from '../support/random.js';

/** Checks a side's depth, best level, every rank (walked from the best, then in random order) and its best levels against `sizes`, the levels it holds. */
function assertSide(book: L2Book, side: number, sizes: Map<number, number>, context: string): void {
  const bestFirst = [...sizes.keys()].sort((a, b) => (a - b) * -side);
  assert.equal(book.depth(side), bestFirst.length, context);
  assert.equal(side === 1 ? book.bestBidPrice() : book.bestAskPrice(), bestFirst.length > 0 ? bestFirst[0] : NaN, context);
  for (let rank = 0; rank < bestFirst.length; rank++) assert.equal(book.priceAt(side, rank), bestFirst[rank], `${context}, rank ${rank}`);
  assert.equal(book.priceAt(side, bestFirst.length), NaN, context);
  for (let k = 0; k < 50 && bestFirst.length > 0; k++) {
    const rank = (k * 7919) % bestFirst.length;
    assert.equal(book.sizeAt(side, rank), sizes.get(bestFirst[rank]!), `${context}, rank ${rank} out of order`);
  }
  const levels = bestFirst.length + 5;
  const prices = new Float64Array(levels);
  const held = new Float64Array(levels);
  assert.equal(book.copyBest(side, levels, prices, held), bestFirst.length, context);
  assert.deepEqual([...prices.subarray(0, bestFirst.length)], bestFirst, context);
  assert.deepEqual([...held.subarray(0, bestFirst.length)], bestFirst.map((price) => sizes.get(price)), context);
}

test('a side keeps its levels in order as it grows to thousands of levels, near the touch and deep, shrinks, is cleared and refilled', () => {
  const random = seededRandom(7);
  for (const side of [1, -1]) {
    for (const [name, nearBest] of [['deep', 0.2], ['near the best', 0.95]] as const) {
      const book = new L2Book();
      const sizes = new Map<number, number>();
      let centre = 100_000;
      for (let step = 0; step < 40_000; step++) {
        // The book drifts, so the blocks of its order fill, split, empty and merge at both ends and in the middle.
        centre += random() < 0.5 ? -1 : 1;
        const price = random() < nearBest ? centre + Math.floor(random() * 10) : centre + Math.floor((random() - 0.5) * 20_000);
        // Inserts outweigh removals at first, then the other way round: the depth rises to thousands and falls.
        if (random() < (step < 20_000 ? 0.7 : 0.3)) {
          const size = 1 + Math.floor(random() * 50);
          book.setLevel(side, price, size);
          sizes.set(price, size);
        } else {
          book.deleteLevel(side, price);
          sizes.delete(price);
        }
        if (step % 4_000 === 3_999) assertSide(book, side, sizes, `side ${side} ${name}, step ${step}, ${sizes.size} levels`);
      }
      assert.ok(sizes.size < 8_000, `side ${side} ${name}: the test reached ${sizes.size} levels`);
      // The best level goes again and again: the touch moves through the blocks.
      while (sizes.size > 300) {
        const best = side === 1 ? book.bestBidPrice() : book.bestAskPrice();
        book.deleteLevel(side, best);
        sizes.delete(best);
      }
      assertSide(book, side, sizes, `side ${side} ${name}, best levels removed`);
      book.clear();
      sizes.clear();
      assertSide(book, side, sizes, `side ${side} ${name}, cleared`);
      for (let k = 0; k < 1_000; k++) {
        book.setLevel(side, 5_000 + k * 3, k + 1);
        sizes.set(5_000 + k * 3, k + 1);
      }
      assertSide(book, side, sizes, `side ${side} ${name}, refilled`);
    }
  }
});

test('books live side by side in one module: a listener may change another book while an order of its own ends', () => {
  const first = new L3Book();
  const second = new L3Book();
  const lives: OrderLife[] = [];
  first.onOrderEnd = (life) => {
    lives.push({ ...life });
    // Another book, changed from inside the first's call.
    second.nowNs = 7;
    second.add(life.orderId + 100, life.side, life.price + 1, life.remaining, 7);
  };
  first.nowNs = 5;
  first.add(1, 1, 100, 10);
  first.add(2, 1, 100, 4);
  first.add(3, -1, 105, 6);
  first.nowNs = 6;
  // Order 1 ends (the listener adds to the second book), then the first book's call goes on: order 2 is filled in part.
  first.delete(1, 1, 100, 10);
  first.fill(2, 1, 100, 1);
  assert.deepEqual(lives, [{ orderId: 1, side: 1, price: 100, addedNs: 5, endedNs: 6, filled: 0, remaining: 10, end: 'cancelled' }]);
  assert.equal(first.bestBidPrice(), 100);
  assert.equal(first.bestBidSize(), 3);
  assert.equal(first.orderCount, 2);
  assert.equal(second.bestBidPrice(), 101);
  assert.equal(second.orderAddedNs(101), 7);
  assert.equal(second.orderCount, 1);
  assert.equal(second.bestAskPrice(), NaN);
});

test('a book larger than the module memory it started with: its state follows the grown memory', () => {
  const book = new L3Book();
  const orders = 150_000;
  for (let id = 0; id < orders; id++) book.add(id, id % 2 === 0 ? 1 : -1, id % 2 === 0 ? 10_000 - (id % 4_000) : 20_000 + (id % 4_000), 1 + (id % 7), id);
  const memory = (book as unknown as { module: { exports: { memory: { buffer: ArrayBuffer } } } }).module.exports.memory;
  assert.ok(memory.buffer.byteLength > 4 * 2 ** 20, `the memory grew to ${memory.buffer.byteLength} bytes`);
  assert.equal(book.orderCount, orders);
  assert.equal(book.bestBidPrice(), 10_000);
  assert.equal(book.bestAskPrice(), 20_001);
  assert.equal(book.depth(1), 2_000);
  assert.equal(book.priceAt(-1, 1_999), 23_999);
  assert.equal(book.orderSize(149_999), 1 + (149_999 % 7));
  for (let id = 0; id < orders; id++) book.delete(id, id % 2 === 0 ? 1 : -1, id % 2 === 0 ? 10_000 - (id % 4_000) : 20_000 + (id % 4_000), 1 + (id % 7));
  assert.equal(book.orderCount, 0);
  assert.equal(book.depth(1) + book.depth(-1), 0);
  assert.equal(book.bestBidPrice(), NaN);
});

test('order ids of any size: a book keeps ids beyond 2^53 and 2^63 (u64 ids as doubles) apart', () => {
  const book = new L3Book(16);
  const ids = Array.from({ length: 3_000 }, (_, k) => (k % 2 === 0 ? 2 ** 63 + k * 4096 : 2 ** 53 + k * 2));
  ids.forEach((id, k) => book.add(id, 1, 100 + (k % 10), k + 1, k));
  assert.equal(book.orderCount, ids.length);
  ids.forEach((id, k) => assert.equal(book.orderSize(id), k + 1, `order ${k}`));
  ids.forEach((id, k) => {
    if (k % 3 === 0) book.delete(id, 1, 100 + (k % 10), k + 1);
  });
  ids.forEach((id, k) => assert.equal(book.orderSize(id), k % 3 === 0 ? NaN : k + 1, `order ${k} after the deletes`));
});

test('an L2 replay applies runs of level rows in the module: updates, instruments interleaved, findings, snapshots and other rows in order', () => {
  const instruments = new InstrumentTable();
  for (const symbol of ['A', 'B']) instruments.intern({ venue: 'test', symbol, venueId: -1, priceDecimals: 0, sizeDecimals: 0, tickUnits: 1 });
  const builder = new BatchBuilder(instruments, 0n, 1 << 16);
  let line = 0;
  const row = (instrument: number, action: number, side: number, price: number, size: number, flags = 0) => builder.push(line, NaN, instrument, action, side, price, size, 0, line, flags, ++line);
  row(0, Action.LevelSet, 1, 99, 5);
  row(0, Action.LevelSet, -1, 101, 7);
  row(1, Action.LevelSet, 1, 50, 1, Flag.Last); // B's update ends inside A's
  row(0, Action.LevelSet, 0, 100, 3); // no side: a finding
  row(0, Action.LevelSet, 1, 98, 2, Flag.Last);
  row(0, Action.Trade, 1, 100, 1, Flag.Last); // no book effect, still an update
  row(1, Action.Add, 1, 49, 1, Flag.Last); // an order row in an L2 replay: a finding
  row(0, Action.SnapshotBegin, 0, 0, 0, Flag.Snapshot);
  row(0, Action.LevelSet, 1, 97, 4, Flag.Snapshot | Flag.Last); // inside the snapshot: no update yet
  row(0, Action.LevelSet, -1, 102, 6, Flag.Snapshot);
  row(0, Action.SnapshotEnd, 0, 0, 0, Flag.Snapshot | Flag.Last);
  row(1, Action.LevelDelete, 1, 50, 0, Flag.Last);
  const batch = builder.flush()!;
  // Twice: alone, and with another L2 replay run inside the first update handler (its rows replace the batch's in the module).
  for (const nested of [false, true]) {
    const report = new IntegrityReport('test', 'test');
    const replayer = new Replayer('L2', new Integrity('repair', report));
    const updates: string[] = [];
    replayer.push(batch, (book, _batch, at, instrument) => {
      if (nested && updates.length === 0) {
        const inner = new BatchBuilder(instruments, 0n);
        for (let k = 0; k < 16; k++) inner.push(k, NaN, 0, Action.LevelSet, -1, 10 + k, 1, 0, k, Flag.Last, k + 1);
        new Replayer('L2', new Integrity('repair', new IntegrityReport('inner', 'test'))).push(inner.flush()!);
      }
      updates.push(`${instrument}@${at}:${book.bestBidPrice()}/${book.bestAskPrice()}`);
    });
    const summary = replayer.finish();
    assert.deepEqual(updates, ['1@2:50/NaN', '0@4:99/101', '0@5:99/101', '1@6:50/NaN', '0@10:97/102', '1@11:NaN/NaN'], nested ? 'nested' : 'alone');
    assert.equal(summary.updates, 6);
    assert.deepEqual(summary.findings, { bad_book_event: 2 });
    const a = replayer.book(0);
    assert.deepEqual([a.depth(1), a.depth(-1)], [1, 1], 'the full snapshot replaced the levels before it');
  }
});
