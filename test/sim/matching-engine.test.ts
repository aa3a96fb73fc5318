import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchBuilder, rowAt, type EventBatch } from '../../src/core/batch.js';
import { Action, Flag } from '../../src/core/event.js';
import { InstrumentTable } from '../../src/core/instrument.js';
import { Integrity, IntegrityReport } from '../../src/core/integrity.js';
import { Replayer } from '../../src/book/replay.js';
import { MatchingEngine } from '../../src/sim/matching-engine.js';

/** An engine over a fresh builder; agents 0..3, each its own owner unless said otherwise. */
function setup(owners = [0, 1, 2, 3], prevent = [true, true, true, true]) {
  const instruments = new InstrumentTable();
  instruments.intern({ venue: 'sim', symbol: 'T', venueId: -1, priceDecimals: 2, sizeDecimals: 0, tickUnits: 1 });
  const builder = new BatchBuilder(instruments, 0n, 1 << 20);
  const engine = new MatchingEngine(builder, 1);
  engine.setOwners(owners, prevent);
  const fills: string[] = [];
  engine.listener = { onFill: (id, agent, side, price, size, remaining, aggressor) => fills.push(`${id}:${agent}:${side}:${price}:${size}:${remaining}:${aggressor ? 'A' : 'P'}`) };
  return { engine, builder, fills };
}

/** Rows of everything emitted so far as `Action side price size id` strings, `|` after a Last row. */
function rows(builder: BatchBuilder): { text: string[]; batch: EventBatch } {
  const batch = builder.flush()!;
  const names: Record<number, string> = { 1: 'Add', 2: 'Cancel', 3: 'Delete', 4: 'Modify', 5: 'Fill', 6: 'Trade' };
  const text: string[] = [];
  for (let i = 0; i < batch.length; i++) {
    const row = rowAt(batch, i);
    text.push(`${names[row.action]} ${row.side} ${row.price} ${row.size} ${row.orderId}${row.flags & Flag.AfterFill ? ' refill' : ''}${row.flags & Flag.Last ? ' |' : ''}`);
  }
  return { text, batch };
}

test('price-time priority: the better price first, then the older order; partial fills leave the rest resting', () => {
  const { engine, builder, fills } = setup();
  engine.limit(1, 0, 1, 100, 5); // id 1
  engine.limit(2, 1, 1, 101, 3); // id 2, better price
  engine.limit(3, 2, 1, 101, 4); // id 3, same price, later
  engine.limit(4, 3, -1, 100, 9); // id 4: sells 9 down to 100
  const { text } = rows(builder);
  assert.deepEqual(text, [
    'Add 1 100 5 1 |',
    'Add 1 101 3 2 |',
    'Add 1 101 4 3 |',
    // One update for the incoming sell: 3 from order 2, 4 from order 3 (same price, later), 2 from order 1.
    'Trade -1 101 3 4',
    'Fill 1 101 3 2',
    'Trade -1 101 4 4',
    'Fill 1 101 4 3',
    'Trade -1 100 2 4',
    'Fill 1 100 2 1 |',
  ]);
  assert.equal(engine.book.orderSize(1), 3);
  assert.ok(Number.isNaN(engine.book.orderSize(2)));
  assert.equal(engine.stats.messages, 4);
  assert.equal(engine.stats.trades, 3);
  assert.equal(engine.stats.volume, 9);
  assert.deepEqual(fills, ['2:1:1:101:3:0:P', '4:3:-1:101:3:6:A', '3:2:1:101:4:0:P', '4:3:-1:101:4:2:A', '1:0:1:100:2:3:P', '4:3:-1:100:2:0:A']);
});

