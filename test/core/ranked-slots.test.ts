import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RankedSlots } from '../../src/core/ranked-slots.js';
import { seededRandom } from '../support/random.js';

/** Checks every rank, the best entry and the best slots against `reference` (keys ascending, with their slots). */
function assertSame(ranks: RankedSlots, reference: { key: number; slot: number }[], context: string): void {
  assert.equal(ranks.count, reference.length, context);
  const bestFirst = reference.map((entry) => entry.slot).reverse();
  assert.equal(ranks.best(), bestFirst[0] ?? -1, context);
  // A walk from the best, as the books' depth loops do, then lookups in random order.
  for (let rank = 0; rank < bestFirst.length; rank++) assert.equal(ranks.slotAt(rank), bestFirst[rank], `${context}, rank ${rank}`);
  assert.equal(ranks.slotAt(bestFirst.length), -1, context);
  for (let k = 0; k < 50 && bestFirst.length > 0; k++) {
    const rank = (k * 7919) % bestFirst.length;
    assert.equal(ranks.slotAt(rank), bestFirst[rank], `${context}, rank ${rank} out of order`);
  }
  const into = new Int32Array(bestFirst.length + 5);
  assert.equal(ranks.bestSlots(bestFirst.length + 5, into), bestFirst.length, context);
  assert.deepEqual([...into.subarray(0, bestFirst.length)], bestFirst, context);
  assert.equal(ranks.bestSlots(10, into), Math.min(10, bestFirst.length), context);
  assert.deepEqual([...into.subarray(0, Math.min(10, bestFirst.length))], bestFirst.slice(0, 10), context);
}

test('RankedSlots keeps the order of a sorted array through thousands of inserts and removals, near the best and deep', () => {
  const random = seededRandom(7);
  for (const [name, nearBest] of [['deep', 0.2], ['near the best', 0.95]] as const) {
    const ranks = new RankedSlots(4);
    const reference: { key: number; slot: number }[] = [];
    let nextSlot = 0;
    let centre = 0;
    for (let step = 0; step < 40_000; step++) {
      // The book drifts, so blocks fill, split, empty and merge at both ends and in the middle.
      centre += random() < 0.5 ? -1 : 1;
      const key = random() < nearBest ? centre + Math.floor(random() * 10) : centre + Math.floor((random() - 0.7) * 20_000);
      const at = reference.findIndex((entry) => entry.key >= key);
      const present = at >= 0 && reference[at]!.key === key;
      // Inserts outweigh removals at first, then the other way round: the depth rises to thousands and falls.
      const inserting = random() < (step < 20_000 ? 0.7 : 0.3);
      if (present && !inserting) {
        ranks.remove(key);
        reference.splice(at, 1);
      } else if (!present && inserting) {
        ranks.insert(key, nextSlot);
        reference.splice(at < 0 ? reference.length : at, 0, { key, slot: nextSlot++ });
      }
      if (step % 4_000 === 3_999) assertSame(ranks, reference, `${name}, step ${step}, ${reference.length} entries`);
    }
    assert.ok(reference.length < 8_000, `${name}: the test reached ${reference.length} entries`);
    while (reference.length > 0) {
      const at = Math.floor(random() * reference.length);
      ranks.remove(reference[at]!.key);
      reference.splice(at, 1);
      if (reference.length % 500 === 0) assertSame(ranks, reference, `${name}, emptying, ${reference.length} left`);
    }
  }
});

test('RankedSlots after clear is empty and takes new entries, negative keys (asks) included', () => {
  const ranks = new RankedSlots();
  for (let k = 0; k < 1_000; k++) ranks.insert(-k * 3, k);
  ranks.clear();
  assertSame(ranks, [], 'cleared');
  for (let k = 0; k < 300; k++) ranks.insert(-k, k);
  assertSame(
    ranks,
    Array.from({ length: 300 }, (_, k) => ({ key: k - 299, slot: 299 - k })),
    'refilled',
  );
});
