import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { UsageError } from '../../core/errors.js';
import { Action, Flag, Status } from '../../core/event.js';
import { ReaderBase } from '../reader-base.js';
import type { Integrity } from '../../core/integrity.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { parseIsoDate, zonedMidnightNs } from '../../core/time.js';
import { lineChunks, type LineChunk } from '../lines.js';
import { parseLobsterName } from './format.js';
import { LineParser, LineStatus } from './line-parser.js';
import { OrderbookRows } from './orderbook.js';
import { readingAhead } from './read-ahead.js';
import { FIX_KIND_NAMES, TopWindow } from './window.js';

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
 * TopWindow) and counted in the integrity report's notes.
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

/** Parses message lines into the batch builder, a slice of lines at a time (LineParser). One instance per file. */
class MessageParser {
  private readonly lines = new LineParser();
  /** The slice of lines the last `parse` read: [sliceNext, sliceCount) are parsed but not handled yet. */
  private sliceNext = 0;
  private sliceCount = 0;
  /** The time of the message being handled (repaired, if it went back), for its restated snapshot rows. */
  private readonly time = new Float64Array(1);
  private prevTs = -Infinity;
  lastLine = 0;
  /** Number of the next line to read. */
  nextLine = 1;
  private window: TopWindow | null = null;
  private resolvedMessages = 0;
  private snapshots = 0;

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
   * ready or the next line's orderbook row is not loaded yet. A call that stops early leaves the rest of
   * its slice for the next, which continues the same chunk from the position returned.
   */
  parse(chunk: LineChunk, pos: number): number {
    const lines = this.lines;
    lines.load(chunk);
    const { status, starts, stops } = lines;
    const end = chunk.end;
    const report = this.integrity.report;
    const orderbook = this.orderbook;
    const builder = this.builder;
    let line = this.nextLine;
    let k = this.sliceNext;
    let count = this.sliceCount;
    // The orderbook rows do not change during a call: lines from `stopLine` on wait for more of them.
    const stopLine = orderbook !== null && !orderbook.done ? orderbook.loadedEnd : Infinity;
    while (line < stopLine && !builder.ready) {
      if (k === count) {
        if (pos >= end) break;
        count = lines.messages(pos, end, stopLine - line);
        k = 0;
      }
      const lineStatus = status[k]!;
      const lineStart = starts[k]!;
      pos = k + 1 < count ? starts[k + 1]! : lines.resume;
      if (lineStatus === LineStatus.Blank) {
        // Blank lines carry no message; count them so every line is accounted for.
        report.note('blank_lines');
      } else {
        report.rowsRead++;
        this.lastLine = line;
        // LOBSTER times are exact to the nanosecond: later digits are print noise, rounded away.
        if (lineStatus & LineStatus.Rounded) report.note('time_rounded_to_ns');
        const outcome = lineStatus & ~LineStatus.Rounded;
        if (outcome === LineStatus.Parsed) this.message(line, k, chunk.bytes, lineStart, stops[k]!);
        else this.malformed(chunk.bytes, lineStart, stops[k]!, line, outcome - LineStatus.Malformed);
      }
      line++;
      k++;
    }
    this.sliceNext = k;
    this.sliceCount = count;
    this.nextLine = line;
    return pos;
  }

