import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardReturns, forwardReturnsEvents, smoothedLabels, tripleBarrier } from '../../src/mining/labels.js';
import { Normal } from './synthetic.js';

/** Irregular times (ns) and a random-walk price. */
function path(n: number, seed: number): { ts: Float64Array; price: Float64Array } {
  const normal = new Normal(seed);
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  let t = 0;
  let p = 100;
  for (let i = 0; i < n; i++) {
    t += Math.floor(1 + 2e9 * normal.uniform());
    p *= Math.exp(2e-3 * normal.next());
    ts[i] = t;
    price[i] = p;
  }
  return { ts, price };
}

/** A copy with every price strictly after `limit` replaced by something wild. */
function afterChanged(ts: Float64Array, price: Float64Array, limit: number): Float64Array {
  return Float64Array.from(price, (p, i) => (ts[i]! > limit ? p * 3 + 1000 + i : p));
}

test('labels never use data after the horizon: changing every later price leaves each label unchanged', () => {
  const { ts, price } = path(600, 4);
  const horizon = 10e9;
  const forward = forwardReturns(ts, price, horizon);
  const barrier = tripleBarrier(ts, price, horizon, 0.004, 0.004);
  let checked = 0;
  for (let i = 0; i < ts.length; i += 7) {
    const changed = afterChanged(ts, price, ts[i]! + horizon);
    const f = forwardReturns(ts, changed, horizon);
    const b = tripleBarrier(ts, changed, horizon, 0.004, 0.004);
    assert.ok(Object.is(f[i], forward[i]), `forward return of row ${i}`);
    assert.ok(Object.is(b.label[i], barrier.label[i]) && Object.is(b.touchNs[i], barrier.touchNs[i]), `barrier label of row ${i}`);
    if (!Number.isNaN(forward[i]!)) checked++;
  }
  assert.ok(checked > 50);
  // Event horizons: rows after i + k.
  const k = 5;
  const events = forwardReturnsEvents(price, k);
  const smooth = smoothedLabels(price, k, 1e-3);
  for (let i = 0; i + k < price.length; i += 11) {
    const changed = Float64Array.from(price, (p, j) => (j > i + k ? p * 7 : p));
    assert.ok(Object.is(forwardReturnsEvents(changed, k)[i], events[i]));
    assert.ok(Object.is(smoothedLabels(changed, k, 1e-3)[i], smooth[i]));
  }
});

test('the check has teeth: changing the price at the horizon itself does move the label', () => {
  const { ts, price } = path(600, 4);
  const horizon = 10e9;
  const forward = forwardReturns(ts, price, horizon);
  let moved = 0;
  for (let i = 0; i < 300; i += 7) {
    if (Number.isNaN(forward[i]!)) continue;
    // The last row at or before ts[i] + horizon is the one the label reads.
    let j = i;
    while (j + 1 < ts.length && ts[j + 1]! <= ts[i]! + horizon) j++;
    if (j === i) continue;
    const changed = price.slice();
    changed[j] = changed[j]! * 1.01;
    if (forwardReturns(ts, changed, horizon)[i] !== forward[i]) moved++;
  }
  assert.ok(moved > 30, `${moved}`);
});

test('forward returns and triple barriers on a hand-made path', () => {
  const ts = Float64Array.of(0, 1e9, 2e9, 3e9, 4e9, 5e9);
  const price = Float64Array.of(100, 101, 99, 102, 100, 100);
  const f = forwardReturns(ts, price, 2e9);
  assert.deepEqual(Array.from(f.subarray(0, 4)), [Math.log(99 / 100), Math.log(102 / 101), Math.log(100 / 99), Math.log(100 / 102)]);
  assert.ok(Number.isNaN(f[4]!) && Number.isNaN(f[5]!));
  // ±1.5%: from 100, 101 and 99 touch neither barrier... 102 is +2%: up at t = 3 s for row 0 (horizon 3 s).
  const { label, touchNs } = tripleBarrier(ts, price, 3e9, 0.015, 0.015);
  assert.equal(label[0], 1);
  assert.equal(touchNs[0], 3e9);
  // Row 3 (102): 100 is −1.96% at t = 4 s.
  assert.equal(label[3], -1);
  assert.equal(touchNs[3], 4e9);
  // Row 4 (100): nothing happens and the horizon runs past the data: undefined.
  assert.ok(Number.isNaN(label[4]!));
});
