import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { EventBatch } from '../../src/core/batch.js';
import { Flag } from '../../src/core/event.js';
import type { EventSource } from '../../src/core/source.js';
import { openSource } from '../../src/io/index.js';
import { openDataset } from '../../src/store/dataset-source.js';
import { ingestSource } from '../../src/store/ingest.js';
import { openDatasetSql } from '../../src/store/sql.js';
import { fixture, needs } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const SPOT = 'hftbacktest_binance-spot_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz';
const USDM = 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz';
const KRAKEN = 'cryptofeed_KRAKEN.ws.50.0.txt';
const dataset = tempDir('flowmine-dataset-');

/** Every row of a source as text (absolute times), in order, with the batches' shape checked. */
async function rows(source: EventSource): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of source.batches()) {
    assert.ok(batch.length > 0);
    assert.ok(batch.flags[batch.length - 1]! & Flag.Last, 'every batch ends on a Last row');
    for (let i = 0; i < batch.length; i++) out.push(row(batch, i));
  }
  return out;
}

function row(batch: EventBatch, i: number): string {
  const time = (offset: number) => (Number.isNaN(offset) ? '' : String(batch.timeBaseNs + BigInt(offset)));
  const instrument = batch.instruments.get(batch.instrument[i]!);
  return [time(batch.tsEvent[i]!), time(batch.tsRecv[i]!), `${instrument.venue}:${instrument.symbol}`, batch.action[i], batch.side[i], batch.price[i], batch.size[i], batch.orderId[i], batch.seq[i], batch.flags[i], batch.sourceRow[i]].join(',');
}

before(async () => {
  if (needs(SPOT, USDM, KRAKEN).skip) return;
  for (const name of [SPOT, USDM, KRAKEN]) await ingestSource(await openSource(fixture(name)), dataset);
});

test('a dataset gives back the very rows of each input, in its order, in batches that end on Last rows', needs(SPOT, USDM, KRAKEN), async () => {
  for (const [name, filter] of [
    [USDM, { venues: ['binance-futures'] }],
    [KRAKEN, { venues: ['kraken'] }],
  ] as const) {
    const expected = await rows(await openSource(fixture(name)));
    // Recycled, each part's row groups (32,768 rows; the USD-M capture's first part has fifteen, the last
    // one shorter) are decoded into the memory of the one before.
    for (const recycleBatches of [false, true]) {
      const actual = await rows(openDataset(dataset, { filter, batchRows: 1000, recycleBatches }));
      assert.equal(actual.length, expected.length, name);
      assert.ok(actual.every((line, i) => line === expected[i]), `${name}${recycleBatches ? ', recycled' : ''}: rows differ`);
    }
  }
});

test('a time window keeps the whole updates whose last row falls in it, as SQL finds them', needs(SPOT, USDM, KRAKEN), async () => {
  const from = 1723161420123456789n;
  const to = 1723161540000000000n;
  const filter = { venues: ['binance-futures'], fromNs: from, toNs: to };
  const lines = await rows(openDataset(dataset, { filter }));
  assert.deepEqual(await rows(openDataset(dataset, { filter, recycleBatches: true })), lines, 'recycled');
  const db = await openDatasetSql(dataset);
  // Each row belongs to the update that ends at the first Last row at or after it.
  const result = await db.connection.runAndReadAll(`
    WITH lasts AS (SELECT event_index AS last, coalesce(ts_event, ts_recv) AS t FROM events WHERE venue = 'binance-futures' AND flags & 1 = 1)
    SELECT count(*), count(DISTINCT last) FROM events r ASOF JOIN lasts l ON r.event_index <= l.last
    WHERE r.venue = 'binance-futures' AND l.t >= ${from} AND l.t < ${to}`);
  db.close();
  const [count, updates] = result.getRowsJS()[0] as [bigint, bigint];
  assert.equal(lines.length, Number(count));
  assert.equal(lines.filter((line) => Number(line.split(',')[9]) & Flag.Last).length, Number(updates));
  assert.ok(lines.length > 50_000);
});

test('several inputs merge update by update, the earliest first, each keeping its own order', needs(SPOT, USDM, KRAKEN), async () => {
  const spot = await rows(await openSource(fixture(SPOT)));
  const usdm = await rows(await openSource(fixture(USDM)));
  const source = openDataset(dataset, { filter: { symbols: ['BTCUSDT'] } });
  const firstTime = (lines: string[]) => lines.reduce((min, line) => (line.split(',')[0] && BigInt(line.split(',')[0]!) < min ? BigInt(line.split(',')[0]!) : min), 2n ** 63n);
  assert.ok(firstTime(spot) < firstTime(usdm));
  assert.deepEqual(
    source.instruments.list.map((instrument) => `${instrument.venue}:${instrument.symbol}`),
    ['binance:BTCUSDT', 'binance-futures:BTCUSDT'],
    'inputs in the order of their first venue time',
  );
  const merged = await rows(source);
  assert.equal(merged.length, spot.length + usdm.length);
  assert.deepEqual(await rows(openDataset(dataset, { filter: { symbols: ['BTCUSDT'] }, recycleBatches: true })), merged, 'recycled');
  assert.deepEqual(
    merged.filter((line) => line.includes(',binance:BTCUSDT,')),
    spot,
  );
  assert.deepEqual(
    merged.filter((line) => line.includes(',binance-futures:BTCUSDT,')),
    usdm,
  );
  // Where the inputs take turns, the update ending earlier comes first.
  const lastTimes = merged.filter((line) => Number(line.split(',')[9]) & Flag.Last).map((line) => BigInt(line.split(',')[0] || line.split(',')[1]!));
  let switchesBackInTime = 0;
  let previousVenue = '';
  let previous = 0n;
  merged
    .filter((line) => Number(line.split(',')[9]) & Flag.Last)
    .forEach((line, i) => {
      const venue = line.split(',')[2]!;
      if (venue !== previousVenue && i > 0 && lastTimes[i]! < previous) switchesBackInTime++;
      previousVenue = venue;
      previous = lastTimes[i]!;
    });
  assert.equal(switchesBackInTime, 0);
});

test('commands that need one instrument say which ones a selection holds', needs(SPOT, USDM, KRAKEN), () => {
  assert.throws(() => openDataset(dataset, { filter: { venues: ['kraken'] }, singleInstrument: true }), /^UsageError: .*: the selection holds 10 instruments \(kraken:ADA\/XBT, .*\); choose one with --venue and --symbol$/);
  const one = openDataset(dataset, { filter: { venues: ['kraken'], symbols: ['XMR/USD'] }, singleInstrument: true });
  assert.equal(one.instruments.size, 1);
  assert.equal(one.checksum?.name, 'kraken');
  assert.equal(one.depthLimit, 1000);
  assert.equal(one.integrity.report.source, fixture(KRAKEN), 'one input: findings name its file');
});
