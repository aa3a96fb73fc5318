import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { openSource } from '../../src/io/index.js';
import { listParts } from '../../src/store/dataset.js';
import { STAGING_DIR } from '../../src/store/layout.js';
import { PartReader } from '../../src/store/part-reader.js';
import type { PartDescription } from '../../src/store/schema.js';
import { fixture, needs } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const AMZN_BOOK = 'lobster_AMZN_2012-06-21_34200000_57600000_orderbook_1.csv';
const USDM = 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz';
const KRAKEN = 'cryptofeed_KRAKEN.ws.50.0.txt';
const ALL = [AMZN, AMZN_BOOK, USDM, KRAKEN];

const work = tempDir('flowmine-ingest-');
const out = (name: string) => join(work, name);

/** Runs the CLI of this build (the compiled tree this test belongs to) as a user would. */
const launcher = out('flowmine.mjs');
writeFileSync(launcher, `import { main } from ${JSON.stringify(new URL('../../src/cli/main.js', import.meta.url).href)};\nprocess.exitCode = await main(process.argv);\n`);
function flowmine(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [launcher, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under a folder with the SHA-256 of its bytes. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child);
      else files.set(relative(dir, child), createHash('sha256').update(readFileSync(child)).digest('hex'));
    }
  };
  walk(dir);
  return files;
}

function description(path: string): PartDescription {
  return JSON.parse(readFileSync(path, 'utf8')) as PartDescription;
}

const dataset = out('dataset');
let firstRun: { status: number; stdout: string; stderr: string };

before(() => {
  if (needs(...ALL).skip) return;
  firstRun = flowmine('ingest', fixture(AMZN), fixture(USDM), fixture(KRAKEN), '--out', dataset);
});

const KRAKEN_ROWS: Record<string, number> = {
  'ADA/XBT': 2244,
  'ETH/CHF': 1065,
  'GRT/ETH': 175,
  'KSM/XBT': 1108,
  'OCEAN/XBT': 700,
  'OMG/USD': 1673,
  'SC/EUR': 3077,
  'WAVES/EUR': 1816,
  'XBT/CHF': 1398,
  'XMR/USD': 2778,
};

