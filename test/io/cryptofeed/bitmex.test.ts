import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import { rowAt, type EventRow } from '../../../src/core/batch.js';
import { numberToUnits } from '../../../src/core/decimal.js';
import { Action, Flag, Stat } from '../../../src/core/event.js';
import type { EventSource } from '../../../src/core/source.js';
import { bitmexQuotes } from '../../../src/io/cryptofeed/bitmex.js';
import { openSource } from '../../../src/io/index.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const BITMEX = 'cryptofeed_BITMEX.ws.1.0.txt';
const URL_LINE = 'wss://www.bitmex.com/realtime <-> 1626993367.388005';

/** Every row of a source, as objects (small inputs only). */
async function rowsOf(source: EventSource): Promise<EventRow[]> {
  const rows: EventRow[] = [];
  for await (const batch of source.batches()) for (let i = 0; i < batch.length; i++) rows.push(rowAt(batch, i));
  return rows;
}

function tmpFile(name: string, text: string): string {
  const path = join(tempDir('flowmine-bitmex-'), name);
  writeFileSync(path, text);
  return path;
}

test('cryptofeed BitMEX: ten books from their partials, trades, exact per-symbol decimals, never crossed', needs(BITMEX), async () => {
  const source = await openSource(fixture(BITMEX));
  assert.equal(source.format, 'cryptofeed');
  const actions = new Map<number, number>();
  let firstTrade: EventRow | null = null;
  const summary = await replay(source, {
    onUpdate(_book, batch, row) {
      if (batch.action[row] === Action.Trade && firstTrade === null) firstTrade = rowAt(batch, row);
    },
  });
  for await (const batch of (await openSource(fixture(BITMEX))).batches()) for (let i = 0; i < batch.length; i++) actions.set(batch.action[i]!, (actions.get(batch.action[i]!) ?? 0) + 1);
  const report = source.integrity.report;
  assert.equal(report.issues.size, 0, JSON.stringify(Object.fromEntries(report.issues)));
  assert.deepEqual([report.rowsRead, report.accepted], [2_120, 2_120]);
  assert.equal(report.notes.get('connection_and_sent_lines'), 4);
  assert.equal(report.notes.get('welcome_messages'), 1);
  assert.equal(report.notes.get('subscription_acks'), 30);
  assert.equal(report.notes.get('book_partials'), 10);
  assert.equal(report.notes.get('quote_rows'), 436);
  // The trade partial is each symbol's last trade before the subscription (up to 1.5 h old): history, not replayed.
  assert.equal(report.notes.get('trade_partial_rows_not_replayed'), 10);
  // Each symbol's price decimals are those its partial shows: tick sizes from 1e-10 (TRXU21) to 0.5 (XBTUSD).
  const decimals = Object.fromEntries(source.instruments.list.map((instrument) => [instrument.symbol, instrument.priceDecimals]));
  assert.deepEqual(decimals, { UNIUSDT: 3, XRPU21: 8, XBTUSD: 1, ADAUSDT: 5, SOLUSDT: 3, TRXU21: 10, EOSUSDT: 4, TRXUSDT: 5, BCHUSD: 2, MATICUSDT: 4 });
  assert.ok(source.instruments.list.every((instrument) => instrument.sizeDecimals === 0 && instrument.venue === 'bitmex'), 'sizes are whole contracts');
  // orderBookL2: 10 partials of 11,746 levels, 445 insert messages (554 rows), 1,090 update (1,490), 434 delete (543).
  assert.equal(actions.get(Action.SnapshotBegin), 10);
  assert.equal(actions.get(Action.LevelSet), 11_746 + 554 + 1_490);
  assert.equal(actions.get(Action.LevelDelete), 543);
  assert.equal(actions.get(Action.Trade), 17);
  assert.equal(summary.updates, 10 + 445 + 1_090 + 434 + 7, 'one update per book message and per trade message');
  assert.equal(summary.crossedUpdates, 0);
  // Line 56: UNIUSDT Buy 52 @ 17.297 at 22:36:10.014Z, received 1626993370.146107 — before UNIUSDT's book partial.
  assert.deepEqual(firstTrade, { tsEventNs: 1_626_993_370_014_000_000n, tsRecvNs: 1_626_993_370_146_107_000n, instrument: 0, action: Action.Trade, side: 1, price: 17_297, size: 52, orderId: 0, seq: 56, flags: Flag.Last, sourceRow: 56 });
});

