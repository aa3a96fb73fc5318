import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { replay } from '../../../src/book/replay.js';
import type { Book } from '../../../src/book/view.js';
import type { EventBatch } from '../../../src/core/batch.js';
import { Action, Flag } from '../../../src/core/event.js';
import type { EventSource } from '../../../src/core/source.js';
import { openSource } from '../../../src/io/index.js';
import { zipSingleEntryBytes } from '../../../src/io/zip.js';
import { fixture, needs } from '../../support/data.js';
import { zipArchive } from './zip-archive.js';
import { tempDir } from '../../support/temp.js';

const OB500 = 'bybit_XRPUSDT-linear_2024-12-01_ob500_first50.data.zip';
const MEMBER = '2024-12-01_XRPUSDT_ob500.data';
const dir = tempDir('flowmine-bybit-');

interface Message {
  topic: string;
  type: string;
  ts: number;
  cts: number;
  data: { s: string; b: [string, string][]; a: [string, string][]; u: number; seq: number };
}

/** The member's lines (CRLF-terminated, as Bybit writes them). */
async function memberLines(): Promise<string[]> {
  const parts: Uint8Array[] = [];
  for await (const chunk of zipSingleEntryBytes(fixture(OB500))) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8').split('\r\n').filter((line) => line !== '');
}

/** Writes lines as a deflated one-member zip, the way Bybit ships them. */
function zipOf(lines: string[], name: string): string {
  const path = join(dir, name);
  writeFileSync(path, zipArchive([{ name: MEMBER, data: Buffer.from(lines.map((line) => line + '\r\n').join('')) }]));
  return path;
}

/** The book after each message, rebuilt from the JSON text alone: price text -> size text per side, no flowmine code. */
function textBooks(messages: Message[]): { bids: Map<string, string>; asks: Map<string, string> }[] {
  const bids = new Map<string, string>();
  const asks = new Map<string, string>();
  return messages.map((message) => {
    if (message.type === 'snapshot') {
      bids.clear();
      asks.clear();
    }
    for (const [levels, side] of [[message.data.b, bids], [message.data.a, asks]] as const) {
      for (const [price, size] of levels) {
        if (Number(size) === 0) side.delete(price);
        else side.set(price, size);
      }
    }
    return { bids: new Map(bids), asks: new Map(asks) };
  });
}

/** A side of a book as [price units, size units] best first, at 4 price decimals and 0 size decimals. */
function sideOf(levels: Map<string, string>, side: number): [number, number][] {
  return [...levels].map(([price, size]): [number, number] => [Math.round(Number(price) * 1e4), Number(size)]).sort((x, y) => side * (y[0] - x[0]));
}
function bookSide(book: Book, side: number): [number, number][] {
  return Array.from({ length: book.depth(side) }, (_, rank): [number, number] => [book.priceAt(side, rank), book.sizeAt(side, rank)]);
}

/** Replays a source and compares the whole book after every update with the text-rebuilt one of its line. */
async function replayAgainstText(source: EventSource, truth: (line: number) => { bids: Map<string, string>; asks: Map<string, string> }) {
  let compared = 0;
  const summary = await replay(source, {
    onUpdate(book, batch, row) {
      const expected = truth(batch.sourceRow[row]!);
      assert.deepEqual(bookSide(book, 1), sideOf(expected.bids, 1), `bids after line ${batch.sourceRow[row]}`);
      assert.deepEqual(bookSide(book, -1), sideOf(expected.asks, -1), `asks after line ${batch.sourceRow[row]}`);
      compared++;
    },
  });
  return { summary, compared };
}

async function allRows(source: EventSource): Promise<EventBatch[]> {
  const batches: EventBatch[] = [];
  for await (const batch of source.batches()) batches.push(batch);
  return batches;
}

test('Bybit ob500: 1 snapshot and 49 deltas of XRPUSDT; after every update the book equals the one rebuilt from the text, 500 levels a side', needs(OB500), async () => {
  const source = await openSource(fixture(OB500));
  assert.equal(source.format, 'bybit-ob500');
  assert.equal(source.depthLimit, 500, 'from the topic orderbook.500.XRPUSDT');
  const lines = await memberLines();
  assert.equal(lines.length, 50);
  const books = textBooks(lines.map((line) => JSON.parse(line) as Message));
  const { summary, compared } = await replayAgainstText(source, (line) => books[line - 1]!);
  const report = source.integrity.report;
  assert.deepEqual([report.rowsRead, report.accepted, report.skipped], [50, 50, 0]);
  assert.equal(report.issues.size, 0, JSON.stringify(Object.fromEntries(report.issues)));
  assert.equal(report.notes.get('snapshots'), 1);
  assert.equal(compared, 50);
  assert.equal(summary.updates, 50);
  assert.equal(summary.crossedUpdates, 0);
  // Bybit keeps the ob500 book at exactly 500 levels a side: every level leaving the window is deleted.
  assert.ok(books.every((book) => book.bids.size === 500 && book.asks.size === 500));
  assert.deepEqual(source.instruments.list, [{ venue: 'bybit', symbol: 'XRPUSDT', venueId: -1, priceDecimals: 4, sizeDecimals: 0, tickUnits: 1 }]);
});

