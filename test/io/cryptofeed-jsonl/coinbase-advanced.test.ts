import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { replay, Replayer } from '../../../src/book/replay.js';
import { rowAt, type EventRow } from '../../../src/core/batch.js';
import { parseUnits } from '../../../src/core/decimal.js';
import { Action, Flag } from '../../../src/core/event.js';
import type { OpenOptions } from '../../../src/core/source.js';
import { coinbaseAdvancedTickers } from '../../../src/io/cryptofeed-jsonl/coinbase-advanced.js';
import { openSource, sniffFormat } from '../../../src/io/index.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const CAPTURE = 'cryptofeed_v3_COINBASE-advanced-trade_BTC-USD_ETH-USD_capture.jsonl.gz';

/** Best bid and ask (prices and sizes) after one book update, with the update's sequence_num. */
interface Top {
  seq: number;
  top: string;
}

/** Replays a capture: action counts, rows by line, per instrument the top of book after each book update, and trades against the book before them. */
async function read(path: string, options: OpenOptions = {}) {
  const source = await openSource(path, options);
  const replayer = Replayer.for(source);
  const actions = new Map<number, number>();
  const rows = new Map<number, EventRow[]>();
  const tops = new Map<number, Top[]>();
  const aggressors = { buyAtAsk: 0, sellAtBid: 0, inside: 0, against: 0, noBook: 0 };
  for await (const batch of source.batches()) {
    for (let i = 0; i < batch.length; i++) {
      actions.set(batch.action[i]!, (actions.get(batch.action[i]!) ?? 0) + 1);
      const line = batch.sourceRow[i]!;
      if (!rows.has(line)) rows.set(line, []);
      rows.get(line)!.push(rowAt(batch, i));
    }
    replayer.push(batch, (book, _batch, row, instrument) => {
      if (batch.action[row] === Action.Trade) {
        // A trade leaves the book as it was: compare its price with the book it met.
        if (batch.flags[row]! & Flag.Snapshot) return;
        const price = batch.price[row]!;
        const side = batch.side[row]!;
        if (book.depth(1) === 0 || book.depth(-1) === 0) aggressors.noBook++;
        else if (price >= book.bestAskPrice()) side === 1 ? aggressors.buyAtAsk++ : aggressors.against++;
        else if (price <= book.bestBidPrice()) side === -1 ? aggressors.sellAtBid++ : aggressors.against++;
        else aggressors.inside++;
        return;
      }
      if (!tops.has(instrument)) tops.set(instrument, []);
      tops.get(instrument)!.push({ seq: batch.seq[row]!, top: `${book.bestBidPrice()}x${book.bestBidSize()}/${book.bestAskPrice()}x${book.bestAskSize()}` });
    });
  }
  return { source, summary: replayer.finish(), actions, rows, tops, aggressors, report: source.integrity.report };
}

function lines(): string[] {
  return gunzipSync(readFileSync(fixture(CAPTURE))).toString('utf8').split('\n');
}

function written(name: string, content: string[]): string {
  const path = join(tempDir('flowmine-cbadv-'), name);
  writeFileSync(path, gzipSync(content.join('\n')));
  return path;
}

