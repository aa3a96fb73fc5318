import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTimeNs, listOption } from '../../src/store/dataset-filter.js';
import { decodePartitionValue, encodePartitionValue, partId, partIdOf, partitionPath, utcDateOfNs } from '../../src/store/layout.js';
import { parseOwnerName, ownerName } from '../../src/store/process-owner.js';
import { splitStatements } from '../../src/store/sql.js';

test('partition values are percent-encoded reversibly, and only names that are such encodings decode', () => {
  const cases: [string, string][] = [
    ['BTCUSDT', 'BTCUSDT'],
    ['XMR/USD', 'XMR%2FUSD'],
    ['BTC-PERPETUAL', 'BTC-PERPETUAL'],
    ['glbx.mdp3', 'glbx.mdp3'],
    ['a=b c%', 'a%3Db%20c%25'],
    ['..', '..'],
    ['ES 06-24 (µ)', 'ES%2006-24%20%28%C2%B5%29'],
  ];
  for (const [text, folder] of cases) {
    assert.equal(encodePartitionValue(text), folder);
    assert.equal(decodePartitionValue(folder), text);
  }
  assert.equal(decodePartitionValue('XMR%2fUSD'), null, 'lower-case hex is not what the encoder writes');
  assert.equal(decodePartitionValue('XMR/USD'), null);
  assert.equal(decodePartitionValue('a%2'), null);
  assert.equal(decodePartitionValue('a b'), null);
  assert.equal(partitionPath('kraken', 'XMR/USD', '2021-04-17'), 'venue=kraken/symbol=XMR%2FUSD/date=2021-04-17');
});

test('a part id is 12 hex digits of the input path and format; file names give it back', () => {
  const id = partId('/data/a.csv', 'lobster');
  assert.match(id, /^[0-9a-f]{12}$/);
  assert.equal(partId('/data/a.csv', 'lobster'), id);
  assert.notEqual(partId('/data/a.csv', 'tardis-csv'), id);
  assert.notEqual(partId('/data/b.csv', 'lobster'), id);
  assert.equal(partIdOf(`part-${id}.parquet`), id);
  assert.equal(partIdOf(`part-${id}.integrity.json`), id);
  assert.equal(partIdOf(`part-${id}.parquet.tmp`), null);
  assert.equal(partIdOf('data_0.parquet'), null);
});

test('UTC dates of epoch nanoseconds, before 1970 too', () => {
  assert.equal(utcDateOfNs(1723161599999999999n), '2024-08-08');
  assert.equal(utcDateOfNs(1723161600000000000n), '2024-08-09');
  assert.equal(utcDateOfNs(0n), '1970-01-01');
  assert.equal(utcDateOfNs(-1n), '1969-12-31');
});

test('times for --from/--to: epoch ns or ISO 8601 to the nanosecond, UTC unless a zone is given', () => {
  assert.equal(parseTimeNs('1723161600000000000', '--from'), 1723161600000000000n);
  assert.equal(parseTimeNs('2024-08-09', '--from'), 1723161600000000000n);
  assert.equal(parseTimeNs('2024-08-08T23:55:00Z', '--from'), 1723161300000000000n);
  assert.equal(parseTimeNs('2024-08-08T23:55:00.000000001', '--from'), 1723161300000000001n);
  assert.equal(parseTimeNs('2024-08-08T19:55:00.5-04:00', '--from'), 1723161300500000000n);
  assert.throws(() => parseTimeNs('2024-02-30', '--to'), /^UsageError: --to 2024-02-30: expected epoch nanoseconds or an ISO time/);
  assert.throws(() => parseTimeNs('yesterday', '--from'), /--from yesterday/);
  assert.deepEqual(listOption('a,b,,c'), ['a', 'b', 'c']);
  assert.equal(listOption(undefined), undefined);
});

test('staging folder owners: host, pid and start time survive the name', () => {
  const owner = { host: 'box_1.local', pid: 4242, start: 123456 };
  assert.deepEqual(parseOwnerName(`${ownerName(owner)}_abcd1234`), owner);
  assert.equal(parseOwnerName('commit.lock'), null);
});

test('SQL statements split at semicolons outside quotes and comments', () => {
  assert.deepEqual(splitStatements("SELECT 1; SELECT ';' AS s -- ;\n; /* ; */ SELECT \"a;b\" FROM t;"), ['SELECT 1', "SELECT ';' AS s -- ;", '/* ; */ SELECT "a;b" FROM t']);
  assert.deepEqual(splitStatements("SELECT 'it''s; fine'"), ["SELECT 'it''s; fine'"]);
  assert.deepEqual(splitStatements('CREATE MACRO m() AS $$;$$; SELECT m()'), ['CREATE MACRO m() AS $$;$$', 'SELECT m()']);
  assert.deepEqual(splitStatements(' ; -- nothing\n'), []);
});
