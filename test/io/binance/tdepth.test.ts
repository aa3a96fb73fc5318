import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../../src/book/replay.js';
import { InputError } from '../../../src/core/errors.js';
import { Action, Flag } from '../../../src/core/event.js';
import { Integrity, IntegrityReport } from '../../../src/core/integrity.js';
import type { EventSource } from '../../../src/core/source.js';
import { BinanceTDepthSource } from '../../../src/io/binance/tdepth.js';
import { TDepthFile, tdepthFiles, type TDepthGroup } from '../../../src/io/binance/tdepth-csv.js';
import { openSource, sniffFormat } from '../../../src/io/index.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

/**
 * The fixtures are the first 100 rows of each file of one T_DEPTH download (BTCUSDT USD-M, 2022-11-01):
 * the start of a snapshot taken at 23:49:39.146 (last_update_id 2098021528332; 100 bid levels, its asks
 * are cut off) and the start of the update file, all 100 rows one update (23:59:59.939, ids
 * 2098041693435..2098041696700, pu 2098041693400) that may continue past the cut. They show the columns,
 * the grouping of rows into an update and the decimals; they cannot show an update applied to the
 * snapshot, since 20 million update ids and ten minutes lie between them: the reader reports exactly
 * that gap. The pu chain and an applied update are checked on files made from the fixture rows with
 * rewritten ids (marked "derived" below): they test the reading, not the venue's data.
 */
const SNAP = 'binance-vision_BTCUSDT-perp_T_DEPTH_2022-11-01_snap_first100.csv';
const UPDATE = 'binance-vision_BTCUSDT-perp_T_DEPTH_2022-11-01_update_first100.csv';
const HEADER = 'symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu';

async function groupsOf(path: string, decimals = { price: 1, size: 3 }): Promise<TDepthGroup[]> {
  const integrity = new Integrity('strict', new IntegrityReport(path, 'binance-tdepth'));
  const groups: TDepthGroup[] = [];
  for await (const group of new TDepthFile(path, integrity, () => decimals).groups()) groups.push(group);
  return groups;
}

/** Counts rows by action, the depth updates (Last rows outside snapshots) and the sourceRow of each row. */
async function rowsOf(source: EventSource) {
  const actions = new Map<number, number>();
  const sourceRows: number[] = [];
  let updates = 0;
  for await (const batch of source.batches()) {
    for (let i = 0; i < batch.length; i++) {
      actions.set(batch.action[i]!, (actions.get(batch.action[i]!) ?? 0) + 1);
      sourceRows.push(batch.sourceRow[i]!);
      if (batch.flags[i]! & Flag.Last && !(batch.flags[i]! & Flag.Snapshot)) updates++;
    }
  }
  return { actions, updates, sourceRows };
}

/** Writes a snap and an update file (header + rows) into a fresh folder; returns their paths. */
function writePair(snapRows: string[], updateRows: string[]): { snap: string; update: string } {
  const dir = tempDir('flowmine-tdepth-');
  const snap = join(dir, 'BTCUSDT_T_DEPTH_2022-11-01_snap.csv');
  const update = join(dir, 'BTCUSDT_T_DEPTH_2022-11-01_update.csv');
  writeFileSync(snap, [HEADER, ...snapRows, ''].join('\n'));
  writeFileSync(update, [HEADER, ...updateRows, ''].join('\n'));
  return { snap, update };
}

const dataRows = (name: string) => readFileSync(fixture(name), 'utf8').trimEnd().split('\n').slice(1);
/** A row with its first_update_id, last_update_id and pu replaced. */
const withIds = (row: string, first: number, last: number, pu: number) => {
  const fields = row.split(',');
  fields[2] = String(first);
  fields[3] = String(last);
  fields[8] = String(pu);
  return fields.join(',');
};

