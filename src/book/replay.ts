import type { EventBatch } from '../core/batch.js';
import { InputError } from '../core/errors.js';
import { Action, actionName, Flag, Status } from '../core/event.js';
import type { Integrity } from '../core/integrity.js';
import { sessionRule, type SessionRule } from '../core/sessions.js';
import type { BookChecksum, EventSource, Granularity } from '../core/source.js';
import { BEFORE_ROW, COMPLETED, FOUND, RECORD_ASK_PRICE, RECORD_ASK_SIZE, RECORD_BID_PRICE, RECORD_BID_SIZE, RECORD_COUNT, RECORD_FIRST, RECORD_IN_SNAPSHOT, RECORD_OUTCOME, RECORD_ROW, RECORD_SNAPSHOT_CHANGES, RECORD_VALUES } from './book-module.js';
import { Applied, APPLIED_KINDS } from './ladder-book.js';
import type { BestLevels, Book } from './view.js';
import { L2Book } from './l2-book.js';
import { L3Book } from './l3-book.js';

/** Called after every complete venue update of one instrument, with that instrument's book. */
export type UpdateHandler = (book: Book, batch: EventBatch, row: number, instrument: number) => void;

/**
 * Values an update of `BestUpdates` takes: its last row, the best bid price and size, the best ask price and
 * size, and one the handler ignores (the book module's records, handed over where they are, hold them so).
 */
export const BEST_VALUES = RECORD_VALUES;

/**
 * Complete venue updates of one instrument in row order, each with its best levels as of that update
 * (`Replayer.pushBest`): update k's values start at `values[at + k × BEST_VALUES]` (an empty side's price
 * NaN, its size 0). `values` may be the book module's memory: read them before calling into the module
 * (another replay), which may grow it and leave this view empty.
 */
export interface BestUpdates {
  readonly count: number;
  readonly values: Float64Array;
  readonly at: number;
}

/** Called with the complete updates of one instrument (`Replayer.pushBest`), a run of them at a time. */
export type BestHandler = (updates: BestUpdates, batch: EventBatch, instrument: number) => void;

/** Writes the update of `row` with `book`'s best levels into `values` from `at` (BestUpdates' layout). */
export function writeBest(book: BestLevels, row: number, values: Float64Array, at: number): void {
  values[at + RECORD_ROW] = row;
  values[at + RECORD_BID_PRICE] = book.bestBidPrice();
  values[at + RECORD_BID_SIZE] = book.bestBidSize();
  values[at + RECORD_ASK_PRICE] = book.bestAskPrice();
  values[at + RECORD_ASK_SIZE] = book.bestAskSize();
}

/** What a replay saw, beyond the reader's integrity report. */
export interface ReplaySummary {
  rows: number;
  /** Complete venue updates applied (rows with Flag.Last outside snapshots). */
  updates: number;
  /** Complete updates after which the book was crossed or locked. */
  crossedUpdates: number;
  /**
   * Of those, the ones while the venue was not matching continuously: a halt or quoting-only status in
   * the data, or a pre-open or auction by the venue's session calendar (src/core/sessions.ts). These are
   * real; the rest are integrity findings (`crossed_in_continuous_trading`).
   */
  crossedWhileNotTrading: number;
  /** Venue times (ns offsets from `timeBaseNs`) of the first and last crossed update; NaN if none. */
  crossedFirstNs: number;
  crossedLastNs: number;
  timeBaseNs: bigint;
  /** Orders still resting at the end, over all instruments (L3). */
  openOrders: number;
  /** Orders removed with a level that emptied while they were still listed (L3 from level-limited data). */
  droppedOrders: number;
  /** Complete updates in which a snapshot changed the book (for LOBSTER: messages resolved only by the orderbook file). */
  updatesChangedBySnapshot: number;
  /** Findings by kind (unknown_order_id, size_exceeds_order, …), also recorded in the integrity report; expected outcomes are notes there. */
  findings: Record<string, number>;
}

