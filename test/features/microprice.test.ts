import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeFeatures, type FeatureFrame } from '../../src/features/index.js';
import { MicropriceCounts, fitMicroprice, type MicropriceModel } from '../../src/features/microprice.js';
import { openSource } from '../../src/io/index.js';
import { fixture, needs } from '../support/data.js';
import { rowSource, snapshot, type Row } from '../support/stream.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';

/**
 * A hand-built chain, 2 imbalance buckets, spreads of 1 tick only. Observed: bucket 1 → 1 without a
 * move once, 1 → 0 with the mid up one tick twice, 1 → 1 with the mid down one tick once; with the
 * mirrors (0 → 0 no move, 0 → 1 down twice, 0 → 0 up once) each state has 4 transitions:
 * Q = diag(¼, ¼); T(1,0) = T(0,1) = ½, T(1,1) = T(0,0) = ¼; R(1, +1) = ½, R(1, −1) = ¼ (mirrored for 0).
 * g¹(1) = (½ − ¼) / (1 − ¼) = ⅓; B = T / ¾ = [[⅓, ⅔], [⅔, ⅓]]; B g¹ = −⅓ g¹, so the terms are ⅓·(−⅓)ⁱ:
 * six terms sum to ⅓(1 − 3⁻⁶)/(4/3) = 182/729, all of them to ¼.
 */
const G6 = 182 / 729;

function handCounts(): MicropriceCounts {
  const counts = new MicropriceCounts(2, 1);
  assert.ok(counts.add(1, 1, 1, 1, 0));
  assert.ok(counts.add(1, 1, 0, 1, 2));
  assert.ok(counts.add(1, 1, 0, 1, 2));
  assert.ok(counts.add(1, 1, 1, 1, -2));
  // A jump of more than one tick is not a transition of the model.
  assert.equal(counts.add(1, 1, 0, 1, 3), false);
  return counts;
}

const near = (actual: ArrayLike<number>, expected: number[], message: string, tolerance = 1e-12) => {
  assert.equal(actual.length, expected.length, message);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    assert.ok(Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= tolerance, `${message}[${i}]: ${a} != ${e}`);
  }
};

test('the hand-built chain: Q, T, R, g¹, B and g* as worked out by hand', () => {
  const model = handCounts().estimate(6)!;
  near(model.Q, [1 / 4, 0, 0, 1 / 4], 'Q');
  near(model.T, [1 / 4, 1 / 2, 1 / 2, 1 / 4], 'T');
  near(model.R, [1 / 2, 0, 0, 1 / 4, 1 / 4, 0, 0, 1 / 2], 'R (rows: bucket 0, 1; columns ΔM = −1, −½, ½, 1)');
  near(model.g1, [-1 / 3, 1 / 3], 'g1');
  near(model.B, [1 / 3, 2 / 3, 2 / 3, 1 / 3], 'B');
  near(model.g, [-G6, G6], 'g* (6 terms)');
  assert.equal(model.terms, 6);
  assert.equal(model.transitions, 8);
  near(handCounts().estimate(1)!.g, [-1 / 3, 1 / 3], 'g* (1 term)');
  const converged = handCounts().estimate(100)!;
  near(converged.g, [-1 / 4, 1 / 4], 'g* (to convergence)', 1e-11);
  // Terms stop once below 1e-12 tick: ⅓·3⁻ⁱ < 1e-12 from i = 25.
  assert.equal(converged.terms, 26);
});

test('a state set that never sees the mid move makes 1 − Q singular: no estimate', () => {
  const counts = new MicropriceCounts(2, 1);
  counts.add(0, 1, 1, 1, 0);
  assert.equal(counts.estimate(6), null);
  counts.add(0, 1, 0, 1, 1);
  assert.notEqual(counts.estimate(6), null);
});