test('T_DEPTH: both files are recognised by their header and find each other by name', needs(SNAP, UPDATE), async () => {
  assert.equal(readFileSync(fixture(SNAP), 'utf8').split('\n')[0], HEADER);
  assert.equal(readFileSync(fixture(UPDATE), 'utf8').split('\n')[0], HEADER);
  assert.equal((await sniffFormat(fixture(SNAP))).name, 'binance-tdepth');
  assert.equal((await sniffFormat(fixture(UPDATE))).name, 'binance-tdepth');
  assert.deepEqual(tdepthFiles(fixture(UPDATE)), { snap: fixture(SNAP), update: fixture(UPDATE) });
  assert.deepEqual(tdepthFiles(fixture(SNAP)), { snap: fixture(SNAP), update: fixture(UPDATE) });
  assert.equal((await sniffFormat(fixture('tardis_binance-futures_trades_BTCUSDT_2020-02-22_first9999.csv'))).name, 'tardis-csv');
});

test('T_DEPTH fixtures: 100 snap rows are one snapshot of 100 bids; 100 update rows are one update, sides interleaved', needs(SNAP, UPDATE), async () => {
  const [snapshot, ...moreSnapshots] = await groupsOf(fixture(SNAP));
  assert.equal(moreSnapshots.length, 0);
  assert.deepEqual(
    [snapshot!.type, snapshot!.timeMs, snapshot!.first, snapshot!.last, snapshot!.previous, snapshot!.firstLine, snapshot!.bids.length / 2, snapshot!.asks.length / 2],
    ['snap', 1667346579146, 2098021528332, 2098021528332, NaN, 2, 100, 0],
  );
  // Best bid 20377.00 for 1.770 at 1 price and 3 quantity decimals.
  assert.deepEqual([...snapshot!.bids.subarray(0, 2)], [203770, 1770]);
  const [update, ...moreUpdates] = await groupsOf(fixture(UPDATE));
  assert.equal(moreUpdates.length, 0);
  assert.deepEqual(
    [update!.type, update!.timeMs, update!.first, update!.last, update!.previous, update!.firstLine, update!.bids.length / 2, update!.asks.length / 2],
    ['set', 1667347199939, 2098041693435, 2098041696700, 2098041693400, 2, 23, 77],
  );
  // Rows 2-38 asks, 39-61 bids, 62-101 asks again: each pair keeps its own line.
  assert.deepEqual([...update!.bidLines.subarray(0, 1), ...update!.bidLines.subarray(-1)], [39, 61]);
  assert.deepEqual([...update!.askLines.subarray(36, 38)], [38, 62]);
});

test('T_DEPTH fixtures: the update does not connect to the snapshot, and strict says so with file, line and field', needs(SNAP, UPDATE), async () => {
  await assert.rejects(replay(await openSource(fixture(SNAP))), {
    message: `${fixture(UPDATE)}:2: first_update_id: sequence gap for BINANCE.BTCUSDT: the first diff after snapshot 2098021528332 spans U=2098041693435..u=2098041696700`,
  });
  const source = new BinanceTDepthSource(fixture(UPDATE), { policy: 'repair' });
  const { actions, updates, sourceRows } = await rowsOf(source);
  assert.deepEqual(
    source.instruments.list.map(({ venue, symbol, priceDecimals, sizeDecimals }) => [venue, symbol, priceDecimals, sizeDecimals]),
    [['binance-futures', 'BTCUSDT', 1, 3]],
  );
  const report = source.integrity.report;
  assert.equal(report.rowsRead, 200);
  assert.equal(report.accepted, 200);
  assert.equal(report.issueCount('sequence_gap'), 1);
  assert.equal(report.issues.size, 1);
  assert.equal(report.notes.get('snapshots'), 1);
  // The update waits for a snapshot that would sync it; the fixtures hold none.
  assert.equal(report.notes.get('depth_never_synced'), 1);
  assert.deepEqual([actions.get(Action.SnapshotBegin), actions.get(Action.LevelSet), actions.get(Action.SnapshotEnd), updates], [1, 100, 1, 0]);
  // Snapshot rows name their own lines of the snap file.
  assert.deepEqual(sourceRows.slice(0, 3), [2, 2, 3]);
  assert.equal(sourceRows.at(-2), 101);
});