/**
 * Applies normalized events to one book per instrument and reports after each complete update.
 * Push batches in order; the books are readable between pushes. Under the `strict` policy the first
 * finding throws an InputError naming the source row; otherwise findings are counted in the report.
 *
 * ```ts
 * const replayer = new Replayer(source.granularity, source.integrity);
 * for await (const batch of source.batches()) replayer.push(batch, (book) => console.log(book.bestBidPrice()));
 * ```
 */
export class Replayer {
  readonly books: Book[] = [];
  private readonly inSnapshot: boolean[] = [];
  private readonly trading: boolean[] = [];
  private readonly sessions: (SessionRule | null)[] = [];
  private readonly counts = new Float64Array(APPLIED_KINDS.length);
  private readonly expectedCounts = new Map<string, number>();
  private baseNs: bigint | null = null;
  private readonly summary: ReplaySummary = {
    rows: 0,
    updates: 0,
    crossedUpdates: 0,
    crossedWhileNotTrading: 0,
    crossedFirstNs: NaN,
    crossedLastNs: NaN,
    timeBaseNs: 0n,
    openOrders: 0,
    droppedOrders: 0,
    updatesChangedBySnapshot: 0,
    findings: {},
  };
  /** Per instrument: the book's snapshotChanges at its last complete update. */
  private readonly changesSeen: number[] = [];
  private checksumsVerified = 0;
  // The row being applied, for messages from control actions.
  private currentBatch: EventBatch | null = null;
  private currentRow = 0;
  /** The batch's time base minus the replay's (ns), added to its times. */
  private shift = 0;
  /** The venue's depth limit and checksum rule, read once (a source wrapper forwards them through getters). */
  private readonly depthLimit: number | undefined;
  private readonly checksum: BookChecksum | undefined;
  /** The updates `pushBest` hands over, and an update of a row at a time. */
  private readonly run: { count: number; values: Float64Array; at: number } = { count: 0, values: new Float64Array(0), at: 0 };
  private readonly one = new Float64Array(BEST_VALUES);

  /**
   * `windowLevels` is the source's (EventSource.windowLevels): with it, an unknown order at an existing
   * level is an expected consequence of the window and is noted, not reported as a finding.
   */
  constructor(
    readonly granularity: Granularity,
    private readonly integrity: Integrity,
    private readonly windowLevels?: number,
    venue: { depthLimit?: number; checksum?: BookChecksum } = {},
  ) {
    this.depthLimit = venue.depthLimit;
    this.checksum = venue.checksum;
  }

  /** A replayer for a source, with its window, depth limit and checksum rule. */
  static for(source: EventSource): Replayer {
    return new Replayer(source.granularity, source.integrity, source.windowLevels, source);
  }

  /** The book of an instrument index, created on first use. */
  book(instrument: number): Book {
    let book = this.books[instrument];
    if (!book) {
      if (this.granularity === 'L3') {
        const l3 = new L3Book();
        l3.levelTotalsFollowVenue = this.windowLevels !== undefined;
        book = l3;
      } else book = new L2Book();
      this.books[instrument] = book;
      this.inSnapshot[instrument] = false;
      this.trading[instrument] = true;
      this.changesSeen[instrument] = 0;
    }
    return book;
  }

  private session(instrument: number, batch: EventBatch): SessionRule | null {
    if (this.sessions[instrument] === undefined) this.sessions[instrument] = sessionRule(batch.instruments.get(instrument).venue);
    return this.sessions[instrument]!;
  }

  // Hot loops: one switch per row, no allocation. Findings leave through `finding`.
  push(batch: EventBatch, onUpdate?: UpdateHandler): void {
    this.apply(batch, onUpdate, false);
  }

  /**
   * As `push`, for a handler that reads only the best levels, given the complete updates a run at a time.
   * Order books go through their rows in the book module, up to RECORDS updates a call
   * (`L3Book.applyOrders`), which records the best levels after each; the handler gets the updates between
   * two findings at once. A replay without a handler goes the same way. Price-level books, and rows this
   * leaves to JavaScript, give their updates one at a time.
   */
  pushBest(batch: EventBatch, onBest: BestHandler): void {
    this.apply(batch, onBest, true);
  }

