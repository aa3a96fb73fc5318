import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Action, Flag } from '../../src/core/event.js';
import { openScenario } from '../../src/sim/source.js';
import { scoreDetections } from '../../src/surveillance/evaluate.js';
import { detect, parseDetectorList } from '../../src/surveillance/index.js';
import { rowSource, snapshot, type Row } from '../support/stream.js';

const MS = 1e6;
const S = 1e9;

/** A quiet book: bid 100.00 × 100 and ask 100.02 × 100 resting, then `rows`. */
function book(rows: Row[]): Row[] {
  return [
    { ts: 0, action: Action.Add, side: 1, price: 10000, size: 100, id: 1 },
    { ts: 1, action: Action.Add, side: -1, price: 10002, size: 100, id: 2 },
    ...rows,
  ];
}

/** Typical orders of 100 first, so 1,000 is ten times the typical size. */
const typical = Array.from({ length: 20 }, (_, k): Row => ({ ts: (2 + k) * MS, action: Action.Add, side: -1, price: 10010 + k, size: 100, id: 100 + k }));

/** A bid of 1,000 placed with an ask of 50, cancelled 20 ms after the ask fills; with `deeper`, a bid of 800 two ticks behind placed and cancelled with it. */
function spoofed(deeper = false): Row[] {
  const alongside = (row: Row): Row[] => (deeper ? [row] : []);
  return book([
    ...typical,
    { ts: 1 * S, action: Action.Add, side: 1, price: 10000, size: 1000, id: 7 },
    ...alongside({ ts: 1 * S, action: Action.Add, side: 1, price: 9998, size: 800, id: 11 }),
    { ts: 1 * S, action: Action.Add, side: -1, price: 10002, size: 50, id: 8 },
    { ts: 1.5 * S, action: Action.Trade, side: 1, price: 10002, size: 50, id: 9, last: false },
    { ts: 1.5 * S, action: Action.Fill, side: -1, price: 10002, size: 50, id: 2 },
    { ts: 1.52 * S, action: Action.Delete, side: 1, price: 10000, size: 1000, id: 7 },
    ...alongside({ ts: 1.52 * S, action: Action.Delete, side: 1, price: 9998, size: 800, id: 11 }),
    { ts: 2 * S, action: Action.Add, side: 1, price: 9990, size: 100, id: 10 },
  ]);
}

test('spoofing: a big bid placed with a small ask, cancelled unfilled right after a trade', async () => {
  const rows = spoofed();
  const { episodes } = await detect(rowSource(rows), parseDetectorList('spoofing'));
  assert.equal(episodes.length, 1);
  const [spoof] = episodes;
  assert.deepEqual([spoof!.kind, spoof!.startNs, spoof!.endNs, spoof!.side, spoof!.price, spoof!.orderIds], ['spoofing', 1 * S, 1.52 * S, 1, 10000, [7]]);
  assert.match(spoof!.explanation, /^bid order 7 of 1000 .* at 100, at the best; queue imbalance 0\.00 → 0\.83 on arrival; cancelled unfilled after 0\.520 s; 1 trade\(s\) of 50/);
  // Without the small order on the other side it is only a big order that was cancelled.
  const alone = rows.filter((row) => row.id !== 8);
  assert.equal((await detect(rowSource(alone), parseDetectorList('spoofing'))).episodes.length, 0);
  // Nor when the cancel comes long after the trade.
  const late = rows.map((row) => (row.id === 7 && row.action === Action.Delete ? { ...row, ts: 1.9 * S } : row));
  assert.equal((await detect(rowSource(late), parseDetectorList('spoofing'))).episodes.length, 0);
});

