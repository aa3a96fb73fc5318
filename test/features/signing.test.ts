import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Action } from '../../src/core/event.js';
import { evaluateBulkClassification, evaluateSigning, tradeLocation, TRADE_LOCATIONS, type SigningEvaluation } from '../../src/features/signing-eval.js';
import { openSource } from '../../src/io/index.js';
import { fixture, needs } from '../support/data.js';
import { rowSource, snapshot, type Row } from '../support/stream.js';

const IBM = 'lean-algoseek_IBM_2013-10-07_trade_tick.csv';
const BINANCE = 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz';
const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const S = 1e9;
/** Φ(1) and Φ(−1), the standard normal CDF (tables). */
const PHI_1 = 0.841344746;

const near = (actual: number, expected: number, tolerance: number, message: string) => assert.ok(Math.abs(actual - expected) <= tolerance, `${message}: ${actual} != ${expected}`);
const score = (evaluation: SigningEvaluation, rule: string) => evaluation.rules.find((entry) => entry.rule === rule)!;

test('trade locations against the quote before the trade', () => {
  const names = [
    [100, NaN, 101],
    [100, 101, 101],
    [100, 99, 101],
    [1005, 1000, 1020],
    [99, 99, 101],
    [102, 99, 101],
  ].map(([price, bid, ask]) => TRADE_LOCATIONS[tradeLocation(price!, bid!, ask!)]);
  assert.deepEqual(names, ['no_quote', 'crossed', 'at_mid', 'inside', 'at_quote', 'outside']);
});

/**
 * Quote 100.00 / 100.04 (mid 100.02), then six trades with known aggressors (prices in cents):
 * t2 buy 100.04 (at ask) · t3 sell 100.00 (at bid) · t4 buy 100.02 (at mid, after a down-tick) ·
 * t5 buy 100.03 (inside) · t6 sell 100.03 (inside, zero tick) · t7 sell 100.05 (above the ask).
 */
const story: Row[] = [
  ...snapshot(1 * S, [[10000, 5]], [[10004, 5]]),
  { ts: 2 * S, action: Action.Trade, side: 1, price: 10004, size: 1 },
  { ts: 3 * S, action: Action.Trade, side: -1, price: 10000, size: 2 },
  { ts: 4 * S, action: Action.Trade, side: 1, price: 10002, size: 3 },
  { ts: 5 * S, action: Action.Trade, side: 1, price: 10003, size: 4 },
  { ts: 6 * S, action: Action.Trade, side: -1, price: 10003, size: 5 },
  { ts: 7 * S, action: Action.Trade, side: -1, price: 10005, size: 6 },
];

test('signing evaluation by hand: share signed, agreement with the tick rule, accuracy, locations', async () => {
  const result = await evaluateSigning(rowSource(story, 'L2'));
  assert.deepEqual([result.trades, result.volume, result.tradesWithAggressor], [6, 21, 6]);
  assert.deepEqual(result.locationShare, { no_quote: 0, crossed: 0, at_mid: 1 / 6, inside: 2 / 6, at_quote: 2 / 6, outside: 1 / 6 });
  // Tick signs: 0 (first trade), −1, +1, +1, +1 (zero tick), +1 → right: t3, t4, t5 (volume 9 of 21).
  const tick = score(result, 'tick');
  assert.deepEqual([tick.trades, tick.classified], [6, 5]);
  assert.deepEqual([tick.classifiedShare, tick.tickAgreement, tick.accuracyClassified, tick.accuracy, tick.volumeAccuracy], [5 / 6, 1, 3 / 5, 3 / 6, 9 / 21]);
  // Quote signs vs mid 100.02: +1, −1, 0, +1, +1, +1 → right: t2, t3, t5 (3 of 5 signed).
  const quote = score(result, 'quote');
  assert.deepEqual([quote.classifiedShare, quote.accuracyClassified, quote.accuracy], [5 / 6, 3 / 5, 3 / 6]);
  // Both signed by quote and tick: t3..t7 except t4 → t3 (−1, −1), t5 (+1, +1), t6 (+1, +1), t7 (+1, +1): all agree.
  assert.equal(quote.tickAgreement, 1);
  // Lee–Ready: the quote rule, the tick rule at the mid (t4: +1) → t2, t3, t4, t5 right.
  const leeReady = score(result, 'lee_ready');
  assert.deepEqual([leeReady.classifiedShare, leeReady.accuracy, leeReady.volumeAccuracy], [1, 4 / 6, 10 / 21]);
  assert.deepEqual(leeReady.accuracyByLocation, { no_quote: NaN, crossed: NaN, at_mid: 1, inside: 1 / 2, at_quote: 1, outside: 0 });
  // EMO: at the ask +1, at the bid −1, else the tick rule → t2, t3, t4, t5 right; it agrees with the tick
  // rule on all five trades both sign (t2 has no tick sign).
  const emo = score(result, 'emo');
  assert.deepEqual([emo.classifiedShare, emo.accuracy, emo.tickAgreement], [1, 4 / 6, 1]);
  assert.equal(score(result, 'aggressor').accuracy, 1, 'the venue agrees with itself');
});