  private apply(batch: EventBatch, handler: UpdateHandler | BestHandler | undefined, best: boolean): void {
    if (this.baseNs === null) this.summary.timeBaseNs = this.baseNs = batch.timeBaseNs;
    const shift = (this.shift = batch.timeBaseNs === this.baseNs ? 0 : Number(batch.timeBaseNs - this.baseNs));
    this.currentBatch = batch;
    if (this.granularity !== 'L3') this.pushLevels(batch, handler, best);
    else if (handler === undefined || best) this.pushOrderRuns(batch, shift, handler as BestHandler | undefined);
    else this.pushOrders(batch, shift, handler as UpdateHandler);
    this.summary.rows += batch.length;
  }

  /** Applies a batch to order books. The book is looked up again only when the instrument changes. */
  private pushOrders(batch: EventBatch, shift: number, onUpdate: UpdateHandler | undefined): void {
    const { action, side, price, size, orderId, flags, instrument, tsEvent } = batch;
    const inSnapshot = this.inSnapshot;
    let inst = -1;
    let book: L3Book | null = null;
    for (let i = 0; i < batch.length; i++) {
      if (instrument[i] !== inst) {
        inst = instrument[i]!;
        book = (this.books[inst] ?? this.book(inst)) as L3Book;
      }
      const l3 = book!;
      // Orders added or modified now enter at nowNs: the time is not passed (a double passed to a call is boxed).
      l3.nowNs = tsEvent[i]! + shift;
      let result: number = Applied.Ok;
      switch (action[i]!) {
        case Action.Add:
          result = l3.addAt(orderId, i, side[i]!, price[i]!, size[i]!);
          break;
        case Action.Cancel:
          result = l3.cancelAt(orderId, i, side[i]!, price[i]!, size[i]!);
          break;
        case Action.Delete:
          result = l3.deleteAt(orderId, i, side[i]!, price[i]!, size[i]!);
          break;
        case Action.Fill:
          result = l3.fillAt(orderId, i, side[i]!, price[i]!, size[i]!);
          break;
        case Action.Modify:
          result = l3.modifyAt(orderId, i, side[i]!, price[i]!, size[i]!);
          break;
        case Action.LevelSet:
          result = inSnapshot[inst] ? l3.snapshotLevel(side[i]!, price[i]!, size[i]!) : l3.setLevel(side[i]!, price[i]!, size[i]!);
          break;
        case Action.LevelDelete:
          result = l3.deleteLevel(side[i]!, price[i]!);
          break;
        case Action.Trade:
          break; // no book effect
        default:
          this.currentRow = i;
          this.control(action[i]!, l3, inst, side[i]!, size[i]!);
      }
      if (result !== Applied.Ok) this.finding(result, batch, i);
      if (flags[i]! & Flag.Last && !inSnapshot[inst]) this.completed(l3, batch, i, inst, onUpdate, false);
    }
  }

  /**
   * Applies a batch to price-level books; order events are findings there. The level rows are applied in
   * the book module a run at a time (`LadderBook.applyLevels`), up to a complete update, a finding or a
   * row of another kind or instrument, which is handled here.
   */
  private pushLevels(batch: EventBatch, onUpdate: UpdateHandler | BestHandler | undefined, best: boolean): void {
    const { action, side, size, flags, instrument } = batch;
    const inSnapshot = this.inSnapshot;
    if (batch.length > 0) ((this.books[instrument[0]!] ?? this.book(instrument[0]!)) as L2Book).loadRows(batch);
    for (let i = 0; i < batch.length; ) {
      const inst = instrument[i]!;
      const l2 = (this.books[inst] ?? this.book(inst)) as L2Book;
      // Runs of at most 2^22 rows: the outcome holds the rows it went through × 256.
      const outcome = l2.applyLevels(batch, i, Math.min(batch.length, i + RUN_ROWS), inSnapshot[inst]!);
      const stop = i + (outcome >>> 8);
      const why = (outcome >> 4) & 15;
      if (why !== BEFORE_ROW) {
        if (why === FOUND) this.finding(outcome & 15, batch, stop - 1);
        if (flags[stop - 1]! & Flag.Last && !inSnapshot[inst]) this.completed(l2, batch, stop - 1, inst, onUpdate, best);
        i = stop;
        continue;
      }
      i = stop;
      if (i >= batch.length || instrument[i] !== inst) continue;
      let result: number = Applied.Ok;
      switch (action[i]!) {
        case Action.Add:
        case Action.Cancel:
        case Action.Delete:
        case Action.Fill:
        case Action.Modify:
          result = Applied.BadEvent;
          break;
        default:
          this.currentRow = i;
          this.control(action[i]!, l2, inst, side[i]!, size[i]!);
      }
      if (result !== Applied.Ok) this.finding(result, batch, i);
      if (flags[i]! & Flag.Last && !inSnapshot[inst]) this.completed(l2, batch, i, inst, onUpdate, best);
      i++;
    }
  }

