import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import type { Book } from '../../../src/book/view.js';
import { Action } from '../../../src/core/event.js';
import { openSource } from '../../../src/io/index.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const BYBIT = 'cryptofeed_BYBIT.ws.25.0.txt';
const SYMBOLS = ['BCHUSDT', 'XTZUSDT', 'UNIUSDT', 'LTCUSDT', 'DOTUSDT', 'LINKUSDT', 'ADAUSDT', 'ETHUSDT'];
const dir = tempDir('flowmine-bybit-cf-');

interface Level {
  price: string;
  symbol: string;
  id: string;
  side: 'Buy' | 'Sell';
  size?: number;
}
interface BookMessage {
  topic: string;
  type: 'snapshot' | 'delta';
  data: { order_book?: Level[]; delete?: Level[]; update?: Level[]; insert?: Level[] };
  cross_seq: string;
  timestamp_e6: string;
}

/** The capture's book messages by line (1-based), parsed. */
function bookMessages(lines: string[]): Map<number, BookMessage> {
  const messages = new Map<number, BookMessage>();
  lines.forEach((text, k) => {
    const json = /^\d+\.\d+: (\{"topic":"orderBookL2_25\..*)$/.exec(text)?.[1];
    if (json) messages.set(k + 1, JSON.parse(json) as BookMessage);
  });
  return messages;
}

/** Units of 1e-8 of a decimal (text or JSON number), computed without flowmine code. */
const units = (value: string | number) => Math.round(Number(value) * 1e8);

/** Each symbol's levels by id, rebuilt from the JSON text alone, with the first line (if any) where a message contradicts them. */
function idBooks(messages: Map<number, BookMessage>) {
  const books = new Map<string, Map<string, Level>>();
  const contradictions = new Map<string, number>();
  const after = new Map<number, Map<string, Level>>();
  for (const [line, message] of messages) {
    const symbol = message.topic.split('.')[1]!;
    if (message.type === 'snapshot') books.set(symbol, new Map(message.data.order_book!.map((level) => [level.id, level])));
    else if (!contradictions.has(symbol)) {
      const book = books.get(symbol)!;
      const fits = (level: Level, present: boolean) => (book.get(level.id)?.price === level.price && book.get(level.id)?.side === level.side) === present;
      for (const level of message.data.delete!) if (!fits(level, true)) contradictions.set(symbol, line);
      for (const level of message.data.delete!) book.delete(level.id);
      for (const level of message.data.update!) if (!fits(level, true)) contradictions.set(symbol, line);
      for (const level of message.data.insert!) if (book.has(level.id)) contradictions.set(symbol, line);
      for (const level of [...message.data.update!, ...message.data.insert!]) book.set(level.id, level);
    }
    after.set(line, new Map(books.get(symbol)));
  }
  return { after, contradictions };
}

function sideOf(levels: Map<string, Level>, side: 'Buy' | 'Sell'): [number, number][] {
  const sign = side === 'Buy' ? 1 : -1;
  return [...levels.values()].filter((level) => level.side === side).map((level): [number, number] => [units(level.price), units(level.size!)]).sort((x, y) => sign * (y[0] - x[0]));
}
function bookSide(book: Book, side: number): [number, number][] {
  return Array.from({ length: book.depth(side) }, (_, rank): [number, number] => [book.priceAt(side, rank), book.sizeAt(side, rank)]);
}

test('cryptofeed Bybit: 8 USDT perpetuals, 8 depth-25 snapshots, 3,252 deltas, 101 trades; after every update the book equals the one rebuilt by level id from the text, 25 levels a side', needs(BYBIT), async () => {
  const lines = readFileSync(fixture(BYBIT), 'utf8').split('\n');
  const messages = bookMessages(lines);
  const { after, contradictions } = idBooks(messages);
  assert.equal(contradictions.size, 0, 'the capture is whole: every delete and update names a level the book holds');
  const source = await openSource(fixture(BYBIT));
  assert.equal(source.format, 'cryptofeed');
  assert.equal(source.depthLimit, 25, 'orderBookL2_25, from the sent subscribe frames');
  const baseUs = 1_618_617_600_000_000; // 2021-04-17T00:00:00Z
  const byAction = new Map<number, number>();
  let bookUpdates = 0;
  let eventAfterReceive = 0;
  const summary = await replay(source, {
    onUpdate(book, batch, row) {
      assert.equal(batch.timeBaseNs, BigInt(baseUs) * 1000n);
      if (batch.action[row] === Action.Trade) return;
      const line = batch.sourceRow[row]!;
      const message = messages.get(line)!;
      const expected = after.get(line)!;
      assert.deepEqual(bookSide(book, 1), sideOf(expected, 'Buy'), `bids after line ${line}`);
      assert.deepEqual(bookSide(book, -1), sideOf(expected, 'Sell'), `asks after line ${line}`);
      // Bybit keeps orderBookL2_25 at 25 levels a side: every level leaving the window is deleted, every one entering inserted.
      assert.deepEqual([book.depth(1), book.depth(-1)], [25, 25]);
      assert.equal(batch.tsEvent[row], (Number(message.timestamp_e6) - baseUs) * 1000, `timestamp_e6 of line ${line}`);
      assert.equal(batch.seq[row], Number(message.cross_seq));
      bookUpdates++;
    },
  });
  for await (const batch of (await openSource(fixture(BYBIT))).batches()) {
    for (let i = 0; i < batch.length; i++) {
      byAction.set(batch.action[i]!, (byAction.get(batch.action[i]!) ?? 0) + 1);
      if (batch.tsEvent[i]! > batch.tsRecv[i]!) eventAfterReceive++;
      if (batch.action[i] === Action.SnapshotBegin) assert.equal(batch.size[i], 25, 'a depth-25 snapshot');
    }
  }
  const report = source.integrity.report;
  assert.deepEqual([report.rowsRead, report.accepted, report.skipped], [3_342, 3_342, 0]);
  assert.equal(report.issues.size, 0, JSON.stringify(Object.fromEntries(report.issues)));
  assert.deepEqual(
    [report.notes.get('connection_and_sent_lines'), report.notes.get('subscription_responses'), report.notes.get('snapshots'), report.notes.get('trades')],
    [17, 16, 8, 101],
  );
  assert.deepEqual(source.instruments.list.map((instrument) => instrument.symbol), SYMBOLS);
  assert.deepEqual(Object.fromEntries(byAction), { [Action.Trade]: 101, [Action.SnapshotBegin]: 8, [Action.LevelSet]: 16_215, [Action.LevelDelete]: 4_127, [Action.SnapshotEnd]: 8 });
  assert.equal(bookUpdates, 8 + 3_252);
  assert.equal(summary.updates, 8 + 3_252 + 66, 'and one per trade message');
  assert.equal(summary.crossedUpdates, 0);
  assert.equal(eventAfterReceive, 0, 'the venue time of every row precedes its capture time');
});

test('cryptofeed Bybit: sizes are the single-precision floats Bybit prints, kept exactly; trades carry the taker side and trade_time_ms', needs(BYBIT), async () => {
  const source = await openSource(fixture(BYBIT));
  const rows: string[] = [];
  for await (const batch of source.batches()) {
    for (let i = 0; i < batch.length; i++) {
      const line = batch.sourceRow[i]!;
      // Line 42: XTZUSDT update of 7.213 Sell to 642.60004 (642.6 one float32 step up); line 18: the first trade.
      if ((line === 42 && batch.price[i] === 721_300_000) || line === 18) rows.push(`${line} ${batch.action[i]} ${batch.side[i]} ${batch.price[i]} ${batch.size[i]} ${batch.tsEvent[i]} ${batch.seq[i]}`);
    }
  }
  assert.deepEqual(rows, [
    `18 ${Action.Trade} 1 105390000000 14000000 ${(1_618_677_785_116 - 1_618_617_600_000) * 1e6} 18`,
    `42 ${Action.LevelSet} -1 721300000 64260004000 ${(1_618_677_784_994_654 - 1_618_617_600_000_000) * 1e3} 726227745`,
  ]);
});

test('cryptofeed Bybit gaps: a removed delta is caught where a later one names a level it changed; with prev_cross_seq every removal is caught', needs(BYBIT), async () => {
  const lines = readFileSync(fixture(BYBIT), 'utf8').split('\n');
  const messages = bookMessages(lines);
  // Remove every 40th delta.
  const removed = new Set([...messages].filter(([, message]) => message.type === 'delta').map(([line]) => line).filter((_, k) => k % 40 === 39));
  assert.equal(removed.size, 81);
  const keptLine = (line: number) => line - [...removed].filter((gone) => gone < line).length;
  const kept = lines.filter((_, k) => !removed.has(k + 1));
  const path = join(dir, 'gapped.ws.25.0.txt');
  writeFileSync(path, kept.join('\n'));
  // Where the text itself first contradicts each symbol's levels once the messages are gone.
  const { contradictions } = idBooks(bookMessages(kept));
  assert.equal(contradictions.size, 8, 'every symbol lost a message that a later one contradicts');
  const expectedLines = [...contradictions.values()].sort((x, y) => x - y);
  await assert.rejects(replay(await openSource(path)), (error: Error) => error.message.startsWith(`${path}:${expectedLines[0]}: `) && / of bybit [A-Z]+USDT, but the book (does not hold it|holds it as (Buy|Sell) at \d+ units): messages are missing$/.test(error.message));
  const source = await openSource(path, { policy: 'repair' });
  const summary = await replay(source);
  const report = source.integrity.report;
  const found = report.issues.get('book_out_of_sync')!;
  assert.equal(found.count, 8, 'one per symbol: its book then waits for a snapshot (none follows in these 30 s)');
  assert.deepEqual(found.examples.map((example) => Number(/^line (\d+): /.exec(example)![1])), expectedLines.slice(0, 5));
  assert.equal(report.notes.get('book_unsynced_after_gap'), 8);
  assert.equal(summary.crossedUpdates, 0);

  // The same removals from a copy whose messages carry prev_cross_seq (each symbol's previous cross_seq): every one is caught.
  const previous = new Map<string, string>();
  const chained = lines.map((text, k) => {
    const message = messages.get(k + 1);
    if (!message) return text;
    const symbol = message.topic.split('.')[1]!;
    const withPrevious = previous.has(symbol) ? text.replace(`"cross_seq":"${message.cross_seq}"`, `"prev_cross_seq":"${previous.get(symbol)}","cross_seq":"${message.cross_seq}"`) : text;
    previous.set(symbol, message.cross_seq);
    return withPrevious;
  });
  const chainedPath = join(dir, 'chained.ws.25.0.txt');
  writeFileSync(chainedPath, chained.filter((_, k) => !removed.has(k + 1)).join('\n'));
  // The gaps, from the text: the first kept message of a symbol after removed ones (one gap per stretch).
  const gaps: string[] = [];
  const lastKept = new Map<string, string>();
  const lastSeen = new Map<string, string>();
  for (const [line, message] of messages) {
    const symbol = message.topic.split('.')[1]!;
    if (!removed.has(line)) {
      if (lastSeen.has(symbol) && lastSeen.get(symbol) !== lastKept.get(symbol)) {
        gaps.push(`${keptLine(line)}: prev_cross_seq: sequence gap for bybit ${symbol}: prev_cross_seq=${lastSeen.get(symbol)}, the previous message's cross_seq was ${lastKept.get(symbol)}`);
      }
      lastKept.set(symbol, message.cross_seq);
    }
    lastSeen.set(symbol, message.cross_seq);
  }
  gaps.sort((x, y) => parseInt(x) - parseInt(y));
  assert.equal(gaps.length, 81, 'no two removals of one symbol were adjacent');
  await assert.rejects(replay(await openSource(chainedPath)), { message: `${chainedPath}:${gaps[0]}` });
  const chainedSource = await openSource(chainedPath, { policy: 'repair' });
  await replay(chainedSource);
  const chainedReport = chainedSource.integrity.report;
  assert.equal(chainedReport.issueCount('sequence_gap'), gaps.length);
  assert.deepEqual(chainedReport.issues.get('sequence_gap')!.examples, gaps.slice(0, 5).map((gap) => `line ${gap}`));
  assert.deepEqual([...chainedReport.issues.keys()], ['sequence_gap'], 'each gap is caught before any level could contradict the book');
});

test('cryptofeed Bybit: a malformed level is one exact line under strict; under skip only that book waits for a snapshot', needs(BYBIT), async () => {
  const lines = readFileSync(fixture(BYBIT), 'utf8').split('\n');
  const altered = [...lines];
  altered[41] = altered[41]!.replace('"price":"7.213"', '"price":"7.2x3"');
  const path = join(dir, 'malformed.ws.25.0.txt');
  writeFileSync(path, altered.join('\n'));
  await assert.rejects(replay(await openSource(path)), {
    message: `${path}:42: update: expected {price, symbol: "XTZUSDT", id, side: "Buy" or "Sell", size > 0} with at most 8 decimals, was {"price":"7.2x3","symbol":"XTZUSDT","id":"72130","side":"Sell","size":642.60004}`,
  });
  const quarantined: string[] = [];
  const source = await openSource(path, { policy: 'skip', quarantine: { write: (_file, line, reason) => void quarantined.push(`${line}: ${reason}`) } });
  const summary = await replay(source);
  const report = source.integrity.report;
  const xtzDeltasAfter = [...bookMessages(lines)].filter(([line, message]) => line > 42 && message.topic.endsWith('.XTZUSDT')).length;
  assert.deepEqual([report.rowsRead, report.accepted, report.skipped], [3_342, 3_341, 1]);
  assert.deepEqual(quarantined, [
    '42: malformed_row: update: expected {price, symbol: "XTZUSDT", id, side: "Buy" or "Sell", size > 0} with at most 8 decimals, was {"price":"7.2x3","symbol":"XTZUSDT","id":"72130","side":"Sell","size":642.60004}',
  ]);
  assert.equal(report.notes.get('deltas_dropped_while_unsynced'), xtzDeltasAfter);
  assert.equal(summary.updates, 8 + 3_252 + 66 - 1 - xtzDeltasAfter);
  assert.equal(summary.crossedUpdates, 0);
});