test('T_DEPTH derived pair: the fixture update applied to the fixture snapshot given an id it spans', needs(SNAP, UPDATE), async () => {
  // Derived: the snapshot rows' ids set to 2098041693500, inside the update's 2098041693435..2098041696700.
  const snapRows = dataRows(SNAP).map((row) => withIds(row, 2098041693500, 2098041693500, -1));
  const { update } = writePair(snapRows, dataRows(UPDATE));
  const source = await openSource(update);
  let bbo: number[] = [];
  const summary = await replay(source, {
    onUpdate(book, batch, row) {
      if (!(batch.flags[row]! & Flag.Snapshot)) bbo = [book.bestBidPrice(), book.bestBidSize(), book.bestAskPrice(), book.bestAskSize()];
    },
  });
  const report = source.integrity.report;
  assert.equal(report.issues.size, 0, JSON.stringify(Object.fromEntries(report.issues)));
  // Complete updates: the snapshot, then the update.
  assert.equal(summary.updates, 2);
  assert.equal(summary.crossedUpdates, 0);
  // The update's best bid 20472.10 (22.276) and best ask 20472.20 (4.211): that price leaves the bids
  // (line 59, quantity 0) and joins the asks (line 63) within the one update.
  assert.deepEqual(bbo, [204721, 22276, 204722, 4211]);
  const rows = await rowsOf(await openSource(update));
  // 100 update rows: quantity 0 removes a level.
  const zeros = dataRows(UPDATE).filter((row) => row.split(',')[7] === '0.000').length;
  assert.equal(rows.actions.get(Action.LevelDelete), zeros);
  assert.equal(rows.actions.get(Action.LevelSet), 100 + 100 - zeros);
});

/** Derived: the fixture update's 100 rows as 10 chained updates of 10 rows (ids 1,000 apart) after a snapshot they start at. */
function chainedPair(skip: number[] = []) {
  const base = 2098041693435;
  const rows = dataRows(UPDATE);
  const updateRows: string[] = [];
  for (let k = 0; k < 10; k++) {
    if (skip.includes(k)) continue;
    const first = base + 1000 * k;
    const pu = k === 0 ? 2098041693400 : first - 1;
    for (const row of rows.slice(10 * k, 10 * k + 10)) updateRows.push(withIds(row, first, first + 999, pu));
  }
  const snapRows = dataRows(SNAP).map((row) => withIds(row, base + 500, base + 500, -1));
  return writePair(snapRows, updateRows);
}

test('T_DEPTH derived chain: ten updates chained by pu all apply; removing two is two gaps, strict stops at the first', needs(SNAP, UPDATE), async () => {
  const whole = chainedPair();
  const clean = await openSource(whole.update);
  const summary = await replay(clean);
  assert.equal(clean.integrity.report.issues.size, 0);
  // Complete updates: the snapshot and the ten updates.
  assert.equal(summary.updates, 11);
  const gapped = chainedPair([3, 7]);
  // Update 4 starts on line 2 + 3 × 10 of the gapped file (updates 0-2 fill lines 2-31).
  await assert.rejects(replay(await openSource(gapped.update)), {
    message: `${gapped.update}:32: pu: sequence gap for BINANCE.BTCUSDT: expected pu=${2098041693435 + 2999}, was ${2098041693435 + 3999}`,
  });
  const source = await openSource(gapped.snap, { policy: 'repair' });
  const repaired = await replay(source);
  const report = source.integrity.report;
  assert.equal(report.issueCount('sequence_gap'), 2, 'one finding per missing update');
  assert.equal(report.issues.get('sequence_gap')!.examples[1], `${gapped.update}:62: sequence gap for BINANCE.BTCUSDT: expected pu=${2098041693435 + 6999}, was ${2098041693435 + 7999}`);
  assert.equal(report.notes.get('book_unsynced_after_gap'), 1);
  // The snapshot and updates 0-2 applied; 4-6 and 8-9 wait for a snapshot the files do not have.
  assert.equal(repaired.updates, 4);
  assert.equal(report.notes.get('depth_never_synced'), 2);
  assert.equal(repaired.crossedUpdates, 0);
});