test('a marketable limit order executes as far as its limit allows, then rests at the limit; a market order never rests', () => {
  const { engine, builder } = setup();
  engine.limit(1, 0, -1, 102, 2); // id 1
  engine.limit(1, 0, -1, 104, 2); // id 2
  engine.limit(2, 1, 1, 103, 5); // id 3: takes 2 at 102, rests 3 at 103
  engine.market(3, 2, -1, 10); // id 4: takes the 3 at 103, nothing else on the bid side
  const { text } = rows(builder);
  assert.deepEqual(text, ['Add -1 102 2 1 |', 'Add -1 104 2 2 |', 'Trade 1 102 2 3', 'Fill -1 102 2 1', 'Add 1 103 3 3 |', 'Trade -1 103 3 4', 'Fill 1 103 3 3 |']);
  assert.equal(engine.book.bestAskPrice(), 104);
  assert.ok(Number.isNaN(engine.book.bestBidPrice()));
  // A market order into an empty side changes nothing and sends no message.
  const before = engine.stats.messages;
  engine.market(4, 2, 1, 1);
  engine.market(4, 2, -1, 1);
  assert.equal(engine.stats.messages, before + 1);
});

test('cancels, a modify that keeps queue priority, one that loses it, and one that crosses', () => {
  const { engine, builder } = setup();
  engine.limit(1, 0, 1, 100, 5); // id 1
  engine.limit(1, 1, 1, 100, 5); // id 2
  engine.cancel(2, 1, 2); // partial cancel: order 1 has 3
  engine.modify(3, 1, 100, 2); // smaller at the same price: keeps its place ahead of order 2
  engine.limit(4, 2, -1, 101, 1); // id 3
  engine.market(5, 3, -1, 4); // id 4: order 1 (2) first, then 2 of order 2
  engine.modify(6, 2, 100, 6); // order 2 grows: it goes to the back of its level
  engine.modify(7, 2, 101, 2); // crosses the ask at 101: delete, execute 1, rest 1 at 101
  engine.cancel(8, 2); // full cancel
  assert.equal(engine.cancel(9, 2), false);
  const { text } = rows(builder);
  assert.deepEqual(text, [
    'Add 1 100 5 1 |',
    'Add 1 100 5 2 |',
    'Cancel 1 100 2 1 |',
    'Modify 1 100 2 1 |',
    'Add -1 101 1 3 |',
    'Trade -1 100 2 4',
    'Fill 1 100 2 1',
    'Trade -1 100 2 4',
    'Fill 1 100 2 2 |',
    'Modify 1 100 6 2 |',
    'Delete 1 100 6 2',
    'Trade 1 101 1 2',
    'Fill -1 101 1 3',
    'Add 1 101 1 2 |',
    'Delete 1 101 1 2 |',
  ]);
});

test('a modify that grows an order sends it behind the orders that joined its level after it', () => {
  const { engine, builder } = setup();
  engine.limit(1, 0, -1, 100, 2); // id 1
  engine.limit(2, 1, -1, 100, 2); // id 2
  engine.modify(3, 1, 100, 3); // grows: now behind order 2
  engine.market(4, 2, 1, 2); // takes order 2, not order 1
  const { text } = rows(builder);
  assert.deepEqual(text.slice(-2), ['Trade 1 100 2 3', 'Fill -1 100 2 2 |']);
  assert.equal(engine.book.orderSize(1), 3);
});

test('self-trade prevention deletes the resting order of the same owner; without it (wash trading) the owner trades with itself', () => {
  // Agents 0 and 1 share owner 0; agent 0 prevents self-trades, agent 1 does not.
  const { engine, builder } = setup([0, 0, 1], [true, false, true]);
  engine.limit(1, 1, -1, 100, 5); // id 1 by agent 1
  engine.limit(2, 0, 1, 100, 5); // id 2 by agent 0: prevention deletes order 1, then rests
  engine.limit(3, 0, -1, 100, 5); // id 3 by agent 0 again: deletes its own bid 2 (prevention), rests
  engine.limit(4, 1, 1, 100, 5); // id 4 by agent 1: no prevention, trades with its owner's order 3
  const { text } = rows(builder);
  assert.deepEqual(text, ['Add -1 100 5 1 |', 'Delete -1 100 5 1', 'Add 1 100 5 2 |', 'Delete 1 100 5 2', 'Add -1 100 5 3 |', 'Trade 1 100 5 4', 'Fill -1 100 5 3 |']);
  assert.equal(engine.stats.selfTradesPrevented, 2);
  assert.equal(engine.stats.selfTrades, 1);
  assert.equal(engine.stats.selfTradeVolume, 5);
});

