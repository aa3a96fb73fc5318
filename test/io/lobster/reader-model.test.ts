import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Action, Flag, Status } from '../../../src/core/event.js';
import { LobsterSource } from '../../../src/io/lobster/reader.js';
import { seededRandom } from '../../support/random.js';
import { tempDir } from '../../support/temp.js';

// The LOBSTER reader (its message rows and top-N window run in WebAssembly) against a model of the same
// rules written plainly with arrays, on random message files and orderbook files of 1 to 3 levels: every
// message type, fields out of range, times going back (repaired), unknown halt codes, malformed and blank
// lines, orderbook rows that agree with the messages, rows that show levels entering, resized or gone,
// malformed rows, and files that end early. Small batches make the reader stop and resume mid-slice.

const random = seededRandom(20261128);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

type Level = [price: number, size: number];

/** The top-N window as the reader's documentation states it (see src/io/lobster/reader.ts). */
class WindowModel {
  readonly bids: Level[] = [];
  readonly asks: Level[] = [];
  private bidShrank = false;
  private askShrank = false;
  restateBids = false;
  restateAsks = false;
  entered = 0;
  resized = 0;
  leftUnseen = 0;

  constructor(readonly depth: number) {}

  apply(side: number, price: number, delta: number): void {
    const levels = side === 1 ? this.bids : this.asks;
    const before = levels.length;
    let j = 0;
    while (j < levels.length && (side === 1 ? levels[j]![0] > price : levels[j]![0] < price)) j++;
    if (j < levels.length && levels[j]![0] === price) {
      levels[j]![1] += delta;
      if (!(levels[j]![1] > 0)) levels.splice(j, 1);
    } else if (delta > 0 && j < this.depth) {
      levels.splice(j, 0, [price, delta]);
      if (levels.length > this.depth) levels.pop();
    }
    if (levels.length < before) {
      if (side === 1) this.bidShrank = true;
      else this.askShrank = true;
    }
  }

  /** Compares with an orderbook row (4 values a level: ask price, ask size, bid price, bid size), adopts it; true when they differed. */
  reconcile(row: number[]): boolean {
    const askDiffers = this.differs(this.asks, shownLevels(row, 0, this.depth), false);
    const bidDiffers = this.differs(this.bids, shownLevels(row, 2, this.depth), true);
    this.restateAsks = askDiffers || (this.askShrank && this.asks.length < this.depth);
    this.restateBids = bidDiffers || (this.bidShrank && this.bids.length < this.depth);
    if (askDiffers) this.asks.splice(0, Infinity, ...shownLevels(row, 0, this.depth).map(([p, s]): Level => [p, s]));
    if (bidDiffers) this.bids.splice(0, Infinity, ...shownLevels(row, 2, this.depth).map(([p, s]): Level => [p, s]));
    this.askShrank = this.bidShrank = false;
    return askDiffers || bidDiffers;
  }

  private differs(levels: Level[], shown: Level[], bid: boolean): boolean {
    if (shown.length === levels.length && levels.every(([p, s], k) => p === shown[k]![0] && s === shown[k]![1])) return false;
    for (const [price, size] of shown) {
      const held = levels.find(([p]) => p === price);
      if (!held) this.entered++;
      else if (held[1] !== size) this.resized++;
    }
    const worst = shown.length === this.depth ? shown[shown.length - 1]![0] : NaN;
    for (const [price] of levels) {
      if (shown.length === this.depth && (bid ? price < worst : price > worst)) break;
      if (!shown.some(([p]) => p === price)) this.leftUnseen++;
    }
    return true;
  }
}

/** One side's levels a row shows: those before the first of size zero. */
function shownLevels(row: number[], offset: number, depth: number): Level[] {
  const levels: Level[] = [];
  for (let k = 0; k < depth && row[offset + 4 * k + 1]! > 0; k++) levels.push([row[offset + 4 * k]!, row[offset + 4 * k + 1]!]);
  return levels;
}

interface Outcome {
  rows: string[];
  rowsRead: number;
  notes: Record<string, number>;
  issues: Record<string, number>;
}

const row = (ts: number, action: number, side: number, price: number, size: number, orderId: number, line: number, flags: number) =>
  `${ts} ${action} ${side} ${price} ${size} ${orderId} ${line} ${flags}`;

