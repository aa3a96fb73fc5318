import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { UsageError } from '../../core/errors.js';
import { Flag } from '../../core/event.js';
import { ReaderBase } from '../reader-base.js';
import type { Integrity } from '../../core/integrity.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { parseIsoDate, zonedMidnightNs } from '../../core/time.js';
import { lineChunks, type LineChunk } from '../lines.js';
import { parseLobsterName } from './format.js';
import { LineParser, LineStatus, Stop } from './line-parser.js';
import { OrderbookRows } from './orderbook.js';
import { readingAhead } from './read-ahead.js';

/** LOBSTER times are seconds after midnight in New York (Nasdaq's exchange time). */
export const LOBSTER_TIME_ZONE = 'America/New_York';
/** The orderbook file written beside a message file, if it exists. */
export function lobsterCompanion(messagePath: string): string | null {
  const name = basename(messagePath);
  if (!name.includes('_message_')) return null;
  const candidate = join(dirname(messagePath), name.replace('_message_', '_orderbook_'));
  return existsSync(candidate) ? candidate : null;
}

/**
 * Reads a LOBSTER message file (types 1–7) into L3 events, one atomic update per message. With the
 * companion orderbook file, levels that enter the top-N window unannounced are resolved from it (see
 * MessageParser) and counted in the integrity report's notes.
 */
export class LobsterSource extends ReaderBase implements EventSource {
  readonly granularity = 'L3' as const;
  readonly ticker: string;
  readonly date: string;
  readonly companion: string | null;
  readonly windowLevels: number | undefined;

  constructor(path: string, options: OpenOptions = {}) {
    super(path, 'lobster', options);
    const named = parseLobsterName(path);
    const date = options.date ?? named?.date;
    if (!date) throw new UsageError(`${path}: no date in the file name (TICKER_YYYY-MM-DD_…); give --date`);
    if (!parseIsoDate(date)) throw new UsageError(`--date: not a date (YYYY-MM-DD): "${date}"`);
    this.date = date;
    this.ticker = named?.ticker ?? basename(path).replace(/\.[^.]*$/, '');
    this.companion = options.companion === false ? null : (options.companion ?? lobsterCompanion(path));
    this.windowLevels = named?.levels;
    this.instruments.intern({ venue: 'nasdaq', symbol: this.ticker, venueId: -1, priceDecimals: 4, sizeDecimals: 0, tickUnits: 100 });
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const builder = new BatchBuilder(this.instruments, zonedMidnightNs(this.date, LOBSTER_TIME_ZONE), this.batchRows);
    const orderbook = this.companion ? new OrderbookRows(this.companion, this.integrity) : null;
    const parser = new MessageParser(builder, this.integrity, orderbook);
    try {
      for await (const chunk of readingAhead(lineChunks(this.path, { countLines: false, reuseBuffers: true }))) {
        // The parser stops once a batch is ready (batches of about `batchRows` are still in cache when the
        // consumer reads them), or where the orderbook rows loaded so far end: hand out, load more, resume.
        for (let pos = 0; pos < chunk.end; ) {
          pos = parser.parse(chunk, pos);
          for (let batch = builder.take(); batch; batch = builder.take()) yield batch;
          if (pos < chunk.end && parser.awaitsOrderbook) await orderbook!.loadFrom(parser.nextLine);
        }
      }
      parser.finish();
      const last = builder.flush();
      if (last) yield last;
      if (orderbook) await orderbook.checkExhausted(parser.lastLine);
    } finally {
      await orderbook?.close();
    }
  }
}

const FIELD_NAMES = ['time', 'type', 'order_id', 'size', 'price', 'direction'];
/**
 * Reads message lines into the batch builder in WebAssembly (LineParser.handle), a slice of lines at a
 * time: each message's event rows, and with the orderbook file the top-N window. For each message the
 * window starts from the previous orderbook row, applies the message, and compares the result with the
 * orderbook row written after it; a side whose levels differ, or whose window lost a level (a book may
 * still hold levels below the window that left unseen), is restated from the row as a depth-N snapshot,
 * and the book then drops whatever it holds in that range that the row does not show. The lines the
 * module leaves (malformed, a field out of range, a time going back, an unknown halt code, no orderbook
 * row) are judged here, by the integrity policy. One instance per file.
 */
