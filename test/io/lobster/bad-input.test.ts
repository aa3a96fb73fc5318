import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Replayer, replay } from '../../../src/book/replay.js';
import { InputError } from '../../../src/core/errors.js';
import { Flag } from '../../../src/core/event.js';
import type { IntegrityPolicy } from '../../../src/core/integrity.js';
import { LobsterSource } from '../../../src/io/lobster/reader.js';
import { QuarantineFile } from '../../../src/io/quarantine.js';
import { tempDir } from '../../support/temp.js';

const GOOD = ['34200.1,1,11,100,2238100,1', '34200.2,1,12,50,2238500,-1', '34200.3,4,11,30,2238100,1', '34200.4,3,12,50,2238500,-1'];

function lobsterFile(lines: string[], trailingNewline = true): string {
  const dir = tempDir('flowmine-lobster-');
  const path = join(dir, 'TEST_2012-06-21_34200000_57600000_message_1.csv');
  writeFileSync(path, lines.join('\n') + (trailingNewline ? '\n' : ''));
  return path;
}

async function run(path: string, policy: IntegrityPolicy) {
  const quarantine = new QuarantineFile(`${path}.quarantine.tsv`);
  const source = new LobsterSource(path, { policy, quarantine });
  const summary = await replay(source);
  quarantine.close();
  return { report: source.integrity.report, summary, quarantine };
}

const cases: [name: string, bad: string, message: string][] = [
  ['a garbage line', 'hello world', ':3: columns: expected 6 fields, found 1'],
  ['a row with too few columns', '34200.25,1,13,10', ':3: columns: expected 6 fields, found 4'],
  ['a row with too many columns', '34200.25,1,13,10,2238000,1,7', ':3: columns: expected 6 fields, found 7'],
  ['a non-numeric order id', '34200.25,1,abc,10,2238000,1', ':3: order_id: expected an integer, found "abc"'],
  ['a non-numeric time', '9:30:00,1,13,10,2238000,1', ':3: time: expected seconds after midnight, found "9:30:00"'],
  ['a time with two points', '34200.12.5,1,13,10,2238000,1', ':3: time: expected seconds after midnight, found "34200.12.5"'],
  ['an unknown message type', '34200.25,8,13,10,2238000,1', ':3: type: unknown message type 8 (LOBSTER has 1-7)'],
  ['a direction of 0', '34200.25,1,13,10,2238000,0', ':3: direction: must be 1 or -1, was 0'],
  ['a zero size', '34200.25,1,13,0,2238000,1', ':3: size: must be positive, was 0'],
];

for (const [name, bad, message] of cases) {
  test(`LOBSTER ${name}: strict names file, line and field; repair and skip account for the row`, async () => {
    const path = lobsterFile([...GOOD.slice(0, 2), bad, ...GOOD.slice(2)]);
    await assert.rejects(run(path, 'strict'), (error: unknown) => error instanceof InputError && error.message === `${path}${message}`);

    const repaired = await run(path, 'repair');
    assert.equal(repaired.report.rowsRead, 5);
    assert.equal(repaired.report.skipped, 1, 'an unrepairable row is skipped and counted');
    assert.equal(repaired.report.issueCount('malformed_row'), 1);
    assert.equal(repaired.summary.updates, 4, 'the four good messages are applied');

    const skipped = await run(path, 'skip');
    assert.equal(skipped.report.skipped, 1);
    assert.equal(skipped.report.accepted, 4);
    const quarantined = readFileSync(`${path}.quarantine.tsv`, 'utf8').trim().split('\n');
    assert.equal(quarantined.length, 2);
    assert.equal(quarantined[1]!.split('\t')[1], '3');
    assert.equal(quarantined[1]!.split('\t')[3], bad, 'the raw row is kept exactly');
  });
}

