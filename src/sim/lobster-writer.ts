import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBatch } from '../core/batch.js';
import { UsageError } from '../core/errors.js';
import { Action, Flag, Status } from '../core/event.js';
import type { Instrument } from '../core/instrument.js';
import type { EventSource } from '../core/source.js';
import { zonedMidnightNs, zoneOffsetMs } from '../core/time.js';
import { L3Book } from '../book/l3-book.js';

/** LOBSTER counts times in seconds after midnight in New York. */
const LOBSTER_TIME_ZONE = 'America/New_York';

/** What the LOBSTER writer needs to know. */
export interface LobsterWriteOptions {
  /** Levels per orderbook row (default 10); also the `_message_N` of the file names. */
  levels?: number;
  /** Trading date of the file name; times are seconds after its New York midnight. Default: the New York date of the first event. */
  date?: string;
  /** The `start_end` window of the file name in ms after midnight; default: the first and last message times. */
  windowMs?: [number, number];
  /**
   * The events come from level-limited data (a LOBSTER level-N input): unknown orders' sizes leave their
   * levels as the replay of such data has it (L3Book.levelTotalsFollowVenue).
   */
  levelTotalsFollowVenue?: boolean;
}

/** The files written and what went into them. */
export interface LobsterWriteResult {
  messagePath: string;
  orderbookPath: string;
  messages: number;
  /** Rows by what became of them (e.g. `hidden_executions_written`, `fills_without_side_skipped`). */
  notes: Record<string, number>;
}

const EMPTY_ASK_PRICE = 9999999999;
const EMPTY_BID_PRICE = -9999999999;

/**
 * Writes one instrument's normalized L3 events as a LOBSTER message file and orderbook file (the
 * layout `LobsterSource` reads): message types 1 (Add), 2 (partial cancel), 3 (delete), 4 (execution
 * of a visible order: a Fill), 5 (hidden execution: a Trade flagged Hidden, or trade volume of an update
 * that no Fill shows), 6 (a trade without aggressor) and 7 (trading status), each followed by its row
 * of the top `levels` levels after it. LOBSTER has no modify: a Modify that keeps the price and shrinks
 * the order is a partial cancel, any other is a delete and a new add under the same id. A Clear deletes
 * every order the book holds. Snapshot levels without orders (LevelSet) change the book and so the
 * orderbook rows, but are no messages. Prices are written in LOBSTER's 1/10,000 of the currency.
 * (It lives with the simulator, which writes its runs and planted streams with it; io may not import
 * the book it needs.)
 *
 * ```ts
 * const writer = new LobsterWriter('out', source.instruments.get(0), 0);
 * for await (const batch of source.batches()) writer.push(batch);
 * const { messagePath } = writer.close();
 * ```
 */
export class LobsterWriter {
  readonly levels: number;
  private readonly book = new L3Book();
  /** Price of every order the book holds, signed by its side. */
  private readonly orderPrice = new Map<number, number>();
  private readonly messageTemp: string;
  private readonly orderbookTemp: string;
  private readonly messageOut: ByteSink;
  private readonly orderbookOut: ByteSink;
  private messages = 0;
  private readonly notes: Record<string, number> = {};
  private date: string | undefined;
  private baseNs: bigint | null = null;
  private shift = 0;
  private shiftFor: bigint | null = null;
  private firstNs = NaN;
  private lastNs = NaN;
  /** Price units → LOBSTER units: multiply by `scaleUp` or divide by `scaleDown`. */
  private readonly scaleUp: number;
  private readonly scaleDown: number;
  // The message waiting for its orderbook row (written once the book is past it).
  private pending = false;
  private pendingTime = 0;
  private pendingType = 0;
  private pendingId = 0;
  private pendingSize = 0;
  private pendingPrice = 0;
  private pendingDirection = 0;
  // Trade and fill volume of the update being read, for executions no Fill shows.
  private tradeVolume = 0;
  private fillVolume = 0;
  private lastTradePrice = 0;
  private lastTradeSide = 0;

