import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ladder } from '../../src/core/ladder.js';
import { seededRandom } from '../support/random.js';

/** Checks a side's depth, best level, every rank and its best levels against `prices`, the prices it holds. */
function assertSide(ladder: Ladder, prices: Set<number>, context: string): void {
  const bestFirst = [...prices].sort((a, b) => (a - b) * -ladder.side);
  assert.equal(ladder.depth, bestFirst.length, context);
  assert.equal(ladder.bestSlot < 0 ? NaN : ladder.price[ladder.bestSlot], bestFirst.length > 0 ? bestFirst[0] : NaN, context);
  for (let rank = 0; rank < bestFirst.length; rank++) assert.equal(ladder.price[ladder.slotAt(rank)], bestFirst[rank], `${context}, rank ${rank}`);
  assert.equal(ladder.slotAt(bestFirst.length), -1, context);
  const top = Math.min(20, bestFirst.length);
  const prices20 = new Float64Array(20);
  const sizes20 = new Float64Array(20);
  assert.equal(ladder.copyBest(20, prices20, sizes20), top, context);
  assert.deepEqual([...prices20.subarray(0, top)], bestFirst.slice(0, top), context);
  assert.deepEqual([...sizes20.subarray(0, top)], bestFirst.slice(0, top).map((price) => price % 97), context);
}

test('a ladder side keeps its levels in order as it grows past 512 levels (blocks), shrinks and is cleared, bids and asks', () => {
  for (const side of [1, -1]) {
    const random = seededRandom(side === 1 ? 3 : 4);
    const ladder = new Ladder(side, 4);
    const prices = new Set<number>();
    const step = (insertShare: number) => {
      const price = 10_000 + Math.floor(random() * 3_000);
      if (random() < 0.05 && prices.size > 0) {
        // The touch moves: the best level goes.
        prices.delete(ladder.price[ladder.bestSlot]!);
        ladder.remove(ladder.bestSlot);
      } else if (random() < insertShare) {
        const slot = ladder.ensure(price);
        ladder.size[slot] = price % 97;
        prices.add(price);
      } else if (prices.has(price)) {
        ladder.remove(ladder.find(price));
        prices.delete(price);
      }
      // The best level is read after every update: check it after every change, not only at the checkpoints.
      assert.equal(ladder.bestSlot, ladder.slotAt(0), `side ${side}: best level after a change`);
    };
    for (let k = 0; k < 300; k++) step(0.9);
    assertSide(ladder, prices, `side ${side}, shallow`);
    for (let k = 0; k < 6_000; k++) step(0.7);
    assert.ok(prices.size > 1_000, `side ${side}: reached ${prices.size} levels`);
    assertSide(ladder, prices, `side ${side}, deep`);
    for (let k = 0; k < 30_000; k++) step(0.2);
    assertSide(ladder, prices, `side ${side}, shrunk to ${prices.size}`);
    ladder.clear();
    prices.clear();
    assertSide(ladder, prices, `side ${side}, cleared`);
    for (let k = 0; k < 200; k++) step(1);
    assertSide(ladder, prices, `side ${side}, refilled`);
  }
});