test('cryptofeed BitMEX: every quote is a best bid and offer the rebuilt book had, in order', needs(BITMEX), async () => {
  const path = fixture(BITMEX);
  const source = await openSource(path);
  // The distinct best bid/offer states of each book after each complete book message, with their line.
  const states = new Map<number, { line: number; bbo: string; recvNs: bigint }[]>();
  await replay(source, {
    onUpdate(book, batch, row, instrument) {
      if (batch.action[row] === Action.Trade) return;
      const bbo = `${book.bestBidPrice()} ${book.bestBidSize()} ${book.bestAskPrice()} ${book.bestAskSize()}`;
      let list = states.get(instrument);
      if (!list) states.set(instrument, (list = []));
      if (list.at(-1)?.bbo !== bbo) list.push({ line: batch.sourceRow[row]!, bbo, recvNs: batch.timeBaseNs + BigInt(batch.tsRecv[row]!) });
    },
  });
  const index = new Map(source.instruments.list.map((instrument, i) => [instrument.symbol, i]));
  const next = new Map<number, number>();
  let partials = 0;
  let partialsMatched = 0;
  let quotes = 0;
  let matched = 0;
  let unquoted = 0;
  let unquotedFollowedAtOnce = 0;
  let minLeadMs = Infinity;
  let maxLeadMs = 0;
  for await (const quote of bitmexQuotes(path)) {
    const instrument = index.get(quote.symbol)!;
    const { priceDecimals } = source.instruments.get(instrument);
    const bbo = `${numberToUnits(quote.bidPrice, priceDecimals)} ${quote.bidSize} ${numberToUnits(quote.askPrice, priceDecimals)} ${quote.askSize}`;
    const list = states.get(instrument)!;
    if (quote.partial) {
      // The quote partial (sent before the book partial) equals the book its partial built.
      partials++;
      if (list[0]!.bbo === bbo) partialsMatched++;
      next.set(instrument, 1);
      continue;
    }
    quotes++;
    let k = next.get(instrument)!;
    while (k < list.length && list[k]!.bbo !== bbo) k++;
    if (k === list.length) continue;
    matched++;
    // Book states skipped over were never quoted: each lasted until the symbol's very next message.
    for (let j = next.get(instrument)!; j < k; j++) {
      unquoted++;
      if (list[j + 1]!.line === list[j]!.line + 1) unquotedFollowedAtOnce++;
    }
    next.set(instrument, k + 1);
    // BitMEX stamps the quote before the book message reaches the capture.
    const leadMs = Number(list[k]!.recvNs - BigInt(Date.parse(quote.timestamp)) * 1_000_000n) / 1e6;
    minLeadMs = Math.min(minLeadMs, leadMs);
    maxLeadMs = Math.max(maxLeadMs, leadMs);
  }
  assert.deepEqual([partials, partialsMatched], [10, 10]);
  assert.equal(quotes, 426);
  assert.equal(matched, quotes, `${quotes - matched} of ${quotes} quotes are no state of the rebuilt book`);
  // 20 transient states: a level deleted in one message and its replacement inserted by the next line.
  assert.deepEqual([unquoted, unquotedFollowedAtOnce], [20, 20]);
  const tail = [...states].reduce((n, [instrument, list]) => n + list.length - (next.get(instrument) ?? 1), 0);
  assert.equal(tail, 4, 'book states after the last quote batch of the capture');
  assert.ok(minLeadMs > 0 && maxLeadMs < 1_000, `quote time to book receipt: ${minLeadMs}..${maxLeadMs} ms`);
});

