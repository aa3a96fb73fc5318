import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { snappy } from '../../src/store/parquet/codecs.js';
import { deltaValues, dictionaryValues, loadDictionary, lz4Block, plainValues } from '../../src/store/parquet/page-decoder.js';
import { decodeColumnChunk } from '../../src/store/parquet/column-decoder.js';
import { readFileMeta } from '../../src/store/parquet/metadata.js';
import { NULL_INT64, StagingParquetWriter } from '../../src/io/parquet/staging-writer.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('flowmine-parquet-');

/** Every value of a column of a file, decoded by the store's reader, times minus `base`. */
function readColumn(path: string, name: string, base = 0n): Float64Array {
  const meta = readFileMeta(path);
  const bytes = readFileSync(path);
  const index = meta.schema.findIndex((column) => column.name === name);
  const out = new Float64Array(meta.rows);
  let at = 0;
  for (const group of meta.rowGroups) {
    const chunk = group.columns[index]!;
    const values = new Float64Array(group.rows);
    decodeColumnChunk(bytes.subarray(chunk.start, chunk.start + chunk.length), chunk, meta.schema[index]!.repetition === 1, values, base, path);
    out.set(values, at);
    at += group.rows;
  }
  return out;
}

async function duckdb() {
  const instance = await DuckDBInstance.create(':memory:');
  return instance.connect();
}

/** 5,000 rows whose columns stress every encoding DuckDB picks: times beyond 2^53, NULLs, runs, constants, jumps, negatives. */
const TABLE = `CREATE TABLE t AS SELECT
  1723161256322000000 + range * 1000003 AS ts,
  CASE WHEN range % 7 = 3 THEN NULL ELSE 1723161256322000000 + range * 999 END AS ts_nullable,
  CAST(range % 5 AS UTINYINT) AS small,
  CAST(CASE WHEN range % 3 = 0 THEN -1 ELSE 1 END AS TINYINT) AS side,
  CAST(42 AS BIGINT) AS constant,
  CASE WHEN range % 2 = 0 THEN range * 12345678901 ELSE 0 - range END AS jumpy,
  CAST(range * 37 % 1000 AS BIGINT) - 500 AS wraps,
  CASE WHEN range < 4000 THEN NULL ELSE range END AS mostly_null,
  CAST(9007199254740993 + range * 2 AS BIGINT) AS beyond_2_53,
  range AS i
FROM range(5000)`;

test('the reader decodes what DuckDB writes: every version, codec and encoding, NULLs and times beyond 2^53', async () => {
  const connection = await duckdb();
  await connection.run(TABLE);
  const expected = (await connection.runAndReadAll('SELECT * FROM t ORDER BY i')).getColumnsJS() as (bigint | number | null)[][];
  const names = ['ts', 'ts_nullable', 'small', 'side', 'constant', 'jumpy', 'wraps', 'mostly_null', 'beyond_2_53', 'i'];
  const base = 1723161256000000000n;
  const layouts = [];
  for (const version of ['V1', 'V2']) {
    for (const compression of ['uncompressed', 'snappy', 'zstd', 'lz4_raw']) {
      for (const dictionary of ['', ', DICTIONARY_SIZE_LIMIT 1']) layouts.push(`PARQUET_VERSION ${version}, COMPRESSION ${compression}${dictionary}`);
    }
  }
  for (const [k, layout] of layouts.entries()) {
    const path = join(dir, `layout-${k}.parquet`);
    await connection.run(`COPY (SELECT * FROM t ORDER BY i) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048, ${layout})`);
    names.forEach((name, c) => {
      const isTime = name.startsWith('ts');
      const values = readColumn(path, name, isTime ? base : 0n);
      for (let i = 0; i < values.length; i++) {
        const want = expected[c]![i];
        const wanted = want === null || want === undefined ? NaN : isTime ? Number(BigInt(want) - base) : Number(want);
        if (!Object.is(values[i], wanted)) assert.fail(`${layout}: ${name}[${i}] is ${values[i]}, expected ${wanted}`);
      }
    });
  }
  connection.closeSync();
});