test('signing evaluation without aggressors reports NaN accuracy, not zero', async () => {
  const anonymous = story.map((row) => (row.action === Action.Trade ? { ...row, side: 0 } : row));
  const result = await evaluateSigning(rowSource(anonymous, 'L2'));
  assert.equal(result.tradesWithAggressor, 0);
  assert.ok(Number.isNaN(score(result, 'lee_ready').accuracy));
  assert.equal(score(result, 'aggressor').classifiedShare, 5 / 6, 'the aggressor rule falls back to the tick rule');
});

test('bulk volume classification by hand: Φ(ΔP/σ) of each bar against the true buy volume', async () => {
  // 1-second bars (b − 1 s, b]: closes 100.00 (bar 1), 100.01 (bar 2), 100.00 (bar 3) → ΔP +0.01, −0.01, σ = 0.01.
  const rows: Row[] = [
    ...snapshot(0.5 * S, [[9999, 5]], [[10001, 5]]),
    { ts: 0.9 * S, action: Action.Trade, side: 1, price: 10000, size: 10 },
    { ts: 1.5 * S, action: Action.Trade, side: 1, price: 10001, size: 6 },
    { ts: 1.9 * S, action: Action.Trade, side: -1, price: 10001, size: 4 },
    { ts: 2.5 * S, action: Action.Trade, side: -1, price: 10000, size: 10 },
  ];
  const [score1s] = await evaluateBulkClassification(rowSource(rows, 'L2'), [1]);
  assert.equal(score1s!.bars, 2, 'the first bar has no previous close');
  near(score1s!.sigma[0]!, 0.01, 1e-12, 'σ');
  // Bar 2: V 10, V_B 6, V̂_B = 10·Φ(1); bar 3: V 10, V_B 0, V̂_B = 10·Φ(−1).
  const bvc = 1 - (Math.abs(6 - 10 * PHI_1) + Math.abs(0 - 10 * (1 - PHI_1))) / 20;
  near(score1s!.bvc, bvc, 1e-6, 'BVC accuracy');
  near(score1s!.bvcBuyShare, 0.5, 1e-6, 'estimated buy share');
  assert.equal(score1s!.trueBuyShare, 6 / 20);
  // Tick rule: bar 2 up-tick then zero tick → 10 bought (V̂_B 10 vs 6); bar 3 down-tick → 0 (exact).
  near(score1s!.rules.tick, 1 - 4 / 20, 1e-12, 'bulk tick rule');
  // Lee–Ready vs mid 100.00: 100.01 buys (10), 100.00 at the mid takes the down-tick → 0.
  near(score1s!.rules.lee_ready, 1 - 4 / 20, 1e-12, 'bulk Lee–Ready');
});

