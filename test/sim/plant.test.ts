import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Replayer } from '../../src/book/replay.js';
import type { EpisodeKind } from '../../src/core/episode.js';
import { Action } from '../../src/core/event.js';
import type { EventBatch } from '../../src/core/batch.js';
import type { EventSource, OpenOptions } from '../../src/core/source.js';
import { openSource } from '../../src/io/index.js';
import { LobsterWriter } from '../../src/sim/lobster-writer.js';
import { plantEpisodes, PLANTABLE_KINDS, type PlantedSource } from '../../src/sim/plant.js';
import { openScenario } from '../../src/sim/source.js';
import { writeScenarioRun } from '../../src/sim/write-run.js';
import { fixture, needs, REPO_ROOT } from '../support/data.js';
import { readStream, rowsOf, type Stream } from './support.js';
import { tempDir } from '../support/temp.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const ES25 = 'databento_GLBX-MDP3_ESH4_2023-12-25_mbo.dbn.zst';
const ALL = Object.keys(PLANTABLE_KINDS) as EpisodeKind[];

/** Writes a planted source as LOBSTER files; returns them, the planted source and its merged stream. */
async function plantAndWrite(path: string, options: OpenOptions, kinds: EpisodeKind[], count: number, levels?: number) {
  const planted = await plantEpisodes(() => openSource(path, options), { kinds, count, seed: 5 });
  const dir = tempDir('flowmine-plant-');
  const writer = new LobsterWriter(dir, planted.instruments.get(0), 0, { levels: levels ?? planted.windowLevels ?? 10, levelTotalsFollowVenue: planted.windowLevels !== undefined });
  const batches: EventBatch[] = [];
  for await (const batch of planted.batches()) {
    writer.push(batch);
    batches.push(batch);
  }
  const merged = await readStream({ ...sourceShape(planted), batches: async function* () { yield* batches; } });
  let maxInputId = 0;
  for await (const batch of (await openSource(path, options)).batches()) for (const id of batch.orderId) maxInputId = Math.max(maxInputId, id);
  return { planted, files: writer.close(), merged, maxInputId };
}

function sourceShape(source: EventSource): EventSource {
  return { format: source.format, path: source.path, granularity: source.granularity, instruments: source.instruments, integrity: source.integrity, ...(source.windowLevels !== undefined && { windowLevels: source.windowLevels }), batches: () => source.batches() };
}

async function replayOutput(path: string, companion: boolean, levels: number) {
  const source = await openSource(path, companion ? {} : { companion: false });
  const expected = readFileSync(path.replace('_message_', '_orderbook_'), 'latin1').split('\n');
  const replayer = Replayer.for(source);
  let compared = 0;
  let matched = 0;
  const top = (book: import('../../src/book/view.js').BookView) => {
    const cells: string[] = [];
    for (let rank = 0; rank < levels; rank++) {
      cells.push(rank < book.depth(-1) ? `${book.priceAt(-1, rank)},${book.sizeAt(-1, rank)}` : '9999999999,0');
      cells.push(rank < book.depth(1) ? `${book.priceAt(1, rank)},${book.sizeAt(1, rank)}` : '-9999999999,0');
    }
    return cells.join(',');
  };
  for await (const batch of source.batches()) replayer.push(batch, (book) => (top(book) === expected[compared++] ? matched++ : 0));
  return { compared, matched, summary: replayer.finish(), report: source.integrity.report };
}

/**
 * Every episode's orders are in the merged stream (the first at the episode's start), with ids above
 * all of the input's; in the LOBSTER output (which names only resting orders) some of them are visible
 * inside the episode.
 */
function checkEpisodes(planted: PlantedSource, merged: Stream, output: Stream, maxInputId: number) {
  const truth = planted.truth();
  for (const episode of truth.episodes) {
    const rows = rowsOf(merged, episode.orderIds);
    let firstSeen = Infinity;
    for (const id of episode.orderIds) {
      assert.ok(id > maxInputId, `planted id ${id} above the input's ids (${maxInputId})`);
      assert.ok(truth.identityOf(id) >= 0);
      const own = rows.get(id)!;
      assert.ok(own.length > 0, `order ${id} of a ${episode.kind} episode is in the stream`);
      firstSeen = Math.min(firstSeen, merged.ts[own[0]!]!);
    }
    assert.equal(firstSeen, episode.startNs, `${episode.kind} starts with its first order`);
    const shift = Number(output.timeBaseNs - merged.timeBaseNs);
    const visible = [...rowsOf(output, episode.orderIds).values()].flat().map((row) => output.ts[row]! + shift);
    assert.ok(visible.some((ts) => ts >= episode.startNs && ts <= episode.endNs), `${episode.kind}: planted orders in the LOBSTER output`);
  }
}