/** The rows and counts the reader's rules give under the `repair` policy. */
function model(messages: string[], orderbook: string[], depth: number): Outcome {
  const rows: string[] = [];
  const notes: Record<string, number> = {};
  const issues: Record<string, number> = {};
  const note = (kind: string, n = 1) => (notes[kind] = (notes[kind] ?? 0) + n);
  const issue = (kind: string) => (issues[kind] = (issues[kind] ?? 0) + 1);
  const width = 4 * depth;
  const bookRows = orderbook.map((text) => (new RegExp(`^-?\\d+(,-?\\d+){${width - 1}}$`).test(text) ? text.split(',').map(Number) : null));
  for (const bookRow of bookRows) if (bookRow === null) issue('malformed_orderbook_row');
  const window = new WindowModel(depth);
  let prevTs = -Infinity;
  let rowsRead = 0;
  let restated = 0;
  let snapshots = 0;
  messages.forEach((text, index) => {
    const line = index + 1;
    if (text === '') return note('blank_lines');
    rowsRead++;
    const match = /^(\d+)\.(\d{1,9})((?:,-?\d+){5})$/.exec(text);
    if (!match) return issue('malformed_row');
    const [type, orderId, size, price, direction] = match[3]!.slice(1).split(',').map(Number) as [number, number, number, number, number];
    let ts = Number(match[1]) * 1e9 + Number(match[2]!.padEnd(9, '0'));
    if ((direction !== 1 && direction !== -1) || (type !== 7 && (type < 1 || type > 6 || size <= 0 || price <= 0))) return issue('malformed_row');
    let flags = 0;
    if (ts < prevTs) {
      issue('timestamp_regression');
      ts = prevTs;
      flags = Flag.Repaired;
    }
    prevTs = ts;
    const first = rows.length;
    const push = (action: number, side: number, p: number, s: number, id: number, f = flags) => rows.push(row(ts, action, side, p, s, id, line, f));
    const end = () => (rows[rows.length - 1] = rows[rows.length - 1]!.replace(/ (\d+)$/, (_, f: string) => ` ${Number(f) | Flag.Last}`));
    if (type === 7) {
      const status = ({ '-1': Status.Halted, '0': Status.Quoting, '1': Status.Trading } as Record<string, number>)[String(price)] ?? 0;
      push(Action.Status, 0, 0, status, 0);
      if (status === 0) {
        issue('unknown_halt_code');
        return end();
      }
    } else if (type === 4) {
      push(Action.Trade, -direction, price, size, orderId);
      push(Action.Fill, direction, price, size, orderId);
    } else if (type === 5) push(Action.Trade, -direction, price, size, orderId, flags | Flag.Hidden);
    else if (type === 6) push(Action.Trade, 0, price, size, orderId);
    else push(([0, Action.Add, Action.Cancel, Action.Delete] as const)[type], direction, price, size, orderId);
    // A repaired message's own rows are counted (its window's restatements are flagged as such anyway).
    if (flags & Flag.Repaired) note('rows_emitted_repaired', rows.length - first);
    if (type >= 1 && type <= 4) window.apply(direction, price, type === 1 ? size : -size);
    if (index >= bookRows.length) issue('orderbook_row_missing');
    else if (bookRows[index] !== null) {
      const bookRow = bookRows[index]!;
      if (window.reconcile(bookRow)) restated++;
      for (const [side, offset, restate] of [[-1, 0, window.restateAsks], [1, 2, window.restateBids]] as const) {
        if (!restate) continue;
        const snapshot = Flag.Snapshot | Flag.Repaired;
        push(Action.SnapshotBegin, side, 0, depth, 0, snapshot);
        for (const [p, s] of shownLevels(bookRow, offset, depth)) push(Action.LevelSet, side, p, s, 0, snapshot);
        push(Action.SnapshotEnd, side, 0, 0, 0, snapshot);
        snapshots++;
      }
    }
    end();
  });
  Object.assign(notes, { window_restated_messages: restated, window_snapshots: snapshots, level_entered_window: window.entered, level_size_resync: window.resized, level_left_unseen: window.leftUnseen });
  return { rows, rowsRead, notes, issues };
}

/** An orderbook row of empty levels, as LOBSTER writes them: ±9999999999 with size 0. */
function emptyRow(depth: number): number[] {
  return Array.from({ length: 4 * depth }, (_, k) => (k % 2 === 1 ? 0 : k % 4 === 0 ? 9_999_999_999 : -9_999_999_999));
}

