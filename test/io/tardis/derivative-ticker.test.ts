import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import { rowAt } from '../../../src/core/batch.js';
import { Action, Flag, Stat } from '../../../src/core/event.js';
import { openSource } from '../../../src/io/index.js';
import { tempDir } from '../../support/temp.js';

/** The derivative_ticker header as Tardis documents it. */
const HEADER = 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price';

function csv(rows: string[]): string {
  const path = join(tempDir('flowmine-tardis-ticker-'), 'derivative_ticker.csv');
  writeFileSync(path, [HEADER, ...rows].join('\n') + '\n');
  return path;
}

test('Tardis derivative_ticker: one Stat row per non-empty value, empty fields are absent stats', async () => {
  const path = csv([
    'bitmex,XBTUSD,1583020803145000,1583020803307160,1583049600000000,-0.00045,-0.000495,763608420,8597.5,8598.95,8598.92',
    'bitmex,XBTUSD,1583020804000000,1583020804100000,,,,,8597,,',
    'binance-futures,BTCUSDT,1583020805000000,1583020805200000,1583049600000000,0.0001,,34653.577,8600.5,8601.12345678,8600.87',
    'dydx,BTC-USD,1583020806000000,1583020806300000,,0.00004405208333333333,,760.6049,,,8254.76734',
    'deribit,BTC-PERPETUAL,1583020807000000,1583020807100000,,1.2e-7,,641234560,,,',
    'bitmex,XBTUSD,1583020808000000,1583020808100000,,,,,,,',
  ]);
  const source = await openSource(path);
  assert.equal(source.format, 'tardis-csv');
  assert.equal(source.granularity, 'trades', 'no book information');
  const rows = [];
  for await (const batch of source.batches()) for (let i = 0; i < batch.length; i++) rows.push(rowAt(batch, i));
  const stat = (inst: number, us: bigint, recvUs: bigint, code: number, price: number, size: number, line: number, last = false) => ({
    tsEventNs: us * 1000n, tsRecvNs: recvUs * 1000n, instrument: inst, action: Action.Stat, side: 0, price, size, orderId: code, seq: line, flags: last ? Flag.Last : 0, sourceRow: line,
  });
  assert.deepEqual(rows, [
    // Rates in units of 1e-12, open interest at 4 decimals, prices at 8.
    stat(0, 1583020803145000n, 1583020803307160n, Stat.FundingRate, 0, -450_000_000, 2),
    stat(0, 1583020803145000n, 1583020803307160n, Stat.PredictedFundingRate, 0, -495_000_000, 2),
    stat(0, 1583020803145000n, 1583020803307160n, Stat.OpenInterest, 0, 7_636_084_200_000, 2),
    stat(0, 1583020803145000n, 1583020803307160n, Stat.LastPrice, 859_750_000_000, 0, 2),
    stat(0, 1583020803145000n, 1583020803307160n, Stat.IndexPrice, 859_895_000_000, 0, 2),
    stat(0, 1583020803145000n, 1583020803307160n, Stat.MarkPrice, 859_892_000_000, 0, 2, true),
    stat(0, 1583020804000000n, 1583020804100000n, Stat.LastPrice, 859_700_000_000, 0, 3, true),
    stat(1, 1583020805000000n, 1583020805200000n, Stat.FundingRate, 0, 100_000_000, 4),
    stat(1, 1583020805000000n, 1583020805200000n, Stat.OpenInterest, 0, 346_535_770, 4),
    stat(1, 1583020805000000n, 1583020805200000n, Stat.LastPrice, 860_050_000_000, 0, 4),
    stat(1, 1583020805000000n, 1583020805200000n, Stat.IndexPrice, 860_112_345_678, 0, 4),
    stat(1, 1583020805000000n, 1583020805200000n, Stat.MarkPrice, 860_087_000_000, 0, 4, true),
    // 0.00004405208333333333 has 20 decimals: rounded to 0.000044052083 (counted).
    stat(2, 1583020806000000n, 1583020806300000n, Stat.FundingRate, 0, 44_052_083, 5),
    stat(2, 1583020806000000n, 1583020806300000n, Stat.OpenInterest, 0, 7_606_049, 5),
    stat(2, 1583020806000000n, 1583020806300000n, Stat.MarkPrice, 825_476_734_000, 0, 5, true),
    // 1.2e-7 in exponent form: 120,000 units of 1e-12.
    stat(3, 1583020807000000n, 1583020807100000n, Stat.FundingRate, 0, 120_000, 6),
    stat(3, 1583020807000000n, 1583020807100000n, Stat.OpenInterest, 0, 6_412_345_600_000, 6, true),
  ]);
  assert.deepEqual(
    source.instruments.list.map((instrument) => [instrument.venue, instrument.symbol, instrument.priceDecimals, instrument.sizeDecimals]),
    [['bitmex', 'XBTUSD', 8, 4], ['binance-futures', 'BTCUSDT', 8, 4], ['dydx', 'BTC-USD', 8, 4], ['deribit', 'BTC-PERPETUAL', 8, 4]],
  );
  const report = source.integrity.report;
  assert.deepEqual([report.rowsRead, report.accepted, report.issues.size], [6, 6, 0]);
  assert.deepEqual(
    ['funding_timestamps_not_kept', 'rates_rounded_to_1e-12', 'derivative_ticker_rows_without_values'].map((kind) => report.notes.get(kind)),
    [2, 1, 1],
  );
});

test('Tardis derivative_ticker bad rows: strict names line and field; skip counts them', async () => {
  const path = csv([
    'bitmex,XBTUSD,1583020803145000,1583020803307160,,0.0001,,100,8597.5,,',
    'bitmex,XBTUSD,1583020803145001,1583020803307161,,abc,,100,8597.5,,',
    'bitmex,XBTUSD,1583020803145002,1583020803307162,,,,1.23456,8597.5,,',
    'bitmex,XBTUSD,1583020803145003,1583020803307163,soon,,,,8597.5,,',
    'bitmex,XBTUSD,1583020803145004,1583020803307164,,,,',
  ]);
  await assert.rejects(replay(await openSource(path)), { message: `${path}:3: funding_rate: not a decimal: "abc"` });
  const skipping = await openSource(path, { policy: 'skip' });
  const summary = await replay(skipping);
  const report = skipping.integrity.report;
  assert.deepEqual([report.rowsRead, report.skipped, summary.rows], [5, 4, 3]);
  assert.deepEqual(report.issues.get('malformed_row')!.examples, [
    'line 3: funding_rate: not a decimal: "abc"',
    'line 4: open_interest: not a decimal exact at 4 decimals: "1.23456"',
    'line 5: funding_timestamp: not microseconds since the epoch: "soon"',
    'line 6: columns: expected 11 fields, found 8',
  ]);
});
