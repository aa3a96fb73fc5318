import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openL2View } from '../../src/book/l2-view.js';
import { replay, Replayer } from '../../src/book/replay.js';
import type { BookView } from '../../src/book/view.js';
import type { EventBatch } from '../../src/core/batch.js';
import { UsageError } from '../../src/core/errors.js';
import { Action, Flag } from '../../src/core/event.js';
import type { EventSource } from '../../src/core/source.js';
import { openSource } from '../../src/io/index.js';
import { openScenario } from '../../src/sim/source.js';
import { fixture, needs } from '../support/data.js';
import { rowSource, type Row } from '../support/stream.js';

const MS = 1e6;
const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const ES = 'databento_GLBX-MDP3_ESH4_2023-12-25_mbo.dbn.zst';

/** Every row of a source as [ts ms, action, side, price, size, orderId, last]. */
async function rowsOf(source: EventSource): Promise<(number | boolean)[][]> {
  const rows: (number | boolean)[][] = [];
  for await (const batch of source.batches()) {
    for (let i = 0; i < batch.length; i++) rows.push([batch.tsEvent[i]! / MS, batch.action[i]!, batch.side[i]!, batch.price[i]!, batch.size[i]!, batch.orderId[i]!, (batch.flags[i]! & Flag.Last) !== 0]);
  }
  return rows;
}

/** A small L3 flow: a modify that moves an order, a fill with its trade, an order that comes and goes in one update, a clear. */
function flow(): Row[] {
  return [
    { ts: 1 * MS, action: Action.Add, side: 1, price: 10000, size: 100, id: 1 },
    { ts: 2 * MS, action: Action.Add, side: -1, price: 10002, size: 100, id: 2 },
    { ts: 3 * MS, action: Action.Add, side: 1, price: 10000, size: 50, id: 3 },
    { ts: 4 * MS, action: Action.Modify, side: 1, price: 9999, size: 100, id: 1 },
    { ts: 5 * MS, action: Action.Trade, side: 1, price: 10002, size: 30, id: 9, last: false },
    { ts: 5 * MS, action: Action.Fill, side: -1, price: 10002, size: 30, id: 2 },
    { ts: 6 * MS, action: Action.Add, side: -1, price: 10001, size: 10, id: 4, last: false },
    { ts: 6 * MS, action: Action.Delete, side: -1, price: 10001, size: 10, id: 4 },
    { ts: 150 * MS, action: Action.Delete, side: 1, price: 10000, size: 50, id: 3 },
    { ts: 160 * MS, action: Action.Add, side: 1, price: 10000, size: 20, id: 5 },
    { ts: 170 * MS, action: Action.Delete, side: 1, price: 10000, size: 20, id: 5 },
    { ts: 300 * MS, action: Action.Clear },
  ];
}

const { LevelSet: SET, LevelDelete: DEL, Trade: TRADE } = Action;

test('L2 view, every update: the levels whose totals changed, the trade without order ids, nothing for an update that changed no level', async () => {
  assert.deepEqual(await rowsOf(openL2View(rowSource(flow()))), [
    [1, SET, 1, 10000, 100, 0, true],
    [2, SET, -1, 10002, 100, 0, true],
    [3, SET, 1, 10000, 150, 0, true],
    // The modify row names only the new price: the view knows the old one, whose level changed too.
    [4, SET, 1, 10000, 50, 0, false],
    [4, SET, 1, 9999, 100, 0, true],
    [5, TRADE, 1, 10002, 30, 0, false],
    [5, SET, -1, 10002, 70, 0, true],
    [150, DEL, 1, 10000, 0, 0, true],
    [160, SET, 1, 10000, 20, 0, true],
    [170, DEL, 1, 10000, 0, 0, true],
    [300, DEL, 1, 9999, 0, 0, false],
    [300, DEL, -1, 10002, 0, 0, true],
  ]);
});

test('L2 view conflated per 100 ms: trades at once, the net change of each interval at its end, a level that came and went is not published', async () => {
  assert.deepEqual(await rowsOf(openL2View(rowSource(flow()), { intervalNs: 100 * MS })), [
    [5, TRADE, 1, 10002, 30, 0, true],
    [100, SET, 1, 10000, 50, 0, false],
    [100, SET, -1, 10002, 70, 0, false],
    [100, SET, 1, 9999, 100, 0, true],
    // 10000 was emptied, refilled and emptied again within [100, 200) ms: one delete.
    [200, DEL, 1, 10000, 0, 0, true],
    [400, DEL, 1, 9999, 0, 0, false],
    [400, DEL, -1, 10002, 0, 0, true],
  ]);
});

test('L2 view: an L2 source is refused, with the reason', () => {
  assert.throws(() => openL2View(rowSource([], 'L2')), (error: unknown) => error instanceof UsageError && /an L2 view needs an L3 source \(order events\); this one is L2/.test(error.message));
});

/** Two 32-bit hashes of a book's every level (side, price, size): equal books give equal prints. */
function fingerprint(book: BookView): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  const mix = (x: number) => {
    const lo = x >>> 0;
    const hi = Math.floor(x / 2 ** 32) >>> 0;
    // Murmur-style rounds: every input bit reaches every output bit.
    a = Math.imul(a ^ lo, 0x5bd1e995);
    a ^= a >>> 13;
    a = Math.imul(a ^ hi, 0x5bd1e995);
    a ^= a >>> 15;
    b = Math.imul((b + lo) | 0, 0x85ebca6b);
    b ^= b >>> 16;
    b = Math.imul((b + hi) | 0, 0xc2b2ae35);
    b ^= b >>> 13;
  };
  for (const side of [1, -1]) {
    mix(side + 7);
    for (let rank = 0; rank < book.depth(side); rank++) {
      mix(book.priceAt(side, rank));
      mix(book.sizeAt(side, rank));
    }
  }
  return [a >>> 0, b >>> 0];
}