  /**
   * Applies a batch to order books in the book module, a run of rows a call (`L3Book.applyOrders`), for a
   * replay without a handler or with one that reads only the best levels: over AMZN's decoded batches, a
   * quarter of the time of a row at a time (above) was its JavaScript and its calls into the module. The
   * module records findings and complete updates in row order; the rows it leaves (status, checksum,
   * statistics) are handled here as above.
   */
  private pushOrderRuns(batch: EventBatch, shift: number, handler: BestHandler | undefined): void {
    const { action, side, size, flags, instrument, tsEvent } = batch;
    const inSnapshot = this.inSnapshot;
    const depth = this.depthLimit ?? -1;
    for (let i = 0; i < batch.length; ) {
      const inst = instrument[i]!;
      const l3 = (this.books[inst] ?? this.book(inst)) as L3Book;
      // Runs of at most 2^22 rows: the outcome holds the rows it went through × 256.
      // A replay inside this one's handler writes over the records: `holdRecords` has it put them back.
      const saved = l3.holdRecords();
      let outcome: number;
      try {
        outcome = l3.applyOrders(batch, i, Math.min(batch.length, i + RUN_ROWS), inSnapshot[inst]!, shift, depth);
        this.recorded(l3, batch, inst, handler);
      } finally {
        l3.releaseRecords(saved);
      }
      i += outcome >>> 8;
      if (((outcome >> 4) & 15) === COMPLETED || i >= batch.length || instrument[i] !== inst) continue;
      l3.nowNs = tsEvent[i]! + shift;
      this.currentRow = i;
      this.control(action[i]!, l3, inst, side[i]!, size[i]!);
      if (flags[i]! & Flag.Last && !inSnapshot[inst]) this.completed(l3, batch, i, inst, handler, true);
      i++;
    }
  }

  /**
   * What the last `applyOrders` of `book` did: whether the book is left in a snapshot, and in row order its
   * findings, reported as `finding` reports them, and the updates it completed (cut to the depth limit
   * there), counted as `completed` counts them and handed to the handler, those between two findings at
   * once. The records are read, and handed over, where the module wrote them (when they were copied out
   * value by value, then again into the run handed over, AMZN ×18 − ×6 took 12% more instructions a
   * message). A handler may call into the module; it cannot write over them (see `holdRecords`).
   */
  private recorded(book: L3Book, batch: EventBatch, inst: number, handler: BestHandler | undefined): void {
    let values = book.records;
    const from = book.recordsAt;
    this.inSnapshot[inst] = values[from + RECORD_IN_SNAPSHOT] === 1;
    // The run of updates since the last finding: its first record and its count.
    let first = 0;
    let count = 0;
    for (let at = from + RECORD_FIRST, end = at + values[from + RECORD_COUNT]! * RECORD_VALUES; at < end; at += RECORD_VALUES) {
      const row = values[at + RECORD_ROW]!;
      if (row < 0) {
        if (count > 0 && handler !== undefined) this.deliver(handler, values, first, count, batch, inst);
        count = 0;
        this.finding(values[at + RECORD_OUTCOME]!, batch, -1 - row);
        // Made afresh if a call of the handler grew the module's memory.
        values = book.records;
        continue;
      }
      this.summary.updates++;
      const changes = values[at + RECORD_SNAPSHOT_CHANGES]!;
      if (changes !== this.changesSeen[inst]) this.snapshotChanged(inst, changes);
      if (values[at + RECORD_BID_PRICE]! >= values[at + RECORD_ASK_PRICE]!) this.crossed(batch, row, inst, batch.tsEvent[row]! + this.shift);
      if (count++ === 0) first = at;
    }
    if (count > 0 && handler !== undefined) this.deliver(handler, values, first, count, batch, inst);
  }