class MessageParser {
  private readonly lines = new LineParser();
  lastLine = 0;
  /** Number of the next line to read. */
  nextLine = 1;
  private following = false;

  constructor(
    private readonly builder: BatchBuilder,
    private readonly integrity: Integrity,
    private readonly orderbook: OrderbookRows | null,
  ) {}

  /** True when the next line's orderbook row is not loaded yet. */
  get awaitsOrderbook(): boolean {
    const orderbook = this.orderbook;
    return orderbook !== null && this.nextLine >= orderbook.loadedEnd && !orderbook.done;
  }

  /**
   * Handles lines from `pos` on; returns where it stopped: the chunk's end, or earlier when a batch is
   * ready or the next line's orderbook row is not loaded yet.
   */
  parse(chunk: LineChunk, pos: number): number {
    const lines = this.lines;
    lines.load(chunk);
    const end = chunk.end;
    const report = this.integrity.report;
    const orderbook = this.orderbook;
    const builder = this.builder;
    let line = this.nextLine;
    // The orderbook rows do not change during a call: lines from `stopLine` on wait for more of them.
    const stopLine = orderbook !== null && !orderbook.done ? orderbook.loadedEnd : Infinity;
    while (line < stopLine && !builder.ready && pos < end) {
      // The orderbook's level count is known once its first chunk is read, before the first message.
      if (orderbook && !this.following) {
        lines.followWindow(orderbook.levels);
        this.following = true;
      }
      const maxLines = Math.min(lines.sliceLines, stopLine - line);
      const rows = orderbook ? this.sliceRows(orderbook, line, maxLines) : 0;
      const count = lines.handle(pos, end, maxLines, line, rows, builder.softCapacity - builder.length);
      report.rowsRead += lines.linesRead;
      if (lines.linesRead > 0) this.lastLine = lines.lastLine;
      // Blank lines carry no message; they are counted, so every line is accounted for.
      if (lines.blankLines > 0) report.note('blank_lines', lines.blankLines);
      // LOBSTER times are exact to the nanosecond: later digits are print noise, rounded away.
      if (lines.roundedTimes > 0) report.note('time_rounded_to_ns', lines.roundedTimes);
      this.takeRows();
      line += count;
      pos = lines.resume;
      if (lines.stopped !== Stop.None) {
        this.leftLine(chunk.bytes, line, count, lines.stopped === Stop.NoRow);
        this.takeRows();
        pos = lines.stoppedNext;
        line++;
      }
    }
    this.nextLine = line;
    return pos;
  }

  /** The orderbook rows of the slice from `line` (at most `maxLines`) that are loaded, copied where the module reads them; returns how many. */
  private sliceRows(orderbook: OrderbookRows, line: number, maxLines: number): number {
    const rows = Math.max(0, Math.min(maxLines, orderbook.loadedEnd - line));
    orderbook.copyRows(line, rows, this.lines.sliceRows, this.lines.sliceUsable);
    return rows;
  }

  /** Moves the event rows the module wrote into the batch builder. */
  private takeRows(): void {
    const lines = this.lines;
    const rows = lines.rowCount;
    if (rows === 0) return;
    this.builder.appendRows(rows, 0, lines.out);
    lines.clearRows();
  }

  /** Judges line `line`, line `k` of the slice, which the module left: malformed, out of range, going back in time, an unknown halt code, or without its orderbook row (`noRow`). */
  private leftLine(bytes: Uint8Array, line: number, k: number, noRow: boolean): void {
    const lines = this.lines;
    const report = this.integrity.report;
    const lineStatus = lines.status[k]!;
    const lineStart = lines.starts[k]!;
    const stop = lines.stops[k]!;
    report.rowsRead++;
    this.lastLine = line;
    if (lineStatus & LineStatus.Rounded) report.note('time_rounded_to_ns');
    const outcome = lineStatus & ~LineStatus.Rounded;
    if (outcome === LineStatus.Parsed) this.message(line, k, bytes, lineStart, stop, noRow);
    else this.malformed(bytes, lineStart, stop, line, outcome - LineStatus.Malformed);
  }

