import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumberMap } from '../../src/core/number-map.js';
import { seededRandom } from '../support/random.js';

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

test('NumberMap getOrInsert, find, valueAt and removeAt agree with Map: inserts only absent keys, removes what was found', () => {
  const random = seededRandom(13);
  for (let round = 0; round < 100; round++) {
    const reference = new Map<number, number>();
    const map = new NumberMap(4);
    const keyRange = 1 + Math.floor(random() * 400);
    const offset = random() < 0.5 ? 1e12 : 0; // keys beyond int32
    for (let op = 0; op < 3000; op++) {
      const key = offset + Math.floor(random() * keyRange) * (random() < 0.5 ? 1 : -1);
      const r = random();
      if (r < 0.5) {
        assert.equal(map.getOrInsert(key, op), reference.get(key) ?? -1);
        if (!reference.has(key)) reference.set(key, op);
      } else if (r < 0.7) {
        assert.equal(map.delete(key), reference.get(key) ?? -1);
        reference.delete(key);
      } else if (r < 0.85) {
        const at = map.find(key);
        assert.equal(at < 0 ? -1 : map.valueAt(at), reference.get(key) ?? -1);
        if (at >= 0) {
          map.removeAt(at);
          reference.delete(key);
        }
      } else {
        assert.equal(map.get(key), reference.get(key) ?? -1);
      }
      assert.equal(map.size, reference.size);
    }
    for (const [key, value] of reference) assert.equal(map.get(key), value);
  }
});
