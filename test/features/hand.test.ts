import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Action } from '../../src/core/event.js';
import { computeFeatures } from '../../src/features/index.js';
import { RollingRegression } from '../../src/features/stats.js';
import { TradeSigner } from '../../src/features/signing.js';
import { rowSource, snapshot, type Row } from '../support/stream.js';

const S = 1e9;
/**
 * A small L3 story, one update per second (prices in cents):
 * 1 bid #1 100.00×10 · 2 ask #2 100.10×5 · 3 bid #3 100.00×4 · 4 sell trade 3 @100.00 filling #1 ·
 * 5 bid #4 100.05×2 · 6 ask #2 deleted (the ask side empties) · 7 ask #5 100.08×6
 */
const story: Row[] = [
  { ts: 1 * S, action: Action.Add, side: 1, price: 10000, size: 10, id: 1 },
  { ts: 2 * S, action: Action.Add, side: -1, price: 10010, size: 5, id: 2 },
  { ts: 3 * S, action: Action.Add, side: 1, price: 10000, size: 4, id: 3 },
  { ts: 4 * S, action: Action.Trade, side: -1, price: 10000, size: 3, id: 1, last: false },
  { ts: 4 * S, action: Action.Fill, side: 1, price: 10000, size: 3, id: 1 },
  { ts: 5 * S, action: Action.Add, side: 1, price: 10005, size: 2, id: 4 },
  { ts: 6 * S, action: Action.Delete, side: -1, price: 10010, size: 5, id: 2 },
  { ts: 7 * S, action: Action.Add, side: -1, price: 10008, size: 6, id: 5 },
];

const close = (actual: ArrayLike<number>, expected: number[], message: string) => {
  assert.equal(actual.length, expected.length, message);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    assert.ok(Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) < 1e-9, `${message}[${i}]: ${a} != ${e}`);
  }
};

test('event clock: OFI, queue imbalance, spread, weighted mid, depth and trade flow, worked by hand', async () => {
  const frame = await computeFeatures(rowSource(story), 'ofi,qi,spread,weighted_mid,depth,trades,signed_volume,cvd', 'event');
  assert.equal(frame.length, 7);
  close(frame.ts, [1, 2, 3, 4, 5, 6, 7].map((k) => k * S), 'ts');
  // e = 1{Pb>=Pb'}qb − 1{Pb<=Pb'}qb' − 1{Pa<=Pa'}qa + 1{Pa>=Pa'}qa'; an empty ask is +∞ with size 0.
  close(frame.columns.ofi!, [0, -5, 4, -3, 2, 5, -6], 'ofi');
  close(frame.columns.qi!, [1, 5 / 15, 9 / 19, 6 / 16, -3 / 7, 1, -4 / 8], 'qi');
  close(frame.columns.spread!, [NaN, 0.1, 0.1, 0.1, 0.05, NaN, 0.03], 'spread');
  close(frame.columns.weighted_mid!.slice(6), [0.25 * 100.08 + 0.75 * 100.05], 'weighted_mid');
  close(frame.columns.depth_bid_5!, [10, 10, 14, 11, 13, 13, 13], 'depth_bid_5');
  close(frame.columns.depth_ask_5!, [0, 5, 5, 5, 5, 0, 6], 'depth_ask_5');
  close(frame.columns.volume!, [0, 0, 0, 3, 0, 0, 0], 'volume');
  close(frame.columns.vwap!, [NaN, NaN, NaN, 100, NaN, NaN, NaN], 'vwap');
  close(frame.columns.sell_volume!, [0, 0, 0, 3, 0, 0, 0], 'sell_volume');
  close(frame.columns.signed_volume!, [0, 0, 0, -3, 0, 0, 0], 'signed_volume');
  close(frame.columns.cvd!, [0, 0, 0, -3, -3, -3, -3], 'cvd');
});

test('time clock: a bar (b − Δ, b] closes at its boundary; flows are summed, states are as of the boundary', async () => {
  const frame = await computeFeatures(rowSource(story), 'ofi,qi', '2s');
  // Updates at 1..7 s: bars end at 2, 4 and 6 s; the one ending at 8 s is still open when the input ends.
  close(frame.ts, [2 * S, 4 * S, 6 * S], 'ts');
  close(frame.columns.ofi!, [0 - 5, 4 - 3, 2 + 5], 'ofi');
  close(frame.columns.qi!, [5 / 15, 6 / 16, 1], 'qi');
  // Empty intervals still give a row, with zero flow and the state carried.
  const sparse = await computeFeatures(rowSource([story[0]!, story[1]!, { ...story[2]!, ts: 9 * S }]), 'ofi,qi', '2s');
  close(sparse.ts, [2 * S, 4 * S, 6 * S, 8 * S], 'sparse ts');
  close(sparse.columns.ofi!, [-5, 0, 0, 0], 'sparse ofi');
  close(sparse.columns.qi!, [1 / 3, 1 / 3, 1 / 3, 1 / 3], 'sparse qi');
});

test('trade clocks close after the update whose trade reaches the threshold', async () => {
  for (const clock of ['tick:1', 'volume:3', 'dollar:300']) {
    const frame = await computeFeatures(rowSource(story), 'ofi', clock);
    close(frame.ts, [4 * S], `${clock} ts`);
    close(frame.columns.ofi!, [0 - 5 + 4 - 3], `${clock} ofi`);
  }
  assert.equal((await computeFeatures(rowSource(story), 'ofi', 'volume:4')).length, 0, 'a bar that never fills is not emitted');
});

