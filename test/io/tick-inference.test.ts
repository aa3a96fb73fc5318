import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventSource } from '../../src/core/source.js';
import { formats, openSource } from '../../src/io/index.js';
import { withInferredTicks } from '../../src/io/tick-inference.js';
import { fixture, needs } from '../support/data.js';

const ES_MBO = 'databento_GLBX-MDP3_ESH4_2023-12-25_mbo.dbn.zst';
const DERIBIT = 'tardis_deribit_incremental_book_L2_BTC-PERPETUAL_2020-04-01_head15.csv';
const BYBIT = 'cryptofeed_BYBIT.ws.25.0.txt';
const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';

/** Reads a source to the end; returns its instruments' ticks in real units, by symbol, and the rows seen. */
async function ticksOf(source: EventSource): Promise<{ ticks: Record<string, number>; rows: number }> {
  let rows = 0;
  for await (const batch of source.batches()) rows += batch.length;
  const ticks: Record<string, number> = {};
  for (const instrument of source.instruments.list) ticks[instrument.symbol] = instrument.tickUnits / 10 ** instrument.priceDecimals;
  return { ticks, rows };
}

test('ticks the data does not state are the finest price step of its head: ES 0.25, Deribit BTC-PERPETUAL 0.5', needs(ES_MBO, DERIBIT), async () => {
  const es = await ticksOf(await openSource(fixture(ES_MBO)));
  assert.deepEqual(es.ticks, { ESH4: 0.25 });
  const deribit = await ticksOf(await openSource(fixture(DERIBIT)));
  assert.deepEqual(deribit.ticks, { 'BTC-PERPETUAL': 0.5 });
});

test('the inferred ticks do not depend on batch sizes, and every row still arrives once, in order', needs(BYBIT), async () => {
  const whole = await ticksOf(await openSource(fixture(BYBIT)));
  const small = await ticksOf(await openSource(fixture(BYBIT), { batchRows: 7 }));
  assert.deepEqual(small, whole);
  assert.deepEqual([whole.ticks['ETHUSDT'], whole.ticks['DOTUSDT'], whole.ticks['ADAUSDT']], [0.05, 0.005, 0.0001]);
  // A head shorter than the stream: instruments first seen after it get one unit of their decimals.
  const source = withInferredTicks(await formats.get('cryptofeed').open(fixture(BYBIT), {}), 50);
  const short = await ticksOf(source);
  assert.equal(short.rows, whole.rows);
  const changed = Object.keys(whole.ticks).filter((symbol) => short.ticks[symbol] !== whole.ticks[symbol]);
  assert.ok(changed.length > 0, 'a 50-row head leaves some instruments without their tick');
  for (const instrument of source.instruments.list) {
    if (changed.includes(instrument.symbol)) assert.equal(instrument.tickUnits, 1, instrument.symbol);
  }
});

test('a tick the reader knows is kept: LOBSTER $0.01', needs(AMZN), async () => {
  const amzn = await ticksOf(await openSource(fixture(AMZN)));
  assert.deepEqual(amzn.ticks, { AMZN: 0.01 });
});
