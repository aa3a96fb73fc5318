import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeShortest } from '../../../src/io/table/shortest-double.js';
import { seededRandom } from '../../support/random.js';

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const high = (() => {
  bits[0] = 1;
  return words[1] === 0x3ff00000 ? 1 : 0;
})();

/** The double `steps` representable values away from `value`. */
function neighbour(value: number, steps: number): number {
  bits[0] = value;
  const low = words[1 - high]! + steps;
  words[1 - high] = low >>> 0;
  words[high] = words[high]! + Math.floor(low / 2 ** 32);
  return bits[0]!;
}

/** Checks each value against String(); returns how many the fast path wrote. */
function check(values: Iterable<number>): { written: number; total: number } {
  const buffer = new Uint8Array(64);
  let written = 0;
  let total = 0;
  for (const value of values) {
    total++;
    const end = writeShortest(buffer, 0, value);
    if (end < 0) continue;
    written++;
    const text = Buffer.from(buffer.subarray(0, end)).toString('latin1');
    if (text !== String(value)) assert.fail(`${String(value)}: wrote ${text}`);
  }
  return { written, total };
}

test('writeShortest writes what String() does: doubles of every exponent in range, from random bits', () => {
  const next = seededRandom(1);
  const values: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    // Binary exponents 2^-19 … 2^44, random significands and signs. (Larger values have so few bits below
    // the point that ties at the 17th digit are common: those go to String().)
    bits[0] = 2 ** (Math.floor(next() * 64) - 19) * (next() < 0.5 ? -1 : 1);
    words[1 - high] = Math.floor(next() * 2 ** 32);
    words[high] = (words[high]! & 0xfff00000) | Math.floor(next() * 2 ** 20);
    values.push(bits[0]!);
  }
  const { written, total } = check(values);
  assert.ok(written > 0.99 * total, `fast path for ${written} of ${total}`);
});

test('writeShortest writes what String() does: short decimals, their neighbours, and ties near powers', () => {
  const next = seededRandom(2);
  const values: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    const digits = 1 + Math.floor(next() * 17);
    const significand = Math.floor(next() * 10 ** digits);
    const value = Number(`${significand}e${Math.floor(next() * 23) - 6 - digits}`);
    for (let steps = -2; steps <= 2; steps++) values.push(neighbour(value, steps));
  }
  for (let e = -20; e <= 53; e++) for (let steps = -3; steps <= 3; steps++) values.push(neighbour(2 ** e, steps));
  for (let e = -6; e <= 16; e++) for (let steps = -3; steps <= 3; steps++) values.push(neighbour(Number(`1e${e}`), steps));
  check(values);
});

test('writeShortest leaves to String() what it cannot write, and writes nothing then', () => {
  const buffer = new Uint8Array(64).fill(7);
  for (const value of [0, 1e-7, 9.99e-7, 1e16, 1e21, 1.5e300, 5e-324, NaN, Infinity, -Infinity]) {
    assert.equal(writeShortest(buffer, 0, value), -1, String(value));
  }
  assert.ok(buffer.every((byte) => byte === 7));
  // In range: the usual shapes of feature values.
  check([-0.6528925619834711, 223.83429752066118, 0.00005998311167772489, 0.0014079945112328476, 1e-6, 123456789.12345679]);
});
