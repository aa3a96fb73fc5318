import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { replay } from '../../src/book/replay.js';
import { InputError } from '../../src/core/errors.js';
import { fileBytes } from '../../src/io/bytes.js';
import { LobsterSource } from '../../src/io/lobster/reader.js';
import { fixture, needs } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const AAPL = 'lobster_AAPL_2012-06-21_first999_message_10.csv';
const ZST = 'databento_GLBX-MDP3_ESH4_2023-12-24_mbo.dbn.zst';
const dir = () => tempDir('flowmine-bytes-');

async function drain(path: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of fileBytes(path)) bytes += chunk.length;
  return bytes;
}

test('gzip input is read transparently; a truncated gzip file is a one-line error, not a crash', needs(AAPL), async () => {
  const plain = readFileSync(fixture(AAPL));
  const folder = dir();
  const path = join(folder, 'AAPL_2012-06-21_34200000_57600000_message_10.csv.gz');
  writeFileSync(path, gzipSync(plain));
  const source = new LobsterSource(path, { companion: false });
  const summary = await replay(source);
  assert.equal(summary.updates, 999);

  const truncated = join(folder, 'AAPL_2012-06-21_34200000_57600000_message_10.csv.gz.cut');
  writeFileSync(truncated, gzipSync(plain).subarray(0, 5000));
  await assert.rejects(drain(truncated), (error: unknown) => error instanceof InputError && /^.*\.cut: gzip stream: corrupt or truncated near compressed byte \d+ \(unexpected end of file\)$/.test(error.message));
});

test('a corrupted zstd frame is a one-line error naming the file and the byte offset', needs(ZST), async () => {
  const original = readFileSync(fixture(ZST));
  assert.equal(await drain(fixture(ZST)), 488_806, 'MANIFEST: 488,806 bytes decompressed');
  const corrupt = Buffer.from(original);
  for (let i = 2000; i < 2064; i++) corrupt[i] = corrupt[i]! ^ 0x5a;
  const path = join(dir(), 'corrupt.dbn.zst');
  writeFileSync(path, corrupt);
  await assert.rejects(drain(path), (error: unknown) => error instanceof InputError && error.message.startsWith(`${path}: zstd stream: corrupt or truncated near compressed byte`));
});
