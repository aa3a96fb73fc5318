import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumberMap } from '../../src/core/number-map.js';

test('NumberMap agrees with Map under random inserts and deletes of large and negative keys', () => {
  const map = new NumberMap(4);
  const reference = new Map<number, number>();
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let step = 0; step < 200_000; step++) {
    // Keys up to 2^52 and negative ones, clustered so that deletes hit present keys often.
    const key = Math.floor(random() * 5000) * 1_000_000_007 * (random() < 0.1 ? -1 : 1);
    if (random() < 0.6) {
      map.set(key, step);
      reference.set(key, step);
    } else {
      assert.equal(map.delete(key), reference.get(key) ?? -1);
      reference.delete(key);
    }
  }
  assert.equal(map.size, reference.size);
  for (const [key, value] of reference) assert.equal(map.get(key), value);
  assert.equal(map.get(0.5), -1);
});
