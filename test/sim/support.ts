import type { EventBatch } from '../../src/core/batch.js';
import { Replayer } from '../../src/book/replay.js';
import type { EventSource } from '../../src/core/source.js';
import { openScenario, type ScenarioOverrides, type ScenarioSource } from '../../src/sim/source.js';

/** A whole stream in one set of columns, with the best bid and offer after every complete update. */
export interface Stream {
  length: number;
  /** Epoch ns the times count from (the first batch's). */
  timeBaseNs: bigint;
  ts: Float64Array;
  action: Uint8Array;
  side: Int8Array;
  price: Float64Array;
  size: Float64Array;
  id: Float64Array;
  flags: Uint8Array;
  /** Last row of every complete update, and the book's best prices and sizes after it. */
  updateEnd: number[];
  bidPx: number[];
  bidSz: number[];
  askPx: number[];
  askSz: number[];
}

/** Reads a source to the end into one Stream, replaying its book. */
export async function readStream(source: EventSource): Promise<Stream> {
  const batches: EventBatch[] = [];
  const replayer = Replayer.for(source);
  const stream: Stream = { length: 0, timeBaseNs: 0n, ts: new Float64Array(0), action: new Uint8Array(0), side: new Int8Array(0), price: new Float64Array(0), size: new Float64Array(0), id: new Float64Array(0), flags: new Uint8Array(0), updateEnd: [], bidPx: [], bidSz: [], askPx: [], askSz: [] };
  let offset = 0;
  for await (const batch of source.batches()) {
    if (batches.length === 0) stream.timeBaseNs = batch.timeBaseNs;
    batches.push(batch);
    const base = offset;
    replayer.push(batch, (book, _batch, row) => {
      stream.updateEnd.push(base + row);
      stream.bidPx.push(book.bestBidPrice());
      stream.bidSz.push(book.bestBidSize());
      stream.askPx.push(book.bestAskPrice());
      stream.askSz.push(book.bestAskSize());
    });
    offset += batch.length;
  }
  replayer.finish();
  const join = <T extends Float64Array | Uint8Array | Int8Array>(pick: (batch: EventBatch) => T, make: (n: number) => T): T => {
    const out = make(offset);
    let at = 0;
    for (const batch of batches) {
      out.set(pick(batch), at);
      at += batch.length;
    }
    return out;
  };
  stream.length = offset;
  stream.ts = join((b) => b.tsEvent, (n) => new Float64Array(n));
  stream.action = join((b) => b.action, (n) => new Uint8Array(n));
  stream.side = join((b) => b.side, (n) => new Int8Array(n));
  stream.price = join((b) => b.price, (n) => new Float64Array(n));
  stream.size = join((b) => b.size, (n) => new Float64Array(n));
  stream.id = join((b) => b.orderId, (n) => new Float64Array(n));
  stream.flags = join((b) => b.flags, (n) => new Uint8Array(n));
  return stream;
}

/** Index of the last complete update that ended before row `row` (-1 when none). */
export function updateBefore(stream: Stream, row: number): number {
  let lo = 0;
  let hi = stream.updateEnd.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (stream.updateEnd[mid]! < row) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Rows of an order id, in stream order. */
export function rowsOf(stream: Stream, ids: Iterable<number>): Map<number, number[]> {
  const wanted = new Map<number, number[]>();
  for (const id of ids) wanted.set(id, []);
  for (let i = 0; i < stream.length; i++) wanted.get(stream.id[i]!)?.push(i);
  return wanted;
}

/** Runs a scenario file to the end. */
export async function runScenario(path: string, overrides: ScenarioOverrides = {}): Promise<{ source: ScenarioSource; stream: Stream }> {
  const source = openScenario(path, overrides);
  const stream = await readStream(source);
  return { source, stream };
}