test('spoofing: an attempt given up — the big bid and the small ask placed together are withdrawn together, with no trade; a layer’s best order is no spoof', async () => {
  const rows = book([
    ...typical,
    { ts: 1 * S, action: Action.Add, side: 1, price: 10000, size: 1000, id: 7 },
    { ts: 1 * S, action: Action.Add, side: -1, price: 10002, size: 50, id: 8 },
    { ts: 1.05 * S, action: Action.Delete, side: 1, price: 10000, size: 1000, id: 7 },
    { ts: 1.05 * S, action: Action.Delete, side: -1, price: 10002, size: 50, id: 8 },
    { ts: 2 * S, action: Action.Add, side: 1, price: 9990, size: 100, id: 10 },
  ]);
  const { episodes } = await detect(rowSource(rows), parseDetectorList('spoofing'));
  assert.deepEqual(episodes.map((episode) => [episode.kind, episode.startNs, episode.endNs, episode.orderIds]), [['spoofing', 1 * S, 1.05 * S, [7]]]);
  assert.match(episodes[0]!.explanation, /no trade in the 0\.050 s before the cancel, but ask order 8, placed with it, was cancelled unfilled with it: an attempt given up$/);
  assert.equal((await detect(rowSource(rows), parseDetectorList('spoofing:given_up=0'))).episodes.length, 0);
  // Judged at the next update, seconds later and with a cancel of its own: the pair is still remembered.
  const quiet = rows.map((row) => (row.id === 10 ? { ts: 4 * S, action: Action.Delete, side: -1, price: 10010, size: 100, id: 100 } : row));
  assert.deepEqual((await detect(rowSource(quiet), parseDetectorList('spoofing'))).episodes.map((episode) => episode.orderIds), [[7]]);
  // The ask left resting: nothing was given up.
  assert.equal((await detect(rowSource(rows.filter((row) => !(row.id === 8 && row.action === Action.Delete))), parseDetectorList('spoofing'))).episodes.length, 0);
  // The spoof of the first test with a second big bid two ticks deeper, placed and cancelled with it: a layer's best order.
  assert.equal((await detect(rowSource(spoofed(true)), parseDetectorList('spoofing'))).episodes.length, 0);
});

test('layering: bids at four prices placed with a small ask and cancelled together unfilled, after a trade or, given up, with the ask', async () => {
  const layer = (k: number, ts: number, action: number): Row => ({ ts, action, side: 1, price: 9999 - k, size: 500, id: 20 + k });
  const rows = (trade: boolean, withdrawAsk: boolean): Row[] =>
    book([
      ...typical,
      ...[0, 1, 2, 3].map((k) => layer(k, 1 * S, Action.Add)),
      { ts: 1 * S, action: Action.Add, side: -1, price: 10002, size: 50, id: 8 },
      ...(trade
        ? [
            { ts: 1.02 * S, action: Action.Trade, side: 1, price: 10002, size: 50, id: 9, last: false },
            { ts: 1.02 * S, action: Action.Fill, side: -1, price: 10002, size: 50, id: 2 },
          ]
        : []),
      ...[0, 1, 2, 3].map((k) => layer(k, 1.05 * S, Action.Delete)),
      ...(withdrawAsk ? [{ ts: 1.05 * S, action: Action.Delete, side: -1, price: 10002, size: 50, id: 8 }] : []),
      { ts: 2 * S, action: Action.Add, side: 1, price: 9990, size: 100, id: 10 },
    ]);
  const found = async (trade: boolean, withdrawAsk: boolean, list = 'layering') => (await detect(rowSource(rows(trade, withdrawAsk)), parseDetectorList(list))).episodes;
  const traded = await found(true, false);
  assert.deepEqual(traded.map((episode) => [episode.startNs, episode.endNs, episode.orderIds]), [[1 * S, 1.05 * S, [20, 21, 22, 23]]]);
  assert.match(traded[0]!.explanation, /1 trade\(s\) in between$/);
  const givenUp = await found(false, true);
  assert.deepEqual(givenUp.map((episode) => [episode.startNs, episode.endNs, episode.orderIds]), [[1 * S, 1.05 * S, [20, 21, 22, 23]]]);
  assert.match(givenUp[0]!.explanation, /^4 bid orders \(2000 in all\) at 4 prices .*no trade in between, but ask order 8, placed with them, was cancelled unfilled with them: an attempt given up$/);
  assert.equal((await found(false, true, 'layering:given_up=0')).length, 0);
  assert.equal((await found(false, false)).length, 0);
  // Judged at the next update, seconds later, whose cancel of another large bid comes first: the layer is still whole.
  const quiet = rows(true, false).map((row) => (row.id === 10 ? { ts: 6 * S, action: Action.Delete, side: 1, price: 9990, size: 500, id: 30 } : row));
  quiet.splice(22, 0, { ts: 0.5 * S, action: Action.Add, side: 1, price: 9990, size: 500, id: 30 });
  assert.deepEqual((await detect(rowSource(quiet), parseDetectorList('layering'))).episodes.map((episode) => episode.orderIds), [[20, 21, 22, 23]]);
});