test('T_DEPTH: a malformed row stops strict naming file, line and field; skip drops its whole update and counts', needs(SNAP, UPDATE), async () => {
  const rows = dataRows(UPDATE);
  rows[48] = rows[48]!.replace(',20463.70,', ',20463.7x,'); // line 50
  assert.notEqual(rows[48], dataRows(UPDATE)[48]);
  const { snap, update } = writePair(dataRows(SNAP), rows);
  await assert.rejects(replay(new BinanceTDepthSource(update)), { message: `${update}:50: price: BTCUSDT price: not a decimal: "20463.7x"` });
  const source = new BinanceTDepthSource(snap, { policy: 'skip' });
  await replay(source);
  const report = source.integrity.report;
  assert.equal(report.rowsRead, 200);
  assert.equal(report.skipped, 1);
  assert.deepEqual(Object.fromEntries([...report.issues].map(([kind, issue]) => [kind, issue.count])), { malformed_row: 1, sequence_gap: 1 });
  assert.equal(report.notes.get('rows_of_incomplete_groups_not_applied'), 99);
});

test('T_DEPTH: a value needing more decimals than the units chosen is a precision error, never rounded', needs(UPDATE), async () => {
  await assert.rejects(groupsOf(fixture(UPDATE), { price: 0, size: 3 }), (error: unknown) => {
    return error instanceof InputError && error.message === `${fixture(UPDATE)}:2: price: BTCUSDT price "20472.80" needs 1 decimals; the symbol's units have 0, fixed from the values at the start of the input (a value read later cannot widen them)`;
  });
});

test('T_DEPTH derived: files without pu (header `time`) are read, the chain taken on trust and noted; delta rows are refused', needs(SNAP, UPDATE), async () => {
  // Derived: the connected pair above, written without the pu column and with the older `time` header.
  const dropPu = (row: string) => row.split(',').slice(0, 8).join(',');
  const snapRows = dataRows(SNAP).map((row) => dropPu(withIds(row, 2098041693500, 2098041693500, -1)));
  const dir = tempDir('flowmine-tdepth-');
  const header = 'symbol,time,first_update_id,last_update_id,side,update_type,price,qty';
  writeFileSync(join(dir, 'X_snap.csv'), [header, ...snapRows, ''].join('\n'));
  writeFileSync(join(dir, 'X_update.csv'), [header, ...dataRows(UPDATE).map(dropPu), ''].join('\n'));
  const source = await openSource(join(dir, 'X_update.csv'));
  const summary = await replay(source);
  assert.equal(source.integrity.report.issues.size, 0);
  assert.equal(source.integrity.report.notes.get('updates_without_pu'), 1);
  assert.equal(summary.updates, 2);
  // T_DEPTH_BACKFILL's delta rows (quantity changes) are not read: the update they are in is not applied.
  const rows = dataRows(UPDATE).map(dropPu);
  rows[10] = rows[10]!.replace(',set,', ',delta,');
  writeFileSync(join(dir, 'X_update.csv'), [header, ...rows, ''].join('\n'));
  await assert.rejects(replay(await openSource(join(dir, 'X_update.csv'))), {
    message: `${join(dir, 'X_update.csv')}:12: update_type: delta rows (quantity changes, T_DEPTH_BACKFILL) are not read: only snap and set`,
  });
  const skipping = await openSource(join(dir, 'X_update.csv'), { policy: 'skip' });
  const skipped = await replay(skipping);
  assert.equal(skipping.integrity.report.issueCount('unsupported_update_type'), 1);
  assert.equal(skipping.integrity.report.notes.get('rows_of_incomplete_groups_not_applied'), 99);
  assert.equal(skipped.updates, 1);
});
