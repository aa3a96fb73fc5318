import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import { rowAt, type EventRow } from '../../../src/core/batch.js';
import { numberToUnits } from '../../../src/core/decimal.js';
import { Action, Flag, Stat } from '../../../src/core/event.js';
import { deribitTickers } from '../../../src/io/cryptofeed/deribit.js';
import { openSource } from '../../../src/io/index.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const DERIBIT = 'cryptofeed_DERIBIT.ws.1.0.txt';

function tmpFile(name: string, text: string): string {
  const path = join(tempDir('flowmine-deribit-'), name);
  writeFileSync(path, text);
  return path;
}

test('cryptofeed Deribit: ten option books, tickers as Stat rows, never crossed', needs(DERIBIT), async () => {
  const source = await openSource(fixture(DERIBIT));
  const actions = new Map<number, number>();
  const stats = new Map<number, number>();
  const summary = await replay(source, {
    onUpdate(_book, batch, row) {
      if (batch.action[row] === Action.Stat) assert.equal(batch.seq[row], batch.sourceRow[row], 'tickers have no sequence number: seq is the line');
    },
  });
  for await (const batch of (await openSource(fixture(DERIBIT))).batches()) {
    for (let i = 0; i < batch.length; i++) {
      actions.set(batch.action[i]!, (actions.get(batch.action[i]!) ?? 0) + 1);
      if (batch.action[i] === Action.Stat) stats.set(batch.orderId[i]!, (stats.get(batch.orderId[i]!) ?? 0) + 1);
    }
  }
  const report = source.integrity.report;
  assert.equal(report.issues.size, 0, JSON.stringify(Object.fromEntries(report.issues)));
  assert.deepEqual([report.rowsRead, report.accepted], [136, 136]);
  assert.deepEqual(
    source.instruments.list.map((instrument) => instrument.symbol),
    ['ETH-30JUL21-2800-C', 'ETH-27AUG21-4000-P', 'ETH-23JUL21-2300-C', 'BTC-31DEC21-34000-P', 'BTC-31DEC21-300000-C', 'BTC-30JUL21-24000-P', 'BTC-25MAR22-30000-C', 'BTC-24SEP21-8000-P', 'BTC-24SEP21-34000-P', 'BTC-24JUN22-15000-C'],
  );
  assert.ok(source.instruments.list.every((instrument) => instrument.priceDecimals === 8 && instrument.sizeDecimals === 4));
  assert.equal(report.notes.get('rpc_responses'), 1);
  assert.equal(report.notes.get('book_snapshots'), 10);
  // 46 book messages: 10 snapshots (130 + 19 entries in all), 36 changes; no option traded in these 30 s.
  assert.equal(actions.get(Action.SnapshotBegin), 10);
  assert.equal(actions.get(Action.LevelSet), 130);
  assert.equal(actions.get(Action.LevelDelete), 19);
  assert.equal(actions.get(Action.Trade), undefined);
  // 89 tickers: mark, index, last price and open interest each; options have no funding. Greeks and IVs are not kept.
  assert.equal(report.notes.get('tickers'), 89);
  assert.deepEqual(Object.fromEntries(stats), { [Stat.MarkPrice]: 89, [Stat.IndexPrice]: 89, [Stat.LastPrice]: 89, [Stat.OpenInterest]: 89 });
  assert.equal(report.notes.get('option_greeks_and_iv_not_kept'), 89);
  assert.equal(summary.updates, 46 + 89);
  assert.equal(summary.crossedUpdates, 0);
});

