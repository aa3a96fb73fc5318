import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decompress } from 'fzstd';
import { replay } from '../../../src/book/replay.js';
import { rowAt } from '../../../src/core/batch.js';
import { InputError } from '../../../src/core/errors.js';
import { Action, Flag, Side } from '../../../src/core/event.js';
import type { EventSource } from '../../../src/core/source.js';
import { openSource } from '../../../src/io/index.js';
import { openDbn } from '../../../src/io/dbn/reader.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const MBO_V3 = 'databento_testdata_ESH1_mbo.v3.dbn.zst';
const MBP10_V3 = 'databento_testdata_ESH1_mbp-10.v3.dbn.zst';
const ES25 = 'databento_GLBX-MDP3_ESH4_2023-12-25_mbo.dbn.zst';
const ES24 = 'databento_GLBX-MDP3_ESH4_2023-12-24_mbo.dbn.zst';
const ESU4 = 'databento_GLBX-MDP3_ESU4_2024-07-01T2358-0002_mbp-1.dbn.zst';

async function rows(source: EventSource) {
  const out = [];
  for await (const batch of source.batches()) for (let i = 0; i < batch.length; i++) out.push(rowAt(batch, i));
  return out;
}

test('DBN v3 MBO: metadata, symbol mapping and the exact fields of both records', needs(MBO_V3), async () => {
  const source = await openDbn(fixture(MBO_V3), { policy: 'repair' });
  assert.equal(source.metadata.version, 3);
  assert.equal(source.metadata.dataset, 'GLBX.MDP3');
  assert.equal(source.schema, 'mbo');
  assert.deepEqual(source.instruments.list, [{ venue: 'glbx.mdp3', symbol: 'ESH1', venueId: 5482, priceDecimals: 9, sizeDecimals: 0, tickUnits: 0 }]); // MBO has no instrument definitions: openSource infers the tick
  const [first, second] = await rows(source);
  assert.equal(first!.tsEventNs, 1_609_160_400_000_429_831n);
  assert.equal(first!.tsRecvNs, 1_609_160_400_000_704_060n);
  assert.equal(first!.action, Action.Cancel);
  assert.equal(first!.side, Side.Ask);
  assert.equal(first!.orderId, 647_784_973_705);
  assert.equal(first!.price, 3_722_750_000_000, '3722.75 in 1e-9 units');
  assert.equal(first!.size, 1);
  assert.equal(first!.seq, 1_170_352);
  assert.equal(first!.flags & Flag.Last, Flag.Last);
  assert.equal(second!.sourceRow, 2);
});

test('DBN v3 MBP-10: each record restates the ten levels; the book shows them', needs(MBP10_V3), async () => {
  const source = await openSource(fixture(MBP10_V3));
  assert.equal(source.granularity, 'L2');
  const states: number[][] = [];
  await replay(source, {
    onUpdate: (book) => states.push([book.priceAt(Side.Bid, 0), book.sizeAt(Side.Bid, 0), book.priceAt(Side.Ask, 0), book.sizeAt(Side.Ask, 0), book.sizeAt(Side.Bid, 1), book.depth(Side.Bid), book.depth(Side.Ask)]),
  });
  assert.deepEqual(states, [
    [3_720_250_000_000, 24, 3_720_500_000_000, 10, 31, 10, 10],
    [3_720_250_000_000, 24, 3_720_500_000_000, 10, 30, 10, 10],
  ]);
});

test('ESH4 2023-12-25 MBO: record counts, the folded fill echoes, and a clean strict replay from the snapshot', needs(ES25), async () => {
  const source = await openSource(fixture(ES25));
  const counts = new Map<number, number>();
  let negative = 0;
  const crossedAt: bigint[] = [];
  const summary = await replay(source, {
    onUpdate(book, batch, row) {
      for (const side of [Side.Bid, Side.Ask]) for (let rank = 0; rank < book.depth(side); rank++) if (!(book.sizeAt(side, rank) > 0)) negative++;
      if (book.isCrossedOrLocked()) crossedAt.push(batch.timeBaseNs + BigInt(batch.tsEvent[row]!));
    },
  });
  for await (const batch of (await openSource(fixture(ES25))).batches()) for (const action of batch.action) counts.set(action, (counts.get(action) ?? 0) + 1);
  const report = source.integrity.report;
  // MANIFEST: 68,792 records = 8,725 snapshot adds + A 29,216 / C 17,999 / M 12,233 / T 2,973 / F 6,371.
  assert.equal(report.rowsRead, 68_792);
  assert.equal(counts.get(Action.Add), 29_216);
  assert.equal(counts.get(Action.Modify), 12_233);
  assert.equal(counts.get(Action.Trade), 2_973);
  assert.equal(counts.get(Action.Fill), 6_371);
  // A C that repeats the preceding F of the same order is the fill's book side: folded, not a cancel.
  assert.equal(report.notes.get('fill_echo_folded'), 5_333);
  assert.equal(counts.get(Action.Cancel), 12_670);
  // Every cancel, modify and fill refers to a known order, except what the data itself explains:
  assert.deepEqual(summary.findings, {});
  assert.equal(report.notes.get('auction_fill_of_unknown_order'), 7, 'fills in the 23:00 opening uncross (side N) of orders never shown');
  assert.equal(report.notes.get('fill_beyond_displayed'), 28, 'iceberg fills larger than the displayed size');
  assert.equal(report.notes.get('refill_after_fill_of_unknown_order'), 83, 'iceberg displays restated after their fill');
  assert.equal(negative, 0, 'no level with a non-positive size after any complete update');
  // DESIGN.md: crossed on 891 complete updates, all between 22:39:55 and 22:59:59 UTC (Globex pre-open).
  assert.equal(summary.crossedUpdates, 891);
  assert.equal(summary.crossedWhileNotTrading, 891);
  assert.equal(report.issueCount('crossed_in_continuous_trading'), 0);
  const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
  assert.match(iso(crossedAt[0]!), /^2023-12-25T22:39:55/);
  assert.match(iso(crossedAt.at(-1)!), /^2023-12-25T22:59:59/);
});

