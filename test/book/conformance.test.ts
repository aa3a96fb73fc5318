import assert from 'node:assert/strict';
import { test } from 'node:test';
import { L2Book } from '../../src/book/l2-book.js';
import { L3Book } from '../../src/book/l3-book.js';
import type { BookView } from '../../src/book/view.js';
import { Applied } from '../../src/book/ladder-book.js';

/** A deliberately naive reference: orders in a Map, levels summed and sorted on demand. */
class ReferenceBook {
  readonly orders = new Map<number, { side: number; price: number; size: number }>();
  levels(side: number): [number, number][] {
    const sums = new Map<number, number>();
    for (const order of this.orders.values()) if (order.side === side) sums.set(order.price, (sums.get(order.price) ?? 0) + order.size);
    return [...sums].sort((a, b) => (side === 1 ? b[0] - a[0] : a[0] - b[0]));
  }
  levelSize(side: number, price: number): number {
    let total = 0;
    for (const order of this.orders.values()) if (order.side === side && order.price === price) total += order.size;
    return total;
  }
}

type Event = { kind: 'add' | 'cancel' | 'delete' | 'fill' | 'modify'; id: number; side: number; price: number; size: number };

/** A random but valid L3 flow around a mid price, applied to the reference as it is generated. */
function* randomFlow(seed: number, steps: number, reference: ReferenceBook): Generator<Event> {
  let state = seed;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  let nextId = 1;
  for (let step = 0; step < steps; step++) {
    const ids = [...reference.orders.keys()];
    const roll = random();
    if (ids.length < 5 || roll < 0.4) {
      const side = random() < 0.5 ? 1 : -1;
      // Bids below 1000, asks above: the flow never crosses.
      const price = side === 1 ? 1000 - 1 - Math.floor(random() * 20) : 1000 + Math.floor(random() * 20);
      const event: Event = { kind: 'add', id: nextId++ * 7919, side, price, size: 1 + Math.floor(random() * 100) };
      reference.orders.set(event.id, { side, price, size: event.size });
      yield event;
      continue;
    }
    const id = ids[Math.floor(random() * ids.length)]!;
    const order = reference.orders.get(id)!;
    if (roll < 0.55 && order.size > 1) {
      const size = 1 + Math.floor(random() * (order.size - 1));
      order.size -= size;
      yield { kind: 'cancel', id, side: order.side, price: order.price, size };
    } else if (roll < 0.75) {
      reference.orders.delete(id);
      yield { kind: 'delete', id, side: order.side, price: order.price, size: order.size };
    } else if (roll < 0.9) {
      const size = 1 + Math.floor(random() * order.size);
      order.size -= size;
      if (order.size === 0) reference.orders.delete(id);
      yield { kind: 'fill', id, side: order.side, price: order.price, size };
    } else {
      const price = random() < 0.5 ? order.price : order.side === 1 ? 1000 - 1 - Math.floor(random() * 20) : 1000 + Math.floor(random() * 20);
      const size = 1 + Math.floor(random() * 120);
      // Priority is lost on a price change or a size increase: re-insert, so Map order (the FIFO) follows.
      if (price !== order.price || size > order.size) {
        reference.orders.delete(id);
        reference.orders.set(id, { side: order.side, price, size });
      } else order.size = size;
      yield { kind: 'modify', id, side: order.side, price, size };
    }
  }
}

function assertSameDepth(book: BookView, reference: ReferenceBook, label: string): void {
  for (const side of [1, -1]) {
    const levels = reference.levels(side);
    assert.equal(book.depth(side), levels.length, `${label}: depth of side ${side}`);
    for (let rank = 0; rank < levels.length; rank++) {
      assert.equal(book.priceAt(side, rank), levels[rank]![0], `${label}: price at rank ${rank}`);
      assert.equal(book.sizeAt(side, rank), levels[rank]![1], `${label}: size at rank ${rank}`);
    }
  }
  const bid = reference.levels(1)[0];
  const ask = reference.levels(-1)[0];
  assert.equal(book.bestBidPrice(), bid ? bid[0] : NaN);
  assert.equal(book.bestAskPrice(), ask ? ask[0] : NaN);
  assert.equal(book.bestBidSize(), bid ? bid[1] : 0);
}

