import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseUnits } from '../../../src/core/decimal.js';
import { significantDecimals } from '../../../src/io/binance/decimals.js';
import { AGG_TRADE, DEPTH_UPDATE, MessageScanner, OTHER_EVENT, TRADE, unitsOfDigits } from '../../../src/io/binance/message-scan.js';
import { BinanceCaptureSource } from '../../../src/io/binance/reader.js';
import { fixture, needs } from '../../support/data.js';
import { tempDir } from '../../support/temp.js';

const CAPTURES = {
  spot: 'hftbacktest_binance-spot_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz',
  usdm: 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz',
  coinm: 'hftbacktest_binance-coinm_BTCUSD_PERP_2024-08-08T2354Z_raw_ws.jsonl.gz',
};

const DEPTH = '{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161256299,"T":1723161256298,"s":"BTCUSDT","U":5123107832006,"u":5123107837557,"pu":5123107831937,"b":[["58710.20","0.014"],["61510.90","0.000"]],"a":[["61800.3","1.5"]]}}';
const TRADE_LINE = '{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256321,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}';

function scanned(message: string): MessageScanner | null {
  const scanner = new MessageScanner();
  const bytes = Buffer.from(message);
  return scanner.scan(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), 0, bytes.length) ? scanner : null;
}

test('MessageScanner reads a USD-M diff from its bytes: ids, time T, levels in units at 1 price and 3 quantity decimals', () => {
  const scanner = scanned(DEPTH)!;
  assert.ok(scanner);
  assert.deepEqual([scanner.event, scanner.symbol, scanner.first, scanner.last, scanner.previous, scanner.timeMs, scanner.hasPrevious, scanner.coinMargined], [DEPTH_UPDATE, 'BTCUSDT', 5123107832006, 5123107837557, 5123107831937, 1723161256298, true, false]);
  assert.deepEqual([scanner.maxPriceScale, scanner.maxSizeScale], [1, 3]);
  assert.equal(scanner.depthUnits(1, 3), true);
  assert.deepEqual([...scanner.bids.subarray(0, 2 * scanner.bidCount)], [587102, 14, 615109, 0]);
  assert.deepEqual([...scanner.asks.subarray(0, 2 * scanner.askCount)], [618003, 1500]);
  // "61510.90" needs 1 price decimal, "0.014" 3 quantity decimals: fewer cannot hold them.
  assert.equal(scanned(DEPTH)!.depthUnits(1, 2), false);
});

test('MessageScanner reads a trade (id t, seller aggressor when m) and an aggTrade (id a)', () => {
  const trade = scanned(TRADE_LINE)!;
  assert.deepEqual([trade.event, trade.tradeId, trade.buyerMaker, trade.hasTradeType, unitsOfDigits(trade.priceDigits, trade.priceScale, 1), unitsOfDigits(trade.sizeDigits, trade.sizeScale, 3)], [TRADE, 5266583935, false, true, 618003, 6]);
  const aggregate = scanned('{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"a":77,"s":"BTCUSDT","p":"1.5","q":"2","f":10,"l":12,"T":2,"m":true,"M":true}}')!;
  assert.deepEqual([aggregate.event, aggregate.tradeId, aggregate.buyerMaker, aggregate.timeMs], [AGG_TRADE, 77, true, 2]);
});

test('MessageScanner reads decimals as parseUnits and significantDecimals do, and refuses what they refuse', () => {
  for (const text of ['61800.30', '1.05', '0.014', '100.0010', '0.00000000', '5.', '.5', '007.10', '132750000', '0.00001785', '61737.63000000', '9007199254740993', '1e-8', '-1', '+1', '', '.', '1.2.3', ' 1']) {
    const trade = scanned(TRADE_LINE.replace('"p":"61800.30"', `"p":${JSON.stringify(text)}`));
    const expected = text.startsWith('-') || text.startsWith('+') ? -1 : significantDecimals(text);
    assert.equal(trade === null ? -1 : trade.priceScale, expected, text);
    for (let decimals = 0; decimals <= 8; decimals++) {
      const units = trade === null ? NaN : unitsOfDigits(trade.priceDigits, trade.priceScale, decimals);
      assert.equal(units, /^[+-]|e/.test(text) ? NaN : parseUnits(text, decimals), `${text} at ${decimals}`);
    }
  }
});

