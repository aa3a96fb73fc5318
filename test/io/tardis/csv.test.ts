import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import { Side } from '../../../src/core/event.js';
import { openSource } from '../../../src/io/index.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const QUOTES = 'tardis_binance-futures_quotes_BTCUSDT_2020-02-22_first9999.csv';
const TRADES = 'tardis_binance-futures_trades_BTCUSDT_2020-02-22_first9999.csv';
const BITMEX = 'tardis_bitmex_trades_XBTUSD_2020-03-01_head10.csv';
const SNAP25 = 'tardis_binance-futures_book_snapshot_25_BTCUSDT_2020-09-01_head10.csv';
const SNAP5 = 'tardis_binance-futures_book_snapshot_5_BTCUSDT_2020-09-01_head10.csv';
const DERIBIT = 'tardis_deribit_incremental_book_L2_BTC-PERPETUAL_2020-04-01_head15.csv';

test('Tardis quotes: the book shows each row\'s best bid and ask', needs(QUOTES), async () => {
  const source = await openSource(fixture(QUOTES));
  assert.equal(source.granularity, 'quotes');
  const states: string[] = [];
  let deepest = 0;
  await replay(source, {
    onUpdate: (book, batch, row) => {
      states.push(`${batch.timeBaseNs + BigInt(batch.tsEvent[row]!)} ${book.bestBidPrice()} ${book.bestBidSize()} ${book.bestAskPrice()} ${book.bestAskSize()}`);
      deepest = Math.max(deepest, book.depth(1), book.depth(-1));
    },
  });
  assert.equal(states.length, 9_999);
  assert.equal(deepest, 1, 'the book is the quote: no earlier best price lingers deeper');
  // Row 1: 1582329601096000,…,ask_amount 0.84, ask_price 9682, bid_price 9681.92, bid_amount 0.67
  assert.equal(states[0], '1582329601096000000 968192000000 67000000 968200000000 84000000');
});

test('Tardis trades: aggressor sides, one update per exchange message', needs(TRADES, BITMEX), async () => {
  const sides = new Map<number, number>();
  const binance = await openSource(fixture(TRADES));
  for await (const batch of binance.batches()) for (let i = 0; i < batch.length; i++) sides.set(batch.side[i]!, (sides.get(batch.side[i]!) ?? 0) + 1);
  assert.equal((sides.get(Side.Buy) ?? 0) + (sides.get(Side.Sell) ?? 0), 9_999);
  const bitmex = await openSource(fixture(BITMEX));
  const summary = await replay(bitmex);
  assert.equal(summary.rows, 10);
  assert.equal(summary.updates, 2, 'BitMEX sends trades in batches: rows with the same timestamps are one message');
});

test('Tardis book_snapshot_25 and book_snapshot_5 of the same moments agree on the top five levels', needs(SNAP25, SNAP5), async () => {
  const top5 = async (name: string) => {
    const states = new Map<bigint, string>();
    await replay(await openSource(fixture(name)), {
      onUpdate(book, batch, row) {
        const cells = [];
        for (let rank = 0; rank < 5; rank++) cells.push(book.priceAt(Side.Ask, rank), book.sizeAt(Side.Ask, rank), book.priceAt(Side.Bid, rank), book.sizeAt(Side.Bid, rank));
        states.set(batch.timeBaseNs + BigInt(batch.tsEvent[row]!), cells.join(','));
      },
    });
    return states;
  };
  const deep = await top5(SNAP25);
  const shallow = await top5(SNAP5);
  const shared = [...shallow.keys()].filter((ts) => deep.has(ts));
  assert.ok(shared.length >= 1);
  for (const ts of shared) assert.equal(shallow.get(ts), deep.get(ts), `at ${ts}`);
});

test('Tardis incremental_book_L2: the snapshot rows build the book, also when the file ends inside them', needs(DERIBIT), async () => {
  const source = await openSource(fixture(DERIBIT));
  let asks = 0;
  await replay(source, { onUpdate: (book) => (asks = book.depth(Side.Ask)) });
  assert.equal(asks, 15);
  assert.equal(source.integrity.report.notes.get('snapshot_open_at_end'), 1);
});

test('Tardis bad rows: strict names line and field; skip counts them', async () => {
  const path = join(tempDir('flowmine-tardis-'), 'trades.csv');
  writeFileSync(path, 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nx,Y,1582329602111000,1582329602418379,1,buy,9682,0.1\nx,Y,1582329602111001,1582329602418380,2,up,9682,0.1\nx,Y,1582329602111002,1582329602418381,3,sell,96.8.2,0.1\nx,Y,1582329602111003\n');
  await assert.rejects(replay(await openSource(path)), { message: `${path}:3: side: expected buy, sell or unknown, found "up"` });
  const skipped = await openSource(path, { policy: 'skip', format: 'tardis-csv' });
  const summary = await replay(skipped);
  assert.deepEqual([skipped.integrity.report.rowsRead, skipped.integrity.report.skipped, summary.rows], [4, 3, 1]);
  assert.equal(skipped.integrity.report.issues.get('malformed_row')!.examples[2], 'line 5: columns: expected 8 fields, found 3');
});
