import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { FlowmineError } from '../../core/errors.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { NS_PER_MS } from '../../core/time.js';
import { fileBytes, rawHead } from '../bytes.js';
import { streamTextLineBatches } from '../lines.js';
import { ReaderBase } from '../reader-base.js';
import { isZip, zipSingleEntryBytes } from '../zip.js';
import { OrderbookFeed } from './orderbook-feed.js';

const MS_PER_DAY = 86_400_000;

/** The bytes of a Bybit history file: the one member of its `.zip`, or the `.data` file itself (plain, gzip or zstd). */
export function orderbookFileBytes(path: string): AsyncGenerator<Uint8Array> {
  return isZip(rawHead(path)) ? zipSingleEntryBytes(path) : fileBytes(path);
}

/**
 * Opens a Bybit orderbook history file. The book depth (500 for `ob500` files) is read from the first
 * message's topic, `orderbook.{depth}.{symbol}`: the replay keeps books to that many levels per side.
 */
export async function openBybitOrderbook(path: string, options: OpenOptions = {}): Promise<BybitOrderbookSource> {
  let head = '';
  for await (const chunk of orderbookFileBytes(path)) {
    head += Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.length, 4096)).toString('latin1');
    if (head.length >= 64) break;
  }
  const depth = /^\{"topic":"orderbook\.(\d+)\./.exec(head)?.[1];
  if (depth === undefined) throw new FlowmineError(`${path}: not a Bybit orderbook file (its first line has no "topic":"orderbook.<depth>.<symbol>")`);
  return new BybitOrderbookSource(path, options, Number(depth));
}

/**
 * Bybit's orderbook history files (`<date>_<symbol>_ob500.data`, zipped, from Bybit's public data site):
 * one websocket v5 `orderbook.{depth}.{symbol}` message per line, read by OrderbookFeed. The zip member is
 * streamed (its CRC-32 checked at the end), never held whole. The files have no local receive time: `tsRecv`
 * is NaN; `tsEvent` is the matching engine's `cts`. The time base is the UTC midnight of the first message.
 */
export class BybitOrderbookSource extends ReaderBase implements EventSource {
  readonly granularity = 'L2' as const;
  private builder: BatchBuilder | null = null;
  private baseMs = 0;
  private readonly feed = new OrderbookFeed({
    instruments: this.instruments,
    integrity: this.integrity,
    builder: (epochMs) => this.builder ?? this.start(epochMs),
    msOffset: (epochMs) => (epochMs - this.baseMs) * NS_PER_MS,
  });

  /** `depthLimit`: the topic's depth, to which Bybit keeps the book (and the replay keeps it too). */
  constructor(
    path: string,
    options: OpenOptions,
    readonly depthLimit: number,
  ) {
    super(path, 'bybit-ob500', options);
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const report = this.integrity.report;
    for await (const { firstLine, lines } of streamTextLineBatches(orderbookFileBytes(this.path))) {
      for (let k = 0; k < lines.length; k++) {
        const line = firstLine + k;
        const text = lines[k]!;
        if (text === '') {
          report.note('blank_lines');
          continue;
        }
        report.rowsRead++;
        let message: unknown;
        try {
          message = JSON.parse(text);
        } catch {
          this.integrity.reject('malformed_row', line, 'json', 'not valid JSON', text);
          continue;
        }
        this.feed.message(message, line, text);
        if (this.builder) for (let batch = this.builder.take(); batch; batch = this.builder.take()) yield batch;
      }
    }
    const last = this.builder?.flush();
    if (last) yield last;
  }

  private start(epochMs: number): BatchBuilder {
    this.baseMs = epochMs - (((epochMs % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
    this.builder = new BatchBuilder(this.instruments, BigInt(this.baseMs) * 1_000_000n, this.batchRows);
    return this.builder;
  }
}