test('Bybit ob500 rows: depth-500 snapshot, LevelSet/LevelDelete, seq = u, tsEvent = cts, no receive time', needs(OB500), async () => {
  const source = await openSource(fixture(OB500));
  const batches = await allRows(source);
  const byAction = new Map<number, number>();
  let lastFlags = 0;
  let first: { ts: number; seq: number; size: number; action: number } | null = null;
  let lastSeq = 0;
  for (const batch of batches) {
    assert.equal(batch.timeBaseNs, 1_733_011_200_000_000_000n, '2024-12-01T00:00:00Z');
    for (let i = 0; i < batch.length; i++) {
      byAction.set(batch.action[i]!, (byAction.get(batch.action[i]!) ?? 0) + 1);
      assert.ok(Number.isNaN(batch.tsRecv[i]!));
      first ??= { ts: batch.tsEvent[i]!, seq: batch.seq[i]!, size: batch.size[i]!, action: batch.action[i]! };
      if (batch.flags[i]! & Flag.Last) lastFlags++;
      lastSeq = batch.seq[i]!;
    }
  }
  assert.deepEqual(first, { ts: 589_000_000, seq: 20_254_869, size: 500, action: Action.SnapshotBegin }, 'cts 00:00:00.589, u, depth 500');
  assert.equal(lastSeq, 20_254_918);
  assert.deepEqual(Object.fromEntries(byAction), { [Action.SnapshotBegin]: 1, [Action.LevelSet]: 3_948, [Action.LevelDelete]: 18, [Action.SnapshotEnd]: 1 });
  assert.equal(lastFlags, 50, 'one atomic update per message');
});

test('Bybit ob500: the same lines deflated in a zip, unzipped, or gzip-compressed give the same rows', needs(OB500), async () => {
  const lines = await memberLines();
  const plain = join(dir, MEMBER);
  writeFileSync(plain, lines.join('\n') + '\n');
  const gzipped = join(dir, `${MEMBER}.gz`);
  writeFileSync(gzipped, gzipSync(lines.join('\r\n') + '\r\n'));
  const expected = await allRows(await openSource(fixture(OB500)));
  for (const path of [zipOf(lines, 'deflated.data.zip'), plain, gzipped]) {
    const source = await openSource(path);
    assert.equal(source.format, 'bybit-ob500', path);
    const batches = await allRows(source);
    assert.deepEqual(
      batches.map((batch) => [batch.length, batch.price, batch.size, batch.seq, batch.tsEvent]),
      expected.map((batch) => [batch.length, batch.price, batch.size, batch.seq, batch.tsEvent]),
    );
  }
});