test('LOBSTER times printed past the nanosecond (a float round-trip) are rounded to it and counted', async () => {
  const path = lobsterFile(['34200.1,1,11,100,2238100,1', '35821.088778456004,1,12,50,2238500,-1', '35821.1234567895,1,13,50,2238600,-1']);
  const source = new LobsterSource(path, { policy: 'strict' });
  const times: number[] = [];
  for await (const batch of source.batches()) times.push(...batch.tsEvent);
  assert.deepEqual(times, [34_200_100_000_000, 35_821_088_778_456, 35_821_123_456_790]);
  assert.equal(source.integrity.report.notes.get('time_rounded_to_ns'), 2);
});

test('LOBSTER truncated file: a last line cut mid-row is reported, not lost', async () => {
  const path = lobsterFile([...GOOD, '34200.5,1,1'], false);
  await assert.rejects(run(path, 'strict'), { message: `${path}:5: columns: expected 6 fields, found 3` });
  const skipped = await run(path, 'skip');
  assert.equal(skipped.report.rowsRead, 5);
  assert.equal(skipped.report.skipped, 1);
  assert.equal(skipped.quarantine.rows, 1);
});

test('LOBSTER time going backwards: strict stops, repair clamps and flags the row, skip quarantines it', async () => {
  const path = lobsterFile([GOOD[0]!, GOOD[1]!, '34200.15,1,13,10,2238000,1', GOOD[2]!]);
  await assert.rejects(run(path, 'strict'), { message: `${path}:3: time: time goes back 0.050000000 s` });

  const source = new LobsterSource(path, { policy: 'repair' });
  const flags: number[] = [];
  const times: number[] = [];
  for await (const batch of source.batches()) for (let i = 0; i < batch.length; i++) if (batch.sourceRow[i] === 3) flags.push(batch.flags[i]!), times.push(batch.tsEvent[i]!);
  assert.equal(source.integrity.report.repaired, 1);
  assert.equal(flags[0]! & Flag.Repaired, Flag.Repaired);
  assert.deepEqual(times, [34_200_200_000_000], 'clamped to the previous message time');

  const skipped = await run(path, 'skip');
  assert.equal(skipped.report.skipped, 1);
  assert.equal(skipped.report.issueCount('timestamp_regression'), 1);
});

test('book findings: an unknown order is an error from a full-depth source, an expected note from a level-N file', async () => {
  const path = lobsterFile([GOOD[0]!, '34200.2,2,999,10,2238300,1']);
  const strict = new LobsterSource(path, { policy: 'strict' });
  const full = new Replayer(strict.granularity, strict.integrity); // no window: every order must be known
  await assert.rejects(
    (async () => {
      for await (const batch of strict.batches()) full.push(batch);
    })(),
    { message: `${path}:2: order_id: unknown order id: Cancel of order 999 at price 2238300 size 10` },
  );

  const windowed = new LobsterSource(path, { policy: 'strict' });
  await replay(windowed);
  assert.equal(windowed.integrity.report.notes.get('unknown_order_id_outside_window'), 1);
});

test('LOBSTER CRLF line ends and blank lines: the same messages, blank lines counted', async () => {
  const lf = await run(lobsterFile(GOOD), 'strict');
  const dir = tempDir('flowmine-lobster-');
  const path = join(dir, 'TEST_2012-06-21_34200000_57600000_message_1.csv');
  writeFileSync(path, [GOOD[0], GOOD[1], '', GOOD[2], GOOD[3]].join('\r\n') + '\r\n');
  const crlf = await run(path, 'strict');
  assert.equal(crlf.summary.updates, lf.summary.updates);
  assert.equal(crlf.report.rowsRead, 4);
  assert.equal(crlf.report.notes.get('blank_lines'), 1);
});

test('LOBSTER a last field followed by garbage names the field', async () => {
  const path = lobsterFile([...GOOD.slice(0, 2), '34200.25,1,13,10,2238000,1x', ...GOOD.slice(2)]);
  await assert.rejects(run(path, 'strict'), { message: `${path}:3: direction: expected an integer, found "1x"` });
});

// The level-1 book after each GOOD message: ask price, ask size, bid price, bid size (an empty ask is 9999999999 with size 0).
const BOOK = ['9999999999,0,2238100,100', '2238500,50,2238100,100', '2238500,50,2238100,70', '9999999999,0,2238100,70'];

