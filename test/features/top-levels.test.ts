import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Action } from '../../src/core/event.js';
import { computeFeatures } from '../../src/features/index.js';
import { rowSource, type Row } from '../support/stream.js';

const S = 1e9;

test('features that read many levels see the whole book, as it grows past 64 levels and shrinks again', async () => {
  // 70 bid levels 100.00, 99.99, … each k + 1 lots, two asks (3 and 4 lots); then the best 5 bids are cancelled.
  const rows: Row[] = [
    { ts: 1 * S, action: Action.Add, side: -1, price: 10001, size: 3, id: 1000 },
    { ts: 2 * S, action: Action.Add, side: -1, price: 10002, size: 4, id: 1001 },
  ];
  for (let k = 0; k < 70; k++) rows.push({ ts: (3 + k) * S, action: Action.Add, side: 1, price: 10000 - k, size: k + 1, id: k + 1 });
  for (let k = 0; k < 5; k++) rows.push({ ts: (100 + k) * S, action: Action.Cancel, side: 1, price: 10000 - k, size: k + 1, id: k + 1 });
  const frame = await computeFeatures(rowSource(rows), 'depth:levels=80,qi:levels=66,mlofi:levels=50,spread', 'event');
  const sum = (from: number, to: number) => ((to - from) * (from + 1 + to)) / 2;
  const full = 2 + 70 - 1;
  assert.equal(frame.columns.depth_bid_80![full], sum(0, 70));
  assert.equal(frame.columns.depth_ask_80![full], 7);
  assert.equal(frame.columns.qi_66![full], (sum(0, 66) - 7) / (sum(0, 66) + 7));
  // The level added at the 50th rank: the new queue counts at rank 50 only, shifting no better rank.
  assert.equal(frame.columns.mlofi_50![2 + 49], 50);
  const last = frame.length - 1;
  assert.equal(frame.columns.depth_bid_80![last], sum(5, 70));
  assert.equal(frame.columns.qi_66![last], (sum(5, 70) - 7) / (sum(5, 70) + 7));
  assert.equal(frame.columns.spread![last], 0.06);
});
