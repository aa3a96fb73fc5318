import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { streamTextLineBatches } from '../../src/io/lines.js';
import { isZip, zipEntries, zipSingleEntryBytes } from '../../src/io/zip.js';
import { fixture, needs } from '../support/data.js';
import { zipArchive, type TestMember } from './bybit/zip-archive.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('flowmine-zip-');
let written = 0;
function archive(members: TestMember[]): string {
  const path = join(dir, `test-${++written}.zip`);
  writeFileSync(path, zipArchive(members));
  return path;
}

async function readAll(path: string): Promise<{ bytes: Buffer; chunks: number; largest: number }> {
  const parts: Uint8Array[] = [];
  let largest = 0;
  for await (const chunk of zipSingleEntryBytes(path)) {
    parts.push(chunk);
    largest = Math.max(largest, chunk.length);
  }
  return { bytes: Buffer.concat(parts), chunks: parts.length, largest };
}

/** 3 MB of numbered lines: more than one chunk of the stream. */
const LINES = 250_000;
const text = Buffer.from(Array.from({ length: LINES }, (_, k) => `line ${k + 1}`).join('\n') + '\n');
const hex = (bytes: Uint8Array) => `0x${(crc32(bytes) >>> 0).toString(16).padStart(8, '0')}`;

test('zip: a stored and a deflated member read back byte for byte, streamed in chunks of at most 1 MiB', async () => {
  for (const method of [0, 8]) {
    const path = archive([{ name: 'lines.txt', data: text, method }]);
    assert.ok(isZip(readFileSync(path).subarray(0, 4)));
    const { bytes, chunks, largest } = await readAll(path);
    assert.ok(bytes.equals(text), `method ${method}`);
    assert.ok(chunks >= 3, `method ${method}: ${chunks} chunks`);
    assert.ok(largest <= 1 << 20);
  }
});

test('zip: lines streamed from a member are numbered across chunk boundaries', async () => {
  const path = archive([{ name: 'lines.txt', data: text }]);
  let expected = 1;
  for await (const { firstLine, lines } of streamTextLineBatches(zipSingleEntryBytes(path))) {
    assert.equal(firstLine, expected);
    for (const line of lines) assert.equal(line, `line ${expected++}`);
  }
  assert.equal(expected, LINES + 1);
});

test('zip: zip64 sizes and offsets are read from the zip64 extra field and end record', async () => {
  const path = archive([{ name: 'big.data', data: text, zip64: true }]);
  const [entry] = zipEntries(path);
  assert.deepEqual({ name: entry!.name, size: entry!.size, crc32: entry!.crc32, localHeaderOffset: entry!.localHeaderOffset }, { name: 'big.data', size: text.length, crc32: crc32(text) >>> 0, localHeaderOffset: 0 });
  assert.ok((await readAll(path)).bytes.equals(text));
});

test('zip: the Bybit history file is one stored member whose CRC-32 verifies', needs('bybit_XRPUSDT-linear_2024-12-01_ob500_first50.data.zip'), async () => {
  const path = fixture('bybit_XRPUSDT-linear_2024-12-01_ob500_first50.data.zip');
  const entries = zipEntries(path);
  assert.deepEqual(entries, [{ name: '2024-12-01_XRPUSDT_ob500.data', method: 0, flags: 0, crc32: 0x51af93b7, compressedSize: 80_382, size: 80_382, localHeaderOffset: 0 }]);
  const { bytes } = await readAll(path);
  assert.equal(bytes.length, 80_382);
  assert.equal(crc32(bytes) >>> 0, 0x51af93b7);
});

test('zip: a corrupted member is an integrity error naming both CRC-32 values', async () => {
  const data = Buffer.from('{"a":1}\n{"b":2}\n');
  const stored = zipArchive([{ name: 'a.data', data, method: 0 }]);
  // Flip one byte of the stored data (after the 30-byte local header and the 6-byte name).
  const at = 30 + 6 + 3;
  stored[at] = stored[at]! ^ 0x01;
  const corrupted = Buffer.from(data);
  corrupted[3] = corrupted[3]! ^ 0x01;
  const path = join(dir, 'corrupt.zip');
  writeFileSync(path, stored);
  await assert.rejects(readAll(path), { message: `${path}: zip: CRC-32 of a.data is ${hex(corrupted)}, the archive says ${hex(data)}: the member is corrupt` });
  // The same under deflate: a wrong CRC in the directory.
  const wrongCrc = archive([{ name: 'a.data', data, crc: 0x12345678 }]);
  await assert.rejects(readAll(wrongCrc), { message: `${wrongCrc}: zip: CRC-32 of a.data is ${hex(data)}, the archive says 0x12345678: the member is corrupt` });
});

test('zip: damaged deflate data, a wrong size, truncation: one-line errors', async () => {
  const data = Buffer.from('some text\n');
  // 0xff: a final block of the reserved type 3.
  const damaged = archive([{ name: 'a.data', data, compressed: Buffer.from([0xff, 0xff, 0xff, 0xff]) }]);
  await assert.rejects(readAll(damaged), { message: `${damaged}: zip: deflate data of a.data is corrupt near compressed byte 4 (invalid block type)` });
  const wrongSize = archive([{ name: 'a.data', data, size: 11 }]);
  await assert.rejects(readAll(wrongSize), { message: `${wrongSize}: zip: a.data inflates to 10 bytes, the archive says 11: the member is corrupt or truncated` });
  const whole = zipArchive([{ name: 'a.data', data }]);
  const truncated = join(dir, 'truncated.zip');
  writeFileSync(truncated, whole.subarray(0, whole.length - 10));
  await assert.rejects(readAll(truncated), { message: `${truncated}: zip: no end-of-central-directory record: not a zip archive, or truncated` });
});

test('zip: more than one member, or another compression method, is refused with one line', async () => {
  const two = archive([
    { name: 'a.data', data: Buffer.from('a') },
    { name: 'b.data', data: Buffer.from('b') },
  ]);
  await assert.rejects(readAll(two), { message: `${two}: zip: holds 2 entries (a.data, b.data); one was expected` });
  const none = archive([]);
  await assert.rejects(readAll(none), { message: `${none}: zip: holds 0 entries; one was expected` });
  const bzip2 = archive([{ name: 'a.data', data: Buffer.from('a'), method: 12 }]);
  await assert.rejects(readAll(bzip2), { message: `${bzip2}: zip: a.data uses compression method 12; only stored (0) and deflate (8) are supported` });
});
