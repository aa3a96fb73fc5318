import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { Action } from '../../src/core/event.js';
import { computeFootprint, FootprintCollector, tradingDayStart, valueArea, type FootprintFrame } from '../../src/features/footprint.js';
import { computeFeatures, parseClock, parseFeatureList, runFeatures } from '../../src/features/index.js';
import { openSource } from '../../src/io/index.js';
import { fixture, needs } from '../support/data.js';
import { rowSource, snapshot, type Row } from '../support/stream.js';
import { tempDir } from '../support/temp.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const S = 1e9;

/** Footprint rows as [bar ts, price, bid volume, ask volume, delta, trades]. */
const rows = (frame: FootprintFrame) => Array.from({ length: frame.length }, (_, k) => [frame.ts[k]!, frame.price[k]!, frame.bidVolume[k]!, frame.askVolume[k]!, frame.delta[k]!, frame.trades[k]!]);

/** Trades in cents: buys lift the ask, sells hit the bid; the 3.5 s trade has no aggressor. */
const tape: Row[] = [
  { ts: 1 * S, action: Action.Trade, side: 1, price: 10000, size: 3 },
  { ts: 1.5 * S, action: Action.Trade, side: -1, price: 10000, size: 1 },
  { ts: 1.8 * S, action: Action.Trade, side: 1, price: 10001, size: 2 },
  { ts: 3 * S, action: Action.Trade, side: -1, price: 9999, size: 4 },
  { ts: 3.5 * S, action: Action.Trade, side: 0, price: 10000, size: 5 },
  { ts: 5 * S, action: Action.Trade, side: 1, price: 10002, size: 1 },
  { ts: 6 * S, action: Action.Trade, side: -1, price: 10002, size: 2 },
];

test('footprint by hand: bid (seller-initiated) and ask (buyer-initiated) volume per price per 2-second bar', async () => {
  const frame = await computeFootprint(rowSource(tape), '2s');
  assert.deepEqual(rows(frame), [
    [2 * S, 100, 1, 3, 2, 2],
    [2 * S, 100.01, 0, 2, 2, 1],
    [4 * S, 99.99, 4, 0, -4, 1],
    // No aggressor: the tick rule signs it (up from 99.99).
    [4 * S, 100, 0, 5, 5, 1],
    // The 6 s trade falls on the boundary: the bar (4 s, 6 s] closes at the end of the input.
    [6 * S, 100.02, 2, 1, -1, 2],
  ]);
});

test('footprint with the tick rule: trades it cannot sign count in trades only', async () => {
  const frame = await computeFootprint(rowSource(tape), '2s', 'tick');
  // Tick signs: 0 (first), 0 (zero tick), +1, −1, +1, +1, +1 (zero tick).
  assert.deepEqual(rows(frame), [
    [2 * S, 100, 0, 0, 0, 2],
    [2 * S, 100.01, 0, 2, 2, 1],
    [4 * S, 99.99, 4, 0, -4, 1],
    [4 * S, 100, 0, 5, 5, 1],
    [6 * S, 100.02, 0, 3, 3, 2],
  ]);
});

test('value area: POC, then the larger neighbour; ties by the documented rules', () => {
  const out = new Float64Array(3);
  const area = (volumes: number[], share = 0.7) => {
    const prices = Float64Array.from(volumes, (_, k) => k + 1);
    valueArea(prices, Float64Array.from(volumes), volumes.length, share, out);
    return [...out];
  };
  // 60 in all, 42 needed: POC 3 (20); 15 above beats 10 below (35); then 10 below beats 5 above (45).
  assert.deepEqual(area([5, 10, 20, 15, 5, 5]), [3, 4, 2]);
  // Two prices hold the most: the one nearer the middle of the range (3.5) wins.
  assert.deepEqual(area([1, 5, 1, 5, 1, 1], 0.1), [4, 4, 4]);
  // Equally near the middle: the lower.
  assert.deepEqual(area([5, 1, 1, 1, 5], 0.1), [1, 1, 1]);
  // Equal neighbours join together: 10 + 3 + 3 = 16 of 20 (14 needed).
  assert.deepEqual(area([2, 3, 10, 3, 2]), [3, 4, 2]);
  // At the edge only the other side can grow.
  assert.deepEqual(area([10, 1, 1], 0.9), [1, 2, 1]);
  assert.deepEqual(area([1, 2, 1], 1), [2, 3, 1]);
  assert.deepEqual(area([]), [NaN, NaN, NaN]);
});

