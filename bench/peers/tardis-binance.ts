/**
 * The benchmark peer for Binance captures: the same job done with tardis-dev as its users would —
 * JSON.parse per line, tardis-dev's Binance futures book-change mapper (which applies Binance's sync
 * rules), its OrderBook, and the best bid/offer written as CSV after every book change.
 *
 * Usage: node tardis-binance.js CAPTURE.jsonl.gz EXCHANGE OUT_CSV   (EXCHANGE: binance-futures, …)
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { normalizeBookChanges, OrderBook } from 'tardis-dev';

const [capturePath, exchange, outPath] = process.argv.slice(2) as [string, 'binance-futures', string];
const mapper = normalizeBookChanges(exchange, new Date());
const books = new Map<string, OrderBook>();
const out = createWriteStream(outPath);
out.write('bid_px,bid_sz,ask_px,ask_sz\n');
let symbol = '';
for await (const line of createInterface({ input: createReadStream(capturePath).pipe(createGunzip()), crlfDelay: Infinity })) {
  const space = line.indexOf(' ');
  const localTimestamp = new Date(Number(BigInt(line.slice(0, space)) / 1_000_000n));
  let message = JSON.parse(line.slice(space + 1));
  // The capture's REST snapshot line becomes the depthSnapshot message tardis-dev's mapper expects.
  if (message.lastUpdateId !== undefined) message = { stream: `${symbol}@depthSnapshot`, generated: true, data: message };
  if (!mapper.canHandle(message)) continue;
  symbol ||= String(message.stream).split('@')[0]!;
  for (const change of mapper.map(message, localTimestamp) ?? []) {
    let book = books.get(change.symbol);
    if (!book) books.set(change.symbol, (book = new OrderBook()));
    book.update(change);
    const bid = book.bestBid();
    const ask = book.bestAsk();
    out.write(`${bid ? `${bid.price},${bid.amount}` : ','},${ask ? `${ask.price},${ask.amount}` : ','}\n`);
  }
}
await new Promise((resolve) => out.end(resolve));