test('order flow, lifetimes and queue depletion on L3', async () => {
  const frame = await computeFeatures(rowSource(story), 'order_flow,lifetime,queue_depletion', 'event');
  close(frame.columns.added_volume!, [10, 5, 4, 0, 2, 0, 6], 'added_volume');
  close(frame.columns.cancelled_volume!, [0, 0, 0, 0, 0, 5, 0], 'cancelled_volume');
  close(frame.columns.filled_volume!, [0, 0, 0, 3, 0, 0, 0], 'filled_volume');
  close(frame.columns.order_to_trade!, [NaN, NaN, NaN, 0, NaN, NaN, NaN], 'order_to_trade');
  close(frame.columns.cancel_to_add!, [0, 0, 0, NaN, 0, NaN, 0], 'cancel_to_add');
  // Order #2 lived from 2 s to 6 s and was cancelled.
  close(frame.columns.orders_ended!, [0, 0, 0, 0, 0, 1, 0], 'orders_ended');
  close(frame.columns.lifetime_cancelled_mean_s!.slice(5, 6), [4], 'lifetime');
  // 3 of the 14 at the best bid were filled; all 5 at the best ask were cancelled.
  close(frame.columns.queue_depletion_bid!.slice(3, 4), [3 / 14], 'queue_depletion_bid');
  close(frame.columns.queue_depletion_ask!.slice(5, 6), [1], 'queue_depletion_ask');
});

test('L2 order flow is inferred from level changes joined with trades', async () => {
  const rows: Row[] = [
    ...snapshot(1 * S, [[10000, 10]], [[10010, 5]]),
    { ts: 2 * S, action: Action.Trade, side: 1, price: 10010, size: 2 },
    { ts: 3 * S, action: Action.LevelSet, side: -1, price: 10010, size: 1, last: false },
    { ts: 3 * S, action: Action.LevelSet, side: 1, price: 10000, size: 12 },
  ];
  const frame = await computeFeatures(rowSource(rows, 'L2'), 'order_flow', 'event');
  // The ask fell by 4: 2 traded, 2 cancelled; the bid grew by 2. The snapshot itself is not flow.
  close(frame.columns.added_volume!, [0, 0, 2], 'added');
  close(frame.columns.filled_volume!, [0, 0, 2], 'filled');
  close(frame.columns.cancelled_volume!, [0, 0, 2], 'cancelled');
  close(frame.columns.trades!, [0, 1, 0], 'trades');
});

test('markouts, realized volatility, trade intensity and VPIN by hand', async () => {
  const frame = await computeFeatures(rowSource(story), 'markout:horizons=1/3,rv,trade_intensity,vpin:bucket=2:window=1', 'event');
  // The sell at 100.00 (t = 4 s): mid 1 s later (after the update at 5 s) 100.075; 3 s later 100.065.
  close(frame.columns.markout_1s!, [NaN, NaN, NaN, NaN, -0.075, NaN, NaN], 'markout_1s');
  close(frame.columns.markout_3s!, [NaN, NaN, NaN, NaN, NaN, NaN, -0.065], 'markout_3s');
  close(frame.columns.rv!, [0, 0, 0, 0, Math.abs(Math.log(100.075 / 100.05)), 0, Math.abs(Math.log(100.065 / 100.075))], 'rv');
  close(frame.columns.trade_intensity!, [0, 0, 0, Math.LN2, Math.LN2 / 2, Math.LN2 / 4, Math.LN2 / 8], 'trade_intensity');
  // Buckets of 2: the 3-lot sell fills one bucket (|0 − 2| / 2 = 1) and leaves 1 in the next.
  close(frame.columns.vpin!, [NaN, NaN, NaN, 1, 1, 1, 1], 'vpin');
});

test('rolling regression and trade signing rules', () => {
  const regression = new RollingRegression(2);
  regression.add(1, 1);
  assert.ok(Number.isNaN(regression.slope()));
  regression.add(2, 3);
  assert.equal(regression.slope(), 2);
  regression.add(4, 4);
  assert.equal(regression.slope(), 0.5);
  // Quote 99/101 (mid 100). Tick rule: up, zero (keeps up), down.
  const prices = [100, 100, 99.5, 101, 99];
  const signs = (rule: 'tick' | 'quote' | 'lee_ready' | 'emo') => {
    const signer = new TradeSigner(rule);
    return prices.map((price) => signer.sign(price, 0, 99, 101));
  };
  assert.deepEqual(signs('tick'), [0, 0, -1, 1, -1]);
  assert.deepEqual(signs('quote'), [0, 0, -1, 1, -1]);
  assert.deepEqual(signs('lee_ready'), [0, 0, -1, 1, -1]);
  assert.deepEqual(signs('emo'), [0, 0, -1, 1, -1]);
  const leeReady = new TradeSigner('lee_ready');
  // 100 after 98 is an up-tick; 100 after 100.5 a down-tick.
  assert.deepEqual([98, 100, 100.5, 100].map((price) => leeReady.sign(price, 0, 99, 101)), [-1, 1, 1, -1], 'at the mid: the tick rule');
  assert.equal(new TradeSigner('aggressor').sign(100, -1, 99, 101), -1);
});