test('cryptofeed BitMEX has no sequence numbers: removed inserts are caught when their ids are touched again', needs(BITMEX), async () => {
  const lines = readFileSync(fixture(BITMEX), 'utf8').split('\n');
  // Remove every 20th insert message. Then follow, independently, which level ids the reader holds: a
  // message that updates or deletes an id not held is rejected whole (unknown_level_id), and so is an
  // insert of an id still held because a rejected delete left it (duplicate_level_id).
  const held = new Set<number>();
  const expected = { unknown_level_id: 0, duplicate_level_id: 0 };
  let inserts = 0;
  let first: { line: number; detail: string } | null = null;
  const kept: string[] = [];
  for (const text of lines) {
    const json = /^\d+(?:\.\d+)?: (\{.*\})$/.exec(text)?.[1];
    const message = json ? (JSON.parse(json) as { table?: string; action?: string; data: { id: number; symbol: string }[] }) : null;
    if (message?.table === 'orderBookL2' && message.action === 'insert' && ++inserts % 20 === 0) continue;
    kept.push(text);
    if (message?.table !== 'orderBookL2') continue;
    const { action, data } = message;
    if (action === 'partial') for (const row of data) held.add(row.id);
    const bad = action === 'insert' ? data.find((row) => held.has(row.id)) : action === 'partial' ? undefined : data.find((row) => !held.has(row.id));
    if (bad) {
      expected[action === 'insert' ? 'duplicate_level_id' : 'unknown_level_id']++;
      first ??= { line: kept.length, detail: action === 'insert' ? `insert of id ${bad.id} already in the ${bad.symbol} book` : `${action} of id ${bad.id} not in the ${bad.symbol} book` };
    } else if (action === 'insert') for (const row of data) held.add(row.id);
    else if (action === 'delete') for (const row of data) held.delete(row.id);
  }
  const path = tmpFile('removed.ws.1.0.txt', kept.join('\n'));
  await assert.rejects(replay(await openSource(path)), { message: `${path}:${first!.line}: id: ${first!.detail}` });
  const skipping = await openSource(path, { policy: 'skip' });
  await replay(skipping);
  const report = skipping.integrity.report;
  assert.equal(inserts, 445);
  assert.deepEqual(expected, { unknown_level_id: 41, duplicate_level_id: 1 });
  assert.deepEqual({ unknown_level_id: report.issueCount('unknown_level_id'), duplicate_level_id: report.issueCount('duplicate_level_id') }, expected);
  assert.equal(report.skipped, 42);
});

test('cryptofeed BitMEX bad lines: strict stops with file:line: field: detail; skip counts them', needs(BITMEX), async () => {
  const lines = readFileSync(fixture(BITMEX), 'utf8').split('\n');
  const update = lines.findIndex((text) => text.includes('"action":"update"'));
  const trade = lines.findIndex((text) => text.includes('"table":"trade","action":"insert"'));
  lines[update] = lines[update]!.replace('"side":"Sell"', '"side":"Up"');
  lines[trade] = lines[trade]!.slice(0, 80);
  const path = tmpFile('bad.ws.1.0.txt', lines.join('\n'));
  await assert.rejects(replay(await openSource(path)), { message: `${path}:${trade + 1}: json: not valid JSON` });
  const skipping = await openSource(path, { policy: 'skip' });
  const summary = await replay(skipping);
  const report = skipping.integrity.report;
  assert.deepEqual([report.rowsRead, report.skipped, report.issueCount('malformed_row')], [2_120, 2, 2]);
  assert.equal(report.issues.get('malformed_row')!.examples[1], `line ${update + 1}: data: expected symbol, id and side Buy or Sell in {"symbol":"UNIUSDT","id":51999982703,"side":"Up","size":123}`);
  assert.equal(summary.crossedUpdates, 0);
});