test('cryptofeed Deribit: every ticker\'s best bid and ask is the rebuilt book at the ticker\'s time', needs(DERIBIT), async () => {
  const path = fixture(DERIBIT);
  const source = await openSource(path);
  // Per instrument: the best bid/ask after each book message, with its venue time (ms) and line.
  const states = new Map<string, { ms: number; line: number; bbo: string; snapshot: boolean }[]>();
  const units = (price: number, amount: number) => `${numberToUnits(price, 8)} ${numberToUnits(amount, 4)}`;
  await replay(source, {
    onUpdate(book, batch, row, instrument) {
      if (batch.action[row] === Action.Stat) return;
      const symbol = batch.instruments.get(instrument).symbol;
      const side = (price: number, size: number) => (Number.isNaN(price) ? '0 0' : `${price} ${size}`);
      const bbo = `${side(book.bestBidPrice(), book.bestBidSize())} ${side(book.bestAskPrice(), book.bestAskSize())}`;
      const ms = Number((batch.timeBaseNs + BigInt(batch.tsEvent[row]!)) / 1_000_000n);
      if (!states.has(symbol)) states.set(symbol, []);
      states.get(symbol)!.push({ ms, line: batch.sourceRow[row]!, bbo, snapshot: batch.action[row] === Action.SnapshotEnd });
    },
  });
  let tickers = 0;
  let matched = 0;
  let beforeSnapshot = 0;
  let beforeChangeSameMs = 0;
  for await (const ticker of deribitTickers(path)) {
    tickers++;
    // The book as of the ticker's time: its last message stamped at or before it, wherever it is in the capture.
    const state = states.get(ticker.instrument)!.filter((entry) => entry.ms <= ticker.timestamp).at(-1)!;
    if (state.bbo === `${units(ticker.bestBidPrice, ticker.bestBidAmount)} ${units(ticker.bestAskPrice, ticker.bestAskAmount)}`) matched++;
    if (state.line > ticker.line && state.snapshot) beforeSnapshot++;
    else if (state.line > ticker.line && state.ms === ticker.timestamp) beforeChangeSameMs++;
    else assert.ok(state.line < ticker.line, `line ${ticker.line}`);
  }
  assert.equal(tickers, 89);
  assert.equal(matched, tickers, `${tickers - matched} of ${tickers} tickers differ from the book`);
  // 42 tickers arrive before the book message they show: each instrument's first ticker precedes its
  // snapshot (10), and 32 come just before the book change stamped with the same millisecond.
  assert.deepEqual([beforeSnapshot, beforeChangeSameMs], [10, 32]);
});

test('cryptofeed Deribit gaps: every removed book change is caught by prev_change_id; strict stops at the first', needs(DERIBIT), async () => {
  const lines = readFileSync(fixture(DERIBIT), 'utf8').split('\n');
  // Remove every 4th book change; a removal is visible when a later change of the same instrument follows.
  let changes = 0;
  let removed = 0;
  const pending = new Set<string>();
  let expected = 0;
  let first: { line: number; detail: string } | null = null;
  const lastId = new Map<string, number>();
  const kept: string[] = [];
  for (const text of lines) {
    const data = /"channel":"book\./.test(text) ? (JSON.parse(text.slice(text.indexOf(': ') + 2)) as { params: { data: { type: string; instrument_name: string; change_id: number; prev_change_id: number } } }).params.data : null;
    if (data?.type === 'change' && ++changes % 4 === 0) {
      removed++;
      pending.add(data.instrument_name);
      continue;
    }
    kept.push(text);
    if (!data) continue;
    if (pending.delete(data.instrument_name)) {
      expected++;
      first ??= { line: kept.length, detail: `sequence gap for DERIBIT.${data.instrument_name}: expected prev_change_id=${lastId.get(data.instrument_name)}, was ${data.prev_change_id}` };
    }
    lastId.set(data.instrument_name, data.change_id);
  }
  const path = tmpFile('gapped.ws.1.0.txt', kept.join('\n'));
  await assert.rejects(replay(await openSource(path)), { message: `${path}:${first!.line}: prev_change_id: ${first!.detail}` });
  const repairing = await openSource(path, { policy: 'repair' });
  const summary = await replay(repairing);
  const report = repairing.integrity.report;
  assert.deepEqual([changes, removed], [36, 9]);
  // The last removal (BTC-24SEP21-8000-P's final change) has no later change to show it.
  assert.deepEqual([expected, pending.size], [8, 1]);
  assert.equal(report.issueCount('sequence_gap'), expected, 'one finding per missing stretch');
  assert.equal(report.skipped, 0, 'the message after a gap is a good row; the book waits for a snapshot');
  assert.equal(summary.crossedUpdates, 0);
  assert.ok((report.notes.get('book_changes_while_unsynced') ?? 0) > 0);
});