/** Touch observations (bid, bid size, ask, ask size) in cents, one tick = 1 unit, that make the hand chain's transitions. */
const touches: [number, number, number, number][] = [
  [10000, 3, 10001, 1], // bucket 1
  [10000, 4, 10001, 1], // bucket 1, no move
  [10001, 1, 10002, 3], // bucket 0, mid +1 tick
  [10010, 3, 10011, 1], // jump of 9 ticks: not counted
  [10011, 1, 10012, 3], // bucket 0, mid +1 tick
  [10020, 3, 10021, 1], // jump: not counted
  [10019, 3, 10020, 1], // bucket 1, mid −1 tick
  [10019, 1, 10020, 3], // bucket 0
  [10018, 1, 10020, 1], // spread 2 ticks: outside the model
  [10018, 1, 10019, 1], // I = ½: bucket 1
];

test('fitMicroprice from arrays counts the same transitions as the hand chain', () => {
  const column = (k: number) => touches.map((touch) => touch[k]!);
  const model = fitMicroprice(column(0).slice(0, 7), column(1).slice(0, 7), column(2).slice(0, 7), column(3).slice(0, 7), 1, { buckets: 2, spreads: 1 })!;
  near(model.g, [-G6, G6], 'g*');
  assert.equal(model.transitions, 8);
});

test('microprice feature: NaN before the first estimate, mid + g*·tick after it, NaN outside the model', async () => {
  const rows: Row[] = touches.flatMap(([bid, bidSize, ask, askSize], k) => snapshot((k + 1) * 1e9, [[bid, bidSize]], [[ask, askSize]]));
  const frame = await computeFeatures(rowSource(rows, 'L2'), 'microprice:buckets=2:spreads=1:refit=7,mid', 'event');
  assert.equal(frame.length, 10);
  const mid = frame.columns.mid!;
  const g = G6 * 0.01;
  near(frame.columns.microprice!, [NaN, NaN, NaN, NaN, NaN, NaN, mid[6]! + g, mid[7]! - g, NaN, mid[9]! + g], 'microprice', 1e-9);
  near([mid[6]!, mid[7]!, mid[9]!], [100.195, 100.195, 100.185], 'mid', 1e-9);
});

/** Best bid and ask, prices and sizes, after every update of a source (real units). */
async function touchSeries(path: string): Promise<{ bid: Float64Array; bidSize: Float64Array; ask: Float64Array; askSize: Float64Array }> {
  const frame = await computeFeatures(await openSource(path), 'mid,spread,depth:levels=1', 'event');
  const { mid, spread, depth_bid_1: bidSize, depth_ask_1: askSize } = frame.columns;
  const bid = mid!.map((m, i) => m - spread![i]! / 2);
  const ask = mid!.map((m, i) => m + spread![i]! / 2);
  return { bid, bidSize: bidSize!, ask, askSize: askSize! };
}

function table(model: MicropriceModel): string {
  const lines: string[] = [];
  for (let s = 1; s <= model.spreads; s++) lines.push(`S=${s}: ${Array.from(model.g.subarray((s - 1) * model.buckets, s * model.buckets), (g) => g.toFixed(4)).join(' ')}`);
  return lines.join('; ');
}

test('AMZN: the g* table is antisymmetric in the imbalance; with the paper’s two spreads it stays inside half the spread', needs(AMZN), async (t) => {
  const { bid, bidSize, ask, askSize } = await touchSeries(fixture(AMZN));
  for (const spreads of [2, 10]) {
    const model = fitMicroprice(bid, bidSize, ask, askSize, 0.01, { spreads })!;
    const b = model.buckets;
    const outside: string[] = [];
    for (let s = 1; s <= spreads; s++) {
      for (let i = 0; i < b; i++) {
        const g = model.g[(s - 1) * b + i]!;
        if (Number.isNaN(g)) continue;
        assert.ok(Math.abs(g + model.g[(s - 1) * b + b - 1 - i]!) < 1e-12, `g*(bucket ${i}, S=${s}) = ${g}, mirror ${model.g[(s - 1) * b + b - 1 - i]}`);
        if (Math.abs(g) >= s / 2) outside.push(`bucket ${i + 1} S=${s}: ${g.toFixed(4)}`);
      }
    }
    if (spreads === 2) assert.deepEqual(outside, []);
    // g*(1 − I) = −g*(I) for imbalances off the bucket edges.
    for (const imbalance of [0.03, 0.27, 0.44]) {
      const bucket = Math.floor(imbalance * b);
      const mirror = Math.floor((1 - imbalance) * b);
      assert.ok(Math.abs(model.g[bucket]! + model.g[mirror]!) < 1e-12);
    }
    assert.ok(model.g[b - 1]! > 0 && model.g[0]! < 0, 'a heavy bid pushes the micro-price up');
    t.diagnostic(`spreads ${spreads}: ${model.transitions} transitions (mirrors included), ${model.terms} terms; g* in ticks by imbalance bucket 1…${b}: ${table(model)}; beyond half the spread: ${outside.join(', ') || 'none'}`);
  }
});