test('ingest writes one part per instrument and UTC date of its updates, with exact row counts and reports', needs(...ALL), async () => {
  assert.equal(firstRun.status, 0, firstRun.stderr);
  const lines = firstRun.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /lobster_AMZN.*: 57515 rows read, 57515 accepted, 0 repaired, 0 skipped; 108354 events in 1 part \(part-[0-9a-f]{12}\) in /);
  assert.match(lines[1]!, /binance-usdm.*: 93954 rows read, 93954 accepted, 0 repaired, 0 skipped; 466577 events in 2 parts /);
  assert.match(lines[2]!, /KRAKEN.*: 4321 rows read, 4321 accepted, 0 repaired, 0 skipped; 16034 events in 10 parts /);

  const parts = listParts(dataset);
  const rows = Object.fromEntries(parts.map((part) => [`${part.venue}/${part.symbol}/${part.date}`, description(part.sidecar).rows]));
  assert.deepEqual(rows, {
    'binance-futures/BTCUSDT/2024-08-08': 466_488,
    // The capture runs past midnight UTC: 89 rows of updates stamped 2024-08-09.
    'binance-futures/BTCUSDT/2024-08-09': 89,
    ...Object.fromEntries(Object.entries(KRAKEN_ROWS).map(([symbol, n]) => [`kraken/${symbol}/2021-04-17`, n])),
    'nasdaq/AMZN/2012-06-21': 108_354,
  });
  // Symbols with a slash live in percent-encoded folders.
  assert.ok(existsSync(join(dataset, 'venue=kraken', 'symbol=XMR%2FUSD', 'date=2021-04-17')));

  for (const part of parts) {
    const sidecar = description(part.sidecar);
    const reader = PartReader.open(part.parquet);
    assert.deepEqual(reader.description, sidecar, `${part.folder}: the Parquet metadata holds the same description as the report beside it`);
    assert.equal(reader.meta.rows, sidecar.rows);
    assert.deepEqual(sidecar.partition, { venue: part.venue, symbol: part.symbol, date: part.date });
  }
  const amzn = description(parts.find((part) => part.venue === 'nasdaq')!.sidecar);
  assert.equal(amzn.input, fixture(AMZN));
  assert.equal(amzn.format, 'lobster');
  assert.equal(amzn.granularity, 'L3');
  assert.equal(amzn.windowLevels, 1);
  assert.deepEqual({ ...amzn.instrument }, { venue: 'nasdaq', symbol: 'AMZN', venueId: -1, priceDecimals: 4, sizeDecimals: 0, tickUnits: 100, index: 0 });
  assert.deepEqual([amzn.inputEvents, amzn.inputParts, amzn.firstEventIndex, amzn.lastEventIndex], [108_354, 1, 0, 108_353]);
  assert.equal(amzn.tsEvent!.min, '2012-06-21T13:30:00.017459617Z');
  assert.equal(amzn.tsRecv, null, 'LOBSTER has no receive clock');
  // The input's integrity report as its reader gives it.
  const source = await openSource(fixture(AMZN));
  for await (const _batch of source.batches());
  assert.deepEqual(amzn.integrity, JSON.parse(JSON.stringify(source.integrity.report)));
  assert.equal(amzn.integrity.rowsRead, 57_515);
  const kraken = description(parts.find((part) => part.symbol === 'XMR/USD')!.sidecar);
  assert.deepEqual([kraken.depthLimit, kraken.checksum, kraken.instrument.priceDecimals, kraken.instrument.printDecimals?.price], [1000, 'kraken', 2, 8]);
  const usdm = parts.filter((part) => part.venue === 'binance-futures').map((part) => description(part.sidecar));
  assert.deepEqual(
    usdm.map((part) => [part.firstEventIndex, part.lastEventIndex, part.inputParts]),
    [
      [0, 466_487, 2],
      [466_488, 466_576, 2],
    ],
  );
});

test('ingesting the same inputs again changes no byte', needs(...ALL), () => {
  const before = snapshot(dataset);
  const again = flowmine('ingest', fixture(KRAKEN), fixture(AMZN), fixture(USDM), '--out', dataset);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(snapshot(dataset), before);
  assert.deepEqual(readdirSync(join(dataset, STAGING_DIR)), [], 'no staging is left behind');
});

