import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import { openSource } from '../../../src/io/index.js';
import { fixture, needs } from '../../support/data.js';

const SPOT_WS = 'cryptofeed_BINANCE.ws.1.0.txt';
const SPOT_HTTP = 'cryptofeed_BINANCE.http.0.0.txt';

test('cryptofeed Binance spot: four books synced from the REST snapshots of the http capture, which agree with the stream', needs(SPOT_WS, SPOT_HTTP), async () => {
  const source = await openSource(fixture(SPOT_WS));
  const summary = await replay(source);
  const report = source.integrity.report;
  assert.deepEqual(source.instruments.list.map((instrument) => instrument.symbol), ['NKNUSDT', 'BLZETH', 'LRCBTC', 'RUNEEUR']);
  assert.equal(report.notes.get('http_snapshots'), 4);
  assert.equal(report.notes.get('snapshots'), 4);
  // Diffs the snapshots already contain (one arrived 10 ms after its REST response) agree with them.
  assert.equal(report.notes.get('snapshot_levels_checked'), 10);
  assert.equal(report.issues.size, 0, JSON.stringify(Object.fromEntries(report.issues)));
  assert.equal(summary.crossedUpdates, 0);
});