test('MessageScanner refuses every shape outside its subset, so that JSON.parse reads it', () => {
  const refused: Record<string, string> = {
    whitespace: DEPTH.replace('"data":{', '"data": {'),
    'escape in the symbol': DEPTH.replace('"BTCUSDT"', '"BTC\\u0055SDT"'),
    'a field twice': DEPTH.replace('"s":"BTCUSDT"', '"s":"BTCUSDT","s":"ETHUSDT"'),
    'an id with a fraction': DEPTH.replace('"U":5123107832006', '"U":5123107832006.5'),
    'an id with an exponent': DEPTH.replace('"U":5123107832006', '"U":5e12'),
    'an id as a string': DEPTH.replace('"U":5123107832006', '"U":"5123107832006"'),
    'an id of 16 digits': DEPTH.replace('"U":5123107832006', '"U":5123107832006000'),
    'a level of three values': DEPTH.replace('["61800.3","1.5"]', '["61800.3","1.5","x"]'),
    'a level as numbers': DEPTH.replace('["61800.3","1.5"]', '[61800.3,1.5]'),
    'a nested object': DEPTH.replace('"E":', '"k":{"x":1},"E":'),
    'no asks': DEPTH.replace(',"a":[["61800.3","1.5"]]', ''),
    'no time': DEPTH.replace('"E":1723161256299,"T":1723161256298,', ''),
    'a space after the message': `${DEPTH} `,
    'an envelope with another field': DEPTH.replace(/}$/, ',"x":1}'),
    'a bare snapshot': '{"lastUpdateId":1,"E":1,"T":1,"bids":[],"asks":[]}',
    'a bare message with a data field': '{"e":"depthUpdate","data":1,"E":1,"s":"X","U":1,"u":2,"b":[],"a":[]}',
    'a trade type other than MARKET': TRADE_LINE.replace('"MARKET"', '"LIQUIDATION"'),
    'm as a string': TRADE_LINE.replace('"m":false', '"m":"false"'),
    'a trade without its id': TRADE_LINE.replace('"t":5266583935,', ''),
  };
  for (const [what, message] of Object.entries(refused)) {
    JSON.parse(message); // still JSON: the reader's JSON path reads it
    assert.equal(scanned(message), null, what);
  }
  // Not JSON at all: refused too (the JSON path rejects the line).
  for (const message of [TRADE_LINE.replace('"MARKET"', '"MAR\tKET"'), DEPTH.replace('"U":5', '"U":05'), DEPTH.slice(0, -1), DEPTH.replace('"b":[', '"b":[,')]) assert.equal(scanned(message), null, message);
  // Other events are read (their prices count for the decimals) but are not depth or trades.
  assert.equal(scanned('{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}')?.event, OTHER_EVENT);
});

/** Every column of every batch and the integrity counts of a capture, as a comparable summary. */
async function replayed(path: string) {
  const source = new BinanceCaptureSource(path, { policy: 'skip' });
  const columns = ['tsEvent', 'tsRecv', 'instrument', 'action', 'side', 'price', 'size', 'orderId', 'seq', 'flags', 'sourceRow'] as const;
  const hashes = columns.map(() => createHash('sha256'));
  let rows = 0;
  for await (const batch of source.batches()) {
    rows += batch.length;
    columns.forEach((column, k) => hashes[k]!.update(new Uint8Array(batch[column].buffer, batch[column].byteOffset, batch[column].byteLength)));
  }
  const report = source.integrity.report;
  return {
    rows,
    columns: Object.fromEntries(columns.map((column, k) => [column, hashes[k]!.digest('hex')])),
    counts: [report.rowsRead, report.skipped, report.repaired],
    notes: Object.fromEntries(report.notes),
    issues: Object.fromEntries([...report.issues].map(([kind, entry]) => [kind, entry.count])),
    instruments: source.instruments.list.map((instrument) => [instrument.venue, instrument.symbol, instrument.priceDecimals, instrument.sizeDecimals]),
  };
}