  /** Hands `count` updates of `values` from `at` to the handler. */
  private deliver(handler: BestHandler, values: Float64Array, at: number, count: number, batch: EventBatch, inst: number): void {
    const run = this.run;
    run.values = values;
    run.at = at;
    run.count = count;
    handler(run, batch, inst);
  }

  /** After a complete update of an instrument: the venue's depth limit, the summary's counts, then the handler. */
  // No time argument: a double passed to a call is boxed, an allocation per update.
  // `best`: the handler is a BestHandler, given the update alone.
  private completed(book: Book, batch: EventBatch, i: number, inst: number, onUpdate: UpdateHandler | BestHandler | undefined, best: boolean): void {
    this.summary.updates++;
    if (this.depthLimit !== undefined) book.truncate(this.depthLimit);
    const changes = book.snapshotChanges;
    if (changes !== this.changesSeen[inst]) this.snapshotChanged(inst, changes);
    if (book.isCrossedOrLocked()) this.crossed(batch, i, inst, batch.tsEvent[i]! + this.shift);
    if (!onUpdate) return;
    if (!best) return (onUpdate as UpdateHandler)(book, batch, i, inst);
    writeBest(book, i, this.one, 0);
    this.deliver(onUpdate as BestHandler, this.one, 0, 1, batch, inst);
  }

  /** An update after which a snapshot had changed the book since the update before. */
  private snapshotChanged(inst: number, changes: number): void {
    this.summary.updatesChangedBySnapshot++;
    this.changesSeen[inst] = changes;
  }

  /** Totals so far. */
  finish(): ReplaySummary {
    const summary = this.summary;
    summary.openOrders = 0;
    summary.droppedOrders = 0;
    for (const book of this.books) {
      if (book instanceof L3Book) {
        summary.openOrders += book.orderCount;
        summary.droppedOrders += book.droppedOrders;
      }
    }
    summary.findings = {};
    for (let kind = 1; kind < APPLIED_KINDS.length; kind++) if (this.counts[kind]! > 0) summary.findings[APPLIED_KINDS[kind]!] = this.counts[kind]!;
    const report = this.integrity.report;
    for (const [kind, n] of this.expectedCounts) report.notes.set(kind, n);
    report.notes.set('book_dropped_orders', summary.droppedOrders);
    report.notes.set('book_updates_changed_by_snapshot', summary.updatesChangedBySnapshot);
    if (this.checksum) report.notes.set('checksums_verified', this.checksumsVerified);
    report.notes.set('book_levels_removed_by_snapshots', this.books.reduce((n, book) => n + book.snapshotRemovedLevels, 0));
    report.notes.set('book_crossed_updates', summary.crossedUpdates);
    return summary;
  }

  private control(a: number, book: Book, inst: number, side: number, value: number): void {
    switch (a) {
      case Action.Clear:
        book.clear();
        break;
      case Action.SnapshotBegin:
        book.beginSnapshot(side, value);
        this.inSnapshot[inst] = true;
        break;
      case Action.SnapshotEnd:
        book.endSnapshot();
        this.inSnapshot[inst] = false;
        break;
      case Action.Status:
        this.trading[inst] = value === Status.Trading || value === 0;
        break;
      case Action.Checksum:
        this.verify(book, inst, value);
        break;
      // Trade rows have no book effect.
    }
  }