  /** Handles the message of line `k` of the slice. */
  private message(line: number, k: number, bytes: Uint8Array, lineStart: number, stop: number): void {
    const fields = this.lines.fields;
    const stride = this.lines.messageLines;
    const builder = this.builder;
    let ts = fields[k]!;
    const type = fields[stride + k]!;
    const orderId = fields[2 * stride + k]!;
    const size = fields[3 * stride + k]!;
    const price = fields[4 * stride + k]!;
    const direction = fields[5 * stride + k]!;
    const start = builder.length;
    let flags = 0;
    if (direction !== 1 && direction !== -1) return this.reject(bytes, lineStart, stop, line, 'direction', `must be 1 or -1, was ${direction}`);
    if (type !== 7) {
      if (type < 1 || type > 6) return this.reject(bytes, lineStart, stop, line, 'type', `unknown message type ${type} (LOBSTER has 1-7)`);
      if (size <= 0) return this.reject(bytes, lineStart, stop, line, 'size', `must be positive, was ${size}`);
      if (price <= 0) return this.reject(bytes, lineStart, stop, line, 'price', `must be positive, was ${price}`);
    }
    if (ts < this.prevTs) {
      const detail = `time goes back ${((this.prevTs - ts) / 1e9).toFixed(9)} s`;
      if (!this.integrity.repair('timestamp_regression', line, 'time', detail, text(bytes, lineStart, stop))) return;
      ts = this.prevTs;
      flags = Flag.Repaired;
    }
    this.prevTs = ts;
    this.time[0] = ts;
    // The orderbook's level count is known once its first chunk is read, before the first message.
    if (this.orderbook && !this.window) this.window = new TopWindow(this.orderbook.levels);
    // Types 1-6 push their row at one place, after the switch (an execution pushes the tape's trade
    // before it); a status row is pushed in its case. `delta`: the shares the message adds to its level
    // (negative: removes), for the window.
    let action: number = Action.Trade;
    let side = direction;
    let rowFlags = flags;
    let delta = 0;
    switch (type) {
      case 1:
        action = Action.Add;
        delta = size;
        break;
      case 2:
        action = Action.Cancel;
        delta = -size;
        break;
      case 3:
        action = Action.Delete;
        delta = -size;
        break;
      case 4:
        // The tape sees a trade by the opposite side; the book sees the resting order filled.
        builder.push(ts, NaN, 0, Action.Trade, -direction, price, size, orderId, line, flags, line);
        action = Action.Fill;
        delta = -size;
        break;
      case 5:
        side = -direction;
        rowFlags = flags | Flag.Hidden;
        break;
      case 6:
        // Cross trade (opening/closing auction): no aggressor.
        side = 0;
        break;
      default: {
        const status = price === -1 ? Status.Halted : price === 0 ? Status.Quoting : price === 1 ? Status.Trading : 0;
        builder.push(ts, NaN, 0, Action.Status, 0, 0, status, 0, line, flags, line);
        if (status === 0) {
          builder.endUpdate();
          this.integrity.report.count('unknown_halt_code', `line ${line}: price: ${price}`);
          return;
        }
      }
    }
    if (type !== 7) builder.push(ts, NaN, 0, action, side, price, size, orderId, line, rowFlags, line);
    if (delta !== 0) this.window?.apply(direction, price, delta);
    if (flags & Flag.Repaired) this.integrity.report.note('rows_emitted_repaired', builder.length - start);
    this.resync(line);
    builder.endUpdate();
  }

  /**
   * Restates from the orderbook row, as depth-N snapshots, the sides the messages do not explain. The
   * message's time is read from `time`, not passed: a double passed to a call is boxed, an allocation
   * per message.
   */
  private resync(line: number): void {
    const window = this.window;
    if (!window) return;
    const orderbook = this.orderbook!;
    const offset = orderbook.rowOffset(line);
    if (offset < 0) return;
    if (window.reconcile(orderbook.values, offset)) this.resolvedMessages++;
    if (window.restateAsks) this.restate(line, -1, orderbook.values, offset);
    if (window.restateBids) this.restate(line, 1, orderbook.values, offset + 2);
  }

  private restate(line: number, side: number, row: Float64Array, offset: number): void {
    const builder = this.builder;
    const ts = this.time[0]!;
    const depth = this.window!.depth;
    const flags = Flag.Snapshot | Flag.Repaired;
    builder.push(ts, NaN, 0, Action.SnapshotBegin, side, 0, depth, 0, line, flags, line);
    const shown = TopWindow.shown(row, offset, depth);
    for (let k = 0; k < shown; k++) builder.push(ts, NaN, 0, Action.LevelSet, side, row[offset + 4 * k]!, row[offset + 4 * k + 1]!, 0, line, flags, line);
    builder.push(ts, NaN, 0, Action.SnapshotEnd, side, 0, 0, 0, line, flags, line);
    this.snapshots++;
  }

  finish(): void {
    const report = this.integrity.report;
    if (!this.window) return;
    report.note('window_restated_messages', this.resolvedMessages);
    report.note('window_snapshots', this.snapshots);
    for (let kind = 1; kind < FIX_KIND_NAMES.length; kind++) report.note(FIX_KIND_NAMES[kind]!, this.window.fixes[kind]!);
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