test('quote stuffing: a burst of adds and cancels a hundred times the baseline, with no execution', async () => {
  const rows: Row[] = [];
  let id = 1000;
  // Baseline: one add a second for 100 s.
  for (let k = 0; k < 100; k++) rows.push({ ts: k * S, action: Action.Add, side: 1, price: 9000 - k, size: 10, id: id++ });
  // Then 200 add + delete pairs within 50 ms.
  for (let k = 0; k < 200; k++) {
    rows.push({ ts: 100 * S + k * 0.2 * MS, action: Action.Add, side: -1, price: 11000, size: 10, id: id });
    rows.push({ ts: 100 * S + k * 0.2 * MS + 0.1 * MS, action: Action.Delete, side: -1, price: 11000, size: 10, id: id++ });
  }
  rows.push({ ts: 110 * S, action: Action.Add, side: 1, price: 8000, size: 10, id: id++ });
  const { episodes } = await detect(rowSource(rows), parseDetectorList('quote_stuffing'));
  assert.equal(episodes.length, 1);
  assert.equal(episodes[0]!.startNs, 100 * S);
  assert.match(episodes[0]!.explanation, /^400 order messages in 0\.100 s/);
});

test('wash trading: same-size orders inside the spread, each filled in full the instant it arrives', async () => {
  const rows = book([]);
  let id = 500;
  for (let k = 0; k < 3; k++) {
    const t = (1 + k) * S;
    rows.push({ ts: t, action: Action.Add, side: -1, price: 10001, size: 1000, id: id });
    rows.push({ ts: t, action: Action.Trade, side: 1, price: 10001, size: 1000, id: id + 1, last: false });
    rows.push({ ts: t, action: Action.Fill, side: -1, price: 10001, size: 1000, id: id });
    id += 2;
  }
  const { episodes } = await detect(rowSource(rows), parseDetectorList('wash_trading'));
  assert.equal(episodes.length, 1);
  assert.deepEqual(episodes[0]!.orderIds, [500, 502, 504]);
  assert.match(episodes[0]!.explanation, /^3 orders of exactly 1000 \(a round size\)/);
});

test('iceberg: the venue refills the same order id right after each slice fills', async () => {
  const rows = book([]);
  for (let k = 0; k < 3; k++) {
    const t = (1 + k) * S;
    rows.push({ ts: t, action: Action.Add, side: 1, price: 10001, size: 200, id: 77, flags: k === 0 ? 0 : Flag.AfterFill });
    rows.push({ ts: t + MS, action: Action.Trade, side: -1, price: 10001, size: 200, id: 0, last: false });
    rows.push({ ts: t + MS, action: Action.Fill, side: 1, price: 10001, size: 200, id: 77 });
  }
  const { episodes } = await detect(rowSource(rows), parseDetectorList('iceberg'));
  assert.equal(episodes.length, 1);
  assert.deepEqual([episodes[0]!.orderIds, episodes[0]!.price], [[77], 10001]);
  assert.match(episodes[0]!.explanation, /^600 executed on the bid at 100\.01 with never more than 200 displayed \(3\.0×\): 2 refill\(s\).*the venue keeping the order id/);
});

