import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { BEST_VALUES, Replayer, type BestUpdates, type ReplaySummary } from '../../src/book/replay.js';
import { BatchBuilder, type EventBatch } from '../../src/core/batch.js';
import { Action, Flag, Status } from '../../src/core/event.js';
import { InstrumentTable } from '../../src/core/instrument.js';
import { Integrity, IntegrityReport } from '../../src/core/integrity.js';
import type { EventSource } from '../../src/core/source.js';
import { openSource } from '../../src/io/index.js';
import { fixture, needs } from '../support/data.js';

// `Replayer.pushBest` (and `push` without a handler) applies an L3 source's rows in the book module a run
// at a time (`L3Book.applyOrders`); `push` with a handler applies them a row at a time. Both must see the
// same updates with the same best levels, and count the same.

type Way = 'rows' | 'runs' | 'bare';

/** Calls `f` with the values of each of `updates` in turn (row, bid price, bid size, ask price, ask size). */
function each(updates: BestUpdates, f: (values: Float64Array) => void): void {
  for (let k = 0, at = updates.at; k < updates.count; k++, at += BEST_VALUES) f(updates.values.subarray(at, at + BEST_VALUES));
}

/** Replays `batches` one way: the updates' rows and best levels (as text, or their hash), the summary and the report. */
function replayOneWay(batches: EventBatch[], way: Way, make: () => { replayer: Replayer; report: IntegrityReport }, keep: boolean): { updates: string[]; digest: string; summary: ReplaySummary; report: string } {
  const { replayer, report: integrity } = make();
  const updates: string[] = [];
  const hash = createHash('sha256');
  const seen = (row: number, instrument: number, bid: number, bidSize: number, ask: number, askSize: number) => {
    const text = `${instrument}@${row}:${bid}x${bidSize}/${ask}x${askSize}`;
    if (keep) updates.push(text);
    hash.update(text + '\n');
  };
  for (const batch of batches) {
    if (way === 'rows') replayer.push(batch, (book, _batch, row, instrument) => seen(row, instrument, book.bestBidPrice(), book.bestBidSize(), book.bestAskPrice(), book.bestAskSize()));
    else if (way === 'runs') replayer.pushBest(batch, (updates, _batch, instrument) => each(updates, (v) => seen(v[0]!, instrument, v[1]!, v[2]!, v[3]!, v[4]!)));
    else replayer.push(batch);
  }
  const summary = replayer.finish();
  const report = JSON.stringify(integrity);
  return { updates, digest: hash.digest('hex'), summary, report };
}