  constructor(
    readonly dir: string,
    readonly instrument: Instrument,
    readonly instrumentIndex: number,
    private readonly options: LobsterWriteOptions = {},
  ) {
    this.levels = options.levels ?? 10;
    if (!Number.isInteger(this.levels) || this.levels < 1) throw new UsageError(`LOBSTER levels must be a positive whole number, was ${this.levels}`);
    if (instrument.sizeDecimals !== 0) throw new UsageError(`${instrument.symbol}: LOBSTER files hold whole sizes; this instrument has ${instrument.sizeDecimals} size decimals`);
    this.scaleUp = instrument.priceDecimals <= 4 ? 10 ** (4 - instrument.priceDecimals) : 1;
    this.scaleDown = instrument.priceDecimals > 4 ? 10 ** (instrument.priceDecimals - 4) : 1;
    this.date = options.date;
    this.book.levelTotalsFollowVenue = options.levelTotalsFollowVenue ?? false;
    this.messageTemp = join(dir, `.${process.pid}.message.partial`);
    this.orderbookTemp = join(dir, `.${process.pid}.orderbook.partial`);
    this.messageOut = new ByteSink(openSync(this.messageTemp, 'w'));
    this.orderbookOut = new ByteSink(openSync(this.orderbookTemp, 'w'));
  }

  /** LOBSTER's file name stem for the instrument: its symbol in upper case, other characters dropped. */
  get ticker(): string {
    return this.instrument.symbol.toUpperCase().replace(/[^A-Z0-9.]/g, '') || 'X';
  }

  /** Writes the rows of the writer's instrument. Batches must come in stream order. */
  push(batch: EventBatch): void {
    if (this.shiftFor !== batch.timeBaseNs) this.rebase(batch);
    const { action, side, price, size, orderId, flags, instrument, tsEvent } = batch;
    const book = this.book;
    for (let i = 0; i < batch.length; i++) {
      if (instrument[i] !== this.instrumentIndex) continue;
      const a = action[i]!;
      const s = side[i]!;
      const p = price[i]!;
      const q = size[i]!;
      const id = orderId[i]!;
      const t = tsEvent[i]! + this.shift;
      if (Number.isNaN(t)) throw new UsageError(`${this.instrument.symbol}: row ${batch.sourceRow[i]} has no event time; LOBSTER files need one`);
      book.nowNs = t;
      // A row that is a message of its own: the one before it gets its orderbook row first.
      if (a <= Action.Clear || a === Action.Status) this.flushPending();
      switch (a) {
        case Action.Add:
          book.add(id, s, p, q, t);
          this.orderPrice.set(id, s * p);
          this.message(t, 1, id, q, p, s);
          break;
        case Action.Cancel:
          book.cancel(id, s, p, q);
          if (!(book.orderSize(id) > 0)) this.orderPrice.delete(id);
          this.message(t, 2, id, q, p, s);
          break;
        case Action.Delete:
          book.delete(id, s, p, q);
          this.orderPrice.delete(id);
          this.message(t, 3, id, q, p, s);
          break;
        case Action.Fill: {
          // A fill without a side (an auction uncross) takes the side of the order the book holds.
          const fillSide = s === 1 || s === -1 ? s : Math.sign(this.orderPrice.get(id) ?? 0);
          if (fillSide === 0) {
            this.note('fills_of_unknown_orders_without_side_skipped');
            break;
          }
          this.fillVolume += q;
          book.fill(id, fillSide, p, q);
          if (!(book.orderSize(id) > 0)) this.orderPrice.delete(id);
          this.message(t, 4, id, q, p, fillSide);
          break;
        }
        case Action.Trade:
          if (flags[i]! & Flag.Hidden) this.message(t, 5, id, q, p, s === 0 ? 1 : -s);
          else if (s === 0) this.message(t, 6, id, q, p, 1);
          else {
            this.tradeVolume += q;
            this.lastTradePrice = p;
            this.lastTradeSide = s;
          }
          break;
        case Action.Modify:
          this.modify(t, id, s, p, q);
          break;
        case Action.Clear:
          this.clear(t);
          break;
        case Action.SnapshotBegin:
          book.beginSnapshot(s, q);
          break;
        case Action.LevelSet:
          if (flags[i]! & Flag.Snapshot) book.snapshotLevel(s, p, q);
          else book.setLevel(s, p, q);
          break;
        case Action.LevelDelete:
          book.deleteLevel(s, p);
          break;
        case Action.SnapshotEnd:
          book.endSnapshot();
          break;
        case Action.Status:
          this.message(t, 7, 0, 0, q === Status.Halted ? -1 : q === Status.Quoting ? 0 : 1, 1);
          break;
        default:
          this.note(`rows_not_in_lobster_${a}`);
      }
      if (flags[i]! & Flag.Last) this.endUpdate(t);
    }
  }