test('iceberg on L2: a best level traded three times what it ever showed, shrinking less than was traded at it, is an episode; a level traded through once is not', async () => {
  // The bid at 100.00 shows 100; three sells of 100 hit it and each message shows it barely shrunk or grown back.
  const start = snapshot(0, [[10000, 100], [9999, 500]], [[10002, 100]]);
  const hits: Row[] = [];
  for (const [k, after] of [90, 95, 100].entries()) {
    hits.push({ ts: (1 + k) * S, action: Action.Trade, side: -1, price: 10000, size: 100, last: false });
    hits.push({ ts: (1 + k) * S, action: Action.LevelSet, side: 1, price: 10000, size: after });
  }
  const { episodes } = await detect(rowSource([...start, ...hits], 'L2'), parseDetectorList('iceberg'));
  assert.equal(episodes.length, 1);
  const [ice] = episodes;
  assert.deepEqual([ice!.startNs, ice!.endNs, ice!.side, ice!.price, ice!.orderIds, ice!.score], [1 * S, 3 * S, 1, 10000, [], 84]);
  assert.match(ice!.explanation, /^300 executed on the bid at 100 with never more than 100 displayed at the touch \(3\.0×, read from level changes\): 3 refill\(s\) in the message of the trades \(290 arrived while it was hit\), 0 after being hit; 3 message\(s\) with trades over 2\.000 s$/);

  // Conflated (a diff per 100 ms): each trade is its own message and the level shows its fill 50 ms later.
  const conflated = hits.map((row) => (row.action === Action.Trade ? { ...row, last: true } : { ...row, ts: row.ts + 50 * MS }));
  const late = (await detect(rowSource([...start, ...conflated], 'L2'), parseDetectorList('iceberg'))).episodes;
  assert.deepEqual(late.map((episode) => [episode.startNs, episode.endNs, episode.score]), [[1 * S, 3 * S, 84]]);

  // Traded through once: the level is gone with what it showed.
  const through: Row[] = [
    { ts: 1 * S, action: Action.Trade, side: -1, price: 10000, size: 100, last: false },
    { ts: 1 * S, action: Action.LevelDelete, side: 1, price: 10000 },
  ];
  assert.equal((await detect(rowSource([...start, ...through], 'L2'), parseDetectorList('iceberg'))).episodes.length, 0);
  // A level showing 300 traded down by 100 three times executed no more than it showed.
  const shown = snapshot(0, [[10000, 300], [9999, 500]], [[10002, 100]]);
  const down = [200, 100, 0].flatMap((after, k): Row[] => [
    { ts: (1 + k) * S, action: Action.Trade, side: -1, price: 10000, size: 100, last: false },
    after > 0 ? { ts: (1 + k) * S, action: Action.LevelSet, side: 1, price: 10000, size: after } : { ts: (1 + k) * S, action: Action.LevelDelete, side: 1, price: 10000 },
  ]);
  assert.equal((await detect(rowSource([...shown, ...down], 'L2'), parseDetectorList('iceberg'))).episodes.length, 0);
  // Three times the display in a single message is one refill, short of min_refills (2).
  const once: Row[] = [
    { ts: 1 * S, action: Action.Trade, side: -1, price: 10000, size: 300, last: false },
    { ts: 1 * S, action: Action.LevelSet, side: 1, price: 10000, size: 100 },
  ];
  assert.equal((await detect(rowSource([...start, ...once], 'L2'), parseDetectorList('iceberg'))).episodes.length, 0);
  // The same three hits on a thin level where the best usually shows 1,000 (a sell took 100 of a 1,000 bid at 100.01 first): ordinary.
  const deep = snapshot(0, [[10001, 1000], [10000, 100], [9999, 500]], [[10002, 100]]);
  const first: Row[] = [
    { ts: 0.5 * S, action: Action.Trade, side: -1, price: 10001, size: 100, last: false },
    { ts: 0.5 * S, action: Action.LevelDelete, side: 1, price: 10001 },
  ];
  assert.equal((await detect(rowSource([...deep, ...first, ...hits], 'L2'), parseDetectorList('iceberg'))).episodes.length, 0);
});

test('scoring: detections match labelled episodes by kind, time and order ids', () => {
  const episode = (kind: 'spoofing' | 'layering', start: number, end: number, ids: number[]) => ({ kind, instrument: 0, startNs: start, endNs: end, side: 1, price: 1, orderIds: ids, score: 100, explanation: '' });
  const truth = [episode('spoofing', 10 * S, 11 * S, [1]), episode('spoofing', 50 * S, 51 * S, [2])];
  const found = [episode('spoofing', 10.5 * S, 11 * S, [1]), episode('spoofing', 30 * S, 31 * S, [3]), episode('layering', 50 * S, 51 * S, [2])];
  const [score] = scoreDetections(found, truth, ['spoofing']);
  assert.deepEqual([score!.truth, score!.detected, score!.truePositives, score!.found, score!.precision, score!.recall], [2, 2, 1, 1, 0.5, 0.5]);
});

test('on simulated manipulators (held-out seeds) spoofing, layering, quote stuffing and wash trading reach 0.9 precision and recall', async () => {
  const manipulators = { spoofing: 'spoofer', layering: 'layerer', quote_stuffing: 'quote_stuffer', wash_trading: 'wash_trader' };
  const kinds = Object.keys(manipulators);
  const totals = new Map<string, { truth: number; detected: number; tp: number; attempts: number; found: number }>();
  for (const seed of [11, 12]) {
    const source = openScenario('scenarios/mixed.json', { seed });
    const { episodes } = await detect(source, parseDetectorList(kinds.join(',')));
    const truth = source.truth();
    const actorOf = (id: number) => (truth.identityOf(id) < 0 ? undefined : truth.identities[truth.identityOf(id)]!.kind);
    for (const score of scoreDetections(episodes, truth.episodes, kinds, 1e9, actorOf, manipulators)) {
      const total = totals.get(score.kind) ?? { truth: 0, detected: 0, tp: 0, attempts: 0, found: 0 };
      totals.set(score.kind, { truth: total.truth + score.truth, detected: total.detected + score.detected, tp: total.tp + score.truePositives, attempts: total.attempts + score.attempts, found: total.found + score.found });
    }
  }
  for (const [kind, total] of totals) {
    assert.ok(total.truth >= 10, `${kind}: ${total.truth} labelled episodes`);
    // Strict: a detection of a manipulator's unlabelled attempt (one the simulator does not call manipulation) counts as false.
    assert.ok(total.tp / total.detected >= 0.9, `${kind}: precision ${total.tp}/${total.detected} (${total.attempts} more are the manipulator's unlabelled attempts)`);
    assert.ok(total.found / total.truth >= 0.9, `${kind}: recall ${total.found}/${total.truth}`);
  }
});

