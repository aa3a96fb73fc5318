import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../src/book/replay.js';
import { rowAt, type EventBatch } from '../../src/core/batch.js';
import { InputError } from '../../src/core/errors.js';
import { Action, Flag } from '../../src/core/event.js';
import type { IntegrityPolicy } from '../../src/core/integrity.js';
import type { EventSource } from '../../src/core/source.js';
import { algoseekCompanion, parseAlgoseekName } from '../../src/io/algoseek/names.js';
import { openSource, sniffFormat } from '../../src/io/index.js';
import { QuarantineFile } from '../../src/io/quarantine.js';
import { fixture, needs } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const TRADES = 'lean-algoseek_IBM_2013-10-07_trade_tick.csv';
const QUOTES = 'lean-algoseek_IBM_2013-10-07_quote_tick.csv';
/** 2013-10-07 00:00 America/New_York (EDT, UTC−4) in epoch ns. */
const NY_MIDNIGHT = 1_381_118_400_000_000_000n;
const MS = 1e6;

/** The source with `look` called on each batch as it passes. */
function tap(source: EventSource, look: (batch: EventBatch) => void): EventSource {
  return {
    format: source.format,
    path: source.path,
    granularity: source.granularity,
    instruments: source.instruments,
    integrity: source.integrity,
    async *batches() {
      for await (const batch of source.batches()) {
        look(batch);
        yield batch;
      }
    },
  };
}

/** Every update of a source as [time, action of its last row, best bid, bid size, best ask, ask size]. */
async function updates(source: EventSource): Promise<number[][]> {
  const out: number[][] = [];
  await replay(source, { onUpdate: (book, batch, row) => out.push([batch.tsEvent[row]!, batch.action[row]!, book.bestBidPrice(), book.bestBidSize(), book.bestAskPrice(), book.bestAskSize()]) });
  return out;
}

test('LEAN AlgoSeek names: symbol, date and kind from both naming styles; the companion keeps the letter case', () => {
  assert.deepEqual(parseAlgoseekName(`/data/${TRADES}`), { kind: 'trade', symbol: 'IBM', date: '2013-10-07' });
  assert.deepEqual(parseAlgoseekName('20131007_ibm_Quote_Tick.csv'), { kind: 'quote', symbol: 'IBM', date: '2013-10-07' });
  assert.deepEqual(parseAlgoseekName('ticks.csv'), { kind: null, symbol: null, date: null });
  const dir = tempDir('flowmine-algoseek-');
  writeFileSync(join(dir, '20131007_ibm_Quote_Tick.csv'), '');
  assert.equal(algoseekCompanion(join(dir, '20131007_ibm_Trade_Tick.csv')), join(dir, '20131007_ibm_Quote_Tick.csv'));
  assert.equal(algoseekCompanion(join(dir, '20131007_ibm_Quote_Tick.csv')), null, 'no trade file beside it');
});