  /** Flushes, names the files by their window and returns them. */
  close(): LobsterWriteResult {
    this.flushPending();
    this.messageOut.close();
    this.orderbookOut.close();
    const [startMs, endMs] = this.options.windowMs ?? [Math.floor(this.firstNs / 1e6), Math.ceil(this.lastNs / 1e6)];
    const stem = `${this.ticker}_${this.date ?? '1970-01-01'}_${Number.isNaN(startMs) ? 0 : startMs}_${Number.isNaN(endMs) ? 0 : endMs}`;
    const messagePath = join(this.dir, `${stem}_message_${this.levels}.csv`);
    const orderbookPath = join(this.dir, `${stem}_orderbook_${this.levels}.csv`);
    renameSync(this.messageTemp, messagePath);
    renameSync(this.orderbookTemp, orderbookPath);
    return { messagePath, orderbookPath, messages: this.messages, notes: { ...this.notes } };
  }

  /** Time offsets are kept from the New York midnight of the file's date. */
  private rebase(batch: EventBatch): void {
    if (this.baseNs === null) {
      if (this.date === undefined) {
        let first = NaN;
        for (let i = 0; i < batch.length && Number.isNaN(first); i++) if (batch.instrument[i] === this.instrumentIndex) first = batch.tsEvent[i]!;
        const epochMs = Number(batch.timeBaseNs / 1_000_000n) + (Number.isNaN(first) ? 0 : first / 1e6);
        this.date = new Date(epochMs + zoneOffsetMs(epochMs, LOBSTER_TIME_ZONE)).toISOString().slice(0, 10);
      }
      this.baseNs = zonedMidnightNs(this.date, LOBSTER_TIME_ZONE);
    }
    this.shift = Number(batch.timeBaseNs - this.baseNs);
    this.shiftFor = batch.timeBaseNs;
  }

  private modify(t: number, id: number, side: number, price: number, size: number): void {
    const old = this.book.orderSize(id);
    if (!(old > 0)) {
      // The book does not hold it (e.g. a refill after a fill beyond the display): it is a new order.
      this.book.add(id, side, price, size, t);
      this.orderPrice.set(id, side * price);
      this.message(t, 1, id, size, price, side);
      return;
    }
    const oldPrice = Math.abs(this.orderPrice.get(id)!);
    if (price === oldPrice && size <= old) {
      if (size === old) return;
      this.book.modify(id, side, price, size, t);
      this.message(t, 2, id, old - size, price, side);
      return;
    }
    this.book.delete(id, side, oldPrice, old);
    this.message(t, 3, id, old, oldPrice, side);
    this.flushPending();
    this.book.add(id, side, price, size, t);
    this.orderPrice.set(id, side * price);
    this.message(t, 1, id, size, price, side);
  }

  private clear(t: number): void {
    for (const side of [1, -1]) {
      while (this.book.depth(side) > 0) {
        const price = this.book.priceAt(side, 0);
        const ids = this.book.ordersAt(side, price);
        for (const id of ids) {
          this.flushPending();
          const size = this.book.orderSize(id);
          this.book.delete(id, side, price, size);
          this.orderPrice.delete(id);
          this.message(t, 3, id, size, price, side);
        }
        // Liquidity without orders (from snapshots) leaves with no message.
        if (this.book.depth(side) > 0 && this.book.priceAt(side, 0) === price) this.book.deleteLevel(side, price);
      }
    }
    this.book.clear();
    this.orderPrice.clear();
  }

  private endUpdate(t: number): void {
    if (this.tradeVolume > this.fillVolume) {
      // Executions the update prints but no resting order shows: hidden liquidity.
      this.message(t, 5, 0, this.tradeVolume - this.fillVolume, this.lastTradePrice, -this.lastTradeSide);
      this.note('hidden_executions_written');
    }
    this.tradeVolume = 0;
    this.fillVolume = 0;
    this.flushPending();
  }

  /** Sets the next message (the previous one must have been flushed with its orderbook row). */
  private message(t: number, type: number, id: number, size: number, price: number, direction: number): void {
    this.flushPending();
    let lobsterPrice = price;
    if (type !== 7) {
      lobsterPrice = this.scaleDown === 1 ? price * this.scaleUp : price / this.scaleDown;
      if (!Number.isInteger(lobsterPrice) || lobsterPrice <= 0) throw new UsageError(`${this.instrument.symbol}: price ${price} (${this.instrument.priceDecimals} decimals) has no exact positive LOBSTER price (4 decimals)`);
    }
    if (Number.isNaN(this.firstNs)) this.firstNs = t;
    this.lastNs = t;
    this.pending = true;
    this.pendingTime = t;
    this.pendingType = type;
    this.pendingId = id;
    this.pendingSize = size;
    this.pendingPrice = lobsterPrice;
    this.pendingDirection = direction;
    this.messages++;
  }