/**
 * Replays the L3 source (opened twice: once as the reference, once under the view) and the view: after every
 * emitted update that publishes levels, the L2 book rebuilt from the view equals the reference L3 book's
 * aggregate after the source update the publication names (its last row, by source row: sequence numbers
 * may repeat within a venue packet); with an interval, that update is the last one before the
 * publication's time. Every update, the view publishes exactly the source updates that changed a level.
 * Returns the counts checked.
 */
async function conformance(open: () => EventSource | Promise<EventSource>, intervalNs: number): Promise<{ sourceUpdates: number; changed: number; published: number; restated: number; compared: number }> {
  const times: number[] = [];
  const prints: number[] = [];
  const index = new Map<number, number>();
  const changed = new Set<number>();
  await replay(await open(), {
    onUpdate: (book, batch, row) => {
      const [a, b] = fingerprint(book);
      const k = times.length;
      if (k === 0 || prints[2 * k - 2] !== a || prints[2 * k - 1] !== b) changed.add(batch.sourceRow[row]!);
      times.push(batch.tsEvent[row]!);
      prints.push(a, b);
      index.set(batch.sourceRow[row]!, k);
    },
  });
  const view = openL2View(await open(), { intervalNs });
  const replayer = Replayer.for(view);
  const published = new Set<number>();
  const restated = new Set<number>();
  let compared = 0;
  let lastTs = -Infinity;
  const onUpdate = (book: BookView, batch: EventBatch, row: number) => {
    let levels = false;
    let restates = false;
    for (let i = row; i >= 0 && (i === row || !(batch.flags[i]! & Flag.Last)); i--) {
      assert.equal(batch.orderId[i], 0, `row ${i}: no order ids`);
      const action = batch.action[i]!;
      assert.ok(action === Action.Trade || action >= Action.LevelSet, `source row ${batch.sourceRow[row]}: ${action} is not an L2 action`);
      if (action === Action.LevelSet || action === Action.LevelDelete) levels = true;
      if (batch.flags[i]! & Flag.Snapshot) restates = true;
    }
    const ts = batch.tsEvent[row]!;
    const at = batch.sourceRow[row]!;
    assert.ok(ts >= lastTs, `source row ${at}: time ${ts} after ${lastTs}`);
    lastTs = ts;
    if (!levels) return;
    const k = index.get(at);
    assert.ok(k !== undefined, `source row ${at} ends a source update`);
    published.add(at);
    if (restates) restated.add(at);
    const [a, b] = fingerprint(book);
    assert.ok(a === prints[2 * k] && b === prints[2 * k + 1], `source row ${at} at ${ts} ns: the L2 book differs from the L3 book's aggregate`);
    if (intervalNs > 0) assert.ok(times[k]! < ts && (k + 1 === times.length || times[k + 1]! >= ts), `source row ${at}: the last update before the publication at ${ts}`);
    compared++;
  };
  for await (const batch of view.batches()) replayer.push(batch, onUpdate);
  if (intervalNs === 0) {
    assert.deepEqual([...published].filter((at) => !changed.has(at)).slice(0, 5), [], 'published only where the aggregate changed');
    assert.deepEqual([...changed].filter((at) => !published.has(at)).slice(0, 5), [], 'every change published');
  }
  return { sourceUpdates: times.length, changed: changed.size, published: published.size, restated: restated.size, compared };
}

test('L2 view conformance on a simulated hour (mixed.json, seed 5): the rebuilt L2 book equals the L3 aggregate after every update, and after every 100 ms publication', async () => {
  const open = () => openScenario('scenarios/mixed.json', { seed: 5 });
  const everyUpdate = await conformance(open, 0);
  // Every simulated message changes a level (the engine sends none that do not).
  assert.ok(everyUpdate.published > 100_000 && everyUpdate.published === everyUpdate.changed, `${everyUpdate.published} of ${everyUpdate.sourceUpdates} updates published, ${everyUpdate.changed} changed a level`);
  const conflated = await conformance(open, 100 * MS);
  // An hour has 36,000 intervals of 100 ms; most see a change.
  assert.ok(conflated.compared > 20_000 && conflated.compared <= 36_000, `${conflated.compared} publications`);
});

test('L2 view conformance on LOBSTER AMZN level 1 (window restatements published flagged Snapshot)', needs(AMZN), async () => {
  const open = () => openSource(fixture(AMZN));
  const everyUpdate = await conformance(open, 0);
  // 2,444 messages change no level (hidden executions, …). Of the 13,954 the reader restates from the
  // orderbook file, the 8,168 it counts as changing the book are published with their rows flagged Snapshot.
  assert.deepEqual([everyUpdate.sourceUpdates, everyUpdate.changed, everyUpdate.published, everyUpdate.restated], [57_515, 55_071, 55_071, 8_168]);
  const conflated = await conformance(open, 100 * MS);
  assert.ok(conflated.compared > 10_000, `${conflated.compared} publications`);
});

test('L2 view conformance on CME ESH4 MBO 2023-12-25: the opening auction fills orders at the uncross price without a side, the levels that change are the orders\' own', needs(ES), async () => {
  const open = () => openSource(fixture(ES));
  const everyUpdate = await conformance(open, 0);
  // The first update is the venue's snapshot: every level, flagged Snapshot.
  assert.ok(everyUpdate.published > 40_000 && everyUpdate.restated === 1, `${everyUpdate.published} of ${everyUpdate.sourceUpdates} updates published, ${everyUpdate.restated} restating`);
  const conflated = await conformance(open, 100 * MS);
  assert.ok(conflated.compared > 5_000, `${conflated.compared} publications`);
});