  /** Judges the message of line `k` of the slice by the policy; a message that stays goes back to the module for its rows. */
  private message(line: number, k: number, bytes: Uint8Array, lineStart: number, stop: number, noRow: boolean): void {
    const lines = this.lines;
    const fields = lines.fields;
    const stride = lines.messageLines;
    let ts = fields[k]!;
    const type = fields[stride + k]!;
    const orderId = fields[2 * stride + k]!;
    const size = fields[3 * stride + k]!;
    const price = fields[4 * stride + k]!;
    const direction = fields[5 * stride + k]!;
    let flags = 0;
    if (direction !== 1 && direction !== -1) return this.reject(bytes, lineStart, stop, line, 'direction', `must be 1 or -1, was ${direction}`);
    if (type !== 7) {
      if (type < 1 || type > 6) return this.reject(bytes, lineStart, stop, line, 'type', `unknown message type ${type} (LOBSTER has 1-7)`);
      if (size <= 0) return this.reject(bytes, lineStart, stop, line, 'size', `must be positive, was ${size}`);
      if (price <= 0) return this.reject(bytes, lineStart, stop, line, 'price', `must be positive, was ${price}`);
    }
    const prevTs = lines.previousTime;
    if (ts < prevTs) {
      const detail = `time goes back ${((prevTs - ts) / 1e9).toFixed(9)} s`;
      if (!this.integrity.repair('timestamp_regression', line, 'time', detail, text(bytes, lineStart, stop))) return;
      ts = prevTs;
      flags = Flag.Repaired;
    }
    const rows = lines.handleMessage(ts, type, orderId, size, price, direction, flags, line, k, !noRow);
    if (type === 7 && price !== -1 && price !== 0 && price !== 1) {
      this.integrity.report.count('unknown_halt_code', `line ${line}: price: ${price}`);
      return;
    }
    if (flags & Flag.Repaired) this.integrity.report.note('rows_emitted_repaired', rows);
    // Without its orderbook row the message is not resynced, and the missing row is reported.
    if (noRow) this.orderbook!.rowOffset(line);
  }

  finish(): void {
    if (!this.following) return;
    const report = this.integrity.report;
    const counts = this.lines.windowCounts();
    report.note('window_restated_messages', counts.restatedMessages);
    report.note('window_snapshots', counts.snapshots);
    // Why levels needed the orderbook file: a level entered the window from deeper, where LOBSTER sends no
    // messages; a level in the window had a size the messages do not explain (it changed while out of the
    // window); a level the messages left in the window is gone (its orders left while out of it).
    report.note('level_entered_window', counts.enteredWindow);
    report.note('level_size_resync', counts.sizeResyncs);
    report.note('level_left_unseen', counts.leftUnseen);
  }

  private malformed(bytes: Uint8Array, lineStart: number, stop: number, line: number, field: number): void {
    const raw = text(bytes, lineStart, stop);
    const count = raw.split(',').length;
    if (count !== 6) return this.reject(bytes, lineStart, stop, line, 'columns', `expected 6 fields, found ${count}`);
    const name = FIELD_NAMES[Math.min(field, 5)]!;
    const value = raw.split(',')[Math.min(field, 5)];
    const expected = field === 0 ? 'seconds after midnight' : 'an integer';
    this.reject(bytes, lineStart, stop, line, name, `expected ${expected}, found "${value}"`);
  }

  private reject(bytes: Uint8Array, lineStart: number, stop: number, line: number, field: string, detail: string): void {
    this.integrity.reject('malformed_row', line, field, detail, text(bytes, lineStart, stop));
    // The orderbook row still describes the book after this line; the next message resyncs from it.
  }
}

function text(bytes: Uint8Array, start: number, stop: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, stop - start).toString('latin1');
}
