import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import { InputError } from '../../../src/core/errors.js';
import { Action, Flag } from '../../../src/core/event.js';
import type { EventSource } from '../../../src/core/source.js';
import { binanceBookTickers } from '../../../src/io/binance/reader.js';
import { openSource } from '../../../src/io/index.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const WS = 'cryptofeed_BINANCE_FUTURES.ws.1.0.txt';
const HTTP = 'cryptofeed_BINANCE_FUTURES.http.0.0.txt';

/** The capture pair copied to a fresh folder (the http capture must sit beside the websocket one), the websocket lines edited. */
function editedCopy(edit: (lines: string[]) => string[], editHttp: (lines: string[]) => string[] = (lines) => lines): string {
  const dir = tempDir('flowmine-cryptofeed-binance-');
  writeFileSync(join(dir, HTTP), editHttp(readFileSync(fixture(HTTP), 'utf8').split('\n')).join('\n'));
  const lines = readFileSync(fixture(WS), 'utf8').split('\n');
  writeFileSync(join(dir, WS), edit(lines).join('\n'));
  return join(dir, WS);
}

/** Replays a source, counting the depth updates (outside snapshots) written for each symbol. */
async function depthUpdatesBySymbol(source: EventSource) {
  const depthUpdates = new Map<string, number>();
  const summary = await replay(source, {
    onUpdate(_book, batch, row, instrument) {
      if (batch.action[row] === Action.Trade || batch.flags[row]! & Flag.Snapshot) return;
      const symbol = batch.instruments.get(instrument).symbol;
      depthUpdates.set(symbol, (depthUpdates.get(symbol) ?? 0) + 1);
    },
  });
  return { summary, depthUpdates };
}

/** Counts the rows a source writes by action, and the depth updates (Last rows outside snapshots). */
async function rowCounts(source: EventSource) {
  const actions = new Map<number, number>();
  let depthUpdates = 0;
  for await (const batch of source.batches()) {
    for (let i = 0; i < batch.length; i++) {
      actions.set(batch.action[i]!, (actions.get(batch.action[i]!) ?? 0) + 1);
      if (batch.flags[i]! & Flag.Last && !(batch.flags[i]! & Flag.Snapshot) && batch.action[i] !== Action.Trade) depthUpdates++;
    }
  }
  return { actions, depthUpdates };
}

test('cryptofeed Binance futures: each symbol gets its own decimals, so AKROUSDT\'s 332,200,000-contract levels are exact and the capture replays fully', needs(WS, HTTP), async () => {
  const source = await openSource(fixture(WS));
  const { actions, depthUpdates } = await rowCounts(source);
  // Units: the fewest decimals holding every price and quantity of the http capture and the stream's head.
  assert.deepEqual(
    source.instruments.list.map(({ venue, symbol, priceDecimals, sizeDecimals }) => [venue, symbol, priceDecimals, sizeDecimals]),
    [
      ['binance-futures', 'SUSHIUSDT', 3, 0],
      ['binance-futures', 'AKROUSDT', 5, 0],
      ['binance-futures', 'KEEPUSDT', 4, 0],
      ['binance-futures', 'CTKUSDT', 5, 0],
    ],
  );
  const report = source.integrity.report;
  assert.equal(report.issues.size, 0, JSON.stringify(Object.fromEntries(report.issues)));
  // 1,536 lines: the connection line, then 764 depth, 613 bookTicker, 91 aggTrade and 67 kline messages.
  assert.equal(report.rowsRead, 1_535);
  assert.equal(report.accepted, 1_535);
  assert.equal(report.notes.get('book_tickers'), 613);
  assert.equal(report.notes.get('unhandled_kline'), 67);
  assert.equal(actions.get(Action.Trade), 91);
  // Four REST snapshots, one per symbol, from the http capture; 12 diffs they already contain.
  assert.equal(report.notes.get('http_snapshots'), 4);
  assert.equal(actions.get(Action.SnapshotBegin), 4);
  assert.equal(actions.get(Action.SnapshotEnd), 4);
  assert.equal(report.notes.get('depth_covered_by_snapshot'), 12);
  assert.equal(depthUpdates, 764 - 12);
  assert.equal(actions.get(Action.LevelSet), 11_725);
  assert.equal(actions.get(Action.LevelDelete), 140);
});