test('conformance: the L3 book fed order events and the L2 book fed level changes both equal the reference after every event', () => {
  for (const seed of [1, 2, 3]) {
    const reference = new ReferenceBook();
    const l3 = new L3Book(16);
    const l2 = new L2Book();
    let step = 0;
    for (const event of randomFlow(seed, 4000, reference)) {
      const oldLevel = event.kind === 'modify' ? l3.orderSize(event.id) : NaN;
      let result: number;
      switch (event.kind) {
        case 'add':
          result = l3.add(event.id, event.side, event.price, event.size, step);
          break;
        case 'cancel':
          result = l3.cancel(event.id, event.side, event.price, event.size);
          break;
        case 'delete':
          result = l3.delete(event.id, event.side, event.price, event.size);
          break;
        case 'fill':
          result = l3.fill(event.id, event.side, event.price, event.size);
          break;
        default:
          result = l3.modify(event.id, event.side, event.price, event.size, step);
      }
      assert.equal(result, Applied.Ok, `seed ${seed} step ${step}: ${event.kind} applied cleanly`);
      assert.ok(!Number.isNaN(oldLevel) || event.kind !== 'modify');
      // The L2 book sees what an L2 feed would send: the new totals of every level on the event's side.
      for (const [price] of [...reference.levels(event.side), [event.price, 0]]) l2.setLevel(event.side, price, reference.levelSize(event.side, price));
      for (let rank = l2.depth(event.side) - 1; rank >= 0; rank--) {
        const price = l2.priceAt(event.side, rank);
        if (reference.levelSize(event.side, price) === 0) l2.deleteLevel(event.side, price);
      }
      assertSameDepth(l3, reference, `L3 seed ${seed} step ${step}`);
      assertSameDepth(l2, reference, `L2 seed ${seed} step ${step}`);
      assert.equal(l3.orderCount, reference.orders.size);
      step++;
    }
    // FIFO order per level equals the reference's insertion order after all the modifies.
    for (const side of [1, -1]) {
      for (const [price] of reference.levels(side)) {
        const expected = [...reference.orders].filter(([, o]) => o.side === side && o.price === price).map(([id]) => id);
        assert.deepEqual(l3.ordersAt(side, price), expected, `queue at ${price}`);
      }
    }
  }
});

test('L3 queue position: a smaller modify keeps the place, a larger one goes to the back; anonymous liquidity queues first', () => {
  const book = new L3Book();
  book.setLevel(1, 100, 50); // liquidity seen only as a level
  book.add(1, 1, 100, 10, 0);
  book.add(2, 1, 100, 20, 1);
  book.add(3, 1, 100, 30, 2);
  assert.equal(book.queueAhead(3), 50 + 10 + 20);
  assert.equal(book.orderAddedNs(3), 2, 'its age is measured from here');
  assert.equal(book.modify(2, 1, 100, 5, 3), Applied.Ok);
  assert.deepEqual(book.ordersAt(1, 100), [1, 2, 3]);
  assert.equal(book.queueAhead(3), 50 + 10 + 5);
  book.modify(1, 1, 100, 11, 4);
  assert.deepEqual(book.ordersAt(1, 100), [2, 3, 1]);
  assert.equal(book.orderAddedNs(1), 0, 'losing priority does not make an order younger');
  assert.equal(book.sizeAtPrice(1, 100), 50 + 5 + 30 + 11);
  // A cancel of an unknown order takes from the anonymous part.
  assert.equal(book.cancel(99, 1, 100, 20), Applied.TookAnonymous);
  assert.equal(book.queueAhead(2), 30);
  assert.equal(book.cancel(98, 1, 101, 1), Applied.UnknownOrder, 'no level at 101: nothing to take from');
  assert.equal(book.fill(3, 1, 100, 31), Applied.BeyondDisplayed, 'an iceberg: more executed than displayed');
  assert.equal(book.orderSize(3), NaN);
});

test('L3 levels that empty while orders are still listed drop those orders and count them', () => {
  const book = new L3Book();
  book.add(1, -1, 200, 10, 0);
  book.add(2, -1, 200, 10, 0);
  // The venue says the level now holds only 10 (one order left unseen), then that 10 trades.
  book.setLevel(-1, 200, 10);
  assert.equal(book.sizeAtPrice(-1, 200), 10);
  assert.equal(book.fill(2, -1, 200, 10), Applied.Ok);
  assert.equal(book.depth(-1), 0);
  assert.equal(book.droppedOrders, 1);
  assert.equal(book.orderCount, 0);
});