/** Mean squared errors of predictors of the mid `horizon` ns after each update (the mid after the last update at or before it). */
function forecastErrors(frame: FeatureFrame, horizonNs: number): { n: number; microprice: number; mid: number; weightedMid: number } {
  const { microprice, mid, weighted_mid: weightedMid } = frame.columns;
  const sums = { n: 0, microprice: 0, mid: 0, weightedMid: 0 };
  let j = 0;
  for (let i = 0; i < frame.length; i++) {
    const target = frame.ts[i]! + horizonNs;
    if (target > frame.ts[frame.length - 1]!) break;
    while (j + 1 < frame.length && frame.ts[j + 1]! <= target) j++;
    const future = mid![j]!;
    if (![microprice![i]!, mid![i]!, weightedMid![i]!, future].every(Number.isFinite)) continue;
    sums.n++;
    sums.microprice += (future - microprice![i]!) ** 2;
    sums.mid += (future - mid![i]!) ** 2;
    sums.weightedMid += (future - weightedMid![i]!) ** 2;
  }
  return { n: sums.n, microprice: sums.microprice / sums.n, mid: sums.mid / sums.n, weightedMid: sums.weightedMid / sums.n };
}

test('AMZN: the micro-price (paper’s parameters) lies within [bid, ask]; its 10 s forecast error against mid and weighted mid', needs(AMZN), async (t) => {
  for (const list of ['microprice', 'microprice:spreads=10']) {
    const frame = await computeFeatures(await openSource(fixture(AMZN)), `${list},mid,weighted_mid,spread`, 'event');
    const { microprice, mid, spread } = frame.columns;
    let defined = 0;
    let outside = 0;
    for (let i = 0; i < frame.length; i++) {
      if (Number.isNaN(microprice![i]!)) continue;
      defined++;
      if (Math.abs(microprice![i]! - mid![i]!) > spread![i]! / 2) outside++;
    }
    assert.ok(defined > 0);
    if (list === 'microprice') assert.equal(outside, 0, 'updates with the micro-price outside [bid, ask]');
    const errors = forecastErrors(frame, 10e9);
    const ratio = (value: number) => (value / errors.mid).toFixed(5);
    t.diagnostic(
      `${list}: defined after ${defined} of ${frame.length} updates (${outside} outside [bid, ask]); mid 10 s ahead over ${errors.n} of them, MSE in $²: micro-price ${errors.microprice.toExponential(5)} (×${ratio(errors.microprice)} of mid's), mid ${errors.mid.toExponential(5)}, weighted mid ${errors.weightedMid.toExponential(5)} (×${ratio(errors.weightedMid)})`,
    );
  }
});

test('microprice with frequent refits: the same values in one pass and in 7-row batches', needs(AMZN), async () => {
  const list = 'microprice:refit=500:spreads=4';
  const whole = await computeFeatures(await openSource(fixture(AMZN)), list, 'event');
  const chunked = await computeFeatures(await openSource(fixture(AMZN), { batchRows: 7 }), list, 'event');
  assert.equal(whole.length, chunked.length);
  const [a, b] = [whole.columns.microprice!, chunked.columns.microprice!];
  assert.ok(a.filter(Number.isFinite).length > 1000);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`row ${i}: ${a[i]} in one pass, ${b[i]} in 7-row batches`);
});
