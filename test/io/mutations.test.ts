import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { replay } from '../../src/book/replay.js';
import { FlowmineError } from '../../src/core/errors.js';
import type { IntegrityPolicy } from '../../src/core/integrity.js';
import { openSource } from '../../src/io/index.js';
import { fixture, fixturePath, needs } from '../support/data.js';
import { seededRandom } from '../support/random.js';
import { tempDir } from '../support/temp.js';

/** One fixture of every format (text ones cut to their first ~100 KB, whole lines). */
const FIXTURES = [
  'lobster_AAPL_2012-06-21_first999_message_10.csv',
  'databento_GLBX-MDP3_ESH4_2023-12-24_mbo.dbn.zst',
  'databento_testdata_ESH1_mbp-10.v3.dbn.zst',
  'obanalytics_bitstamp_BTCUSD_2015-05-01_l3_orders.csv',
  'obanalytics_bitstamp_BTCUSD_2015-05-01_raw_events.log.gz',
  'bitfinex_raw_book_R0_tBTCUSD_L3_feed_100k.json',
  'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz',
  'binance-vision_BTCUSDT-perp_T_DEPTH_2022-11-01_update_first100.csv',
  'bybit_XRPUSDT-linear_2024-12-01_ob500_first50.data.zip',
  'cryptofeed_KRAKEN.ws.50.0.txt',
  'cryptofeed_COINBASE.ws.28.0.txt',
  'cryptofeed_v3_COINBASE-advanced-trade_BTC-USD_ETH-USD_capture.jsonl.gz',
  'cryptofeed_BITMEX.ws.1.0.txt',
  'cryptofeed_DERIBIT.ws.1.0.txt',
  'cryptofeed_BYBIT.ws.25.0.txt',
  'tardis_deribit_incremental_book_L2_BTC-PERPETUAL_2020-04-01_head15.csv',
  'tardis_binance-futures_trades_BTCUSDT_2020-02-22_first9999.csv',
  'lean-algoseek_IBM_2013-10-07_trade_tick.csv',
];
const TEXT_BYTES = 100_000;

type Mutation = (bytes: Buffer, random: () => number) => Buffer;

/** Damage of the kinds files suffer: cut short, bytes changed, digits changed, lines lost, repeated, swapped or garbled. */
const MUTATIONS: Record<string, Mutation> = {
  truncated: (bytes, random) => bytes.subarray(0, Math.floor(random() * bytes.length)),
  'bytes changed': (bytes, random) => {
    const out = Buffer.from(bytes);
    for (let k = 0; k < 3; k++) out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
    return out;
  },
  'digits changed': (bytes, random) => {
    const out = Buffer.from(bytes);
    for (let k = 0, tries = 0; k < 5 && tries < 10_000; tries++) {
      const i = Math.floor(random() * out.length);
      if (out[i]! >= 48 && out[i]! <= 57) {
        out[i] = 48 + Math.floor(random() * 10);
        k++;
      }
    }
    return out;
  },
  'lines damaged': (bytes, random) => {
    const lines = bytes.toString('latin1').split('\n');
    const junk = ['x', '', ',', '"', '{', '-1', '1e309', 'NaN', '99999999999999999999'];
    for (let k = 0; k < 3; k++) {
      const i = Math.floor(random() * lines.length);
      const j = Math.floor(random() * lines.length);
      const op = random();
      if (op < 0.3) lines.splice(i, 1);
      else if (op < 0.5) lines.splice(i, 0, lines[j]!);
      else if (op < 0.7) [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      else {
        const line = lines[i]!;
        const at = Math.floor(random() * line.length);
        lines[i] = line.slice(0, at) + junk[Math.floor(random() * junk.length)] + line.slice(at + Math.floor(random() * 8));
      }
    }
    return Buffer.from(lines.join('\n'), 'latin1');
  },
};

/**
 * Damaged input never crashes a reader or the book: under every policy the replay either finishes (counting
 * what it repaired or skipped) or stops with a FlowmineError, which the CLI prints as one line.
 */
test('damaged files of every format end in a finished replay or a one-line error, under every policy', needs(...FIXTURES), async () => {
  const random = seededRandom(2026);
  const dir = tempDir('flowmine-mutations-');
  let runs = 0;
  let errors = 0;
  for (const name of FIXTURES) {
    const gzipped = name.endsWith('.gz');
    const binary = /\.(zst|zip|dbn)$/.test(name);
    let original: Buffer = readFileSync(fixture(name));
    if (gzipped) original = gunzipSync(original);
    if (!binary && original.length > TEXT_BYTES) original = original.subarray(0, original.indexOf(10, TEXT_BYTES) + 1);
    const companion = name.replace('_message_', '_orderbook_');
    for (const [kind, mutate] of Object.entries(MUTATIONS)) {
      if (binary && (kind === 'digits changed' || kind === 'lines damaged')) continue;
      const damaged = mutate(original, random);
      const path = join(dir, name);
      writeFileSync(path, gzipped ? gzipSync(damaged) : damaged);
      if (companion !== name && fixturePath(companion)) copyFileSync(fixture(companion), join(dir, companion));
      for (const policy of ['strict', 'repair', 'skip'] as IntegrityPolicy[]) {
        runs++;
        try {
          const source = await openSource(path, { policy, quarantine: { write: () => {} } });
          await replay(source);
        } catch (error) {
          errors++;
          if (!(error instanceof FlowmineError)) assert.fail(`${name}, ${kind}, ${policy}: not a one-line error: ${(error as Error).stack}`);
          assert.ok(!error.message.includes('\n'), `${name}, ${kind}, ${policy}: ${error.message}`);
        }
      }
    }
  }
  // Damage is seen: some runs stop (strict), not every one.
  assert.ok(errors > 0 && errors < runs, `${errors} of ${runs} runs stopped`);
});