test('volume profile by hand, per bar and per UTC day (a venue without a calendar)', async () => {
  const day = 86_400 * S;
  const stream: Row[] = [
    { ts: 10 * S, action: Action.Trade, side: 1, price: 10000, size: 5 },
    { ts: 20 * S, action: Action.Trade, side: -1, price: 10001, size: 7 },
    ...snapshot(day + 0.5 * S, [[9998, 1]], [[10000, 1]]),
    { ts: day + 1 * S, action: Action.Trade, side: -1, price: 9999, size: 1 },
  ];
  const frame = await computeFeatures(rowSource(stream, 'L2'), 'volume_profile,volume_profile:scope=bar', 'event');
  const c = frame.columns;
  // Session: 100.01 (7) is the POC and 100.00 (5) joins it to reach 70% of 12; the new UTC day starts empty.
  assert.deepEqual([...c.poc!], [100, 100.01, NaN, 99.99]);
  assert.deepEqual([...c.vah!], [100, 100.01, NaN, 99.99]);
  assert.deepEqual([...c.val!], [100, 100, NaN, 99.99]);
  assert.deepEqual([...c.profile_volume!], [5, 12, 0, 1]);
  assert.deepEqual([...c.poc_bar!], [100, 100.01, NaN, 99.99]);
  assert.deepEqual([...c.val_bar!], [100, 100.01, NaN, 99.99]);
  assert.deepEqual([...c.profile_volume_bar!], [5, 7, 0, 1]);
  assert.throws(() => parseFeatureList('volume_profile:value_area=1.5'), { message: '--features volume_profile: value_area=1.5: expected a share in (0, 1]' });
});

test('trading days: New York midnight for US equities, 17:00 Chicago for CME Globex, UTC otherwise', () => {
  const at = (iso: string) => Date.parse(iso);
  assert.equal(tradingDayStart('nasdaq', at('2012-06-21T19:59:00Z')), at('2012-06-21T04:00:00Z'));
  assert.equal(tradingDayStart('algoseek', at('2013-10-08T03:59:00Z')), at('2013-10-07T04:00:00Z'));
  // 2023-12-25 16:30 in Chicago (CST) belongs to the day that opened on the 24th at 17:00.
  assert.equal(tradingDayStart('glbx.mdp3', at('2023-12-25T22:30:00Z')), at('2023-12-24T23:00:00Z'));
  assert.equal(tradingDayStart('glbx.mdp3', at('2023-12-25T23:00:00Z')), at('2023-12-25T23:00:00Z'));
  assert.equal(tradingDayStart('binance-futures', at('2024-08-08T23:59:59Z')), at('2024-08-08T00:00:00Z'));
  // The New York day of the autumn clock change lasts 25 hours.
  assert.equal(tradingDayStart('nasdaq', at('2013-11-04T04:30:00Z')), at('2013-11-03T04:00:00Z'));
});

test('LOBSTER AMZN, 1-minute bars in one engine: the footprint volumes of each bar sum to the trades feature’s volume', needs(AMZN), async () => {
  const source = await openSource(fixture(AMZN));
  const levels: { ts: number; volume: number }[] = [];
  const collector = new FootprintCollector(source.instruments, (level) => levels.push({ ts: level.ts, volume: level.bidVolume + level.askVolume }));
  const bars = new Map<number, number>();
  await runFeatures(source, [...parseFeatureList('trades'), collector.request], parseClock('1m'), (_instrument, ts, _base, values) => bars.set(ts, values[0]!));
  // Bars end 09:31 … 15:59; the last one, to 16:00, is still open when the file ends at 15:59:59.959.
  assert.equal(bars.size, 389);
  assert.equal(levels.length, 4_019);
  const summed = new Map<number, number>();
  for (const { ts, volume } of levels) summed.set(ts, (summed.get(ts) ?? 0) + volume);
  for (const [ts, volume] of bars) assert.equal(summed.get(ts) ?? 0, volume, `bar ending ${ts}`);
  assert.equal([...bars.values()].reduce((a, b) => a + b, 0), 776_428, 'the shares traded (types 4 and 5) up to 15:59:00');
});

test('footprint and volume profile give the same rows in one pass and in 7-row batches', needs(AMZN), async () => {
  const whole = await computeFootprint(await openSource(fixture(AMZN)), '1m');
  const chunked = await computeFootprint(await openSource(fixture(AMZN), { batchRows: 7 }), '1m');
  assert.deepEqual(rows(chunked), rows(whole));
  const profiles = 'volume_profile,volume_profile:scope=bar';
  const a = await computeFeatures(await openSource(fixture(AMZN)), profiles, '1m');
  const b = await computeFeatures(await openSource(fixture(AMZN), { batchRows: 7 }), profiles, '1m');
  assert.deepEqual(b.columns, a.columns);
  assert.equal(a.columns.profile_volume![a.length - 1], 776_428, 'the session profile holds the day up to its last bar, 15:59');
});

test('flowmine footprint writes the long table', needs(AMZN), async () => {
  const path = join(tempDir('flowmine-footprint-'), 'footprint.csv');
  const status = await main(['node', 'flowmine', 'footprint', fixture(AMZN), '--clock', '1m', '--threads', '1', '--out', path]);
  assert.equal(status, 0);
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(header, 'ts_ns,price,bid_volume,ask_volume,delta,trades');
  assert.equal(lines.length, 4_019);
  // The first bar (09:30, 09:31] in New York: 2012-06-21 13:31 UTC.
  assert.equal(lines[0]!.split(',')[0], '1340285460000000000');
  assert.equal(await main(['node', 'flowmine', 'footprint', fixture(AMZN), '--rule', 'midpoint']), 2, 'an unknown rule is a usage error');
});