test('cryptofeed Binance futures: the snapshots agree with the diffs they cover; the best bid/offer equals every bookTicker with the same update id; never crossed', needs(WS, HTTP), async () => {
  const source = await openSource(fixture(WS));
  const states = new Map<string, number[]>();
  let akroLargest = 0;
  const summary = await replay(source, {
    onUpdate(book, batch, row, instrument) {
      if (batch.action[row] === Action.Trade || batch.flags[row]! & Flag.Snapshot) return;
      states.set(`${batch.instruments.get(instrument).symbol} ${batch.seq[row]}`, [book.bestBidPrice(), book.bestBidSize(), book.bestAskPrice(), book.bestAskSize()]);
      if (batch.instruments.get(instrument).symbol === 'AKROUSDT') for (let rank = 0; rank < book.depth(1); rank++) akroLargest = Math.max(akroLargest, book.sizeAt(1, rank));
    },
  });
  const report = source.integrity.report;
  assert.equal(report.issues.size, 0, JSON.stringify(Object.fromEntries(report.issues)));
  assert.equal(report.notes.get('snapshot_levels_checked'), 26);
  assert.equal(summary.crossedUpdates, 0);
  // AKROUSDT's snapshot holds a 332,200,000-contract bid (units of 1 contract): 3.3e16 units at 8 decimals.
  assert.equal(akroLargest, 332_200_000);
  const units = new Map(source.instruments.list.map((instrument) => [instrument.symbol, { price: instrument.priceDecimals, size: instrument.sizeDecimals }]));
  let tickers = 0;
  let compared = 0;
  let matched = 0;
  for await (const ticker of binanceBookTickers(fixture(WS), (symbol) => units.get(symbol) ?? null)) {
    tickers++;
    const state = states.get(`${ticker.symbol} ${ticker.updateId}`);
    if (!state) continue;
    compared++;
    if (state[0] === ticker.bidPrice && state[1] === ticker.bidSize && state[2] === ticker.askPrice && state[3] === ticker.askSize) matched++;
  }
  assert.equal(tickers, 613);
  // 100 ms diffs: only 50 bookTickers carry the final id of a diff; all 50 agree.
  assert.equal(compared, 50);
  assert.equal(matched, compared);
});

test('cryptofeed Binance futures gaps: every removed depth message is caught (pu chain); strict stops at the first with the place', needs(WS, HTTP), async () => {
  let depthSeen = 0;
  let removed = 0;
  const path = editedCopy((lines) =>
    lines.filter((line) => {
      if (!line.includes('"e":"depthUpdate"')) return true;
      depthSeen++;
      // Every 50th diff after the first 100 (past the snapshots and the diffs they cover; never a symbol's last).
      if (depthSeen > 100 && depthSeen < 700 && depthSeen % 50 === 0) {
        removed++;
        return false;
      }
      return true;
    }),
  );
  await assert.rejects(replay(await openSource(path)), (error: unknown) => error instanceof InputError && /^.*:\d+: U\/u: sequence gap for BINANCE\.[A-Z]+: expected pu=\d+, was \d+$/.test(error.message));
  const source = await openSource(path, { policy: 'repair' });
  const summary = await replay(source);
  assert.equal(removed, 11);
  assert.equal(source.integrity.report.issueCount('sequence_gap'), removed, 'one finding per missing message');
  assert.equal(summary.crossedUpdates, 0, 'after a gap the book waits instead of going wrong');
});

test('cryptofeed Binance futures: a malformed line stops strict with its place; skip sets it aside, and the diff it held is a gap', needs(WS, HTTP), async () => {
  // Line 700 is a KEEPUSDT diff: cut short, it is not JSON, so its ids are lost with it.
  const path = editedCopy((lines) => lines.map((line, k) => (k === 699 ? line.slice(0, 60) : line)));
  await assert.rejects(replay(await openSource(path)), { message: `${path}:700: json: not valid JSON` });
  const source = await openSource(path, { policy: 'skip' });
  const summary = await replay(source);
  const report = source.integrity.report;
  assert.equal(report.rowsRead, 1_535);
  assert.equal(report.skipped, 1);
  assert.deepEqual(Object.fromEntries([...report.issues].map(([kind, issue]) => [kind, issue.count])), { malformed_row: 1, sequence_gap: 1 });
  // The next KEEPUSDT diff (line 717) does not chain: the book waits for a snapshot the capture does not have.
  assert.match(report.issues.get('sequence_gap')!.examples[0]!, /^line 717: sequence gap for BINANCE\.KEEPUSDT: expected pu=\d+, was \d+$/);
  assert.equal(report.notes.get('book_unsynced_after_gap'), 1);
  assert.equal(summary.crossedUpdates, 0);
});

test('cryptofeed Binance futures: a malformed REST snapshot in the http capture is named by its own file and line; its book never syncs', needs(WS, HTTP), async () => {
  // The http capture's line 2 is AKROUSDT's snapshot: cut short, it is not JSON.
  const path = editedCopy(
    (lines) => lines,
    (lines) => lines.map((line, k) => (k === 1 ? line.slice(0, 120) : line)),
  );
  const http = path.replace(WS, HTTP);
  await assert.rejects(replay(await openSource(path)), { message: `${http}:2: json: not valid JSON` });
  const source = await openSource(path, { policy: 'skip' });
  const { summary, depthUpdates } = await depthUpdatesBySymbol(source);
  const report = source.integrity.report;
  assert.deepEqual(Object.fromEntries([...report.issues].map(([kind, issue]) => [kind, issue.count])), { malformed_row: 1 });
  assert.equal(report.notes.get('snapshots'), 3);
  // AKROUSDT's diffs wait for a snapshot that never comes: none is written; the other books are as before.
  const clean = await depthUpdatesBySymbol(await openSource(fixture(WS)));
  // Of AKROUSDT's 189 diffs, one is covered by its snapshot; 188 are written when the snapshot is read.
  assert.equal(clean.depthUpdates.get('AKROUSDT'), 188);
  clean.depthUpdates.delete('AKROUSDT');
  assert.deepEqual(depthUpdates, clean.depthUpdates);
  assert.equal(summary.crossedUpdates, 0);
});