test('staging files (required PLAIN columns written in JavaScript) read back exactly in DuckDB and in the reader', async () => {
  const path = join(dir, 'staging.parquet');
  const writer = new StagingParquetWriter(path, [
    { name: 'wide', type: 'INT64' },
    { name: 'narrow', type: 'INT32' },
  ]);
  const wide = Float64Array.from([0, -1, 2 ** 53, -(2 ** 53) - 2, 9.2e18, NaN, 123456789012345, -987654321]);
  const narrow = Int32Array.from([0, -1, 255, -128, 2 ** 31 - 1, -(2 ** 31), 7, 8]);
  writer.writeRowGroup([wide, narrow], 5);
  writer.writeRowGroup([wide.subarray(5), narrow.subarray(5)], 3);
  writer.close();
  const connection = await duckdb();
  const rows = (await connection.runAndReadAll(`SELECT CAST(wide AS VARCHAR), narrow FROM read_parquet('${path}')`)).getRowsJS();
  assert.deepEqual(rows, [
    ['0', 0],
    ['-1', -1],
    ['9007199254740992', 255],
    ['-9007199254740994', -128],
    ['9200000000000000000', 2147483647],
    [NULL_INT64, -2147483648],
    ['123456789012345', 7],
    ['-987654321', 8],
  ]);
  const back = readColumn(path, 'wide');
  assert.deepEqual([...back.subarray(0, 5)], [...wide.subarray(0, 5)]);
  assert.equal(back[5], -(2 ** 63));
  assert.deepEqual([...readColumn(path, 'narrow')], [...narrow]);
  connection.closeSync();
});

test('LZ4 and Snappy blocks: literals, overlapping copies, and a one-line error for a damaged block', () => {
  // "abcabcabcabcX": 3 literals, then a copy of 9 bytes from 3 back (overlapping), then the last literal.
  const lz4 = Uint8Array.from([0x35, 97, 98, 99, 3, 0, 0x10, 88]);
  assert.equal(Buffer.from(lz4Block(lz4, 13, 'test')).toString(), 'abcabcabcabcX');
  assert.throws(() => lz4Block(Uint8Array.from([0x35, 97, 98, 99, 9, 0]), 13, 'part.parquet'), /^FlowmineError: part\.parquet: corrupt LZ4 block$/);
  // Blocks that end inside a length's extra bytes: of the literals, and of a match.
  for (const block of [[0xf0], [0xf0, 255], [0x1f, 97, 1, 0]]) assert.throws(() => lz4Block(Uint8Array.from(block), 40, 'part.parquet'), /^FlowmineError: part\.parquet: corrupt LZ4 block$/);
  // Snappy: length 13, literal "abc", copy-1 of length 9 at offset 3, literal "X".
  const snappyBytes = Uint8Array.from([13, 0x08, 97, 98, 99, 0x15, 3, 0x00, 88]);
  assert.equal(Buffer.from(snappy(snappyBytes, 13, 'test')).toString(), 'abcabcabcabcX');
});

test('LZ4 blocks: each way of copying (runs longer than 16 bytes, matches of 8 bytes or more back, long and overlapping ones)', () => {
  // A match copies `length` bytes starting `offset` back, one byte after another (so it may repeat itself).
  const copied = (text: string, offset: number, length: number) => {
    for (let k = 0; k < length; k++) text += text[text.length - offset]!;
    return text;
  };
  let expected = copied('ABCDEFGHIJKLMNOPQRST', 10, 30); // 20 literals; 30 bytes from 10 back
  expected = copied(expected, 3, 12); // 12 bytes from 3 back: a pattern of 3
  expected = copied(`${expected}x`, 40, 100); // 1 literal; 100 bytes from 40 back
  expected = copied(expected, 70, 66); // 66 bytes from 70 back: no overlap
  expected += 'END!!';
  const block = Uint8Array.from([
    ...[0xff, 5, ...Buffer.from('ABCDEFGHIJKLMNOPQRST'), 10, 0, 11],
    ...[0x08, 3, 0],
    ...[0x1f, 120, 40, 0, 81],
    ...[0x0f, 70, 0, 47],
    ...[0x50, ...Buffer.from('END!!')],
  ]);
  assert.equal(Buffer.from(lz4Block(block, expected.length, 'test')).toString(), expected);
});

/** Dictionary indices as Parquet writes them: the width byte, then runs of one index and bit-packed groups of 8. */
function indexPage(bitWidth: number, parts: ({ run: number; index: number } | { packed: number[] })[]): Uint8Array {
  const bytes = [bitWidth];
  const varint = (value: number) => {
    for (; value >= 0x80; value = Math.floor(value / 128)) bytes.push((value & 0x7f) | 0x80);
    bytes.push(value);
  };
  for (const part of parts) {
    if ('run' in part) {
      varint(part.run * 2);
      for (let b = 0; b < Math.ceil(bitWidth / 8); b++) bytes.push(Math.floor(part.index / 2 ** (8 * b)) & 0xff);
      continue;
    }
    const groups = Math.ceil(part.packed.length / 8);
    varint(groups * 2 + 1);
    let bits = 0n;
    part.packed.forEach((index, k) => (bits |= BigInt(index) << BigInt(k * bitWidth)));
    for (let b = 0; b < groups * bitWidth; b++) bytes.push(Number((bits >> BigInt(8 * b)) & 0xffn));
  }
  return Uint8Array.from(bytes);
}

