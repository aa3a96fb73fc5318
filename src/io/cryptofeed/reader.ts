import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { FlowmineError } from '../../core/errors.js';
import type { BookChecksum, EventSource, OpenOptions } from '../../core/source.js';
import { headBytes } from '../bytes.js';
import { krakenChecksum } from '../kraken/checksum.js';
import { KrakenBookFeed } from '../kraken/book-feed.js';
import { existsSync } from 'node:fs';
import { BinanceMessages } from '../binance/depth-sync.js';
import { textLineBatches, textLines } from '../lines.js';
import { ReaderBase } from '../reader-base.js';

/** A received message: `<epoch seconds>: <json>`; sent frames and connection lines start with the URL. */
const RECEIVED = /^(\d{9,11}(?:\.\d{1,9})?): (.*)$/;

/**
 * cryptofeed's raw capture files (`<url> <-> <connect time>` lines, `<url> <- <time>: <sent json>` and
 * `<time>: <received json>`), several instruments per file, one book per instrument. The venue comes
 * from the connection URL. Supported: Kraken's book channel (with checksums and the subscription depth).
 * Times of the capture are epoch seconds with a fraction, read exactly as decimal text.
 */
export async function openCryptofeed(path: string, options: OpenOptions = {}): Promise<CryptofeedSource> {
  const head = Buffer.from(await headBytes(path, 65_536)).toString('latin1');
  const url = /^(wss?:\/\/\S+) <->/.exec(head)?.[1];
  if (!url) throw new FlowmineError(`${path}: not a cryptofeed capture (no "<url> <-> <time>" first line)`);
  const venue = /kraken/.test(url) ? 'kraken' : /binance\.com/.test(url) ? 'binance' : null;
  if (!venue) throw new FlowmineError(`${path}: cryptofeed capture of ${url}: this venue is not read yet (supported: Kraken, Binance)`);
  const depth = /"subscription":\{"name":"book","depth":(\d+)\}/.exec(head)?.[1];
  return new CryptofeedSource(path, options, venue, venue === 'kraken' ? (depth === undefined ? 10 : Number(depth)) : undefined);
}

/** The REST capture cryptofeed writes beside a websocket capture: `X.ws.1.0.txt` -> `X.http.0.0.txt`. */
export function httpCompanion(wsPath: string): string | null {
  const candidate = wsPath.replace(/\.ws\.\d+\.\d+(\.txt)?$/, '.http.0.0$1');
  return candidate !== wsPath && existsSync(candidate) ? candidate : null;
}

/** REST responses of an http capture: `<url> -> <time>: <json>` lines, in time order. */
async function httpResponses(path: string): Promise<{ url: string; time: string; body: string; line: number }[]> {
  const responses = [];
  for await (const [line, text] of textLines(path)) {
    const match = /^(\S+) -> (\d+(?:\.\d+)?): (.*)$/.exec(text);
    if (match) responses.push({ url: match[1]!, time: match[2]!, body: match[3]!, line });
  }
  return responses.sort((a, b) => Number(a.time) - Number(b.time));
}

export class CryptofeedSource extends ReaderBase implements EventSource {
  readonly granularity = 'L2' as const;
  readonly checksum: BookChecksum | undefined;
  private builder: BatchBuilder | null = null;
  private baseSeconds = 0;

  constructor(path: string, options: OpenOptions, readonly venue: 'kraken' | 'binance', readonly depthLimit: number | undefined) {
    super(path, 'cryptofeed', options);
    this.checksum = venue === 'kraken' ? krakenChecksum : undefined;
  }

  /** The handler of one received message of this capture's venue. */
  private async feed(): Promise<(message: unknown, recv: number, line: number, raw: string, recvText: string) => void> {
    if (this.venue === 'kraken') {
      const kraken = new KrakenBookFeed(() => this.builder!, this.instruments, this.integrity, (text) => this.secondsOffset(text));
      return (message, recv, line, raw) => kraken.message(message, recv, line, raw);
    }
    const binance = new BinanceMessages({ path: this.path, instruments: this.instruments, integrity: this.integrity, builder: () => this.builder!, baseSeconds: () => this.baseSeconds });
    // Binance books sync from the REST snapshots cryptofeed recorded in the http capture beside this one,
    // applied where their receive time falls in the stream.
    const companion = httpCompanion(this.path);
    const snapshots = companion ? await httpResponses(companion) : [];
    if (!companion) this.integrity.report.note('no_http_capture_to_sync_from');
    let next = 0;
    return (message, recv, line, raw, recvText) => {
      for (; next < snapshots.length && Number(snapshots[next]!.time) <= Number(recvText); next++) {
        const response = snapshots[next]!;
        const body = JSON.parse(response.body) as Record<string, unknown>;
        const symbol = /[?&]symbol=([A-Z0-9_]+)/.exec(response.url)?.[1];
        if (symbol && body.symbol === undefined) body.symbol = symbol;
        this.integrity.report.note('http_snapshots');
        binance.snapshot(body, this.secondsOffset(response.time), line, response.body);
      }
      binance.stream(message as Record<string, unknown>, recv, line, raw);
    };
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const feed = await this.feed();
    const report = this.integrity.report;
    for await (const { firstLine, lines } of textLineBatches(this.path)) {
      for (let k = 0; k < lines.length; k++) {
        const line = firstLine + k;
        const text = lines[k]!;
        if (text === '') continue;
        const received = RECEIVED.exec(text);
        if (!received) {
          // Connection lines and our own sent frames are not market data.
          if (/^wss?:\/\/\S+ <-/.test(text)) report.note('connection_and_sent_lines');
          else {
            report.rowsRead++;
            this.integrity.reject('malformed_row', line, 'line', 'expected "<time>: <json>"', text);
          }
          continue;
        }
        report.rowsRead++;
        let message: unknown;
        try {
          message = JSON.parse(received[2]!);
        } catch {
          this.integrity.reject('malformed_row', line, 'json', 'not valid JSON', text);
          continue;
        }
        const recv = this.secondsOffset(received[1]!);
        feed(message, recv, line, text, received[1]!);
        for (let batch = this.builder?.take(); batch; batch = this.builder!.take()) yield batch;
      }
    }
    const last = this.builder?.flush();
    if (last) yield last;
  }

  /** Epoch seconds as decimal text -> ns after the time base (the first time's UTC midnight), exact. */
  private secondsOffset(text: string): number {
    const dot = text.indexOf('.');
    const seconds = Number(dot < 0 ? text : text.slice(0, dot));
    const nanos = dot < 0 ? 0 : Number(text.slice(dot + 1, dot + 10).padEnd(9, '0'));
    if (!this.builder) {
      this.baseSeconds = seconds - (seconds % 86_400);
      this.builder = new BatchBuilder(this.instruments, BigInt(this.baseSeconds) * 1_000_000_000n, this.batchRows);
    }
    return Number.isFinite(seconds) && Number.isFinite(nanos) ? (seconds - this.baseSeconds) * 1e9 + nanos : NaN;
  }
}