test('order rows applied a run at a time in the book module: the same updates, best levels, findings and counts as a row at a time, around status rows, snapshots (one across a status row and two batches), clears, findings, two instruments and a depth limit', () => {
  const instruments = new InstrumentTable();
  for (const symbol of ['A', 'B']) instruments.intern({ venue: 'test', symbol, venueId: -1, priceDecimals: 0, sizeDecimals: 0, tickUnits: 1 });
  const builder = new BatchBuilder(instruments, 0n, 1 << 16);
  let line = 0;
  const row = (instrument: number, action: number, side: number, price: number, size: number, id = 0, flags: number = Flag.Last) => builder.push(line * 1000, NaN, instrument, action, side, price, size, id, line, flags, ++line);
  row(0, Action.Add, 1, 99, 5, 1);
  row(0, Action.Add, -1, 101, 7, 2);
  row(1, Action.Add, 1, 50, 1, 3); // B's update between A's
  row(0, Action.Add, 1, 100, 2, 4, 0); // an update of two rows
  row(0, Action.Cancel, 1, 100, 1, 4);
  row(0, Action.Cancel, 1, 98, 1, 99); // unknown order: a finding that ends an update
  row(0, Action.Fill, -1, 101, 3, 2);
  row(0, Action.Trade, 1, 101, 3);
  row(0, Action.Modify, 1, 100, 4, 4); // larger: to the back
  row(0, Action.Status, 0, 0, Status.Halted); // left to the replayer
  row(0, Action.Add, 1, 102, 1, 5); // crossed while halted
  row(0, Action.Status, 0, 0, Status.Trading, 0, 0);
  row(0, Action.Delete, 1, 102, 1, 5);
  row(0, Action.SnapshotBegin, 1, 0, 2, 0, Flag.Snapshot);
  row(0, Action.LevelSet, 1, 97, 4, 0, Flag.Snapshot | Flag.Last); // inside the snapshot: no update yet
  row(0, Action.SnapshotEnd, 0, 0, 0, 0, Flag.Snapshot | Flag.Last);
  row(1, Action.Delete, 1, 50, 1, 3);
  row(0, Action.SnapshotBegin, 0, 0, 0, 0, Flag.Snapshot); // a full snapshot, across a status row and two batches
  row(0, Action.LevelSet, 1, 95, 2, 0, Flag.Snapshot);
  row(0, Action.Status, 0, 0, Status.Trading, 0, Flag.Snapshot | Flag.Last);
  const first = builder.flush()!;
  row(0, Action.LevelSet, -1, 105, 3, 0, Flag.Snapshot | Flag.Last);
  row(0, Action.SnapshotEnd, 0, 0, 0, 0, Flag.Snapshot | Flag.Last);
  for (let k = 0; k < 600; k++) row(1, Action.Add, k % 2 ? 1 : -1, k % 2 ? 40 - (k % 7) : 60 + (k % 5), 1 + (k % 3), 1000 + k); // more updates than a call records
  row(0, Action.Clear, 0, 0, 0);
  row(0, Action.Add, -1, 103, 1, 6);
  const batches = [first, builder.flush()!];
  for (const depthLimit of [undefined, 2]) {
    const make = () => {
      const report = new IntegrityReport('test', 'test');
      return { replayer: new Replayer('L3', new Integrity('repair', report), undefined, { depthLimit }), report };
    };
    const rows = replayOneWay(batches, 'rows', make, true);
    const runs = replayOneWay(batches, 'runs', make, true);
    const bare = replayOneWay(batches, 'bare', make, false);
    assert.equal(rows.updates.length, 616, `depth limit ${depthLimit}`);
    assert.deepEqual(runs.updates, rows.updates, `depth limit ${depthLimit}`);
    assert.deepEqual(runs.summary, rows.summary);
    assert.deepEqual(bare.summary, rows.summary);
    assert.equal(runs.report, rows.report);
    assert.equal(bare.report, rows.report);
    assert.equal(rows.summary.crossedUpdates, 1);
    assert.equal(rows.summary.crossedWhileNotTrading, 1);
    assert.deepEqual(rows.summary.findings, { unknown_order_id: 1 });
  }
  assert.deepEqual(replayOneWay(batches, 'rows', () => {
    const report = new IntegrityReport('test', 'test');
    return { replayer: new Replayer('L3', new Integrity('repair', report)), report };
  }, true).updates.slice(0, 6), [
    '0@0:99x5/NaNx0',
    '0@1:99x5/101x7',
    '1@2:50x1/NaNx0',
    '0@4:100x1/101x7',
    '0@5:100x1/101x7',
    '0@6:100x1/101x4',
  ]);
});

test('under the strict policy both ways stop on the first finding with the same error, after the same updates', () => {
  const instruments = new InstrumentTable();
  instruments.intern({ venue: 'test', symbol: 'A', venueId: -1, priceDecimals: 0, sizeDecimals: 0, tickUnits: 1 });
  const builder = new BatchBuilder(instruments, 0n);
  for (let k = 0; k < 30; k++) builder.push(k, NaN, 0, Action.Add, 1, 100 + k, 1, k + 1, k, Flag.Last, k + 1);
  builder.push(30, NaN, 0, Action.Cancel, 1, 99, 1, 77, 30, Flag.Last, 31); // an unknown order
  builder.push(31, NaN, 0, Action.Add, -1, 200, 1, 99, 31, Flag.Last, 32);
  const batch = builder.flush()!;
  const outcomes = (['rows', 'runs'] as const).map((way) => {
    const seen: number[] = [];
    const replayer = new Replayer('L3', new Integrity('strict', new IntegrityReport('strict.csv', 'test')));
    try {
      if (way === 'rows') replayer.push(batch, (book) => seen.push(book.bestBidPrice()));
      else replayer.pushBest(batch, (updates) => each(updates, (v) => seen.push(v[1]!)));
    } catch (error) {
      return { seen, message: (error as Error).message };
    }
    return { seen, message: 'no error' };
  });
  assert.match(outcomes[0]!.message, /strict\.csv.*31/);
  assert.equal(outcomes[1]!.message, outcomes[0]!.message);
  assert.equal(outcomes[0]!.seen.length, 30);
  assert.deepEqual(outcomes[1]!.seen, outcomes[0]!.seen);
});

