import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeFeatures, features, type FeatureFrame } from '../../src/features/index.js';
import { openSource } from '../../src/io/index.js';
import { fixture, needs } from '../support/data.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const BINANCE = 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz';
const KRAKEN = 'cryptofeed_KRAKEN.ws.50.0.txt';

/** Every registered feature with its default parameters. */
const allFeatures = () => features.names().join(',');

function assertSameFrame(a: FeatureFrame, b: FeatureFrame, label: string): void {
  assert.equal(a.length, b.length, `${label}: rows`);
  assert.deepEqual(a.ts, b.ts, `${label}: ts`);
  assert.deepEqual(a.instrument, b.instrument, `${label}: instrument`);
  for (const [name, column] of Object.entries(a.columns)) {
    const other = b.columns[name]!;
    for (let i = 0; i < column.length; i++) {
      if (Object.is(column[i], other[i])) continue;
      assert.fail(`${label}: ${name} row ${i}: ${column[i]} in one pass, ${other[i]} in 7-row batches`);
    }
  }
}

for (const [name, clock] of [
  [AMZN, 'event'],
  [AMZN, '1s'],
  [BINANCE, 'event'],
  [BINANCE, 'volume:5'],
  [KRAKEN, '100ms'],
] as const) {
  test(`every feature gives the same values in one pass and in 7-row batches: ${name.split('_')[0]} ${clock}`, needs(name), async () => {
    const whole = await computeFeatures(await openSource(fixture(name)), allFeatures(), clock);
    const chunked = await computeFeatures(await openSource(fixture(name), { batchRows: 7 }), allFeatures(), clock);
    assert.ok(whole.length > 100, `${whole.length} bars`);
    assertSameFrame(whole, chunked, `${name} ${clock}`);
  });
}
