import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumberQueue } from '../../src/surveillance/number-queue.js';
import { OrderedNumberMap } from '../../src/surveillance/ordered-number-map.js';
import { seededRandom } from '../support/random.js';

test('OrderedNumberMap behaves as a Map: values, size, and insertion order, with deletes while visiting', () => {
  const random = seededRandom(7);
  for (let round = 0; round < 100; round++) {
    const map = new Map<number, number>();
    const ordered = new OrderedNumberMap<{ v: number }>();
    const keyRange = 1 + Math.floor(random() * 50);
    const offset = random() < 0.5 ? 1e12 : 0; // ids beyond int32
    for (let op = 0; op < 1500; op++) {
      const key = offset + Math.floor(random() * keyRange) * (random() < 0.5 ? 1 : -1);
      const r = random();
      if (r < 0.45) {
        map.set(key, op);
        ordered.set(key, { v: op });
      } else if (r < 0.85) {
        map.delete(key);
        ordered.delete(key);
      } else if (r < 0.95) {
        assert.equal(ordered.get(key)?.v, map.get(key));
      } else {
        const visited: [number, number][] = [];
        for (let slot = 0; slot < ordered.end; slot++) {
          const value = ordered.at(slot);
          if (value) visited.push([ordered.keyAt(slot), value.v]);
        }
        assert.deepEqual(visited, [...map.entries()]);
        // Deleting during a visit (as the iceberg detector does) must not skip or repeat entries.
        for (let slot = 0; slot < ordered.end; slot++) {
          const value = ordered.at(slot);
          if (value && value.v % 3 === 0) {
            map.delete(ordered.keyAt(slot));
            ordered.delete(ordered.keyAt(slot));
          }
        }
      }
      assert.equal(ordered.size, map.size);
    }
  }
});

test('NumberQueue behaves as an array used first in, first out, across growth and wrap-around', () => {
  const random = seededRandom(11);
  for (let round = 0; round < 100; round++) {
    const queue = new NumberQueue();
    const array: number[] = [];
    for (let op = 0; op < 2000; op++) {
      if (random() < 0.55) {
        const value = random() * 1e13;
        queue.push(value);
        array.push(value);
      } else if (array.length > 0) {
        queue.shift();
        array.shift();
      }
      assert.equal(queue.length, array.length);
      for (let k = 0; k < array.length; k += 7) assert.equal(queue.at(k), array[k]);
    }
  }
});