/** PLAIN little-endian INT64 (or INT32) values. */
function plainPage(values: bigint[], wide = true): Uint8Array {
  const bytes = Buffer.alloc(values.length * (wide ? 8 : 4));
  values.forEach((value, k) => (wide ? bytes.writeBigInt64LE(value, 8 * k) : bytes.writeInt32LE(Number(value), 4 * k)));
  return bytes;
}

test('PLAIN pages: INT32 and INT64 values, INT64 ones minus a base and rounded once past 2^53, and a one-line error for a short page', () => {
  const base = 1_723_161_256_322_000_000n;
  const values = [base, base + 1n, base - 123_456_789n, base + 2n ** 53n + 1n, base - 2n ** 60n - 3n, -(2n ** 63n), 2n ** 63n - 1n];
  const out = new Float64Array(values.length + 2).fill(-1);
  plainValues(plainPage(values), values.length, true, base, out, 1, 'part.parquet: column ts_event');
  assert.deepEqual([...out], [-1, ...values.map((value) => Number(value - base)), -1]);
  const narrow = [0n, -1n, 2_147_483_647n, -2_147_483_648n, 42n];
  const small = new Float64Array(narrow.length);
  plainValues(plainPage(narrow, false), narrow.length, false, 0n, small, 0, 'part.parquet: column side');
  assert.deepEqual([...small], narrow.map(Number));
  assert.throws(() => plainValues(plainPage(values).subarray(0, 50), values.length, true, base, out, 0, 'part.parquet: column seq'), /^FlowmineError: part\.parquet: column seq: PLAIN page shorter than its 7 values$/);
  assert.throws(() => loadDictionary(plainPage(values).subarray(0, 50), values.length, true, base, 'part.parquet: column seq'), /^FlowmineError: part\.parquet: column seq: dictionary page shorter than its 7 values$/);
});

test('dictionary indices: runs and bit-packed groups of any width to 32 bits, from a page in memory or just decompressed, and one-line errors', () => {
  // The dictionary, as a dictionary page holds it: times minus the base.
  const base = 1_723_161_256_322_000_000n;
  const dictionary = [10n, 20n, 30n, 40n, 50n].map((value) => base + value);
  for (const bitWidth of [3, 8, 13, 24, 32]) {
    // A run, a full group, a run, then a last group of which only 3 values are the page's.
    const page = indexPage(bitWidth, [{ run: 4, index: 2 }, { packed: [0, 1, 2, 3, 4, 0, 1, 2] }, { run: 300, index: 4 }, { packed: [3, 3, 1, 0, 0, 0, 0, 0] }]);
    const expected = [...Array(4).fill(30), 10, 20, 30, 40, 50, 10, 20, 30, ...Array(300).fill(50), 40, 40, 20];
    const out = new Float64Array(expected.length + 2).fill(-1);
    loadDictionary(plainPage(dictionary), dictionary.length, true, base, 'part.parquet: column price');
    dictionaryValues(page, expected.length, dictionary.length, out, 1, 'part.parquet: column price');
    assert.deepEqual([...out], [-1, ...expected, -1], `${bitWidth} bits`);
    // The same page as an LZ4 block of literals only, decompressed in the module and decoded there.
    const literals = page.length;
    const block = Uint8Array.from([0xf0, ...(literals >= 15 ? [...Array(Math.floor((literals - 15) / 255)).fill(255), (literals - 15) % 255] : []), ...page]);
    if (literals < 15) block[0] = literals << 4;
    const again = new Float64Array(expected.length);
    dictionaryValues(lz4Block(block, literals, 'test'), expected.length, dictionary.length, again, 0, 'test');
    assert.deepEqual([...again], expected, `${bitWidth} bits, decompressed`);
  }
  const beyond = indexPage(3, [{ run: 2, index: 1 }, { packed: [0, 1, 7] }]);
  assert.throws(() => dictionaryValues(beyond, 5, dictionary.length, new Float64Array(5), 0, 'part.parquet: column side'), /^FlowmineError: part\.parquet: column side: dictionary index 7 beyond 5$/);
  const short = indexPage(3, [{ run: 12, index: 1 }]);
  assert.throws(() => dictionaryValues(short, 20, dictionary.length, new Float64Array(20), 0, 'part.parquet: column side'), /^FlowmineError: part\.parquet: column side: dictionary indices end after 12 of 20 values$/);
  assert.throws(() => dictionaryValues(Uint8Array.from([33, 2, 0]), 1, dictionary.length, new Float64Array(1), 0, 'x'), /^FlowmineError: x: dictionary index width 33$/);
  assert.throws(() => lz4Block(Uint8Array.from([0x30, 97, 98, 99]), 4, 'part.parquet'), /^FlowmineError: part\.parquet: LZ4 page is 3 bytes, expected 4$/);
});