test('LEAN AlgoSeek IBM 2013-10-07: both files merged, every row accounted for, one update per NBBO and per trade', needs(TRADES, QUOTES), async () => {
  for (const name of [TRADES, QUOTES]) assert.equal((await sniffFormat(fixture(name))).name, 'lean-algoseek');
  const source = await openSource(fixture(TRADES));
  assert.equal(source.granularity, 'quotes');
  assert.deepEqual(source.instruments.get(0), { venue: 'algoseek', symbol: 'IBM', venueId: -1, priceDecimals: 4, sizeDecimals: 0, tickUnits: 100 });
  let volume = 0;
  let trades = 0;
  let first: ReturnType<typeof rowAt> | null = null;
  const summary = await replay(
    tap(source, (batch) => {
      assert.equal(batch.timeBaseNs, NY_MIDNIGHT);
      first ??= rowAt(batch, 0);
      for (let i = 0; i < batch.length; i++) {
        if (batch.action[i] !== Action.Trade) continue;
        trades++;
        volume += batch.size[i]!;
        assert.equal(batch.side[i], 0, 'the tape has no aggressor');
      }
    }),
  );
  const report = source.integrity.report;
  // The files have 109,067 and 24,293 lines (neither ends with a newline; `wc -l` says one less).
  assert.deepEqual([report.rowsRead, report.accepted, report.repaired, report.skipped], [133_360, 133_360, 0, 0]);
  assert.deepEqual([report.notes.get('quote_rows'), report.notes.get('trade_rows')], [109_067, 24_293]);
  // The last quote row is flagged suspicious and is not replayed; the other 109,066 are 54,532 bid/ask
  // pairs and two lone rows (the first, an ask at 04:00:00.054, and the bid before the suspicious ask).
  assert.equal(report.notes.get('suspicious_quote_rows_not_replayed'), 1);
  assert.equal(report.notes.get('nbbo_updates'), 54_534);
  assert.equal(summary.updates, 54_534 + 24_293);
  assert.equal(summary.rows, 54_532 * 4 + 2 * 3 + 24_293);
  assert.deepEqual([trades, volume], [24_293, 3_960_352]);
  assert.equal(report.notes.get('trade_exchange_D'), 7_458, 'FINRA TRF prints (off-exchange)');
  assert.equal(report.notes.get('quote_exchange_N'), 47_429);
  assert.equal(report.notes.get('trade_condition_intermarket_sweep'), 10_690);
  assert.deepEqual([report.notes.get('trade_condition_opening_prints'), report.notes.get('trade_condition_closing_prints')], [1, 1]);
  assert.deepEqual([report.notes.get('quote_condition_opening_quote'), report.notes.get('quote_condition_closing')], [2, 2]);
  assert.equal(first!.tsEventNs, NY_MIDNIGHT + 14_400_054_000_000n, 'line 1: 14400054 ms after midnight, 04:00:00.054');
});

test('LEAN AlgoSeek IBM: the book is the NBBO; a trade at the time of a quote sees that quote', needs(TRADES, QUOTES), async () => {
  const fromTrades = await updates(await openSource(fixture(TRADES)));
  // Quote line 1: ask-only (Q 183.63 × 100); lines 2-3: bid P 180.01 × 300 and ask P 181.80 × 3000.
  assert.deepEqual(fromTrades[0], [14_400_054 * MS, Action.SnapshotEnd, NaN, 0, 1_836_300, 100]);
  assert.deepEqual(fromTrades[1], [14_400_241 * MS, Action.SnapshotEnd, 1_800_100, 300, 1_818_000, 3_000]);
  // Trade line 1 (14430270 ms, 181.52 × 283) comes after quote lines 10-11 of the same millisecond.
  const firstTrade = fromTrades.findIndex((update) => update[1] === Action.Trade);
  assert.deepEqual(fromTrades[firstTrade - 1], [14_430_270 * MS, Action.SnapshotEnd, 1_812_600, 200, 1_818_000, 2_900]);
  assert.equal(fromTrades[firstTrade]![0], 14_430_270 * MS);
  const depths = new Set<number>();
  await replay(await openSource(fixture(QUOTES)), { onUpdate: (book) => depths.add(book.depth(1) + 10 * book.depth(-1)) });
  assert.deepEqual([...depths].sort(), [10, 11], 'one level per side at most (the bid side is empty until 04:00:00.241)');
  const fromQuotes = await updates(await openSource(fixture(QUOTES)));
  assert.deepEqual(fromQuotes, fromTrades, 'either file opens the same merged stream');
  const tradesOnly = await openSource(fixture(TRADES), { companion: false });
  assert.equal(tradesOnly.granularity, 'trades');
  assert.equal((await replay(tradesOnly)).updates, 24_293);
});

/** A trade and a quote file of a made-up symbol-day in a fresh folder. */
function pair(trades: string[], quotes: string[]): { trades: string; quotes: string } {
  const dir = tempDir('flowmine-algoseek-');
  const paths = { trades: join(dir, 'lean-algoseek_TEST_2013-10-07_trade_tick.csv'), quotes: join(dir, 'lean-algoseek_TEST_2013-10-07_quote_tick.csv') };
  writeFileSync(paths.trades, trades.join('\n') + '\n');
  writeFileSync(paths.quotes, quotes.join('\n') + '\n');
  return paths;
}

