import assert from 'node:assert/strict';
import { test } from 'node:test';
import { L2Book } from '../../src/book/l2-book.js';
import { L3Book } from '../../src/book/l3-book.js';
import { Action } from '../../src/core/event.js';
import { computeFeatures } from '../../src/features/index.js';
import { Random } from '../../src/features/random.js';
import { TopLevels } from '../../src/features/top-levels.js';
import { rowSource, type Row } from '../support/stream.js';

const S = 1e9;

test('features that read many levels see the whole book, as it grows past 64 levels and shrinks again', async () => {
  // 70 bid levels 100.00, 99.99, … each k + 1 lots, two asks (3 and 4 lots); then the best 5 bids are cancelled.
  const rows: Row[] = [
    { ts: 1 * S, action: Action.Add, side: -1, price: 10001, size: 3, id: 1000 },
    { ts: 2 * S, action: Action.Add, side: -1, price: 10002, size: 4, id: 1001 },
  ];
  for (let k = 0; k < 70; k++) rows.push({ ts: (3 + k) * S, action: Action.Add, side: 1, price: 10000 - k, size: k + 1, id: k + 1 });
  for (let k = 0; k < 5; k++) rows.push({ ts: (100 + k) * S, action: Action.Cancel, side: 1, price: 10000 - k, size: k + 1, id: k + 1 });
  const frame = await computeFeatures(rowSource(rows), 'depth:levels=80,qi:levels=66,mlofi:levels=50,spread', 'event');
  const sum = (from: number, to: number) => ((to - from) * (from + 1 + to)) / 2;
  const full = 2 + 70 - 1;
  assert.equal(frame.columns.depth_bid_80![full], sum(0, 70));
  assert.equal(frame.columns.depth_ask_80![full], 7);
  assert.equal(frame.columns.qi_66![full], (sum(0, 66) - 7) / (sum(0, 66) + 7));
  // The level added at the 50th rank: the new queue counts at rank 50 only, shifting no better rank.
  assert.equal(frame.columns.mlofi_50![2 + 49], 50);
  const last = frame.length - 1;
  assert.equal(frame.columns.depth_bid_80![last], sum(5, 70));
  assert.equal(frame.columns.qi_66![last], (sum(5, 70) - 7) / (sum(5, 70) + 7));
  assert.equal(frame.columns.spread![last], 0.06);
});

test('a side whose ladder counted no change is not read again, and every book change is counted', () => {
  // Random operations through every path that changes a level (adds, partial and full cancels, fills,
  // modifies that move an order across the book, levels set and deleted, snapshots, truncation, clear):
  // after each one the skipping reader must hold what a fresh reader sees, and a side it reports
  // unchanged must be as it was.
  for (const book of [new L3Book(), new L2Book()]) {
    const random = new Random(7);
    const kept = new TopLevels(5);
    let before = new TopLevels(5);
    const live: number[] = [];
    let nextId = 1;
    for (let step = 0; step < 4000; step++) {
      const side = random.uniform() < 0.5 ? 1 : -1;
      const price = side === 1 ? 100 - Math.floor(random.uniform() * 8) : 101 + Math.floor(random.uniform() * 8);
      const size = 1 + Math.floor(random.uniform() * 5);
      const pick = live.length > 0 ? live[Math.floor(random.uniform() * live.length)]! : 0;
      const op = Math.floor(random.uniform() * 10);
      if (book instanceof L3Book && op < 3) {
        book.add(nextId, side, price, size);
        live.push(nextId++);
      } else if (book instanceof L3Book && op === 3 && pick) book.cancel(pick, side, price, 1);
      else if (book instanceof L3Book && op === 4 && pick) book.fill(pick, side, price, book.orderSize(pick));
      else if (book instanceof L3Book && op === 5 && pick) book.modify(pick, side, price, size);
      else if (op === 6) book.setLevel(side, price, size);
      else if (op === 7) book.deleteLevel(side, price);
      else if (op === 8 && step % 7 === 0) {
        book.beginSnapshot(side, 3);
        book.snapshotLevel(side, price, size);
        book.endSnapshot();
      } else if (op === 9 && step % 50 === 0) book.clear();
      else book.truncate(6);
      kept.read(book);
      const fresh = new TopLevels(5);
      fresh.read(book);
      for (const key of ['bidPrice', 'bidSize', 'askPrice', 'askSize'] as const) assert.deepEqual([...kept[key]], [...fresh[key]], `step ${step}: ${key}`);
      assert.equal(kept.bidLevels, fresh.bidLevels);
      assert.equal(kept.askLevels, fresh.askLevels);
      if (!kept.bidChanged) assert.deepEqual([...kept.bidPrice, ...kept.bidSize], [...before.bidPrice, ...before.bidSize], `step ${step}: bids`);
      if (!kept.askChanged) assert.deepEqual([...kept.askPrice, ...kept.askSize], [...before.askPrice, ...before.askSize], `step ${step}: asks`);
      before = fresh;
    }
  }
});