test('BitMEX instrument and funding tables become Stat rows at the decimals their partial shows', async () => {
  const frames = [
    URL_LINE,
    'wss://www.bitmex.com/realtime <- 1626993367.874177: {"op":"subscribe","args":["instrument:XBTUSD","funding:XBTUSD"]}',
    '1626993368.001: {"table":"instrument","action":"partial","keys":["symbol"],"filter":{"symbol":"XBTUSD"},"data":[{"symbol":"XBTUSD","tickSize":0.5,"lastPrice":32180.5,"markPrice":32181.71,"indicativeSettlePrice":32161.97,"fundingRate":0.0001,"indicativeFundingRate":0.000123,"openInterest":612345678,"timestamp":"2021-07-22T22:36:08.000Z"}]}',
    '1626993368.002: {"table":"funding","action":"partial","keys":[],"filter":{"symbol":"XBTUSD"},"data":[{"timestamp":"2021-07-22T20:00:00.000Z","symbol":"XBTUSD","fundingInterval":"2000-01-01T08:00:00.000Z","fundingRate":0.0001,"fundingRateDaily":0.0003}]}',
    '1626993369.5: {"table":"instrument","action":"update","data":[{"symbol":"XBTUSD","markPrice":32182.4,"openInterest":612345700,"timestamp":"2021-07-22T22:36:09.500Z"}]}',
    '1626993370.25: {"table":"instrument","action":"update","data":[{"symbol":"XBTUSD","fundingRate":-0.0000123456789012,"lastPrice":null,"timestamp":"2021-07-22T22:36:10.250Z"}]}',
    '1626993371.0: {"table":"funding","action":"insert","data":[{"timestamp":"2021-07-23T04:00:00.000Z","symbol":"XBTUSD","fundingInterval":"2000-01-01T08:00:00.000Z","fundingRate":-0.000075,"fundingRateDaily":-0.000225}]}',
    '1626993372.0: {"table":"instrument","action":"update","data":[{"symbol":"XBTUSD","markPrice":32182.405,"timestamp":"2021-07-22T22:36:12.000Z"}]}',
  ];
  const path = tmpFile('stats.ws.1.0.txt', frames.join('\n') + '\n');
  const source = await openSource(path, { policy: 'skip' });
  const rows = await rowsOf(source);
  const instrument = source.instruments.get(0);
  // tickSize 0.5 has 1 decimal, markPrice 32181.71 has 2: prices are kept at 2; the tick is 50 units.
  assert.deepEqual([instrument.symbol, instrument.priceDecimals, instrument.sizeDecimals, instrument.tickUnits], ['XBTUSD', 2, 0, 50]);
  const t = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
  const stat = (iso: string, code: number, price: number, size: number, flags: number, line: number) => ({ tsEventNs: t(iso), code, price, size, flags, line });
  assert.deepEqual(
    rows.map((row) => ({ tsEventNs: row.tsEventNs, code: row.orderId, price: row.price, size: row.size, flags: row.flags, line: row.sourceRow })),
    [
      stat('2021-07-22T22:36:08.000Z', Stat.MarkPrice, 3_218_171, 0, Flag.Snapshot, 3),
      stat('2021-07-22T22:36:08.000Z', Stat.IndexPrice, 3_216_197, 0, Flag.Snapshot, 3),
      stat('2021-07-22T22:36:08.000Z', Stat.LastPrice, 3_218_050, 0, Flag.Snapshot, 3),
      stat('2021-07-22T22:36:08.000Z', Stat.FundingRate, 0, 100_000_000, Flag.Snapshot, 3),
      stat('2021-07-22T22:36:08.000Z', Stat.PredictedFundingRate, 0, 123_000_000, Flag.Snapshot, 3),
      stat('2021-07-22T22:36:08.000Z', Stat.OpenInterest, 0, 612_345_678, Flag.Snapshot | Flag.Last, 3),
      stat('2021-07-22T22:36:09.500Z', Stat.MarkPrice, 3_218_240, 0, 0, 5),
      stat('2021-07-22T22:36:09.500Z', Stat.OpenInterest, 0, 612_345_700, Flag.Last, 5),
      // -0.0000123456789012 at 1e-12: -12345679 (rounded); lastPrice null is no value.
      stat('2021-07-22T22:36:10.250Z', Stat.FundingRate, 0, -12_345_679, Flag.Last, 6),
      // The funding charged at 04:00 (the funding partial is history: not replayed).
      stat('2021-07-23T04:00:00.000Z', Stat.FundingRate, 0, -75_000_000, Flag.Last, 7),
    ],
  );
  assert.ok(rows.every((row) => row.action === Action.Stat && row.side === 0));
  const report = source.integrity.report;
  assert.equal(report.notes.get('funding_partial_rows_not_replayed'), 1);
  assert.equal(report.notes.get('rates_rounded_to_1e-12'), 1);
  // 32182.405 needs a third decimal the partial never showed: the line is rejected, not rounded.
  assert.deepEqual(report.issues.get('malformed_row')!.examples, ["line 8: markPrice: 32182.405 does not fit XBTUSD's 2 decimals"]);
});