const QUOTE_ROWS = ['34200000,1815000,100,0,0,N,1,0', '34200000,0,0,1815200,300,P,1,0', '34200500,1815100,200,0,0,Q,1,0', '34200500,0,0,1815200,300,P,1,0'];
const TRADE_ROWS = ['34200000,1815200,100,P,1,0', '34200500,1815100,50,D,20000020,0', '34201000,1815200,100,N,1,0'];

test('LEAN AlgoSeek merge: quotes of a time go before its trades; rows of a time are one update until a side repeats', async () => {
  const paths = pair(TRADE_ROWS, [...QUOTE_ROWS, '34200700,1815000,100,0,0,N,1,0', '34200700,0,0,1815300,100,P,1,0', '34200700,1815100,100,0,0,N,1,0', '34200700,0,0,1815200,100,Q,1,0', '34201000,1815000,100,0,0,N,1,0']);
  const seen = await updates(await openSource(paths.trades));
  assert.deepEqual(seen, [
    [34_200_000 * MS, Action.SnapshotEnd, 1_815_000, 100, 1_815_200, 300],
    [34_200_000 * MS, Action.Trade, 1_815_000, 100, 1_815_200, 300],
    [34_200_500 * MS, Action.SnapshotEnd, 1_815_100, 200, 1_815_200, 300],
    [34_200_500 * MS, Action.Trade, 1_815_100, 200, 1_815_200, 300],
    [34_200_700 * MS, Action.SnapshotEnd, 1_815_000, 100, 1_815_300, 100],
    [34_200_700 * MS, Action.SnapshotEnd, 1_815_100, 100, 1_815_200, 100],
    // A lone bid row: only the bid side is restated.
    [34_201_000 * MS, Action.SnapshotEnd, 1_815_000, 100, 1_815_200, 100],
    [34_201_000 * MS, Action.Trade, 1_815_000, 100, 1_815_200, 100],
  ]);
  const threeFields = pair(['34200000,1815200,100'], QUOTE_ROWS.slice(0, 2));
  assert.equal((await replay(await openSource(threeFields.trades))).updates, 2, 'a trade row without exchange, condition and suspicious flag is read');
});

async function run(path: string, policy: IntegrityPolicy) {
  const quarantine = new QuarantineFile(`${path}.quarantine.tsv`);
  const source = await openSource(path, { policy, quarantine });
  const summary = await replay(source);
  quarantine.close();
  return { report: source.integrity.report, summary, quarantine };
}

const tradeCases: [string, string][] = [
  ['hello', 'columns: expected 6 fields (or 3), found 1'],
  ['34200700,1815200,100,P,1', 'columns: expected 6 fields (or 3), found 5'],
  ['9:30:00,1815200,100,P,1,0', 'time: expected milliseconds after midnight, found "9:30:00"'],
  ['86400000,1815200,100,P,1,0', 'time: 86400000 ms is past the end of the day'],
  ['34200700,181.52,100,P,1,0', 'price: expected a non-negative integer, found "181.52"'],
  ['34200700,1815200,-5,P,1,0', 'size: expected a non-negative integer, found "-5"'],
  ['34200700,0,100,P,1,0', 'price: must be positive, was 0'],
  ['34200700,1815200,100,P1,1,0', 'exchange: expected an exchange code of up to 4 letters, found "P1"'],
  ['34200700,1815200,100,P,XYZ,0', 'condition: expected hexadecimal condition flags, found "XYZ"'],
  ['34200700,1815200,100,P,1,2', 'suspicious: expected 0 or 1, found "2"'],
];