test('ESH4 2023-12-24 is the snapshot the 2023-12-25 file starts from: the same book', needs(ES24, ES25), async () => {
  const bookAfterSnapshot = async (name: string) => {
    const source = await openSource(fixture(name));
    let state: number[] | null = null;
    await replay(source, {
      onUpdate(book) {
        state ??= [book.bestBidPrice(), book.bestBidSize(), book.bestAskPrice(), book.bestAskSize(), book.depth(Side.Bid), book.depth(Side.Ask)];
      },
    });
    return state;
  };
  const snapshot = await bookAfterSnapshot(ES24);
  assert.deepEqual(snapshot, await bookAfterSnapshot(ES25));
  assert.equal(snapshot![0]! < snapshot![2]!, true, 'not crossed');
});

test('ESU4 MBP-1: 2,288 records, 120 trades, the best bid/offer of each complete update', needs(ESU4), async () => {
  const source = await openSource(fixture(ESU4));
  let trades = 0;
  let first: number[] | null = null;
  const summary = await replay(source, {
    onUpdate(book, batch, row) {
      first ??= [batch.seq[row]!, book.bestBidPrice(), book.bestBidSize(), book.bestAskPrice(), book.bestAskSize()];
    },
  });
  for await (const batch of (await openSource(fixture(ESU4))).batches()) for (const action of batch.action) if (action === Action.Trade) trades++;
  assert.equal(source.integrity.report.rowsRead, 2_288);
  assert.equal(trades, 120);
  assert.deepEqual(first, [9_060_644, 5_528_500_000_000, 29, 5_528_750_000_000, 4]);
  assert.equal(summary.crossedUpdates, 0);
});

test('DBN bad input: truncated records, a cut metadata block, and a file that is not DBN', needs(ES24), async () => {
  const dir = tempDir('flowmine-dbn-');
  const raw = decompress(readFileSync(fixture(ES24)));
  const truncated = join(dir, 'cut.dbn');
  writeFileSync(truncated, raw.subarray(0, raw.length - 30)); // ends 26 bytes into the last 56-byte record
  await assert.rejects(rows(await openDbn(truncated)), (error: unknown) => error instanceof InputError && error.message === `${truncated}:8725: record: file ends 26 bytes into a record`);
  const skipped = await openDbn(truncated, { policy: 'skip' });
  const kept = await rows(skipped);
  assert.equal(skipped.integrity.report.rowsRead, 8_725);
  assert.equal(skipped.integrity.report.skipped, 1);
  assert.equal(kept.filter((row) => row.action === Action.Add).length, 8_724);

  const header = join(dir, 'header.dbn');
  writeFileSync(header, raw.subarray(0, 100));
  await assert.rejects(openDbn(header), { message: `${header}: header: file ends inside the DBN metadata (100 bytes)` });
  const garbage = join(dir, 'garbage.dbn');
  writeFileSync(garbage, Buffer.from('PK\u0003\u0004 not a dbn file at all'));
  await assert.rejects(openSource(garbage, { format: 'databento' }), { message: `${garbage}: header: not a DBN file (no "DBN" signature)` });
  const future = join(dir, 'future.dbn');
  writeFileSync(future, Buffer.concat([Buffer.from([0x44, 0x42, 0x4e, 9, 0, 0, 0, 0])]));
  await assert.rejects(openDbn(future), { message: `${future}: header: DBN version 9 is not supported (1-3 are)` });
});
