/**
 * The benchmark peer for LOBSTER replay: the same job written the ordinary way on tardis-dev, the
 * TypeScript library its users would reach for. Lines are read as strings and split, orders live in a
 * Map, level totals feed tardis-dev's OrderBook as book changes, the orderbook file's row corrects the
 * best levels after each message (level 1), and the best bid/offer is written as CSV after every message.
 *
 * Usage: node tardis-lobster.js MESSAGE_FILE ORDERBOOK_FILE OUT_CSV
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { OrderBook, type BookChange } from 'tardis-dev';

const [messagePath, orderbookPath, outPath] = process.argv.slice(2) as [string, string, string];
const baseSeconds = 1_340_251_200n; // 2012-06-21 00:00 America/New_York, in epoch seconds

const book = new OrderBook();
const timestamp = new Date(0);
const change = (bids: { price: number; amount: number }[], asks: { price: number; amount: number }[], isSnapshot = false): BookChange => ({
  type: 'book_change', symbol: 'AMZN', exchange: 'binance', isSnapshot, bids, asks, timestamp, localTimestamp: timestamp,
});
book.update(change([], [], true));

const orders = new Map<string, { price: number; size: number; side: number }>();
const levels = [new Map<number, number>(), new Map<number, number>()]; // [bids, asks]
const setLevel = (side: number, price: number, amount: number) => {
  const sideLevels = levels[side === 1 ? 0 : 1]!;
  if (amount > 0) sideLevels.set(price, amount);
  else sideLevels.delete(price);
  const level = [{ price, amount: Math.max(0, amount) }];
  book.update(side === 1 ? change(level, []) : change([], level));
};
const adjust = (side: number, price: number, delta: number) => setLevel(side, price, (levels[side === 1 ? 0 : 1]!.get(price) ?? 0) + delta);

const out = createWriteStream(outPath);
out.write('ts_ns,seq,bid_px,bid_sz,ask_px,ask_sz\n');
const orderbookLines = createInterface({ input: createReadStream(orderbookPath), crlfDelay: Infinity })[Symbol.asyncIterator]();
let seq = 0;
for await (const line of createInterface({ input: createReadStream(messagePath), crlfDelay: Infinity })) {
  const [time, type, id, sizeText, priceText, direction] = line.split(',') as [string, string, string, string, string, string];
  const size = Number(sizeText);
  const price = Number(priceText);
  const side = Number(direction);
  if (type === '1') {
    orders.set(id, { price, size, side });
    adjust(side, price, size);
  } else if (type === '2' || type === '3' || type === '4') {
    const order = orders.get(id);
    if (order) {
      order.size -= size;
      if (type === '3' || order.size <= 0) orders.delete(id);
    }
    adjust(side, price, -size);
  }
  // Level 1 hides deeper levels: take the best levels the orderbook file shows, drop better stale ones.
  const row = ((await orderbookLines.next()).value as string).split(',').map(Number) as [number, number, number, number];
  for (const [side, rowPrice, rowSize] of [[-1, row[0], row[1]], [1, row[2], row[3]]] as const) {
    for (let best = side === 1 ? book.bestBid() : book.bestAsk(); best && rowSize > 0 && (side === 1 ? best.price > rowPrice : best.price < rowPrice); best = side === 1 ? book.bestBid() : book.bestAsk()) {
      setLevel(side, best.price, 0);
    }
    if (rowSize > 0 && levels[side === 1 ? 0 : 1]!.get(rowPrice) !== rowSize) setLevel(side, rowPrice, rowSize);
  }
  const [seconds, fraction = ''] = time.split('.') as [string, string?];
  const ts = `${baseSeconds + BigInt(seconds)}${fraction.padEnd(9, '0')}`;
  const bid = book.bestBid();
  const ask = book.bestAsk();
  const cell = (level: { price: number; amount: number } | undefined) => (level ? `${level.price / 10000},${level.amount}` : ',');
  out.write(`${ts},${++seq},${cell(bid)},${cell(ask)}\n`);
}
await new Promise((resolve) => out.end(resolve));