test('planting into a simulated LOBSTER stream: every kind, the output replays from its messages alone to its orderbook file, the episodes are where the truth says', async () => {
  const dir = tempDir('flowmine-plant-input-');
  const input = await writeScenarioRun(openScenario(join(REPO_ROOT, 'scenarios', 'baseline.json'), { duration: '20m' }), dir);
  const { planted, files, merged, maxInputId } = await plantAndWrite(input.messagePath, { companion: false }, ALL, 2);
  const truth = planted.truth();
  const kinds = new Set(truth.episodes.map((episode) => episode.kind));
  assert.ok(kinds.size >= 6, `kinds planted: ${[...kinds].join(', ')}`);
  const oracle = await replayOutput(files.messagePath, false, 10);
  assert.equal(oracle.compared, files.messages);
  assert.equal(oracle.matched, oracle.compared);
  assert.deepEqual(oracle.summary.findings, {});
  assert.equal(oracle.summary.crossedUpdates, 0);
  // The input had every message of the output but the planted ones (and the real rows planted flow made moot).
  const notes = Object.fromEntries(planted.integrity.report.notes);
  assert.ok(notes.planted_messages > 100);
  // The output's events hold each episode at its place; the input's ids stay below the planted ones.
  const stream = await readStream(await openSource(files.messagePath, { companion: false }));
  checkEpisodes(planted, merged, stream, maxInputId);
  // A planted spoof is still a spoof: never filled, deleted at the episode's end.
  for (const episode of truth.episodes.filter((e) => e.kind === 'spoofing')) {
    const own = rowsOf(stream, [episode.orderIds[0]!]).get(episode.orderIds[0]!)!;
    assert.equal(own.filter((row) => stream.action[row] === Action.Fill).length, 0);
    assert.equal(stream.ts[own[own.length - 1]!], episode.endNs);
  }
});

test('planting into AMZN (LOBSTER level 1): the merged files replay under the strict policy with their orderbook file, never crossed', needs(AMZN), async () => {
  const { planted, files, merged, maxInputId } = await plantAndWrite(fixture(AMZN), {}, ['spoofing', 'quote_stuffing', 'wash_trading', 'iceberg', 'momentum_ignition'], 2);
  assert.match(files.messagePath, /AMZN_2012-06-21_\d+_\d+_message_1\.csv$/);
  const replayed = await replayOutput(files.messagePath, true, 1);
  assert.deepEqual(replayed.summary.findings, {});
  assert.equal(replayed.summary.crossedUpdates, 0);
  assert.equal(replayed.report.issues.size, 0);
  const truth = planted.truth();
  assert.ok(truth.episodes.length >= 5, `${truth.episodes.length} episodes`);
  assert.ok(files.messages > 57_515);
  checkEpisodes(planted, merged, await readStream(await openSource(files.messagePath)), maxInputId);
});

test('planting into ESH4 (Databento MBO): the merged LOBSTER files replay from the messages alone, crossed only in the pre-open', needs(ES25), async () => {
  const { planted, files, merged, maxInputId } = await plantAndWrite(fixture(ES25), {}, ALL, 2);
  const replayed = await replayOutput(files.messagePath, false, 10);
  assert.equal(replayed.matched, replayed.compared);
  assert.deepEqual(replayed.summary.findings, {});
  assert.equal(replayed.summary.crossedWhileNotTrading, replayed.summary.crossedUpdates);
  const truth = planted.truth();
  assert.ok(truth.episodes.length >= 6, `${truth.episodes.length} episodes`);
  checkEpisodes(planted, merged, await readStream(await openSource(files.messagePath, { companion: false })), maxInputId);
});
