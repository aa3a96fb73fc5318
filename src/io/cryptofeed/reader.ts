import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { FlowmineError } from '../../core/errors.js';
import type { BookChecksum, EventSource, OpenOptions } from '../../core/source.js';
import { headBytes } from '../bytes.js';
import { textLineBatches } from '../lines.js';
import { ReaderBase } from '../reader-base.js';
import type { CryptofeedVenue, MessageHandler } from './venue.js';
import { cryptofeedVenues } from './venues.js';

/** A received message: `<epoch seconds>: <json>`; sent frames and connection lines start with the URL. */
const RECEIVED = /^(\d{9,11}(?:\.\d{1,9})?): (.*)$/;

/**
 * cryptofeed's raw capture files (`<url> <-> <connect time>` lines, `<url> <- <time>: <sent json>` and
 * `<time>: <received json>`), several instruments per file, one book per instrument. The venue comes
 * from the connection URL (`cryptofeedVenues`). Times of the capture are epoch seconds with a fraction,
 * read exactly as decimal text.
 */
export async function openCryptofeed(path: string, options: OpenOptions = {}): Promise<CryptofeedSource> {
  const head = Buffer.from(await headBytes(path, 65_536)).toString('latin1');
  const url = /^(wss?:\/\/\S+) <->/.exec(head)?.[1];
  if (!url) throw new FlowmineError(`${path}: not a cryptofeed capture (no "<url> <-> <time>" first line)`);
  const venue = cryptofeedVenues.find((candidate) => candidate.matches(url));
  if (!venue) {
    const known = cryptofeedVenues.map((candidate) => candidate.name).join(', ');
    throw new FlowmineError(`${path}: cryptofeed capture of ${url}: this venue is not read yet (supported: ${known})`);
  }
  return new CryptofeedSource(path, options, venue, url, head);
}

export class CryptofeedSource extends ReaderBase implements EventSource {
  readonly granularity = 'L2' as const;
  readonly checksum: BookChecksum | undefined;
  readonly depthLimit: number | undefined;
  private builder: BatchBuilder | null = null;
  private baseSeconds = 0;

  constructor(path: string, options: OpenOptions, readonly venue: CryptofeedVenue, private readonly url: string, private readonly head: string) {
    super(path, 'cryptofeed', options);
    this.checksum = venue.checksum;
    this.depthLimit = venue.depthLimit?.(head);
  }

  /** The handler of one received message of this capture's venue. */
  private async feed(): Promise<MessageHandler> {
    return await this.venue.handler({
      path: this.path,
      url: this.url,
      head: this.head,
      instruments: this.instruments,
      integrity: this.integrity,
      builder: () => this.builder!,
      baseSeconds: () => this.baseSeconds,
      secondsOffset: (text) => this.secondsOffset(text),
    });
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const feed = await this.feed();
    const report = this.integrity.report;
    for await (const { firstLine, lines } of textLineBatches(this.path)) {
      for (let k = 0; k < lines.length; k++) {
        const line = firstLine + k;
        const text = lines[k]!;
        if (text === '') {
          report.note('blank_lines');
          continue;
        }
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
    feed.finish?.();
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
