import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Action } from '../../src/core/event.js';
import { computeFeatures, type FeatureFrame } from '../../src/features/index.js';
import { fitHawkes, hawkesLogLikelihood, hawkesLogLikelihoodGradient, simulateHawkes } from '../../src/features/hawkes.js';
import { Random } from '../../src/features/random.js';
import { openSource } from '../../src/io/index.js';
import { fixture, needs } from '../support/data.js';
import { rowSource, type Row } from '../support/stream.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const BINANCE = 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz';

test('xoshiro128** gives the reference implementation’s outputs; seeds give repeatable, distinct sequences', () => {
  const reference = Random.fromState(1, 2, 3, 4);
  assert.deepEqual(Array.from({ length: 8 }, () => reference.nextUint32()), [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  const draw = (seed: number) => Array.from({ length: 5 }, ((random) => () => random.uniform())(new Random(seed)));
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  const random = new Random(1);
  let sum = 0;
  for (let i = 0; i < 100_000; i++) {
    const u = random.uniform();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.005, `mean ${sum / 100_000}`);
});

/** ℓ by its definition, every pair of events summed: Σ log(μ + Σ_{j<i} α e^{−β(tᵢ−tⱼ)}) − μT − Σ (α/β)(1 − e^{−β(T−tⱼ)}). */
function directLogLikelihood(times: ArrayLike<number>, T: number, mu: number, alpha: number, beta: number): number {
  let ll = -mu * T;
  for (let i = 0; i < times.length; i++) {
    let lambda = mu;
    for (let j = 0; j < i; j++) lambda += alpha * Math.exp(-beta * (times[i]! - times[j]!));
    ll += Math.log(lambda) - (alpha / beta) * (1 - Math.exp(-beta * (T - times[i]!)));
  }
  return ll;
}

test('the O(n) log-likelihood equals the O(n²) definition', () => {
  // By hand: events at 1 and 2 on [0, 3], μ = 0.5, α = 1, β = 2: λ(1) = 0.5, λ(2) = 0.5 + e^{−2}.
  const byHand = Math.log(0.5) + Math.log(0.5 + Math.exp(-2)) - 1.5 - 0.5 * (1 - Math.exp(-4) + 1 - Math.exp(-2));
  assert.ok(Math.abs(hawkesLogLikelihood([1, 2], 3, 0.5, 1, 2) - byHand) < 1e-12);
  const times = simulateHawkes(1, 2, 3, 200, 11);
  assert.ok(times.length > 300, `${times.length} events`);
  for (const [mu, alpha, beta] of [
    [1, 2, 3],
    [0.3, 0.1, 5],
    [2, 40, 50],
  ] as const) {
    const fast = hawkesLogLikelihood(times, 200, mu, alpha, beta);
    const direct = directLogLikelihood(times, 200, mu, alpha, beta);
    assert.ok(Math.abs(fast - direct) < 1e-9 * Math.abs(direct), `${fast} vs ${direct}`);
  }
});

test('the analytic gradient equals central differences of the log-likelihood', () => {
  const times = simulateHawkes(0.8, 1.5, 2.5, 500, 3);
  const theta = [0.9, 1.2, 2.9];
  const gradient = new Float64Array(3);
  const ll = hawkesLogLikelihoodGradient(times, 500, theta[0]!, theta[1]!, theta[2]!, gradient);
  assert.equal(ll, hawkesLogLikelihood(times, 500, theta[0]!, theta[1]!, theta[2]!));
  for (let k = 0; k < 3; k++) {
    const h = 1e-6 * theta[k]!;
    const plus = [...theta];
    const minus = [...theta];
    plus[k]! += h;
    minus[k]! -= h;
    const numeric = (hawkesLogLikelihood(times, 500, plus[0]!, plus[1]!, plus[2]!) - hawkesLogLikelihood(times, 500, minus[0]!, minus[1]!, minus[2]!)) / (2 * h);
    assert.ok(Math.abs(numeric - gradient[k]!) < 1e-5 * Math.max(1, Math.abs(numeric)), `∂ℓ/∂θ${k}: ${gradient[k]} vs ${numeric}`);
  }
});

/** Time-rescaled gaps Λ(tᵢ₋₁, tᵢ) of a Hawkes path under its parameters: i.i.d. Exp(1) when the path is one (Ogata 1988). */
function rescaledGaps(times: Float64Array, mu: number, alpha: number, beta: number): Float64Array {
  const gaps = new Float64Array(times.length);
  let previous = 0;
  let excitation = 0;
  for (let i = 0; i < times.length; i++) {
    const gap = times[i]! - previous;
    gaps[i] = mu * gap + (alpha / beta) * excitation * -Math.expm1(-beta * gap);
    excitation = excitation * Math.exp(-beta * gap) + 1;
    previous = times[i]!;
  }
  return gaps;
}

test('Ogata thinning: repeatable by seed, and the time-rescaled gaps pass a Kolmogorov–Smirnov test for Exp(1)', () => {
  assert.deepEqual(simulateHawkes(1, 0.5, 1, 100, 5), simulateHawkes(1, 0.5, 1, 100, 5));
  for (const [mu, alpha, beta, seed] of [
    [0.5, 0.8, 1.2, 1],
    [20, 300, 500, 2],
    [0.2, 9, 10, 3],
  ] as const) {
    const T = 10_000 / (mu / (1 - alpha / beta));
    const times = simulateHawkes(mu, alpha, beta, T, seed);
    const n = times.length;
    assert.ok(times.every((t, i) => t > 0 && t <= T && (i === 0 || t >= times[i - 1]!)));
    // Count within four standard deviations of the stationary mean (variance μT/(1−n)³ for large T).
    const mean = (mu * T) / (1 - alpha / beta);
    assert.ok(Math.abs(n - mean) < 4 * Math.sqrt(mean / (1 - alpha / beta) ** 2), `${n} events, expected ${mean}`);
    const gaps = rescaledGaps(times, mu, alpha, beta).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const cdf = 1 - Math.exp(-gaps[i]!);
      d = Math.max(d, Math.abs(cdf - i / n), Math.abs(cdf - (i + 1) / n));
    }
    assert.ok(d < 1.63 / Math.sqrt(n), `KS D = ${d} over ${n} gaps (1% critical value ${1.63 / Math.sqrt(n)})`);
  }
});

/** Standard errors from the observed information: the inverse of −∂²ℓ, by central differences of the analytic gradient. */
function standardErrors(times: Float64Array, T: number, theta: number[]): number[] {
  const hessian: number[][] = [];
  const plus = new Float64Array(3);
  const minus = new Float64Array(3);
  for (let k = 0; k < 3; k++) {
    const h = 1e-5 * theta[k]!;
    const up = [...theta];
    const down = [...theta];
    up[k]! += h;
    down[k]! -= h;
    hawkesLogLikelihoodGradient(times, T, up[0]!, up[1]!, up[2]!, plus);
    hawkesLogLikelihoodGradient(times, T, down[0]!, down[1]!, down[2]!, minus);
    hessian.push([0, 1, 2].map((j) => -(plus[j]! - minus[j]!) / (2 * h)));
  }
  const [[a, b, c], [d, e, f], [g, h, i]] = hessian as [[number, number, number], [number, number, number], [number, number, number]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [(e * i - f * h) / det, (a * i - c * g) / det, (a * e - b * d) / det].map(Math.sqrt);
}

test('maximum likelihood recovers (μ, α, β) of simulated processes: within 4 standard errors and 10%', () => {
  for (const [mu, alpha, beta] of [
    [0.5, 0.8, 1.2],
    [1, 2, 4],
    [0.2, 9, 10],
    [20, 300, 500],
  ] as const) {
    const T = 20_000 / (mu / (1 - alpha / beta));
    for (const seed of [1, 2, 3]) {
      const times = simulateHawkes(mu, alpha, beta, T, 100 * seed + Math.round(beta));
      const fit = fitHawkes(times, T);
      const label = `(${mu}, ${alpha}, ${beta}) seed ${seed}, ${times.length} events → (${fit.mu.toPrecision(4)}, ${fit.alpha.toPrecision(4)}, ${fit.beta.toPrecision(4)})`;
      assert.ok(fit.converged, `${label}: not converged after ${fit.iterations} iterations`);
      assert.ok(times.length > 10_000 && times.length < 30_000, label);
      const errors = standardErrors(times, T, [fit.mu, fit.alpha, fit.beta]);
      [fit.mu, fit.alpha, fit.beta].forEach((estimate, k) => {
        const truth = [mu, alpha, beta][k]!;
        assert.ok(Math.abs(estimate - truth) < 4 * errors[k]!, `${label}: parameter ${k} off by ${(estimate - truth) / errors[k]!} standard errors`);
        assert.ok(Math.abs(estimate - truth) < 0.1 * truth, `${label}: parameter ${k} off by more than 10%`);
      });
      assert.equal(fit.branchingRatio, fit.alpha / fit.beta);
      assert.ok(Math.abs(fit.logLikelihood - hawkesLogLikelihood(times, T, fit.mu, fit.alpha, fit.beta)) < 1e-6 * Math.abs(fit.logLikelihood));
      // The estimate is at least as likely as the truth.
      assert.ok(fit.logLikelihood >= hawkesLogLikelihood(times, T, mu, alpha, beta) - 1e-6, label);
    }
  }
});

test('fitHawkes refuses too few, unordered or out-of-range times; ties leave it unconverged', () => {
  assert.throws(() => fitHawkes([1], 2), /at least two events/);
  assert.throws(() => fitHawkes([1, 0.5, 2], 3), /non-decreasing/);
  assert.throws(() => fitHawkes([1, 2, 4], 3), /within \[0, T\]/);
  const times = Array.from(simulateHawkes(1, 1, 2, 500, 9));
  const tied = times.flatMap((t, i) => (i % 3 === 0 ? [t, t] : [t]));
  const fit = fitHawkes(tied, 500);
  assert.equal(fit.converged, false);
  assert.ok(fit.beta > 1e3, `β ${fit.beta}: the tied likelihood grows without bound in β`);
});

const S = 1e9;
const trade = (seconds: number, side: number, price = 10000): Row => ({ ts: Math.round(seconds * S), action: Action.Trade, side, price, size: 1 });

test('hawkes feature: intensities at each boundary from the fitted parameters, window and refit as specified, worked by hand', async () => {
  const buys = [0, 0.1, 0.12, 0.5, 0.52, 0.55, 1.3, 1.31, 2.0, 2.05, 3.5, 3.52];
  const rows: Row[] = [
    trade(0, 1),
    trade(0.1, 1),
    trade(0.12, 1, 10001),
    // Same venue time, same side: part of the previous event.
    trade(0.12, 1, 10001),
    trade(0.3, -1, 10000),
    trade(0.5, 1),
    trade(0.52, 1),
    trade(0.55, 1),
    trade(1.3, 1),
    // No aggressor: an up-tick is a buy (and at 1.31 s the next one is a tie of it).
    trade(1.31, 0, 10002),
    trade(1.31, 1, 10002),
    trade(2.0, 1),
    trade(2.05, 1),
    // No aggressor, a down-tick: a sell.
    trade(2.5, 0, 9999),
    trade(3.5, 1),
    trade(3.52, 1),
    trade(4.5, -1),
  ];
  const frame = await computeFeatures(rowSource(rows, 'L2'), 'hawkes:window=10:refit=2', '1s');
  assert.deepEqual(Array.from(frame.ts), [0, 1, 2, 3, 4].map((k) => k * S));
  // The 10th buy event (2.05 s) triggers the first fit on events 1–10; the 12th (3.52 s) the second, on events 3–12.
  const first = fitHawkes(buys.slice(0, 10).map((t) => t - buys[0]!), buys[9]! - buys[0]!);
  const second = fitHawkes(buys.slice(2, 12).map((t) => t - buys[2]!), buys[11]! - buys[2]!);
  assert.ok(first.converged && second.converged);
  const intensity = (fit: typeof first, events: number[], at: number) => fit.mu + fit.alpha * events.reduce((sum, t) => sum + Math.exp(-fit.beta * (at - t)), 0);
  const expected = [NaN, NaN, NaN, intensity(first, buys.slice(0, 10), 3), intensity(second, buys.slice(2, 12), 4)];
  const buy = frame.columns.hawkes_buy!;
  expected.forEach((value, k) => assert.ok(Number.isNaN(value) ? Number.isNaN(buy[k]!) : Math.abs(buy[k]! - value) < 1e-9 * value, `hawkes_buy[${k}] ${buy[k]} vs ${value}`));
  assert.ok(expected[3]! > first.mu && expected[4]! > second.mu);
  const branching = frame.columns.hawkes_buy_branching!;
  assert.deepEqual([branching[0], branching[1], branching[2]], [NaN, NaN, NaN]);
  assert.ok(Math.abs(branching[3]! - first.branchingRatio) < 1e-12 && Math.abs(branching[4]! - second.branchingRatio) < 1e-12);
  // Three sell events: never fitted.
  assert.ok(frame.columns.hawkes_sell!.every(Number.isNaN));
  assert.ok(frame.columns.hawkes_sell_branching!.every(Number.isNaN));
});

/** Per side, the distinct times (s after the first) of aggressor-signed trades of a source. */
async function tradeTimes(path: string): Promise<{ buy: Float64Array; sell: Float64Array; trades: number }> {
  const source = await openSource(path);
  const sides: Record<string, number[]> = { buy: [], sell: [] };
  let trades = 0;
  for await (const batch of source.batches()) {
    for (let i = 0; i < batch.length; i++) {
      if (batch.action[i] !== Action.Trade) continue;
      trades++;
      const times = batch.side[i]! > 0 ? sides.buy! : batch.side[i]! < 0 ? sides.sell! : null;
      if (times && times[times.length - 1] !== batch.tsEvent[i]) times.push(batch.tsEvent[i]!);
    }
  }
  const seconds = (ns: number[]) => Float64Array.from(ns, (t) => (t - ns[0]!) * 1e-9);
  return { buy: seconds(sides.buy!), sell: seconds(sides.sell!), trades };
}

test('a fit on Binance USD-M BTCUSDT trades converges, per aggressor side', needs(BINANCE), async (t) => {
  const { buy, sell, trades } = await tradeTimes(fixture(BINANCE));
  assert.equal(trades, 21_313);
  for (const [side, times] of [
    ['buy', buy],
    ['sell', sell],
  ] as const) {
    const T = times[times.length - 1]!;
    const fit = fitHawkes(times, T);
    assert.ok(fit.converged, `${side}: not converged`);
    assert.ok(fit.branchingRatio > 0 && fit.branchingRatio < 1);
    assert.ok(fit.logLikelihood > hawkesLogLikelihood(times, T, times.length / T, 0, 1), `${side}: no better than a Poisson process`);
    t.diagnostic(`${side}: ${times.length} events in ${T.toFixed(3)} s: μ ${fit.mu.toFixed(4)}/s, α ${fit.alpha.toFixed(4)}/s, β ${fit.beta.toFixed(4)}/s, α/β ${fit.branchingRatio.toFixed(4)}, ℓ ${fit.logLikelihood.toFixed(2)}, ${fit.iterations} iterations`);
  }
});

function assertSameFrame(a: FeatureFrame, b: FeatureFrame): void {
  assert.equal(a.length, b.length);
  for (const [name, column] of Object.entries(a.columns)) {
    const other = b.columns[name]!;
    for (let i = 0; i < column.length; i++) if (!Object.is(column[i], other[i])) assert.fail(`${name} row ${i}: ${column[i]} in one pass, ${other[i]} in 7-row batches`);
  }
}

for (const [name, clock] of [
  [AMZN, '1s'],
  [BINANCE, 'event'],
] as const) {
  test(`hawkes with frequent refits: the same values in one pass and in 7-row batches (${name.split('_')[0]} ${clock})`, needs(name), async () => {
    const list = 'hawkes:window=200:refit=50';
    const whole = await computeFeatures(await openSource(fixture(name)), list, clock);
    const chunked = await computeFeatures(await openSource(fixture(name), { batchRows: 7 }), list, clock);
    const fitted = whole.columns.hawkes_buy!.filter(Number.isFinite).length;
    assert.ok(fitted > whole.length / 2, `${fitted} of ${whole.length} bars fitted`);
    assertSameFrame(whole, chunked);
  });
}