test('Deribit hand-made capture: resync at the next snapshot, trades with trade_seq, perpetual ticker funding', async () => {
  const book = (type: string, id: number, previous: number | null, ms: number, bids: unknown[], asks: unknown[]) =>
    `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.raw","data":{"type":"${type}","timestamp":${ms},${previous === null ? '' : `"prev_change_id":${previous},`}"instrument_name":"BTC-PERPETUAL","change_id":${id},"bids":${JSON.stringify(bids)},"asks":${JSON.stringify(asks)}}}}`;
  const lines = [
    'wss://www.deribit.com/ws/api/v2 <-> 1626993723.424371',
    `1626993723.9: ${book('snapshot', 10, null, 1626993723800, [['new', 32180, 1000], ['new', 32179.5, 20]], [['new', 32180.5, 5000]])}`,
    `1626993724.0: ${book('change', 11, 10, 1626993723950, [['change', 32180, 1500]], [])}`,
    `1626993724.1: ${book('change', 13, 12, 1626993724050, [['delete', 32180, 0]], [])}`,
    `1626993724.2: ${book('change', 14, 13, 1626993724150, [], [['new', 32181, 10]])}`,
    `1626993724.3: ${book('snapshot', 20, null, 1626993724250, [['new', 32179.5, 20]], [['new', 32181, 10]])}`,
    `1626993724.4: ${book('change', 21, 20, 1626993724350, [['new', 32180, 700]], [['delete', 32181, 0]])}`,
    '1626993724.5: {"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[{"trade_seq":500,"trade_id":"9001","timestamp":1626993724420,"price":32180.5,"instrument_name":"BTC-PERPETUAL","direction":"buy","amount":30},{"trade_seq":501,"trade_id":"9002","timestamp":1626993724420,"price":32181,"instrument_name":"BTC-PERPETUAL","direction":"buy","amount":10}]}}',
    '1626993724.6: {"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[{"trade_seq":503,"trade_id":"9004","timestamp":1626993724520,"price":32179.5,"instrument_name":"BTC-PERPETUAL","direction":"sell","amount":20,"liquidation":"M"}]}}',
    '1626993724.7: {"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.raw","data":{"timestamp":1626993724600,"instrument_name":"BTC-PERPETUAL","mark_price":32180.27,"index_price":32179.91,"last_price":32179.5,"open_interest":641234560,"current_funding":1.2e-7,"funding_8h":0.0000211,"best_bid_price":32180,"best_bid_amount":700,"best_ask_price":0,"best_ask_amount":0,"state":"open"}}}',
    '1626993724.8: {"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}',
  ];
  const path = tmpFile('hand.ws.1.0.txt', lines.join('\n') + '\n');
  const strict = await openSource(path);
  await assert.rejects(replay(strict), { message: `${path}:4: prev_change_id: sequence gap for DERIBIT.BTC-PERPETUAL: expected prev_change_id=11, was 12` });
  const source = await openSource(path, { policy: 'repair' });
  const rows: EventRow[] = [];
  for await (const batch of source.batches()) for (let i = 0; i < batch.length; i++) rows.push(rowAt(batch, i));
  const ns = (ms: number) => BigInt(ms) * 1_000_000n;
  const row = (ms: number, recv: string, action: number, side: number, price: number, size: number, orderId: number, seq: number, flags: number, line: number): EventRow => ({
    tsEventNs: ns(ms), tsRecvNs: BigInt(recv.replace('.', '').padEnd(19, '0')), instrument: 0, action, side, price, size, orderId, seq, flags, sourceRow: line,
  });
  const S = Flag.Snapshot;
  assert.deepEqual(rows, [
    row(1626993723800, '1626993723.9', Action.SnapshotBegin, 0, 0, 0, 0, 10, S, 2),
    row(1626993723800, '1626993723.9', Action.LevelSet, 1, 3_218_000_000_000, 10_000_000, 0, 10, S, 2),
    row(1626993723800, '1626993723.9', Action.LevelSet, 1, 3_217_950_000_000, 200_000, 0, 10, S, 2),
    row(1626993723800, '1626993723.9', Action.LevelSet, -1, 3_218_050_000_000, 50_000_000, 0, 10, S, 2),
    row(1626993723800, '1626993723.9', Action.SnapshotEnd, 0, 0, 0, 0, 10, S | Flag.Last, 2),
    row(1626993723950, '1626993724.0', Action.LevelSet, 1, 3_218_000_000_000, 15_000_000, 0, 11, Flag.Last, 3),
    // Line 4 does not follow change 11: a gap; it and line 5 wait for the snapshot of line 6.
    row(1626993724250, '1626993724.3', Action.SnapshotBegin, 0, 0, 0, 0, 20, S, 6),
    row(1626993724250, '1626993724.3', Action.LevelSet, 1, 3_217_950_000_000, 200_000, 0, 20, S, 6),
    row(1626993724250, '1626993724.3', Action.LevelSet, -1, 3_218_100_000_000, 100_000, 0, 20, S, 6),
    row(1626993724250, '1626993724.3', Action.SnapshotEnd, 0, 0, 0, 0, 20, S | Flag.Last, 6),
    row(1626993724350, '1626993724.4', Action.LevelSet, 1, 3_218_000_000_000, 7_000_000, 0, 21, 0, 7),
    row(1626993724350, '1626993724.4', Action.LevelDelete, -1, 3_218_100_000_000, 0, 0, 21, Flag.Last, 7),
    row(1626993724420, '1626993724.5', Action.Trade, 1, 3_218_050_000_000, 300_000, 0, 500, 0, 8),
    row(1626993724420, '1626993724.5', Action.Trade, 1, 3_218_100_000_000, 100_000, 0, 501, Flag.Last, 8),
    // trade_seq 502 is missing: counted under repair, the trade itself kept.
    row(1626993724520, '1626993724.6', Action.Trade, -1, 3_217_950_000_000, 200_000, 0, 503, Flag.Last, 9),
    row(1626993724600, '1626993724.7', Action.Stat, 0, 3_218_027_000_000, 0, Stat.MarkPrice, 10, 0, 10),
    row(1626993724600, '1626993724.7', Action.Stat, 0, 3_217_991_000_000, 0, Stat.IndexPrice, 10, 0, 10),
    row(1626993724600, '1626993724.7', Action.Stat, 0, 3_217_950_000_000, 0, Stat.LastPrice, 10, 0, 10),
    // current_funding 1.2e-7 (JSON exponent form) is 120,000 units of 1e-12.
    row(1626993724600, '1626993724.7', Action.Stat, 0, 0, 120_000, Stat.FundingRate, 10, 0, 10),
    row(1626993724600, '1626993724.7', Action.Stat, 0, 0, 6_412_345_600_000, Stat.OpenInterest, 10, Flag.Last, 10),
  ]);
  const report = source.integrity.report;
  assert.equal(report.issueCount('sequence_gap'), 1);
  assert.equal(report.issues.get('trade_sequence_gap')!.examples[0], 'line 9: trade sequence gap for DERIBIT.BTC-PERPETUAL: expected trade_seq=502, was 503');
  assert.deepEqual(
    ['book_unsynced_after_gap', 'book_changes_while_unsynced', 'book_snapshots', 'liquidation_trades', 'funding_8h_not_kept', 'heartbeats'].map((kind) => report.notes.get(kind)),
    [1, 2, 2, 1, 1, 1],
  );
  assert.deepEqual([report.rowsRead, report.skipped], [10, 0]);
});