/** A random message file and its orderbook file: the book rows mostly follow the messages, sometimes not. */
function randomFiles(depth: number, lines: number): { messages: string[]; orderbook: string[] } {
  const messages: string[] = [];
  const orderbook: string[] = [];
  const shadow = new WindowModel(depth);
  let seconds = 34_200;
  let nanos = 0;
  const mid = 2_238_000;
  let lastRow = emptyRow(depth);
  for (let i = 0; i < lines; i++) {
    const roll = random();
    if (roll < 0.02) messages.push('');
    else if (roll < 0.04) messages.push(pick(['hello', '34200.1,1,2,3', '34200.x,1,2,3,4,1', '34200.5,1,2,3,4,1,9']));
    else {
      // Time mostly moves on, sometimes back; now and then with fewer than nine decimals.
      if (random() < 0.05) nanos = Math.max(0, nanos - int(1, 1e8));
      else nanos += int(0, 5e7);
      if (nanos >= 1e9) (seconds += 1), (nanos -= 1e9);
      const fraction = String(nanos).padStart(9, '0').slice(0, random() < 0.1 ? int(1, 8) : 9);
      const type = pick([1, 1, 1, 2, 3, 3, 4, 4, 5, 6, 7, 7, 8]);
      const direction = random() < 0.97 ? pick([1, -1]) : 0;
      const price = type === 7 ? pick([-1, 0, 1, 5]) : random() < 0.02 ? 0 : mid + direction * -int(0, 6) * 100 + (direction === 0 ? 100 : 0);
      const size = random() < 0.02 ? -int(0, 5) : int(1, 300);
      messages.push(`${seconds}.${fraction},${type},${int(1, 40)},${size},${price},${direction}`);
      if (type >= 1 && type <= 4 && (direction === 1 || direction === -1) && size > 0 && price > 0) shadow.apply(direction, price, type === 1 ? size : -size);
    }
    // The row after the line: the window as the messages left it, or with a change they do not explain.
    const bookRow = emptyRow(depth);
    shadow.asks.forEach(([p, s], k) => ((bookRow[4 * k] = p), (bookRow[4 * k + 1] = s)));
    shadow.bids.forEach(([p, s], k) => ((bookRow[4 * k + 2] = p), (bookRow[4 * k + 3] = s)));
    const change = random();
    if (change < 0.15) {
      // A level enters (or a side is rewritten) from deeper.
      const side = pick([0, 2]);
      for (let k = 0; k < depth; k++) (bookRow[side + 4 * k] = mid + (side === 0 ? 1 : -1) * (100 + 100 * k + 100 * int(0, 2))), (bookRow[side + 4 * k + 1] = int(1, 500));
    } else if (change < 0.22) bookRow[pick([1, 3])] += int(1, 50);
    else if (change < 0.27) bookRow[4 * (depth - 1) + pick([1, 3])] = 0;
    else if (change < 0.3) bookRow.splice(0, Infinity, ...lastRow);
    lastRow = bookRow;
    // The reader's window adopts the row: the shadow follows.
    shadow.reconcile(bookRow);
    orderbook.push(random() < 0.01 ? bookRow.slice(0, -1).join(',') + ',x' : bookRow.join(','));
  }
  // Sometimes the orderbook file ends before the message file.
  if (random() < 0.3) orderbook.splice(lines - int(1, 20));
  return { messages, orderbook };
}

async function read(messages: string[], orderbook: string[], batchRows: number): Promise<Outcome> {
  const dir = tempDir('flowmine-lobster-model-');
  const path = join(dir, 'TEST_2012-06-21_34200000_57600000_message_1.csv');
  writeFileSync(path, messages.join('\n') + '\n');
  writeFileSync(path.replace('_message_', '_orderbook_'), orderbook.join('\n') + (orderbook.length > 0 ? '\n' : ''));
  const source = new LobsterSource(path, { policy: 'repair', batchRows });
  const rows: string[] = [];
  for await (const batch of source.batches()) {
    assert.ok(batch.flags[batch.length - 1]! & Flag.Last, 'a batch ends on the last row of an update');
    for (let i = 0; i < batch.length; i++) {
      assert.ok(Number.isNaN(batch.tsRecv[i]!) && batch.instrument[i] === 0 && batch.seq[i] === batch.sourceRow[i]);
      rows.push(row(batch.tsEvent[i]!, batch.action[i]!, batch.side[i]!, batch.price[i]!, batch.size[i]!, batch.orderId[i]!, batch.sourceRow[i]!, batch.flags[i]!));
    }
  }
  const report = source.integrity.report;
  const issues: Record<string, number> = {};
  for (const kind of ['malformed_row', 'malformed_orderbook_row', 'timestamp_regression', 'unknown_halt_code', 'orderbook_row_missing']) if (report.issueCount(kind) > 0) issues[kind] = report.issueCount(kind);
  const notes: Record<string, number> = {};
  for (const [kind, n] of report.notes) if (n !== 0 || kind.startsWith('window') || kind.startsWith('level_')) notes[kind] = n;
  return { rows, rowsRead: report.rowsRead, notes, issues };
}

test('LOBSTER reader: the rows and counts of a plain model of its rules, on 120 random message and orderbook files (1 to 3 levels)', async () => {
  let restated = 0;
  let rows = 0;
  for (let file = 0; file < 120; file++) {
    const depth = int(1, 3);
    const { messages, orderbook } = randomFiles(depth, file % 10 === 0 ? 2500 : int(20, 300));
    const expected = model(messages, orderbook, depth);
    const actual = await read(messages, orderbook, pick([16, 50, 8192]));
    for (const kind of Object.keys(expected.notes)) if (expected.notes[kind] === 0 && actual.notes[kind] === undefined) delete expected.notes[kind];
    assert.deepEqual(actual, expected, `file ${file} (${depth} levels, ${messages.length} lines)`);
    restated += expected.notes.window_snapshots ?? 0;
    rows += expected.rows.length;
  }
  // The files exercise what they are meant to.
  assert.ok(restated > 1000 && rows > 20_000, `${restated} snapshots, ${rows} rows`);
});