test('IBM on AlgoSeek (no aggressor): Lee–Ready signs every trade and agrees with the tick rule on 81.8%', needs(IBM), async () => {
  const result = await evaluateSigning(await openSource(fixture(IBM)));
  assert.deepEqual([result.trades, result.tradesWithAggressor], [24_293, 0]);
  const leeReady = score(result, 'lee_ready');
  assert.equal(leeReady.classifiedShare, 1);
  near(leeReady.tickAgreement, 0.8177, 1e-4, 'Lee–Ready vs tick');
  near(score(result, 'quote').classifiedShare, 0.8486, 1e-4, 'quote rule: trades off the mid');
  near(score(result, 'emo').tickAgreement, 0.9131, 1e-4, 'EMO vs tick');
  near(result.locationShare.at_mid, 0.1446, 1e-4, 'at the mid');
  near(result.locationShare.inside, 0.3204, 1e-4, 'inside');
  near(result.locationShare.at_quote, 0.4969, 1e-4, 'at the quotes');
  near(result.locationShare.outside, 0.0275, 1e-4, 'outside');
  near(result.locationShare.crossed, 0.0106, 1e-4, 'crossed or locked NBBO');
});

test('LOBSTER AMZN and Binance BTCUSDT (aggressor known): accuracy of each rule', needs(AMZN, BINANCE), async () => {
  const expected = {
    [AMZN]: { tick: 0.8675, quote: 0.9648, lee_ready: 0.9722, emo: 0.9494, atQuote: 0.7859, outside: 0 },
    [BINANCE]: { tick: 0.9685, quote: 0.9596, lee_ready: 0.9596, emo: 0.9826, atQuote: 0.4663, outside: 0.5181 },
  };
  for (const [name, want] of Object.entries(expected)) {
    const result = await evaluateSigning(await openSource(fixture(name)));
    assert.equal(result.tradesWithAggressor, result.trades, `${name}: every trade has its aggressor`);
    for (const rule of ['tick', 'quote', 'lee_ready', 'emo'] as const) near(score(result, rule).accuracy, want[rule], 1e-4, `${name} ${rule}`);
    near(result.locationShare.at_quote, want.atQuote, 1e-4, `${name} at the quotes`);
    near(result.locationShare.outside, want.outside, 1e-4, `${name} outside the quotes`);
    assert.equal(score(result, 'aggressor').accuracy, 1);
  }
});

test('bulk volume classification on LOBSTER AMZN and Binance BTCUSDT, 1 s and 60 s bars: the trade rules beat BVC', needs(AMZN, BINANCE), async () => {
  const expected = {
    [AMZN]: [
      { bars: 3161, bvc: 0.7256, tick: 0.8564, lee_ready: 0.9663 },
      { bars: 386, bvc: 0.7882, tick: 0.8986, lee_ready: 0.9689 },
    ],
    [BINANCE]: [
      { bars: 343, bvc: 0.8295, tick: 0.9751, lee_ready: 0.9761 },
      { bars: 5, bvc: 0.6903, tick: 0.9900, lee_ready: 0.9927 },
    ],
  };
  for (const [name, want] of Object.entries(expected)) {
    const scores = await evaluateBulkClassification(await openSource(fixture(name)), [1, 60]);
    scores.forEach((result, k) => {
      const label = `${name} ${result.barSeconds} s`;
      assert.equal(result.bars, want[k]!.bars, `${label}: bars`);
      near(result.bvc, want[k]!.bvc, 1e-4, `${label}: BVC`);
      near(result.rules.tick, want[k]!.tick, 1e-4, `${label}: bulk tick rule`);
      near(result.rules.lee_ready, want[k]!.lee_ready, 1e-4, `${label}: bulk Lee–Ready`);
      assert.ok(result.bvc < result.rules.tick, `${label}: Chakrabarty, Pascual & Shkilko find the tick rule more accurate`);
    });
  }
});