test('Coinbase Advanced Trade (cryptofeed JSONL): two full-depth books, 279 trades, decimals from the products response', needs(CAPTURE), async () => {
  const path = fixture(CAPTURE);
  assert.equal((await sniffFormat(path)).name, 'cryptofeed-jsonl');
  const { source, summary, actions, rows, aggressors, report } = await read(path);
  assert.equal(source.format, 'cryptofeed-jsonl');
  assert.deepEqual(
    source.instruments.list.map((instrument) => `${instrument.venue}:${instrument.symbol} ${instrument.priceDecimals}/${instrument.sizeDecimals} tick ${instrument.tickUnits}`),
    ['coinbase:BTC-USD 2/8 tick 1', 'coinbase:ETH-USD 2/8 tick 1'],
  );
  // 1,030 websocket messages and the products response; the header, connect and 5 subscribe records are counted.
  assert.deepEqual([report.rowsRead, report.skipped], [1_031, 0]);
  assert.equal(report.issues.size, 0, JSON.stringify(Object.fromEntries(report.issues)));
  assert.deepEqual(
    Object.fromEntries(['header_records', 'connect_records', 'send_records', 'http_products_responses', 'snapshots', 'trades', 'trades_before_subscription', 'ticker_messages', 'candles_messages', 'candles', 'heartbeats_messages', 'subscriptions_messages'].map((name) => [name, report.notes.get(name)])),
    { header_records: 1, connect_records: 1, send_records: 5, http_products_responses: 1, snapshots: 2, trades: 79, trades_before_subscription: 200, ticker_messages: 160, candles_messages: 6, candles: 204, heartbeats_messages: 25, subscriptions_messages: 5 },
  );
  assert.equal(report.notes.get('product_decimals_from_capture'), undefined);
  assert.deepEqual(
    [actions.get(Action.SnapshotBegin), actions.get(Action.LevelSet), actions.get(Action.LevelDelete), actions.get(Action.Trade)],
    [2, 73_005, 1_188, 279],
  );
  // 773 l2_data updates, 2 snapshots, 279 trades; never a crossed book.
  assert.equal(summary.updates, 1_054);
  assert.equal(summary.crossedUpdates, 0);

  // Times, exact: a snapshot's bounds at the message timestamp (ns), levels at their event_time (µs), tsRecv the record's ts.
  assert.deepEqual(rows.get(22)![0], { tsEventNs: 1_786_309_548_483_587_501n, tsRecvNs: 1_786_309_548_848_050_800n, instrument: 0, action: Action.SnapshotBegin, side: 0, price: 0, size: 0, orderId: 0, seq: 13, flags: Flag.Snapshot, sourceRow: 22 });
  assert.equal(rows.get(22)!.length, 46_002);
  assert.deepEqual(rows.get(23)![0], { tsEventNs: 1_786_309_548_210_883_000n, tsRecvNs: 1_786_309_548_883_960_000n, instrument: 0, action: Action.LevelSet, side: 1, price: 6_506_250, size: 583_000, orderId: 0, seq: 14, flags: 0, sourceRow: 23 });
  // market_trades `side` is the maker's: this SELL at the ask was a buyer's aggression.
  assert.deepEqual(rows.get(18), [{ tsEventNs: 1_786_309_548_167_634_000n, tsRecvNs: 1_786_309_548_642_865_000n, instrument: 0, action: Action.Trade, side: 1, price: 6_508_367, size: 1_034_361, orderId: 0, seq: 9, flags: Flag.Last, sourceRow: 18 }]);
  // The book proves it: every live trade at the best ask is a buy, every one at the best bid a sell.
  assert.deepEqual(aggressors, { buyAtAsk: 48, sellAtBid: 23, inside: 7, against: 0, noBook: 1 });
});

test('Coinbase Advanced Trade tickers against the rebuilt book at the same sequence_num', needs(CAPTURE), async () => {
  const path = fixture(CAPTURE);
  const { source, tops } = await read(path);
  const outcome = { beforeSnapshot: 0, equal: 0, afterNextUpdate: 0, beforeLastUpdate: 0, other: 0 };
  for await (const ticker of coinbaseAdvancedTickers(path)) {
    const instrument = source.instruments.list.findIndex((candidate) => candidate.symbol === ticker.product);
    const { priceDecimals, sizeDecimals } = source.instruments.get(instrument);
    const expected = `${parseUnits(ticker.bestBid, priceDecimals)}x${parseUnits(ticker.bestBidQuantity, sizeDecimals)}/${parseUnits(ticker.bestAsk, priceDecimals)}x${parseUnits(ticker.bestAskQuantity, sizeDecimals)}`;
    const states = tops.get(instrument)!;
    let at = -1;
    while (at + 1 < states.length && states[at + 1]!.seq < ticker.sequence) at++;
    if (at < 0) outcome.beforeSnapshot++;
    else if (states[at]!.top === expected) outcome.equal++;
    else if (states[at + 1]?.top === expected) outcome.afterNextUpdate++;
    else if (states[at - 1]?.top === expected) outcome.beforeLastUpdate++;
    else outcome.other++;
  }
  // The ticker and level2 channels are not in step: a ticker often shows the book of the product's next
  // l2_data message (27), sometimes of the one before (3); 10 show a state a few messages away or one
  // level2 never published (it coalesces changes within a message).
  assert.deepEqual(outcome, { beforeSnapshot: 6, equal: 114, afterNextUpdate: 27, beforeLastUpdate: 3, other: 10 });
});

test('Coinbase Advanced Trade without the products response: decimals from the widest values in the capture', needs(CAPTURE), async () => {
  const path = written('no-products.jsonl.gz', lines().filter((line) => !line.startsWith('{"t":"http"')));
  const { source, report, actions, summary } = await read(path);
  assert.deepEqual(source.instruments.list.map((instrument) => `${instrument.symbol} ${instrument.priceDecimals}/${instrument.sizeDecimals}`), ['BTC-USD 2/8', 'ETH-USD 2/8']);
  assert.equal(report.notes.get('product_decimals_from_capture'), 2);
  assert.deepEqual([report.rowsRead, actions.get(Action.LevelSet), actions.get(Action.Trade), summary.crossedUpdates, report.issues.size], [1_030, 73_005, 279, 0, 0]);
});