test('an iceberg shows its display, refills it at once (Add of the same id flagged AfterFill), and executes beyond it', () => {
  const { engine, builder, fills } = setup();
  engine.limit(1, 0, -1, 100, 10, 3); // id 1: 10 showing 3
  engine.limit(2, 1, -1, 100, 2); // id 2 queues behind the display
  engine.market(3, 2, 1, 7); // id 3: 3 from the iceberg (refill to the back), 2 from order 2, 2 from the refill
  const { text, batch } = rows(builder);
  assert.deepEqual(text, [
    'Add -1 100 3 1 |',
    'Add -1 100 2 2 |',
    'Trade 1 100 3 3',
    'Fill -1 100 3 1',
    'Add -1 100 3 1 refill',
    'Trade 1 100 2 3',
    'Fill -1 100 2 2',
    'Trade 1 100 2 3',
    'Fill -1 100 2 1 |',
  ]);
  assert.equal(engine.book.orderSize(1), 1);
  assert.equal(engine.reserveOf(1), 4);
  assert.equal(engine.stats.refills, 1);
  assert.deepEqual(fills.filter((fill) => fill.startsWith('1:')), ['1:0:-1:100:3:3:P', '1:0:-1:100:2:1:P']);
  // The stream replays to the engine's book: the refill is an ordinary add after the fill.
  const replayer = new Replayer('L3', new Integrity('strict', new IntegrityReport('engine', 'sim')));
  replayer.push(batch);
  assert.equal(replayer.books[0]!.bestAskSize(), 1);
  assert.deepEqual(replayer.finish().findings, {});
});

test('every message is one complete update: the book replayed from the rows equals the engine book after each one', () => {
  const { engine, builder } = setup();
  const replayer = new Replayer('L3', new Integrity('strict', new IntegrityReport('engine', 'sim')));
  let state = 7;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  const top = (book: { bestBidPrice(): number; bestAskPrice(): number; bestBidSize(): number; bestAskSize(): number }) => `${book.bestBidPrice()}/${book.bestBidSize()} ${book.bestAskPrice()}/${book.bestAskSize()}`;
  const expected: string[] = [];
  for (let k = 0; k < 3000; k++) {
    const before = engine.stats.messages;
    const r = next();
    const side = next() < 0.5 ? 1 : -1;
    if (r < 0.1) engine.market(k, k % 4, side, 1 + Math.floor(next() * 20));
    else if (r < 0.35 && engine.peekNextId > 1) engine.cancel(k, 1 + Math.floor(next() * (engine.peekNextId - 1)));
    else if (r < 0.45 && engine.peekNextId > 1) engine.modify(k, 1 + Math.floor(next() * (engine.peekNextId - 1)), 1000 + Math.floor(next() * 20 - 10), 1 + Math.floor(next() * 10));
    else engine.limit(k, k % 4, side, 1000 - side * Math.floor(next() * 12 - 3), 1 + Math.floor(next() * 30), next() < 0.05 ? 2 : 0);
    if (engine.stats.messages > before) expected.push(top(engine.book));
  }
  const { batch } = rows(builder);
  const seen: string[] = [];
  replayer.push(batch, (book) => seen.push(top(book)));
  assert.equal(seen.length, expected.length);
  assert.deepEqual(seen, expected);
  const summary = replayer.finish();
  assert.deepEqual(summary.findings, {});
  assert.equal(summary.crossedUpdates, 0);
  // Every update ends on a Last row, and only there.
  let lasts = 0;
  for (let i = 0; i < batch.length; i++) if (batch.flags[i]! & Flag.Last) lasts++;
  assert.equal(lasts, engine.stats.messages);
  assert.equal(batch.action.filter((a) => a === Action.Trade).length, engine.stats.trades);
});