for (const [name, bad, message] of [
  ['a non-numeric size', '2238500,5x,2238100,70', ':3: field 2: expected integers, found "5x"'],
  ['a missing column', '2238500,50,2238100', ':3: columns: expected 4 fields, found 3'],
] as const) {
  test(`LOBSTER orderbook file with ${name}: strict names it; skip counts it and the messages still replay`, async () => {
    const path = lobsterFile(GOOD);
    const orderbook = path.replace('_message_', '_orderbook_');
    writeFileSync(orderbook, [...BOOK.slice(0, 2), bad, BOOK[3]].join('\n') + '\n');
    await assert.rejects(run(path, 'strict'), { message: `${orderbook}${message}` });
    const skipped = await run(path, 'skip');
    assert.equal(skipped.report.issueCount('malformed_orderbook_row'), 1);
    assert.equal(skipped.summary.updates, 4);
    assert.equal(skipped.report.rowsRead, 4);
  });
}

test('LOBSTER orderbook file that agrees with every message: nothing restated', async () => {
  const path = lobsterFile(GOOD);
  writeFileSync(path.replace('_message_', '_orderbook_'), BOOK.join('\n') + '\n');
  const { report, summary } = await run(path, 'strict');
  assert.equal(summary.updates, 4);
  assert.equal(report.notes.get('window_restated_messages'), 0);
});

test('LOBSTER a number longer than 15 digits is the double a digit-by-digit fold gives, as it always was', async () => {
  // 968557609840239464 folds to …400 in doubles; rounded once from 64 bits it would be …500.
  const digits = '968557609840239464';
  const path = lobsterFile([GOOD[0]!, `34200.2,1,${digits},50,2238500,-1`]);
  const source = new LobsterSource(path, { policy: 'strict' });
  const ids: number[] = [];
  for await (const batch of source.batches()) ids.push(...batch.orderId);
  assert.deepEqual(ids, [11, [...digits].reduce((value, digit) => value * 10 + Number(digit), 0)]);
  assert.equal(ids[1], 968557609840239400);
});

test('LOBSTER a line longer than a read chunk (3 MiB of garbage) is one malformed row; the lines around it replay', async () => {
  const path = lobsterFile([...GOOD.slice(0, 2), 'x'.repeat(3 << 20), ...GOOD.slice(2)]);
  await assert.rejects(run(path, 'strict'), { message: `${path}:3: columns: expected 6 fields, found 1` });
  const skipped = await run(path, 'skip');
  assert.equal(skipped.report.rowsRead, 5);
  assert.equal(skipped.report.skipped, 1);
  assert.equal(skipped.summary.updates, 4);
  assert.equal(readFileSync(`${path}.quarantine.tsv`, 'utf8').trim().split('\n')[1]!.split('\t')[3]!.length, 3 << 20);
});

test('LOBSTER orderbook rows wider than the parser reads (over 8,192 levels) are a one-line error, not a hang', async () => {
  const path = lobsterFile(GOOD);
  const orderbook = path.replace('_message_', '_orderbook_');
  writeFileSync(orderbook, Array.from({ length: 4 * 8193 }, () => '1').join(',') + '\n');
  await assert.rejects(run(path, 'strict'), { message: `${orderbook}:1: columns: found 32772 fields: at most 8192 levels are read (LOBSTER offers up to 200)` });
});

test('LOBSTER orderbook file with a thousand blank lines after its rows: each is counted, none crashes the reader', async () => {
  const path = lobsterFile(GOOD);
  const orderbook = path.replace('_message_', '_orderbook_');
  writeFileSync(orderbook, BOOK.join('\n') + '\n' + '\n'.repeat(1000));
  await assert.rejects(run(path, 'strict'), { message: `${orderbook}:5: columns: expected 4 fields, found 1` });
  const skipped = await run(path, 'skip');
  assert.equal(skipped.summary.updates, 4);
  assert.equal(skipped.report.issueCount('malformed_orderbook_row'), 1000);
  assert.equal(skipped.report.issueCount('orderbook_rows_without_message'), 1);
});