test('Coinbase Advanced Trade sequence gaps: every removed message is caught; strict stops at the first with its place', needs(CAPTURE), async () => {
  const all = lines();
  let recv = 0;
  let tradeUpdates = 0;
  const removed: number[] = [];
  const removedTrades: number[] = [];
  // Every 97th message, and every 10th market_trades update.
  const kept = all.filter((line) => {
    if (!line.startsWith('{"t":"recv"')) return true;
    const message = JSON.parse(JSON.parse(line).data) as { sequence_num: number; channel: string; events: { type: string }[] };
    const trades = message.channel === 'market_trades' && message.events[0]!.type === 'update' && ++tradeUpdates % 10 === 0;
    if (++recv % 97 !== 0 && !trades) return true;
    removed.push(message.sequence_num);
    if (trades) removedTrades.push(message.sequence_num);
    return false;
  });
  assert.deepEqual([removed.length, removedTrades.length], [15, 5]);
  const path = written('gapped.jsonl.gz', kept);
  const firstLine = kept.findIndex((line) => line.includes(`\\"sequence_num\\":${removed[0]! + 1},`)) + 1;
  await assert.rejects(replay(await openSource(path)), { message: `${path}:${firstLine}: sequence_num: sequence gap on COINBASE.ws.2: expected ${removed[0]}, was ${removed[0]! + 1}` });
  const { report, summary } = await read(path, { policy: 'repair' });
  assert.equal(report.issueCount('sequence_gap'), removed.length, 'one finding per missing message');
  assert.equal(report.issueCount('trade_id_gap'), removedTrades.length, 'the lost trades message also breaks the trade ids');
  // Both books wait for a snapshot from the first gap on (sequence numbers span every channel).
  assert.equal(report.notes.get('book_unsynced_after_gap'), 2);
  const l2After = kept.slice(firstLine - 1).filter((line) => line.includes('\\"channel\\":\\"l2_data\\"')).length;
  assert.equal(report.notes.get('l2_updates_while_unsynced'), l2After);
  assert.equal(summary.crossedUpdates, 0);
});

test('Coinbase Advanced Trade malformed records: one line under strict; counted and quarantined under skip', needs(CAPTURE), async () => {
  const all = lines();
  all[22] = all[22]!.replace('\\"price_level\\":\\"65062.5\\"', '\\"price_level\\":\\"65062.505\\"');
  all[40] = all[40]!.slice(0, 60);
  const path = written('malformed.jsonl.gz', all);
  await assert.rejects(replay(await openSource(path)), {
    message: `${path}:23: price_level: not valid (a positive decimal of at most 2 decimals) in {"side":"bid","event_time":"2026-08-09T21:05:48.210883Z","price_level":"65062.505","new_quantity":"0.00583"}`,
  });
  const quarantined: string[] = [];
  const { report, summary } = await read(path, { policy: 'skip', quarantine: { write: (_source, line, reason) => void quarantined.push(`${line} ${reason}`) } });
  assert.deepEqual(quarantined, ['23 malformed_row: price_level: not valid (a positive decimal of at most 2 decimals) in {"side":"bid","event_time":"2026-08-09T21:05:48.210883Z","price_level":"65062.505","new_quantity":"0.00583"}', '41 malformed_row: json: not valid JSON']);
  assert.deepEqual([report.rowsRead, report.skipped, report.issueCount('malformed_row')], [1_031, 2, 2]);
  // The cut line also loses its sequence number; the BTC-USD book lost an update and waits for a snapshot.
  assert.equal(report.issueCount('sequence_gap'), 1);
  assert.equal(report.notes.get('book_unsynced_after_rejected_message'), 1);
  assert.equal(summary.crossedUpdates, 0);
});

test('cryptofeed JSONL: an exchange without a handler is refused with one line', async () => {
  const path = join(tempDir('flowmine-cbadv-'), 'kraken.jsonl');
  writeFileSync(path, '{"t":"header","format":2,"exchange":"KRAKEN","config":{},"recorded":1786309548.026294}\n');
  await assert.rejects(openSource(path), { message: `${path}: cryptofeed JSONL capture of KRAKEN: this exchange is not read yet (supported: COINBASE)` });
});