test('a handler of pushBest may run another replay in the book module: the records it has not been given yet are put back', () => {
  const instruments = new InstrumentTable();
  instruments.intern({ venue: 'test', symbol: 'A', venueId: -1, priceDecimals: 0, sizeDecimals: 0, tickUnits: 1 });
  const builder = new BatchBuilder(instruments, 0n);
  let line = 0;
  for (let k = 0; k < 40; k++) {
    // A finding halfway: the updates before it are handed over first, and the records after it read later.
    if (k === 20) builder.push(line, NaN, 0, Action.Cancel, 1, 90, 1, 999, line, Flag.Last, ++line);
    builder.push(line, NaN, 0, Action.Add, 1, 100 + k, 1, k + 1, line, Flag.Last, ++line);
  }
  const batch = builder.flush()!;
  const seen: number[] = [];
  const outer = new Replayer('L3', new Integrity('repair', new IntegrityReport('outer', 'test')));
  outer.pushBest(batch, (updates) => {
    if (seen.length === 0) {
      const inner = new BatchBuilder(instruments, 0n);
      for (let k = 0; k < 300; k++) inner.push(k, NaN, 0, Action.Add, -1, 500 + k, 1, k + 1, k, Flag.Last, k + 1);
      new Replayer('L3', new Integrity('repair', new IntegrityReport('inner', 'test'))).pushBest(inner.flush()!, () => {});
    }
    each(updates, (v) => seen.push(v[1]!));
  });
  const bids = Array.from({ length: 40 }, (_, k) => 100 + k);
  assert.deepEqual(seen, [...bids.slice(0, 20), 119, ...bids.slice(20)]);
  assert.deepEqual(outer.finish().findings, { unknown_order_id: 1 });
});

/** Every batch of a source, kept (not recycled). */
async function allBatches(source: EventSource): Promise<EventBatch[]> {
  const batches: EventBatch[] = [];
  for await (const batch of source.batches()) batches.push(batch);
  return batches;
}

for (const name of [
  'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv',
  'lobster_AAPL_2012-06-21_first999_message_10.csv',
  'databento_GLBX-MDP3_ESH4_2023-12-25_mbo.dbn.zst',
  'obanalytics_bitstamp_BTCUSD_2015-05-01_raw_events.log.gz',
  'bitfinex_raw_book_R0_tBTCUSD_L3_feed_100k.json',
]) {
  test(`${name}: a run at a time in the book module, the same updates and best levels as a row at a time, the same summary and report`, needs(name), async () => {
    const source = await openSource(fixture(name));
    const batches = await allBatches(source);
    // A fresh source for each way: the report is the source's.
    const ways = await Promise.all((['rows', 'runs', 'bare'] as const).map(async (way) => {
      const again = await openSource(fixture(name));
      return replayOneWay(batches, way, () => ({ replayer: Replayer.for(again), report: again.integrity.report }), false);
    }));
    const [rows, runs, bare] = ways as [ReturnType<typeof replayOneWay>, ReturnType<typeof replayOneWay>, ReturnType<typeof replayOneWay>];
    assert.ok(rows.summary.updates >= 999, `${rows.summary.updates} updates`);
    assert.equal(runs.digest, rows.digest);
    assert.deepEqual(runs.summary, rows.summary);
    assert.deepEqual(bare.summary, rows.summary);
    assert.equal(runs.report, rows.report);
    assert.equal(bare.report, rows.report);
  });
}