  /** Checks the venue's checksum against the book as the venue keeps it (truncated to its depth). */
  private verify(book: Book, inst: number, expected: number): void {
    const rule = this.checksum;
    if (!rule) return;
    if (this.depthLimit !== undefined) book.truncate(this.depthLimit);
    const instrument = this.currentBatch!.instruments.get(inst);
    const actual = rule.compute(book, instrument);
    if (actual === expected) {
      this.checksumsVerified++;
      return;
    }
    const row = this.currentBatch!.sourceRow[this.currentRow]!;
    const detail = `${rule.name} checksum mismatch for ${instrument.venue}:${instrument.symbol}: expected=${expected}, was=${actual}`;
    if (this.integrity.policy === 'strict') throw new InputError(this.integrity.report.source, row, 'checksum', detail);
    this.integrity.report.count('checksum_mismatch', `row ${row}: ${detail}`);
  }

  private crossed(batch: EventBatch, row: number, inst: number, tsNs: number): void {
    const summary = this.summary;
    summary.crossedUpdates++;
    const epochMs = Number(this.baseNs! / 1_000_000n) + tsNs / 1e6;
    // Without a time (a source that has none) only the data's own status can say the venue was not trading.
    const notTrading = !this.trading[inst] || (!Number.isNaN(epochMs) && this.session(inst, batch)?.notContinuous(epochMs));
    if (notTrading) summary.crossedWhileNotTrading++;
    else this.integrity.report.count('crossed_in_continuous_trading', `row ${batch.sourceRow[row]}${Number.isNaN(epochMs) ? '' : `: ${new Date(epochMs).toISOString()}`}`);
    if (Number.isNaN(summary.crossedFirstNs)) summary.crossedFirstNs = tsNs;
    summary.crossedLastNs = tsNs;
  }

  /**
   * Outcomes the data explains, noted by kind instead of reported as findings: anonymous liquidity taken,
   * fills beyond the displayed size (icebergs) and the refills that follow them, unknown orders in
   * level-limited sources, and auction fills (no aggressor side) of orders never shown in the book.
   */
  private expected(result: number, batch: EventBatch, i: number): boolean {
    let kind: string | null = null;
    if (result === Applied.TookAnonymous || result === Applied.BeyondDisplayed) kind = APPLIED_KINDS[result]!;
    else if (result === Applied.UnknownOrder && batch.flags[i]! & Flag.AfterFill) kind = 'refill_after_fill_of_unknown_order';
    else if (result === Applied.UnknownOrder && batch.action[i] === Action.Fill && batch.side[i] === 0) kind = 'auction_fill_of_unknown_order';
    else if (result === Applied.UnknownOrder && batch.flags[i]! & Flag.PlacedBefore) kind = 'unknown_order_placed_before_data';
    else if ((result === Applied.UnknownOrder || result === Applied.SizeMismatch) && this.windowLevels !== undefined) kind = OUTSIDE_WINDOW_KINDS[result]!;
    if (kind === null) return false;
    this.expectedCounts.set(kind, (this.expectedCounts.get(kind) ?? 0) + 1);
    return true;
  }

  private finding(result: number, batch: EventBatch, i: number): void {
    // Expected outcomes are counted (reported by finish()), not findings.
    if (this.expected(result, batch, i)) return;
    this.counts[result]++;
    const kind = APPLIED_KINDS[result]!;
    const row = batch.sourceRow[i]!;
    const detail = `${actionName(batch.action[i]!)} of order ${batch.orderId[i]} at price ${batch.price[i]} size ${batch.size[i]}`;
    if (this.integrity.policy === 'strict') throw new InputError(this.integrity.report.source, row, 'order_id', `${kind.replace(/_/g, ' ')}: ${detail}`);
    this.integrity.report.count(`book_${kind}`, `row ${row}: ${detail}`);
  }
}

/** Rows an `applyLevels` or `applyOrders` call goes through at most. */
const RUN_ROWS = 1 << 22;

/** Expected-outcome names of unknown orders and size mismatches in a level-limited source, by Applied code (built once: they are counted per row). */
const OUTSIDE_WINDOW_KINDS = APPLIED_KINDS.map((kind) => `${kind}_outside_window`);

/** Replays a whole source; see Replayer. */
export async function replay(source: EventSource, options: { onUpdate?: UpdateHandler } = {}): Promise<ReplaySummary> {
  const replayer = Replayer.for(source);
  for await (const batch of source.batches()) replayer.push(batch, options.onUpdate);
  return replayer.finish();
}