/**
 * A DELTA_BINARY_PACKED page as the format describes it: block size, miniblocks, count and first value,
 * then per block the smallest delta (zigzag), a bit width per miniblock and the deltas above the smallest,
 * bit-packed (a miniblock past the last value is left out, as writers may).
 */
function deltaPage(values: bigint[], blockSize = 128, miniblocks = 4): Uint8Array {
  const bytes: number[] = [];
  const varint = (value: bigint) => {
    for (; value >= 0x80n; value >>= 7n) bytes.push(Number(value & 0x7fn) | 0x80);
    bytes.push(Number(value));
  };
  const zigzag = (value: bigint) => varint(BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)));
  varint(BigInt(blockSize));
  varint(BigInt(miniblocks));
  varint(BigInt(values.length));
  zigzag(values[0]!);
  const deltas = values.slice(1).map((value, k) => BigInt.asIntN(64, value - values[k]!));
  const perMiniblock = blockSize / miniblocks;
  for (let start = 0; start < deltas.length; start += blockSize) {
    const block = deltas.slice(start, start + blockSize);
    const smallest = block.reduce((a, b) => (b < a ? b : a));
    zigzag(smallest);
    const groups = Array.from({ length: miniblocks }, (_, m) => block.slice(m * perMiniblock, (m + 1) * perMiniblock).map((d) => BigInt.asUintN(64, d - smallest)));
    const widths = groups.map((group) => group.reduce((w, d) => Math.max(w, d.toString(2).length * (d > 0n ? 1 : 0)), 0));
    bytes.push(...widths);
    groups.forEach((group, m) => {
      if (group.length === 0) return;
      let bits = 0n;
      group.forEach((d, k) => (bits |= d << BigInt(k * widths[m]!)));
      for (let b = 0; b < (perMiniblock * widths[m]!) / 8; b++) bytes.push(Number((bits >> BigInt(8 * b)) & 0xffn));
    });
  }
  return Uint8Array.from(bytes);
}

test('delta-packed pages: every bit width to 64, deltas that wrap, values minus a base rounded once, and one-line errors', () => {
  const base = 1_723_161_256_322_000_000n;
  const cases: bigint[][] = [
    Array.from({ length: 300 }, (_, k) => base + BigInt(k)), // event_index-like: width 0
    Array.from({ length: 200 }, (_, k) => base + BigInt(k * k * 37 - (k % 7) * 1_000_003)), // mixed widths, negative deltas
    [base, base - 2n ** 62n, base + 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, 0n, base], // deltas past 2^63 wrap; widths to 64
    Array.from({ length: 40 }, (_, k) => base + (k % 2 ? 2n ** 60n + 12_345n : 0n)), // 62-bit deltas: most start mid-byte and end in a ninth byte
    Array.from({ length: 97 }, (_, k) => BigInt(k % 2 ? 2 ** 53 + k : -(2 ** 52) - k) + base), // offsets past 2^53
  ];
  for (const values of cases) {
    const out = new Float64Array(values.length + 2).fill(-1);
    deltaValues(deltaPage(values), values.length, base, out, 1, 'part.parquet: column ts_event');
    assert.deepEqual([...out], [-1, ...values.map((value) => Number(value - base)), -1]);
  }
  const page = deltaPage(Array.from({ length: 100 }, (_, k) => BigInt(k * k)));
  assert.throws(() => deltaValues(page, 99, 0n, new Float64Array(99), 0, 'part.parquet: column seq'), /^FlowmineError: part\.parquet: column seq: delta page holds 100 values, expected 99$/);
  // Cut inside the second miniblock: the header, the smallest delta and 4 widths take 10 bytes, the first miniblock's 32 deltas of 6 bits 24.
  assert.throws(() => deltaValues(page.subarray(0, 40), 100, 0n, new Float64Array(100), 0, 'part.parquet: column seq'), /^FlowmineError: part\.parquet: column seq: delta page ends after 33 of 100 values$/);
  // Damaged headers: blocks of 0 values, and miniblocks of 20 (not a multiple of 32).
  for (const header of [[0, 4, 3, 0], [80, 4, 3, 0]]) {
    assert.throws(() => deltaValues(Uint8Array.from([...header, 2, 0, 0, 0, 0]), 3, 0n, new Float64Array(3), 0, 'part.parquet: column seq'), /^FlowmineError: part\.parquet: column seq: delta page with a damaged header or bit width$/);
  }
});