test('DuckDB reads the parts directly, with Hive partitioning; SQL counts equal inspect counts', needs(...ALL), async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const counts = await connection.runAndReadAll(
    `SELECT venue, symbol, CAST(date AS VARCHAR), count(*), min(price_decimals), max(price_decimals) FROM read_parquet('${dataset}/*/*/*/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL`,
  );
  const expected = listParts(dataset).map((part) => {
    const { rows, instrument } = description(part.sidecar);
    return [part.venue, part.symbol, part.date, BigInt(rows), instrument.priceDecimals, instrument.priceDecimals];
  });
  assert.deepEqual(counts.getRowsJS(), expected);
  assert.deepEqual(counts.getRowsJS().at(-1), ['nasdaq', 'AMZN', '2012-06-21', 108_354n, 4, 4]);
  const types = await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${dataset}/venue=nasdaq/*/*/*.parquet'))`);
  assert.deepEqual(Object.fromEntries(types.getRowsJS() as [string, string][]), {
    ts_event: 'BIGINT',
    ts_recv: 'BIGINT',
    action: 'UTINYINT',
    side: 'TINYINT',
    price: 'BIGINT',
    size: 'BIGINT',
    order_id: 'BIGINT',
    seq: 'BIGINT',
    flags: 'UTINYINT',
    source_row: 'BIGINT',
    event_index: 'BIGINT',
    price_decimals: 'UTINYINT',
    size_decimals: 'UTINYINT',
    // Hive partitioning is detected from the folder names; DuckDB types the date.
    date: 'DATE',
    symbol: 'VARCHAR',
    venue: 'VARCHAR',
  });
  connection.closeSync();

  const actionNames = ['', 'Add', 'Cancel', 'Delete', 'Modify', 'Fill', 'Trade', 'Clear', 'LevelSet', 'LevelDelete', 'SnapshotBegin', 'SnapshotEnd', 'Status', 'Checksum', 'Stat'];
  for (const [name, venue] of [
    [AMZN, 'nasdaq'],
    [KRAKEN, 'kraken'],
  ] as const) {
    const inspected = flowmine('inspect', fixture(name), '--json');
    assert.equal(inspected.status, 0, inspected.stderr);
    const file = JSON.parse(inspected.stdout) as { events: number; actions: Record<string, number>; integrity: object; replay: object; instruments: object; firstEventTime: string; lastEventTime: string };
    const sql = flowmine('sql', `SELECT action, count(*) AS n FROM events WHERE venue = '${venue}' GROUP BY action ORDER BY action`, '--dataset', dataset, '--out', out(`${venue}-actions.csv`));
    assert.equal(sql.status, 0, sql.stderr);
    const actions = Object.fromEntries(
      readFileSync(out(`${venue}-actions.csv`), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','))
        .map(([code, n]) => [actionNames[Number(code)]!, Number(n)]),
    );
    assert.deepEqual(actions, file.actions, `${venue}: actions by SQL`);
    // inspect of the dataset says what inspect of the file says, but for the file and format lines.
    const fromDataset = flowmine('inspect', dataset, '--venue', venue, '--json');
    assert.equal(fromDataset.status, 0, fromDataset.stderr);
    const inspection = JSON.parse(fromDataset.stdout) as typeof file & { file: string; format: string };
    assert.equal(inspection.file, dataset);
    assert.equal(inspection.format, 'dataset');
    for (const key of ['events', 'actions', 'integrity', 'replay', 'instruments', 'firstEventTime', 'lastEventTime'] as const) assert.deepEqual(inspection[key], file[key], `${venue}: ${key}`);
  }
  // The printed table: aligned, numbers on the right, a row count.
  const table = flowmine('sql', "SELECT symbol, count(*) AS events FROM events WHERE venue = 'kraken' AND symbol LIKE 'X%' GROUP BY ALL ORDER BY ALL", '--dataset', dataset);
  assert.equal(table.status, 0, table.stderr);
  assert.equal(table.stdout, 'symbol   events\n-------  ------\nXBT/CHF    1398\nXMR/USD    2778\n(2 rows)\n');
});

test('replay of the dataset writes byte for byte what replay of the files writes', needs(...ALL), () => {
  const cases: [string, string[], string[]][] = [
    [AMZN, ['--emit', 'bbo'], ['--venue', 'nasdaq']],
    [USDM, ['--emit', 'bbo'], ['--symbol', 'BTCUSDT']],
    [KRAKEN, ['--emit', 'depth:10'], ['--venue', 'kraken']],
  ];
  for (const [name, emit, select] of cases) {
    const fromFile = flowmine('replay', fixture(name), ...emit, '--out', out('file.csv'));
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const fromDataset = flowmine('replay', dataset, ...select, ...emit, '--out', out('dataset.csv'));
    assert.equal(fromDataset.status, 0, fromDataset.stderr);
    const expected = readFileSync(out('file.csv'));
    assert.ok(expected.length > 100_000, name);
    assert.ok(readFileSync(out('dataset.csv')).equals(expected), `${name}: replay outputs differ`);
    assert.equal(fromDataset.stderr, fromFile.stderr, `${name}: the same integrity line`);
  }
});

