import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay, Replayer } from '../../../src/book/replay.js';
import { Action } from '../../../src/core/event.js';
import { openSource } from '../../../src/io/index.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const KRAKEN = 'cryptofeed_KRAKEN.ws.50.0.txt';

test('Kraken (cryptofeed capture): every one of the 4,269 checksums verifies, for each of the 10 pairs', needs(KRAKEN), async () => {
  const source = await openSource(fixture(KRAKEN));
  assert.equal(source.format, 'cryptofeed');
  assert.equal(source.depthLimit, 1000, 'the subscription depth, from the sent subscribe frame');
  const perPair = new Map<string, number>();
  const replayer = Replayer.for(source);
  for await (const batch of source.batches()) {
    for (let i = 0; i < batch.length; i++) {
      if (batch.action[i] !== Action.Checksum) continue;
      const pair = batch.instruments.get(batch.instrument[i]!).symbol;
      perPair.set(pair, (perPair.get(pair) ?? 0) + 1);
    }
    replayer.push(batch); // strict: a mismatch would throw here
  }
  const summary = replayer.finish();
  assert.equal(source.integrity.report.notes.get('checksums_verified'), 4_269);
  assert.equal(perPair.size, 10);
  assert.ok([...perPair.values()].every((n) => n > 0));
  assert.equal(summary.crossedUpdates, 0);
  // Prices are kept at the decimals they use; the printed width (8 for XMR/USD) serves the checksum.
  const xmr = source.instruments.list.find((instrument) => instrument.symbol === 'XMR/USD')!;
  assert.deepEqual([xmr.priceDecimals, xmr.printDecimals], [2, { price: 8, size: 8 }]);
});

test('Kraken checksums catch a book that is wrong: a changed volume, a changed checksum', needs(KRAKEN), async () => {
  const dir = tempDir('flowmine-kraken-');
  const lines = readFileSync(fixture(KRAKEN), 'utf8').split('\n');
  const at = lines.findIndex((line) => line.includes('"c":"2583817756"'));
  // The same message with another volume: the rebuilt book no longer matches Kraken's checksum.
  const altered = [...lines];
  altered[at] = altered[at]!.replace('"354.15000000","5.00000000"', '"354.15000000","4.00000000"');
  const path = join(dir, 'altered.txt');
  writeFileSync(path, altered.join('\n'));
  await assert.rejects(replay(await openSource(path)), { message: `${path}:${at + 1}: checksum: kraken checksum mismatch for kraken:XMR/USD: expected=2583817756, was=3802397908` });
  const repaired = await openSource(path, { policy: 'repair' });
  await replay(repaired);
  // The wrong volume stays in the book until that level changes again: every checksum until then fails.
  const mismatches = repaired.integrity.report.issueCount('checksum_mismatch');
  assert.ok(mismatches >= 1);
  assert.equal(repaired.integrity.report.notes.get('checksums_verified'), 4_269 - mismatches);

  // The original book with a checksum one off: what flowmine computes is exactly Kraken's value.
  const tampered = [...lines];
  tampered[at] = tampered[at]!.replace('"c":"2583817756"', '"c":"2583817757"');
  const tamperedPath = join(dir, 'tampered.txt');
  writeFileSync(tamperedPath, tampered.join('\n'));
  await assert.rejects(replay(await openSource(tamperedPath)), { message: `${tamperedPath}:${at + 1}: checksum: kraken checksum mismatch for kraken:XMR/USD: expected=2583817757, was=2583817756` });
});
