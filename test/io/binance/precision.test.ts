import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { replay } from '../../../src/book/replay.js';
import { Action } from '../../../src/core/event.js';
import { captureDecimals } from '../../../src/io/binance/capture-scan.js';
import { DecimalsSeen, HEAD_SCAN_BYTES, significantDecimals } from '../../../src/io/binance/decimals.js';
import { BinanceCaptureSource } from '../../../src/io/binance/reader.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const CAPTURES = {
  spot: 'hftbacktest_binance-spot_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz',
  usdm: 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz',
  coinm: 'hftbacktest_binance-coinm_BTCUSD_PERP_2024-08-08T2354Z_raw_ws.jsonl.gz',
};
/** Per capture: the symbol and the fewest price and quantity decimals that hold all its values. */
const DECIMALS = {
  spot: ['BTCUSDT', 2, 6],
  usdm: ['BTCUSDT', 1, 3],
  coinm: ['BTCUSD_PERP', 1, 0],
} as const;

test('significant decimals: trailing zeros dropped, non-decimals refused', () => {
  assert.equal(significantDecimals('7.6110'), 3);
  assert.equal(significantDecimals('132750000'), 0);
  assert.equal(significantDecimals('0.00000000'), 0);
  assert.equal(significantDecimals('61737.63000000'), 2);
  assert.equal(significantDecimals('0.00001785'), 8);
  assert.equal(significantDecimals('1e-8'), -1);
  assert.equal(significantDecimals(''), -1);
  assert.equal(significantDecimals('1.2.3'), -1);
});

for (const [product, name] of Object.entries(CAPTURES)) {
  test(`Binance ${product}: units per symbol from the first 4 MiB, the same as the whole capture needs`, needs(name), async () => {
    const [symbol, price, size] = DECIMALS[product as keyof typeof DECIMALS];
    const source = new BinanceCaptureSource(fixture(name));
    for await (const batch of source.batches()) void batch;
    assert.deepEqual(
      source.instruments.list.map((instrument) => [instrument.symbol, instrument.priceDecimals, instrument.sizeDecimals]),
      [[symbol, price, size]],
    );
    // Nothing later in the capture needs more: the whole file gives the same decimals as its head.
    const whole = new DecimalsSeen();
    whole.budget = Infinity;
    await captureDecimals(fixture(name), whole);
    assert.deepEqual(whole.get(symbol), { price, size });
  });
}

test('Binance spot: the head is what decides: the first 6-decimal level quantity is on the line at character 537,845', needs(CAPTURES.spot), async () => {
  // The spot capture prints 8 decimals; its quantities need 5 until a diff half a megabyte in (line 1,886).
  const decimalsWithin = async (budget: number) => {
    const seen = new DecimalsSeen();
    seen.budget = budget;
    await captureDecimals(fixture(CAPTURES.spot), seen);
    return seen.get('BTCUSDT');
  };
  assert.deepEqual(await decimalsWithin(537_845), { price: 2, size: 5 });
  assert.deepEqual(await decimalsWithin(537_846), { price: 2, size: 6 });
  assert.ok(HEAD_SCAN_BYTES > 537_845);
});

/** A copy of the USD-M capture in which `edit` changed the first line of `kind` that starts past 5,000,000 characters. */
function editedCapture(kind: string, edit: (line: string) => string): { path: string; line: number } {
  const lines = gunzipSync(readFileSync(fixture(CAPTURES.usdm))).toString('utf8').split('\n');
  let offset = 0;
  let index = -1;
  for (let k = 0; k < lines.length; k++) {
    if (offset > 5_000_000 && lines[k]!.includes(kind)) {
      index = k;
      break;
    }
    offset += lines[k]!.length + 1;
  }
  const edited = edit(lines[index]!);
  assert.notEqual(edited, lines[index]);
  lines[index] = edited;
  const path = join(tempDir('flowmine-binance-precision-'), 'edited.jsonl.gz');
  writeFileSync(path, gzipSync(lines.join('\n')));
  return { path, line: index + 1 };
}

test('Binance precision: a depth value past the head needing more decimals stops strict with one line; repair resyncs instead of rounding', needs(CAPTURES.usdm), async () => {
  // The first bid of that diff is ["1000.00","606.675"]: one more quantity decimal than the capture's 3.
  const { path, line } = editedCapture('@depth', (text) => text.replace('"606.675"', '"606.6751"'));
  await assert.rejects(replay(new BinanceCaptureSource(path)), {
    message: `${path}:${line}: b: BTCUSDT quantity "606.6751" needs 4 decimals; the symbol's units have 3, fixed from the values at the start of the input (a value read later cannot widen them)`,
  });
  const source = new BinanceCaptureSource(path, { policy: 'repair' });
  let lastDepthRow = 0;
  const summary = await replay(source, {
    onUpdate(_book, batch, row) {
      if (batch.action[row] !== Action.Trade) lastDepthRow = batch.sourceRow[row]!;
    },
  });
  const report = source.integrity.report;
  assert.deepEqual([...report.issues.keys()], ['precision']);
  assert.equal(report.issueCount('precision'), 1);
  // Its ids still extend the chain (no sequence gap is reported for it) but the book cannot apply it:
  // no depth is written after it (the capture has one snapshot), the diffs after it wait for one.
  assert.equal(report.notes.get('book_unsynced_after_rejected_diff'), 1);
  assert.ok(lastDepthRow < line, `depth written at line ${lastDepthRow}, after the rejected diff at ${line}`);
  const depthAfter = gunzipSync(readFileSync(path)).toString('utf8').split('\n').slice(line).filter((text) => text.includes('@depth')).length;
  assert.equal(report.notes.get('depth_never_synced'), depthAfter);
  assert.equal(summary.crossedUpdates, 0);
  assert.equal(report.skipped, 1);
});

test('Binance precision: a trade past the head needing more decimals is rejected alone; the book is untouched', needs(CAPTURES.usdm), async () => {
  // One more quantity decimal than the capture's 3: a quantity printed with 3 decimals gets a fourth, 5.
  const { path, line } = editedCapture('@trade', (text) => text.replace(/"q":"(\d+\.\d{3})"/, (_, quantity: string) => `"q":"${quantity}5"`));
  const quantity = /"q":"([^"]+)"/.exec(readLine(path, line))![1];
  await assert.rejects(replay(new BinanceCaptureSource(path)), {
    message: `${path}:${line}: q: BTCUSDT quantity "${quantity}" needs 4 decimals; the symbol's units have 3, fixed from the values at the start of the input (a value read later cannot widen them)`,
  });
  const source = new BinanceCaptureSource(path, { policy: 'skip' });
  const summary = await replay(source);
  assert.equal(source.integrity.report.issueCount('precision'), 1);
  assert.equal(source.integrity.report.issues.size, 1);
  assert.equal(source.integrity.report.notes.get('book_unsynced_after_rejected_diff'), undefined);
  assert.equal(summary.crossedUpdates, 0);
});

function readLine(path: string, line: number): string {
  return gunzipSync(readFileSync(path)).toString('utf8').split('\n')[line - 1]!;
}
