import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { UsageError } from '../../core/errors.js';
import { Action, Flag, Status } from '../../core/event.js';
import { ReaderBase } from '../reader-base.js';
import type { Integrity } from '../../core/integrity.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { parseIsoDate, zonedMidnightNs } from '../../core/time.js';
import { lineChunks, lineEnd as endOfLine, withoutReturn, type LineChunk } from '../lines.js';
import { parseLobsterName } from './format.js';
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

/** Parses message lines straight from bytes into the batch builder. One instance per file. */
class MessageParser {
  private readonly fields = new Float64Array(6);
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
   * Parses lines from `pos` on; returns where it stopped: the chunk's end, or earlier when a batch is
   * ready or the next line's orderbook row is not loaded yet. Hot loop: one pass over the bytes, fields
   * parsed in place.
   */
  parse(chunk: LineChunk, pos: number): number {
    const bytes = chunk.bytes;
    const end = chunk.end;
    const fields = this.fields;
    const report = this.integrity.report;
    const orderbook = this.orderbook;
    const builder = this.builder;
    let line = this.nextLine;
    // The orderbook rows do not change during a call: lines from `stopLine` on wait for more of them.
    const stopLine = orderbook !== null && !orderbook.done ? orderbook.loadedEnd : Infinity;
    // Lines are parsed up to their terminator, never searched for first: a chunk's bytes end with a newline
    // (or, for a last line without one, at the end of `bytes`), so no digit loop can run past it.
    while (pos < end) {
      if (line >= stopLine || builder.ready) break;
      const lineStart = pos;
      let p = pos;
      let c = bytes[p]!;
      if (c === 10 || (c === 13 && (bytes[p + 1] === 10 || p + 1 === end))) {
        // Blank lines carry no message; count them so every line is accounted for.
        report.note('blank_lines');
        pos = Math.min(end, c === 10 ? p + 1 : p + 2);
        line++;
        continue;
      }
      report.rowsRead++;
      this.lastLine = line;

      // Field 0: time, seconds after midnight with up to 9 decimals -> ns.
      let seconds = 0;
      let digits = 0;
      while (c >= 48 && c <= 57) {
        seconds = seconds * 10 + (c - 48);
        digits++;
        c = bytes[++p]!;
      }
      let nanos = 0;
      let fracDigits = 0;
      let beyondNs = -1; // first digit past the ninth, when a file was printed through floating point
      if (c === 46) {
        c = bytes[++p]!;
        while (c >= 48 && c <= 57 && fracDigits < 9) {
          nanos = nanos * 10 + (c - 48);
          fracDigits++;
          c = bytes[++p]!;
        }
        if (c >= 48 && c <= 57) {
          beyondNs = c - 48;
          while (c >= 48 && c <= 57) c = bytes[++p]!;
        }
      }
      if (beyondNs >= 0) {
        // LOBSTER times are exact to the nanosecond: later digits are print noise; round them away.
        if (beyondNs >= 5) nanos++;
        report.note('time_rounded_to_ns');
      }
      let ok = digits > 0 && c === 44;
      fields[0] = seconds * 1e9 + nanos * POW10_9[fracDigits]!;
      // Fields 1..5: signed integers, each after a comma.
      let field = ok ? 1 : 0;
      while (ok && field < 6) {
        c = bytes[++p]!;
        let negative = false;
        if (c === 45) {
          negative = true;
          c = bytes[++p]!;
        }
        let value = 0;
        const digitsStart = p;
        while (c >= 48 && c <= 57) {
          value = value * 10 + (c - 48);
          c = bytes[++p]!;
        }
        if (p === digitsStart || (field < 5 && c !== 44)) {
          ok = false;
          break;
        }
        fields[field++] = negative ? -value : value;
      }
      // The line must end right after the sixth field.
      let stop = p;
      if (ok && c === 10) pos = p + 1;
      else if (ok && c === 13 && bytes[p + 1] === 10) pos = p + 2;
      else if (ok && p === end) pos = end;
      else {
        const lineEnd = endOfLine(chunk, lineStart);
        stop = withoutReturn(bytes, lineStart, lineEnd);
        pos = lineEnd + 1;
        this.malformed(bytes, lineStart, stop, line, field);
        line++;
        continue;
      }
      this.message(line, bytes, lineStart, stop);
      line++;
    }
    this.nextLine = line;
    return pos;
  }

  private message(line: number, bytes: Uint8Array, lineStart: number, stop: number): void {
    const fields = this.fields;
    const builder = this.builder;
    let ts = fields[0]!;
    const type = fields[1]!;
    const orderId = fields[2]!;
    const size = fields[3]!;
    const price = fields[4]!;
    const direction = fields[5]!;
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
      ts = fields[0] = this.prevTs;
      flags = Flag.Repaired;
    }
    this.prevTs = ts;
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
   * message's time is read from `fields`, not passed: a double passed to a call is boxed, an allocation
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
    const ts = this.fields[0]!;
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

const POW10_9 = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];

function text(bytes: Uint8Array, start: number, stop: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, stop - start).toString('latin1');
}