  /** Writes the pending message with the book as it is now. */
  private flushPending(): void {
    if (!this.pending) return;
    this.pending = false;
    const out = this.messageOut;
    const seconds = Math.floor(this.pendingTime / 1e9);
    out.integer(seconds);
    out.byte(46);
    out.padded(this.pendingTime - seconds * 1e9, 9);
    out.byte(44);
    out.integer(this.pendingType);
    out.byte(44);
    out.integer(this.pendingId);
    out.byte(44);
    out.integer(this.pendingSize);
    out.byte(44);
    out.integer(this.pendingPrice);
    out.byte(44);
    out.integer(this.pendingDirection);
    out.byte(10);
    this.bookRow();
  }

  /** The top `levels` levels in LOBSTER layout: ask price, ask size, bid price, bid size per level. */
  private bookRow(): void {
    const book = this.book;
    const out = this.orderbookOut;
    const up = this.scaleUp;
    const down = this.scaleDown;
    const askDepth = book.depth(-1);
    const bidDepth = book.depth(1);
    for (let rank = 0; rank < this.levels; rank++) {
      if (rank > 0) out.byte(44);
      if (rank < askDepth) {
        out.integer(down === 1 ? book.priceAt(-1, rank) * up : book.priceAt(-1, rank) / down);
        out.byte(44);
        out.integer(book.sizeAt(-1, rank));
      } else {
        out.integer(EMPTY_ASK_PRICE);
        out.byte(44);
        out.byte(48);
      }
      out.byte(44);
      if (rank < bidDepth) {
        out.integer(down === 1 ? book.priceAt(1, rank) * up : book.priceAt(1, rank) / down);
        out.byte(44);
        out.integer(book.sizeAt(1, rank));
      } else {
        out.integer(EMPTY_BID_PRICE);
        out.byte(44);
        out.byte(48);
      }
    }
    out.byte(10);
  }

  private note(kind: string): void {
    this.notes[kind] = (this.notes[kind] ?? 0) + 1;
  }
}

/** Writes a whole source's instrument (default: index 0) as LOBSTER files into `dir`. */
export async function writeLobster(source: EventSource, dir: string, options: LobsterWriteOptions & { instrument?: number } = {}): Promise<LobsterWriteResult> {
  let writer: LobsterWriter | null = null;
  for await (const batch of source.batches()) {
    writer ??= new LobsterWriter(dir, source.instruments.get(options.instrument ?? 0), options.instrument ?? 0, { levelTotalsFollowVenue: source.windowLevels !== undefined, ...options });
    writer.push(batch);
  }
  if (!writer) throw new UsageError(`${source.path}: no events to write`);
  return writer.close();
}

/** Text output straight into a byte buffer, written to a file descriptor in 1 MiB pieces. */
class ByteSink {
  private readonly buffer = new Uint8Array(1 << 20);
  private at = 0;
  private readonly digits = new Uint8Array(24);

  constructor(private readonly fd: number) {}

  byte(code: number): void {
    if (this.at === this.buffer.length) this.flush();
    this.buffer[this.at++] = code;
  }

  /** A whole number (exact below 2^53), with a minus sign when negative. */
  integer(value: number): void {
    if (this.at + 24 > this.buffer.length) this.flush();
    let v = value;
    if (v < 0) {
      this.buffer[this.at++] = 45;
      v = -v;
    }
    if (v < 10) {
      this.buffer[this.at++] = 48 + v;
      return;
    }
    let n = 0;
    while (v > 0) {
      const q = Math.floor(v / 10);
      this.digits[n++] = 48 + (v - q * 10);
      v = q;
    }
    while (n > 0) this.buffer[this.at++] = this.digits[--n]!;
  }

  /** A non-negative whole number left-padded with zeros to `width` digits. */
  padded(value: number, width: number): void {
    if (this.at + 24 > this.buffer.length) this.flush();
    let v = value;
    for (let k = width - 1; k >= 0; k--) {
      const q = Math.floor(v / 10);
      this.buffer[this.at + k] = 48 + (v - q * 10);
      v = q;
    }
    this.at += width;
  }

  flush(): void {
    let written = 0;
    while (written < this.at) written += writeSync(this.fd, this.buffer, written, this.at - written);
    this.at = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
