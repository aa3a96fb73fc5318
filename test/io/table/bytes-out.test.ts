import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatUnits } from '../../../src/core/decimal.js';
import { ByteOut } from '../../../src/io/table/bytes-out.js';
import { tempDir } from '../../support/temp.js';

test('ByteOut writes integers and decimals exactly, across the int32 boundary and up to 2^53', () => {
  const path = join(tempDir('flowmine-bytes-'), 'out.txt');
  const out = new ByteOut(path);
  const integers = [0, 7, 10, 99, 100, 2147483647, 2147483648, 4294967296, 1340285400, 9007199254740991, 1000000000000];
  const decimals: [number, number][] = [[2238200, 4], [2238250, 4], [5, 4], [100, 2], [4799250000000, 9], [123456789012345, 8], [3000000000, 9], [-15, 1]];
  for (const value of integers) {
    out.integer(value);
    out.byte(10);
  }
  out.unsigned(17459617, 9);
  out.byte(10);
  out.unsigned(2147483650, 12);
  out.byte(10);
  for (const [units, places] of decimals) {
    out.decimal(units, places, 10 ** places);
    out.byte(10);
  }
  out.close();
  const expected = [...integers.map(String), '017459617', '002147483650', ...decimals.map(([units, places]) => formatUnits(units, places))];
  assert.deepEqual(readFileSync(path, 'utf8').trimEnd().split('\n'), expected);
});