test('filters: one symbol of a multi-instrument input; a time window over whole updates', needs(...ALL), () => {
  const all = flowmine('replay', fixture(KRAKEN), '--out', out('kraken-all.csv'));
  assert.equal(all.status, 0, all.stderr);
  const one = flowmine('replay', dataset, '--venue', 'kraken', '--symbol', 'XMR/USD', '--out', out('kraken-xmr.csv'));
  assert.equal(one.status, 0, one.stderr);
  const expected = readFileSync(out('kraken-all.csv'), 'utf8')
    .trimEnd()
    .split('\n')
    .filter((line, i) => i === 0 || line.split(',')[2] === 'XMR/USD')
    .map((line) => line.split(',').filter((_, k) => k !== 2).join(','));
  assert.deepEqual(readFileSync(out('kraken-xmr.csv'), 'utf8').trimEnd().split('\n'), expected);

  // From 23:57 to 23:58 UTC the book starts empty, so findings are skipped; every update in the window is still written.
  const usdm = flowmine('replay', fixture(USDM), '--out', out('usdm-all.csv'));
  assert.equal(usdm.status, 0, usdm.stderr);
  const from = 1723161420000000000n;
  const to = 1723161480000000000n;
  const inWindow = readFileSync(out('usdm-all.csv'), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .filter((line) => {
      const ts = BigInt(line.split(',')[0]!);
      return ts >= from && ts < to;
    });
  const windowed = flowmine('replay', dataset, '--venue', 'binance-futures', '--from', '2024-08-08T23:57:00Z', '--to', String(to), '--on-error', 'skip', '--out', out('usdm-window.csv'));
  assert.equal(windowed.status, 0, windowed.stderr);
  const rows = readFileSync(out('usdm-window.csv'), 'utf8').trimEnd().split('\n').slice(1);
  assert.equal(rows.length, inWindow.length);
  assert.deepEqual(
    rows.map((line) => line.split(',').slice(0, 2).join(',')),
    inWindow.map((line) => line.split(',').slice(0, 2).join(',')),
  );
  assert.ok(rows.length > 1000);
});

test('bad dataset folders, selections and SQL are one-line errors', needs(...ALL), () => {
  const empty = out('empty');
  mkdirSync(empty, { recursive: true });
  const oneLine = (result: { status: number; stderr: string }, pattern: RegExp) => {
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, pattern);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  };
  oneLine(flowmine('replay', empty), /^flowmine: .*empty: a folder, but not a dataset/);
  oneLine(flowmine('replay', dataset), /the selection mixes inputs that replay differently \(nasdaq:AMZN L3 \(window 1\) and .* L2.*\); narrow it with --venue or --symbol/);
  oneLine(flowmine('inspect', dataset, '--venue', 'nyse'), /nothing matches --venue nyse \(the dataset holds binance-futures:BTCUSDT, kraken:/);
  oneLine(flowmine('replay', dataset, '--venue', 'nasdaq', '--from', '2030-01-01'), /nothing matches --venue nasdaq --from 1893456000000000000 \(the dataset holds binance-futures:BTCUSDT, /);
  oneLine(flowmine('replay', dataset, '--venue', 'nasdaq', '--from', '2012-06-21T20:00:00Z'), /no events between 1340308800000000000 and - for nasdaq:AMZN$/m);
  oneLine(flowmine('replay', fixture(KRAKEN), '--symbol', 'XMR/USD'), /--symbol: only for a dataset folder input/);
  oneLine(flowmine('replay', dataset, '--venue', 'nasdaq', '--format', 'lobster'), /--format: not for a dataset/);
  oneLine(flowmine('sql', 'SELEC 1', '--dataset', dataset), /^flowmine: sql: Parser Error: syntax error at or near "SELEC"$/m);
  oneLine(flowmine('sql', 'SELECT nope FROM events', '--dataset', dataset), /^flowmine: sql: Binder Error: Referenced column "nope" not found/);
  oneLine(flowmine('sql', 'SELECT 1', '--dataset', empty), /empty: no dataset parts in it/);
  oneLine(flowmine('sql', 'SELECT 1', '--dataset', out('missing')), /missing: not a folder/);
  oneLine(flowmine('sql', 'SELECT 1', '--dataset', dataset, '--out', out('x.txt')), /--out .*x\.txt: unknown extension/);

  // A part that lost its sibling (an ingest cut short), and a damaged part.
  const broken = out('broken');
  cpSync(join(dataset, 'venue=binance-futures'), join(broken, 'venue=binance-futures'), { recursive: true });
  rmSync(join(broken, 'venue=binance-futures', 'symbol=BTCUSDT', 'date=2024-08-09'), { recursive: true });
  oneLine(flowmine('replay', broken), /binance-usdm.*has 1 of its 2 parts here; its ingest was cut short: ingest it again/);
  const damaged = out('damaged');
  cpSync(join(dataset, 'venue=nasdaq'), join(damaged, 'venue=nasdaq'), { recursive: true });
  const part = listParts(damaged)[0]!.parquet;
  truncateSync(part, statSync(part).size - 100);
  oneLine(flowmine('replay', damaged), /part-[0-9a-f]{12}\.parquet: not a Parquet file \(no PAR1 at its end\)/);
});

/** The AMZN day `copies` times over (times 6.5 hours and order ids 10^9 later per copy): a long LOBSTER input. */
function longLobster(copies: number): string {
  const path = out(`AMZN_2012-06-21_34200000_57600000_message_1.csv`);
  const lines = readFileSync(fixture(AMZN), 'utf8').trimEnd().split('\n');
  const text: string[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const line of lines) {
      const fields = line.split(',');
      const [seconds, fraction] = fields[0]!.split('.');
      fields[0] = `${Number(seconds) + copy * 23_400}.${fraction}`;
      if (fields[2] !== '0') fields[2] = String(Number(fields[2]) + copy * 1_000_000_000);
      text.push(fields.join(','));
    }
  }
  writeFileSync(path, text.join('\n') + '\n');
  return path;
}

test('an ingest killed midway leaves only whole parts; running it again completes the dataset', needs(AMZN, KRAKEN), async () => {
  const killed = out('killed');
  assert.equal(flowmine('ingest', fixture(KRAKEN), '--out', killed).status, 0);
  const kraken = snapshot(killed);
  const input = longLobster(4);
  const child = spawn(process.execPath, [launcher, 'ingest', input, '--no-orderbook', '--out', killed], { stdio: 'ignore' });
  const staging = join(killed, STAGING_DIR);
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (readdirSync(staging).some((name) => !name.startsWith('commit.lock'))) {
        clearInterval(poll);
        // Let it read and stage for a while, then kill it without warning.
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 300);
      } else if (Date.now() - started > 60_000) reject(new Error('no staging folder appeared'));
    }, 5);
  });
  const exit = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  assert.equal(exit, 'SIGKILL', 'the ingest was still running when killed');
  assert.ok(readdirSync(staging).length > 0, 'its staging folder is left behind');

  // Whatever the dataset holds now is whole parts: the Kraken parts as they were, and of the killed input nothing or everything.
  const parts = listParts(killed);
  for (const part of parts) assert.equal(PartReader.open(part.parquet).meta.rows, description(part.sidecar).rows);
  const lobster = parts.filter((part) => part.venue === 'nasdaq');
  assert.ok(lobster.length === 0 || lobster.length === description(lobster[0]!.sidecar).inputParts, `${lobster.length} parts of the killed input`);
  for (const [path, hash] of kraken) if (!path.startsWith(STAGING_DIR)) assert.equal(snapshot(killed).get(path), hash, path);

  const rerun = flowmine('ingest', input, '--no-orderbook', '--out', killed);
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.match(rerun.stdout, /: 230060 rows read, 230060 accepted, 0 repaired, 0 skipped; 265956 events in 2 parts /);
  assert.deepEqual(readdirSync(staging), [], 'the dead ingest\'s staging is gone');
  const after = listParts(killed).filter((part) => part.venue === 'nasdaq');
  assert.deepEqual(
    after.map((part) => [part.date, description(part.sidecar).rows]),
    [
      // New York 09:30 to 11:30 the next day: copy 2 crosses midnight UTC.
      ['2012-06-21', 105_517],
      ['2012-06-22', 160_439],
    ],
  );
  for (const [path, hash] of kraken) assert.equal(snapshot(killed).get(path), hash, `${path} of another input is kept`);
});
