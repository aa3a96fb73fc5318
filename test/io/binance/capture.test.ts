import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { replay } from '../../../src/book/replay.js';
import { InputError } from '../../../src/core/errors.js';
import { Action } from '../../../src/core/event.js';
import { openSource } from '../../../src/io/index.js';
import { binanceBookTickers, BinanceCaptureSource } from '../../../src/io/binance/reader.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

/** Depth updates whose final update id a bookTicker also carries, per capture (bookTickers arrive far more often). */
const COMPARABLE = { spot: 564, usdm: 629, coinm: 1_124 };
/** Levels set by diffs that the REST snapshot already contains, compared with it at sync. */
const CHECKED_AT_SNAPSHOT = { spot: 11, usdm: 174, coinm: 144 };

const CAPTURES = {
  spot: 'hftbacktest_binance-spot_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz',
  usdm: 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz',
  coinm: 'hftbacktest_binance-coinm_BTCUSD_PERP_2024-08-08T2354Z_raw_ws.jsonl.gz',
};

/** Replays a capture and compares the best bid/offer after every depth update with the bookTicker of the same update id. */
async function againstBookTicker(name: string) {
  const tickers = new Map<number, { bid: number; bidSize: number; ask: number; askSize: number }>();
  for await (const ticker of binanceBookTickers(fixture(name))) tickers.set(ticker.updateId, { bid: ticker.bidPrice, bidSize: ticker.bidSize, ask: ticker.askPrice, askSize: ticker.askSize });
  const source = await openSource(fixture(name));
  let compared = 0;
  let matched = 0;
  const summary = await replay(source, {
    onUpdate(book, batch, row) {
      if (batch.action[row] === Action.Trade) return;
      const ticker = tickers.get(batch.seq[row]!);
      if (!ticker) return;
      compared++;
      if (book.bestBidPrice() === ticker.bid && book.bestBidSize() === ticker.bidSize && book.bestAskPrice() === ticker.ask && book.bestAskSize() === ticker.askSize) matched++;
    },
  });
  return { compared, matched, summary, report: source.integrity.report };
}

for (const [product, name] of Object.entries(CAPTURES)) {
  test(`Binance ${product}: synced to the REST snapshot (which agrees with the diffs it covers), the best bid/offer equals every bookTicker with the same update id`, needs(name), async () => {
    const result = await againstBookTicker(name);
    assert.equal(result.report.issues.size, 0, JSON.stringify(Object.fromEntries(result.report.issues)));
    assert.equal(result.summary.crossedUpdates, 0);
    assert.equal(result.compared, COMPARABLE[product as keyof typeof COMPARABLE]);
    // The diffs the snapshot covers agree with it, level by level.
    assert.equal(result.report.notes.get('snapshot_levels_checked'), CHECKED_AT_SNAPSHOT[product as keyof typeof CHECKED_AT_SNAPSHOT]);
    assert.equal(result.matched, result.compared, `${result.compared - result.matched} of ${result.compared} differ`);
  });
}

test('Binance gaps: every removed depth message is caught; strict stops at the first with the place', needs(CAPTURES.usdm), async () => {
  const lines = gunzipSync(readFileSync(fixture(CAPTURES.usdm))).toString('utf8').split('\n');
  let depthSeen = 0;
  let removed = 0;
  const kept = lines.filter((line) => {
    if (!line.includes('@depth')) return true;
    depthSeen++;
    // Remove every 1,000th diff after the first thousand (the snapshot comes within the first few lines).
    if (depthSeen > 1000 && depthSeen % 1000 === 0) {
      removed++;
      return false;
    }
    return true;
  });
  const path = join(tempDir('flowmine-binance-'), 'gapped.jsonl.gz');
  writeFileSync(path, gzipSync(kept.join('\n')));
  await assert.rejects(replay(new BinanceCaptureSource(path)), (error: unknown) => error instanceof InputError && /:\d+: U\/u: sequence gap for BINANCE\.BTCUSDT: expected pu=\d+, was \d+$/.test(error.message));
  const source = new BinanceCaptureSource(path, { policy: 'repair' });
  const summary = await replay(source);
  assert.equal(removed, 5);
  assert.equal(source.integrity.report.issueCount('sequence_gap'), removed, 'one finding per missing message');
  assert.equal(summary.crossedUpdates, 0, 'after the first gap the book waits instead of going wrong');
  assert.equal(source.integrity.report.notes.get('book_unsynced_after_gap'), 1);
});