test('Bybit ob500 gaps: every removed stretch of deltas is caught by u; the book waits for the next snapshot and is right again after it', needs(OB500), async () => {
  const lines = await memberLines();
  const messages = lines.map((line) => JSON.parse(line) as Message);
  const truth = textBooks(messages);
  // Remove deltas 10-11 (one gap) and 30 (another).
  const gapped = lines.filter((_, k) => ![9, 10, 29].includes(k));
  const path = zipOf(gapped, 'gapped.data.zip');
  await assert.rejects(replay(await openSource(path)), { message: `${path}:10: u: sequence gap for bybit XRPUSDT: expected u=20254878, was 20254880` });
  const source = await openSource(path, { policy: 'repair' });
  const summary = await replay(source);
  const report = source.integrity.report;
  assert.equal(report.issueCount('sequence_gap'), 2, 'one per missing stretch');
  assert.deepEqual(report.issues.get('sequence_gap')!.examples, [
    'line 10: u: sequence gap for bybit XRPUSDT: expected u=20254878, was 20254880',
    'line 28: u: sequence gap for bybit XRPUSDT: expected u=20254898, was 20254899',
  ]);
  assert.deepEqual([report.rowsRead, report.skipped], [47, 2]);
  assert.equal(report.notes.get('book_unsynced_after_gap'), 1);
  assert.equal(report.notes.get('deltas_dropped_while_unsynced'), 36, 'lines 11-47 but the second gap');
  assert.equal(summary.updates, 9, 'the snapshot and the 8 deltas before the first gap');

  // A snapshot restating the true book after message 40 (as Bybit sends one after trouble on its side) resyncs it.
  const snapshotAfter40 = (u: number) => {
    const state = truth[39]!;
    const m = messages[39]!;
    const bids = [...state.bids].sort((x, y) => Number(y[0]) - Number(x[0]));
    const asks = [...state.asks].sort((x, y) => Number(x[0]) - Number(y[0]));
    return JSON.stringify({ topic: m.topic, type: 'snapshot', ts: m.ts, data: { s: 'XRPUSDT', b: bids, a: asks, u, seq: m.data.seq }, cts: m.cts });
  };
  // Lines 1-9 are messages 1-9, lines 10-38 messages 12-40 (dropped: unsynced), 39 the snapshot, 40-49 messages 41-50.
  const resync = zipOf([...lines.slice(0, 9), ...lines.slice(11, 40), snapshotAfter40(messages[39]!.data.u), ...lines.slice(40)], 'resync.data.zip');
  const resynced = await openSource(resync, { policy: 'repair' });
  const after = await replayAgainstText(resynced, (line) => truth[line <= 9 ? line - 1 : line]!);
  assert.equal(resynced.integrity.report.issueCount('sequence_gap'), 1);
  assert.equal(resynced.integrity.report.notes.get('resynced_at_snapshot'), 1);
  assert.equal(after.compared, 9 + 1 + 10, 'before the gap, the snapshot, the 10 deltas after it');
  assert.equal(after.summary.crossedUpdates, 0);

  // A snapshot with u = 1 is Bybit's restatement after a service restart: the deltas after it count on from 1.
  const restarted = [...lines.slice(0, 40), snapshotAfter40(1), ...lines.slice(40).map((line, k) => line.replace(/"u":\d+/, `"u":${k + 2}`))];
  const restart = await openSource(zipOf(restarted, 'restart.data.zip'));
  const restartReplay = await replayAgainstText(restart, (line) => truth[line <= 40 ? line - 1 : line === 41 ? 39 : line - 2]!);
  assert.equal(restart.integrity.report.notes.get('service_restart_snapshots'), 1);
  assert.equal(restart.integrity.report.issues.size, 0);
  assert.equal(restartReplay.compared, 51);
});

test('Bybit ob500: a malformed line is one exact line under strict; under skip it is counted and quarantined', needs(OB500), async () => {
  const lines = await memberLines();
  const badPrice = [...lines];
  badPrice[1] = badPrice[1]!.replace('["1.9531","6198"]', '["1.95315","6198"]');
  const path = zipOf(badPrice, 'bad-price.data.zip');
  await assert.rejects(replay(await openSource(path)), {
    message: `${path}:2: b: expected [price, size] as decimal text with at most 4 and 0 decimals (the first snapshot's) and a size (0 removes the level), was ["1.95315","6198"]`,
  });
  const twoBad = [...badPrice];
  twoBad[4] = twoBad[4]!.slice(0, 100);
  const quarantined: string[] = [];
  const skipPath = zipOf(twoBad, 'two-bad.data.zip');
  const source = await openSource(skipPath, { policy: 'skip', quarantine: { write: (_file, line, reason) => void quarantined.push(`${line}: ${reason}`) } });
  const summary = await replay(source);
  const report = source.integrity.report;
  assert.deepEqual([report.rowsRead, report.accepted, report.skipped], [50, 47, 3]);
  assert.equal(report.issueCount('malformed_row'), 2);
  // The unreadable line 5 is missing from the chain of update ids, which line 6 shows.
  assert.deepEqual(quarantined, [
    `2: malformed_row: b: expected [price, size] as decimal text with at most 4 and 0 decimals (the first snapshot's) and a size (0 removes the level), was ["1.95315","6198"]`,
    '5: malformed_row: json: not valid JSON',
    '6: sequence_gap: u: sequence gap for bybit XRPUSDT: expected u=20254873, was 20254874',
  ]);
  assert.equal(report.notes.get('book_unsynced_after_rejected_delta'), 1);
  assert.equal(report.notes.get('deltas_dropped_while_unsynced'), 46, 'lines 3-50 but lines 5 and 6');
  assert.equal(summary.updates, 1, 'only the snapshot: the book missed line 2 and waits for a snapshot');

  // A zip of something else, named as this format: one line at open.
  const other = join(dir, 'other.zip');
  writeFileSync(other, zipArchive([{ name: 'trades.csv', data: Buffer.from('timestamp,symbol,side,size,price\n') }]));
  await assert.rejects(openSource(other, { format: 'bybit-ob500' }), { message: `${other}: not a Bybit orderbook file (its first line has no "topic":"orderbook.<depth>.<symbol>")` });
});