/** Writes `lines` as a gzipped capture, and beside it the same messages with a space after their first `{`: JSON.parse reads them alike, MessageScanner refuses every one. */
function captures(lines: string[]): { bytes: string; json: string } {
  const folder = tempDir('flowmine-binance-scan-');
  const bytes = join(folder, 'capture.jsonl.gz');
  const json = join(folder, 'spaced.jsonl.gz');
  writeFileSync(bytes, gzipSync(lines.join('\n')));
  writeFileSync(json, gzipSync(lines.map((line) => line.replace(' {', ' { ')).join('\n')));
  return { bytes, json };
}

for (const [product, name] of Object.entries(CAPTURES)) {
  test(`Binance ${product}: read from bytes, the capture gives the rows and counts JSON.parse gives`, needs(name), async () => {
    const lines = gunzipSync(readFileSync(fixture(name))).toString('utf8').split('\n');
    // Every diff and trade of the capture is one the scanner reads (the JSON path is for the unusual).
    const kinds = lines.filter((line) => /@(depth|trade|aggTrade)/.test(line));
    assert.equal(kinds.filter((line) => scanned(line.slice(line.indexOf(' ') + 1)) === null).length, 0);
    const { bytes, json } = captures(lines);
    const [fromBytes, fromJson] = [await replayed(bytes), await replayed(json)];
    assert.ok(fromBytes.rows > 100_000);
    assert.deepEqual(fromBytes, fromJson);
  });
}

test('Binance: unusual but valid messages read from bytes or as JSON give the same rows and findings', needs(CAPTURES.usdm), async () => {
  const lines = gunzipSync(readFileSync(fixture(CAPTURES.usdm))).toString('utf8').split('\n').slice(0, 20_000);
  let n = 0;
  let offset = 0;
  const unusual = lines.map((line) => {
    offset += line.length + 1;
    const space = line.indexOf(' ');
    const message = JSON.parse(line.slice(space + 1)) as { stream?: string; data?: Record<string, unknown> };
    if (!message.data || message.stream?.endsWith('@bookTicker')) return line;
    const data = message.data;
    const time = line.slice(0, space);
    switch (n++ % 8) {
      case 0: // the fields in reverse order: read by key, not by place
        return `${time} ${JSON.stringify({ stream: message.stream, data: Object.fromEntries(Object.entries(data).reverse()) })}`;
      case 1: // a bare event, no envelope
        return `${time} ${JSON.stringify(data)}`;
      case 2: // an escaped symbol (the JSON path decodes it)
        return line.replace('"s":"BTCUSDT"', '"s":"BTC\\u0055SDT"');
      case 3: // prices with more trailing zeros
        return line.replace(/"(\d+\.\d)0?"/g, '"$1000"');
      case 4: // a liquidation; past the head (which fixes the decimals), a quantity needing more than the symbol's
        if (data.e === 'trade') return line.replace('"MARKET"', '"LIQUIDATION"');
        return offset > 4.5e6 ? line.replace(/"(\d+\.\d{3})"/, '"$15"') : line;
      case 5: // an aggTrade
        return data.e === 'trade' ? line.replace('"e":"trade"', '"e":"aggTrade"').replace('"t":', '"a":') : line;
      default:
        return line;
    }
  });
  const { bytes, json } = captures(unusual);
  const [fromBytes, fromJson] = [await replayed(bytes), await replayed(json)];
  assert.ok((fromBytes.issues.precision ?? 0) > 0 && (fromBytes.notes.trade_type_liquidation ?? 0) > 0);
  assert.deepEqual(fromBytes, fromJson);
});