test('cryptofeed Deribit bad lines: strict stops with file:line: field: detail; skip counts them', needs(DERIBIT), async () => {
  const lines = readFileSync(fixture(DERIBIT), 'utf8').split('\n');
  const snapshot = lines.findIndex((text) => text.includes('"type":"snapshot"'));
  const ticker = lines.findIndex((text) => text.includes('"channel":"ticker.'));
  lines[snapshot] = lines[snapshot]!.replace('["new",0.0015,4714.0]', '["add",0.0015,4714.0]');
  lines[ticker] = lines[ticker]!.replace('"mark_price":0.001972', '"mark_price":"0.001972"');
  const path = tmpFile('bad.ws.1.0.txt', lines.join('\n'));
  await assert.rejects(replay(await openSource(path)), { message: `${path}:${ticker + 1}: mark_price: expected a number, found "0.001972"` });
  const skipping = await openSource(path, { policy: 'skip' });
  const summary = await replay(skipping);
  const report = skipping.integrity.report;
  assert.deepEqual([report.rowsRead, report.skipped, report.issueCount('malformed_row')], [136, 2, 2]);
  assert.equal(report.issues.get('malformed_row')!.examples[1], `line ${snapshot + 1}: bids: expected ["new"|"change"|"delete", price, amount] entries, exact at 8 and 4 decimals`);
  // ETH-30JUL21-2800-C lost its snapshot: its changes wait (no book to apply them to).
  assert.equal(report.notes.get('book_changes_before_snapshot'), 1);
  assert.equal(summary.crossedUpdates, 0);
});