test('marking the close: heavy one-sided buying in the five minutes before 16:00 New York lifts the mid, which falls back after', async () => {
  // The rows' time base is the epoch: 16:00 New York on 1970-01-01 is 21:00 UTC.
  const close = 21 * 3600 * S;
  const rows: Row[] = [];
  let bid = 10000;
  let quoted = false;
  const quote = (ts: number, price: number) => {
    // The book (L2) is one bid and one ask a cent above it; each move replaces both.
    if (quoted) {
      rows.push({ ts, action: Action.LevelDelete, side: 1, price: bid, last: false });
      rows.push({ ts, action: Action.LevelDelete, side: -1, price: bid + 1, last: false });
    }
    rows.push({ ts, action: Action.LevelSet, side: 1, price, size: 100, last: false });
    rows.push({ ts, action: Action.LevelSet, side: -1, price: price + 1, size: 100 });
    bid = price;
    quoted = true;
  };
  const trade = (ts: number, size: number) => rows.push({ ts, action: Action.Trade, side: 1, price: bid + 1, size });
  quote(close - 70 * 60 * S, 10000);
  // Baseline: a small trade a minute, the price wandering a cent either way.
  for (let t = close - 66 * 60 * S; t < close - 5 * 60 * S; t += 60 * S) {
    trade(t, 10);
    quote(t + S, bid + (Math.round(t / (60 * S)) % 2 === 0 ? 1 : -1));
  }
  // The window: 300 trades of 100 in five minutes, the bid stepping up 30 cents.
  for (let k = 0; k < 300; k++) {
    const t = close - 5 * 60 * S + k * S;
    trade(t, 100);
    if (k % 10 === 9) quote(t + 0.5 * S, bid + 1);
  }
  // After the close the price gives back 25 of the 30 cents within ten minutes.
  for (let k = 1; k <= 25; k++) quote(close + k * 20 * S, bid - 1);
  quote(close + 11 * 60 * S, bid);
  const { episodes } = await detect(rowSource(rows, 'L2'), parseDetectorList('marking_the_close'));
  assert.equal(episodes.length, 1);
  assert.equal(episodes[0]!.side, 1);
  assert.match(episodes[0]!.explanation, /traded in the 5 min before the reference time, [\d.]+× the rate of the 60 min before; mid .* given back within 10 min$/);
});

test('spoofing on L2: the same pattern read from level changes, with orders inferred from them', async () => {
  const rows: Row[] = [...snapshot(0, [[10000, 100]], [[10002, 100]])];
  // Typical level changes of 100 first.
  for (let k = 0; k < 20; k++) rows.push({ ts: (1 + k) * MS, action: Action.LevelSet, side: -1, price: 10010 + k, size: 100 });
  rows.push({ ts: 1 * S, action: Action.LevelSet, side: 1, price: 10000, size: 1100, last: false });
  rows.push({ ts: 1 * S, action: Action.LevelSet, side: -1, price: 10002, size: 150 });
  rows.push({ ts: 1.5 * S, action: Action.Trade, side: 1, price: 10002, size: 50 });
  rows.push({ ts: 1.5 * S + MS, action: Action.LevelSet, side: -1, price: 10002, size: 100 });
  rows.push({ ts: 1.52 * S, action: Action.LevelSet, side: 1, price: 10000, size: 100 });
  rows.push({ ts: 2 * S, action: Action.LevelSet, side: 1, price: 9990, size: 100 });
  const { episodes } = await detect(rowSource(rows, 'L2'), parseDetectorList('spoofing'));
  assert.equal(episodes.length, 1);
  assert.deepEqual([episodes[0]!.startNs, episodes[0]!.endNs, episodes[0]!.side, episodes[0]!.orderIds], [1 * S, 1.52 * S, 1, []]);
  assert.match(episodes[0]!.explanation, /^bid size \(inferred from the level\) of 1000 /);
});
