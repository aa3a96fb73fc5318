import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Action } from '../../src/core/event.js';
import type { FeatureDefinition } from '../../src/features/feature.js';
import { runFeatures } from '../../src/features/run.js';
import { OrderTracker, type TrackedOrder } from '../../src/surveillance/order-tracker.js';
import { rowSource, type Row } from '../support/stream.js';

/** Feeds `rows` to one tracker the way `detect` does; returns it and the ids of the orders it saw end, in order. */
async function track(rows: Row[]): Promise<{ tracker: OrderTracker; ends: string[] }> {
  let tracker: OrderTracker | undefined;
  const ends: string[] = [];
  const definition: FeatureDefinition = {
    name: 'tracker',
    doc: 'feeds an order tracker',
    params: [],
    rows: 'all',
    columns: () => [],
    create(_params, state) {
      const orders = (tracker = new OrderTracker(state));
      orders.onEnd = (order: TrackedOrder) => ends.push(`${order.id} ${order.end}`);
      return { row: (batch, i) => orders.row(batch, i), update: () => orders.updateL3(), close() {} };
    },
  };
  await runFeatures(rowSource(rows), [{ definition, params: {}, columns: [] }], { kind: 'event' }, () => {});
  return { tracker: tracker!, ends };
}

test('order tracker: an order the book drops with a level that emptied out of sight is forgotten, without an end', async () => {
  const rows: Row[] = [
    { ts: 0, action: Action.Add, side: 1, price: 10000, size: 100, id: 1 },
    { ts: 1, action: Action.Add, side: -1, price: 10002, size: 100, id: 2 },
    { ts: 2, action: Action.Add, side: 1, price: 9990, size: 50, id: 5 },
    { ts: 3, action: Action.Add, side: 1, price: 9990, size: 70, id: 6 },
    // The venue says the level is gone (as a LOBSTER window restates it): its orders left unseen.
    { ts: 4, action: Action.LevelDelete, side: 1, price: 9990 },
    { ts: 5, action: Action.Delete, side: -1, price: 10002, size: 100, id: 2 },
  ];
  const { tracker, ends } = await track(rows);
  assert.equal(tracker.droppedOrders, 2);
  assert.equal(tracker.has(5), false);
  assert.equal(tracker.has(6), false);
  assert.equal(tracker.has(1), true);
  assert.deepEqual(ends, ['2 cancelled']);
});
