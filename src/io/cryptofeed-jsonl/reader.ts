import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { FlowmineError } from '../../core/errors.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { headBytes } from '../bytes.js';
import { textLineBatches } from '../lines.js';
import { ReaderBase } from '../reader-base.js';
import type { JsonlExchange, JsonlHandler, JsonlHeader } from './exchange.js';
import { jsonlExchanges } from './exchanges.js';

/** Header `format` versions read. */
const FORMATS = [2];
/** A record's `ts` as written (decimal epoch seconds). Inside `data` quotes are escaped, so the first match is the record's own. */
const TS = /"ts":\s*(\d+(?:\.\d+)?)\s*[,}]/;

/**
 * Opens a cryptofeed JSONL capture: reads the header line and picks the handler of its `exchange`
 * (`jsonlExchanges`); an unknown exchange or header format is a one-line error.
 */
export async function openCryptofeedJsonl(path: string, options: OpenOptions = {}): Promise<CryptofeedJsonlSource> {
  const first = Buffer.from(await headBytes(path, 65_536)).toString('utf8').split('\n', 1)[0]!;
  let header: Record<string, unknown> | null = null;
  try {
    header = JSON.parse(first) as Record<string, unknown>;
  } catch {
    header = null;
  }
  if (header?.t !== 'header') throw new FlowmineError(`${path}: not a cryptofeed JSONL capture (the first line is not {"t":"header",…})`);
  if (!FORMATS.includes(header.format as number)) throw new FlowmineError(`${path}: cryptofeed JSONL header format ${JSON.stringify(header.format)} is not read (known: ${FORMATS.join(', ')})`);
  const name = String(header.exchange);
  const exchange = jsonlExchanges.find((candidate) => candidate.matches(name));
  if (!exchange) throw new FlowmineError(`${path}: cryptofeed JSONL capture of ${name}: this exchange is not read yet (supported: ${jsonlExchanges.map((candidate) => candidate.name).join(', ')})`);
  const recorded = /"recorded":\s*(\d+(?:\.\d+)?)/.exec(first)?.[1];
  if (recorded === undefined) throw new FlowmineError(`${path}: cryptofeed JSONL header has no "recorded" time`);
  const config = typeof header.config === 'object' && header.config !== null ? (header.config as Record<string, unknown>) : {};
  return new CryptofeedJsonlSource(path, options, exchange, { format: header.format as number, exchange: name, config }, recorded);
}

/**
 * cryptofeed's JSONL captures (`{"t":…,"conn":…,"ts":…,"data":"<raw message>"}` per line): records of
 * type `recv` (a websocket message) and `http` (a REST response) are rows, handed to the exchange's
 * handler with `ts` (epoch seconds, read exactly as decimal text) as the receive time; `header`,
 * `connect` and `send` records are not market data and are counted. The time base is the UTC midnight
 * of the header's `recorded` time.
 */
export class CryptofeedJsonlSource extends ReaderBase implements EventSource {
  readonly granularity = 'L2' as const;
  private readonly builder: BatchBuilder;
  private readonly baseSeconds: number;

  constructor(path: string, options: OpenOptions, readonly exchange: JsonlExchange, readonly header: JsonlHeader, recorded: string) {
    super(path, 'cryptofeed-jsonl', options);
    const seconds = Number(recorded.split('.')[0]);
    this.baseSeconds = seconds - (seconds % 86_400);
    this.builder = new BatchBuilder(this.instruments, BigInt(this.baseSeconds) * 1_000_000_000n, this.batchRows);
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const handler = await this.exchange.handler({
      path: this.path,
      header: this.header,
      instruments: this.instruments,
      integrity: this.integrity,
      builder: this.builder,
      baseSeconds: this.baseSeconds,
    });
    for await (const { firstLine, lines } of textLineBatches(this.path)) {
      for (let k = 0; k < lines.length; k++) {
        this.record(handler, firstLine + k, lines[k]!);
        for (let batch = this.builder.take(); batch; batch = this.builder.take()) yield batch;
      }
    }
    handler.finish?.();
    const last = this.builder.flush();
    if (last) yield last;
  }

  private record(handler: JsonlHandler, line: number, text: string): void {
    const report = this.integrity.report;
    if (text === '') {
      report.note('blank_lines');
      return;
    }
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text) as Record<string, unknown>;
    } catch {
      report.rowsRead++;
      this.integrity.reject('malformed_row', line, 'json', 'not valid JSON', text);
      return;
    }
    const kind = record?.t;
    if (kind !== 'recv' && kind !== 'http') {
      if (kind === 'connect') handler.connect(String(record.conn), String(record.addr), this.recordTime(text), line);
      // header, connect, send (our own subscribe frames): not market data.
      report.note(`${typeof kind === 'string' ? kind : 'untyped'}_records`);
      return;
    }
    report.rowsRead++;
    const recv = this.recordTime(text);
    if (Number.isNaN(recv) || typeof record.data !== 'string') {
      this.integrity.reject('malformed_row', line, Number.isNaN(recv) ? 'ts' : 'data', Number.isNaN(recv) ? 'expected epoch seconds' : 'expected the raw message as a string', text);
      return;
    }
    if (kind === 'http') return handler.http(String(record.url), record.data, recv, line, text);
    let message: unknown;
    try {
      message = JSON.parse(record.data);
    } catch {
      this.integrity.reject('malformed_row', line, 'data', 'not valid JSON', text);
      return;
    }
    handler.recv(String(record.conn), message, recv, line, text);
  }

  /** The record's `ts` as ns after the time base, exact; NaN if it has none. */
  private recordTime(text: string): number {
    const ts = TS.exec(text)?.[1];
    return ts === undefined ? NaN : this.secondsOffset(ts);
  }

  /** Epoch seconds as decimal text -> ns after the time base, exact (digits past the ninth are dropped). */
  private secondsOffset(text: string): number {
    const dot = text.indexOf('.');
    const seconds = Number(dot < 0 ? text : text.slice(0, dot));
    const nanos = dot < 0 ? 0 : Number(text.slice(dot + 1, dot + 10).padEnd(9, '0'));
    return (seconds - this.baseSeconds) * 1e9 + nanos;
  }
}