for (const [bad, message] of tradeCases) {
  test(`LEAN AlgoSeek trade row "${bad}": strict names file, line and field; repair and skip account for it`, async () => {
    const paths = pair([TRADE_ROWS[0]!, TRADE_ROWS[1]!, bad, TRADE_ROWS[2]!], QUOTE_ROWS);
    await assert.rejects(run(paths.trades, 'strict'), (error: unknown) => error instanceof InputError && error.message === `${paths.trades}:3: ${message}`);
    for (const policy of ['repair', 'skip'] as const) {
      const { report, summary } = await run(paths.trades, policy);
      assert.deepEqual([report.rowsRead, report.skipped, report.issueCount('malformed_row')], [8, 1, 1], policy);
      assert.equal(summary.updates, 2 + 3, `${policy}: two NBBO updates and the three good trades`);
    }
    const quarantined = readFileSync(`${paths.trades}.quarantine.tsv`, 'utf8').trim().split('\n');
    assert.deepEqual(quarantined[1]!.split('\t').slice(0, 2), [paths.trades, '3']);
    assert.equal(quarantined[1]!.split('\t')[3], bad, 'the raw row is kept exactly');
  });
}

test('LEAN AlgoSeek quote rows: a row must quote a side, with a size; errors in the companion name the companion', async () => {
  const cases: [string, string][] = [
    ['34200200,0,0,0,0,N,1,0', 'bid_price: bid and ask prices are both 0: the row quotes neither side'],
    ['34200200,1815000,0,0,0,N,1,0', 'bid_size: must be positive when the bid is quoted, was 0'],
    ['34200200,0,0,1815300,0,N,1,0', 'ask_size: must be positive when the ask is quoted, was 0'],
    ['34200200,1815000,100,0,0,N,1', 'columns: expected 8 fields (or 5), found 7'],
  ];
  for (const [bad, message] of cases) {
    const paths = pair(TRADE_ROWS, [...QUOTE_ROWS.slice(0, 2), bad, ...QUOTE_ROWS.slice(2)]);
    // Opened through the trade file: the bad row is line 3 of the quote file.
    await assert.rejects(run(paths.trades, 'strict'), (error: unknown) => error instanceof InputError && error.message === `${paths.quotes}:3: ${message}`);
    const { report } = await run(paths.trades, 'skip');
    assert.equal(report.skipped, 1);
    assert.match(report.issues.get('malformed_row')!.examples[0]!, new RegExp(`^${paths.quotes.replace(/[.]/g, '\\.')}:3: `));
  }
});

test('LEAN AlgoSeek times that go back: strict stops, repair keeps the previous time and flags the row, skip drops it', async () => {
  const paths = pair(TRADE_ROWS, [...QUOTE_ROWS.slice(0, 2), '34199999,1815100,200,0,0,Q,1,0', '34199999,0,0,1815200,300,P,1,0', ...QUOTE_ROWS.slice(2)]);
  await assert.rejects(run(paths.quotes, 'strict'), { message: `${paths.quotes}:3: time: time goes back 0.001000 s` });
  const repaired = await openSource(paths.quotes, { policy: 'repair' });
  const times: number[] = [];
  let flagged = 0;
  await replay(
    tap(repaired, (batch) => {
      for (let i = 0; i < batch.length; i++) {
        if (batch.action[i] !== Action.LevelSet || !(batch.flags[i]! & Flag.Repaired)) continue;
        flagged++;
        times.push(batch.tsEvent[i]!);
      }
    }),
  );
  assert.deepEqual([repaired.integrity.report.repaired, flagged], [2, 2]);
  assert.deepEqual(times, [34_200_000 * MS, 34_200_000 * MS], 'set to the previous time of the same file');
  const skipped = await run(paths.quotes, 'skip');
  assert.deepEqual([skipped.report.skipped, skipped.report.issueCount('timestamp_regression')], [2, 2]);
});

test('LEAN AlgoSeek dates: from the name, else --date; without either a one-line error', async () => {
  const dir = tempDir('flowmine-algoseek-');
  const path = join(dir, 'ticks.csv');
  writeFileSync(path, `${TRADE_ROWS[0]}\n`);
  assert.equal((await sniffFormat(path)).name, 'lean-algoseek', 'a full trade row is recognised by its content');
  await assert.rejects(openSource(path), { message: `${path}: no date in the file name (SYMBOL_YYYY-MM-DD_… or YYYYMMDD_symbol_…); give --date` });
  const source = await openSource(path, { date: '2013-10-07' });
  assert.equal(source.granularity, 'trades');
  let base = 0n;
  for await (const batch of source.batches()) base = batch.timeBaseNs;
  assert.equal(base, NY_MIDNIGHT);
});
