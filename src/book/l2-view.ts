import { BatchBuilder, type EventBatch } from '../core/batch.js';
import { UsageError } from '../core/errors.js';
import { Action, Flag } from '../core/event.js';
import { Integrity, IntegrityReport } from '../core/integrity.js';
import { NumberMap } from '../core/number-map.js';
import type { EventSource } from '../core/source.js';
import { grown } from '../core/typed-arrays.js';
import { L2Book } from './l2-book.js';
import type { L3Book } from './l3-book.js';
import type { Book } from './view.js';
import { Replayer } from './replay.js';

/** The format name of L2 views. */
export const L2_VIEW_FORMAT = 'l2-view';

/** How an L2 view publishes: every complete update (the default), or the changes of each interval at its end. */
export interface L2ViewOptions {
  /** Conflation interval in ns (e.g. 100e6 for Binance's 100 ms diffs); 0 or absent: one message per update. */
  intervalNs?: number;
  /** Rows per batch (a batch may be longer to finish an update). */
  batchRows?: number;
}

/** One key per (side, price): prices are integers far below 2^52. */
function levelKey(side: number, price: number): number {
  return side > 0 ? price * 2 + 1 : price * 2;
}

/** Per instrument: what the view has published, the order prices it follows, and the changes not yet published. */
class InstrumentState {
  /** The book as a subscriber to the view holds it. */
  readonly published = new L2Book();
  /**
   * Order id → slot in `orderSide`/`orderPrice`: a Modify row names the new price only, and an auction's Fill
   * rows the uncross price without a side, while the level that changes is the one the order rests at.
   */
  readonly orders = new NumberMap(1024);
  orderSide = new Int8Array(1024);
  orderPrice = new Float64Array(1024);
  orderFree = new Int32Array(1024);
  orderFreeCount = 0;
  orderSlots = 0;
  /** Levels changed since the last publication, with their size as of the last update (0: gone); deduplicated by levelKey. */
  readonly pendingIndex = new NumberMap(256);
  pendingSide = new Int8Array(256);
  pendingPrice = new Float64Array(256);
  pendingSize = new Float64Array(256);
  /** 1 when a row of flow (not of a snapshot) changed the level: only the others are published as restated. */
  pendingFlow = new Uint8Array(256);
  pendingCount = 0;
  /** An update since the last publication restated the book (a snapshot): its rows are not flow. */
  pendingSnapshot = false;
  /** Venue time the pending changes are published at (NaN: nothing pending), and the seq and row they name. */
  pendingAtNs = NaN;
  pendingSeq = 0;
  pendingRow = 0;
  pendingRecvNs = NaN;
  /** Levels touched by the update being read (side, price), before their sizes are read from the book. */
  touchedSide = new Int8Array(64);
  touchedPrice = new Float64Array(64);
  touchedCount = 0;
  /** First row of the current batch not yet read for this instrument. */
  cursor = 0;

  touch(side: number, price: number): void {
    if (side !== 1 && side !== -1) return;
    if (this.touchedCount === this.touchedSide.length) {
      this.touchedSide = grown(this.touchedSide, this.touchedCount * 2);
      this.touchedPrice = grown(this.touchedPrice, this.touchedCount * 2);
    }
    this.touchedSide[this.touchedCount] = side;
    this.touchedPrice[this.touchedCount++] = price;
  }

  /** Records a level's size after the update; the last value before a publication is the one published. */
  pend(side: number, price: number, size: number, flow: boolean): void {
    const key = levelKey(side, price);
    let slot = this.pendingIndex.get(key);
    if (slot < 0) {
      slot = this.pendingCount++;
      if (slot === this.pendingSide.length) {
        this.pendingSide = grown(this.pendingSide, slot * 2);
        this.pendingPrice = grown(this.pendingPrice, slot * 2);
        this.pendingSize = grown(this.pendingSize, slot * 2);
        this.pendingFlow = grown(this.pendingFlow, slot * 2);
      }
      this.pendingIndex.set(key, slot);
      this.pendingSide[slot] = side;
      this.pendingPrice[slot] = price;
      this.pendingFlow[slot] = 0;
    }
    this.pendingSize[slot] = size;
    if (flow) this.pendingFlow[slot] = 1;
  }

  /** Touches the level an order rests at, as far as the view has followed it. */
  touchOrder(id: number): void {
    const slot = this.orders.get(id);
    if (slot >= 0) this.touch(this.orderSide[slot]!, this.orderPrice[slot]!);
  }

  /** Follows an order still resting after the update; forgets one that is gone (every price it took on the way was touched). */
  follow(id: number, side: number, price: number, book: L3Book): void {
    if (!(book.orderSize(id) > 0)) return this.forget(id);
    let slot = this.orders.get(id);
    if (slot < 0) {
      if (this.orderFreeCount > 0) slot = this.orderFree[--this.orderFreeCount]!;
      else {
        slot = this.orderSlots++;
        if (slot === this.orderPrice.length) {
          this.orderSide = grown(this.orderSide, slot * 2);
          this.orderPrice = grown(this.orderPrice, slot * 2);
        }
      }
      this.orders.set(id, slot);
    }
    this.orderSide[slot] = side;
    this.orderPrice[slot] = price;
  }

  forget(id: number): void {
    const slot = this.orders.delete(id);
    if (slot < 0) return;
    if (this.orderFreeCount === this.orderFree.length) this.orderFree = grown(this.orderFree, this.orderFreeCount * 2);
    this.orderFree[this.orderFreeCount++] = slot;
  }
}

/**
 * What an L2 venue would publish of an L3 source: the source is replayed through exact L3 books, and after
 * every complete update (or, with `intervalNs`, at the end of each interval, as Binance sends its 100 ms
 * diffs) a `LevelSet` or `LevelDelete` row for every price level whose total size changed, the last row
 * carrying `Flag.Last`. Trades (aggressor side, `Hidden` flag kept), trading status and venue statistics
 * pass through at their own times: every update, ahead of the level rows of their update; with an
 * interval, a source update's trades are an update of their own. Order ids are not published. Levels that
 * only a restatement of the book changed (a snapshot in the source, e.g. LOBSTER's window restatements)
 * are published with `Flag.Snapshot`: they restate levels, they are not flow. With an interval, the changes of updates in [k·interval, (k+1)·interval)
 * (epoch time) are published at (k+1)·interval with the seq and source row of the last of them; levels
 * that changed and changed back in between are not published, as a conflating venue would not. Updates
 * without a venue time are published at once. The source's own integrity report keeps the L3 replay's
 * findings; the view's report counts what it published.
 *
 * ```ts
 * const view = openL2View(openScenario('scenarios/mixed.json'), { intervalNs: 100e6 });
 * await replay(view); // an L2 replay: level changes and trades, no order ids
 * ```
 */
export class L2ViewSource implements EventSource {
  readonly format = L2_VIEW_FORMAT;
  readonly granularity = 'L2' as const;
  readonly integrity: Integrity;
  private readonly intervalNs: number;
  private readonly batchRows: number;

  constructor(
    readonly source: EventSource,
    options: L2ViewOptions = {},
  ) {
    if (source.granularity !== 'L3') throw new UsageError(`${source.path}: an L2 view needs an L3 source (order events); this one is ${source.granularity}`);
    this.intervalNs = options.intervalNs ?? 0;
    if (!(this.intervalNs >= 0)) throw new UsageError(`L2 view of ${source.path}: interval ${options.intervalNs} ns: expected 0 (every update) or more`);
    this.batchRows = options.batchRows ?? 8192;
    this.integrity = new Integrity(source.integrity.policy, new IntegrityReport(source.path, L2_VIEW_FORMAT));
  }

  get path(): string {
    return this.source.path;
  }

  get instruments() {
    return this.source.instruments;
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const publisher = new Publisher(this.source, this.intervalNs, this.batchRows);
    const report = this.integrity.report;
    for await (const batch of this.source.batches()) {
      publisher.push(batch);
      for (let out = publisher.take(); out; out = publisher.take()) {
        report.rowsRead += out.length;
        yield out;
      }
    }
    const rest = publisher.finish();
    if (rest) {
      report.rowsRead += rest.length;
      yield rest;
    }
    report.note('l2_view_updates_published', publisher.updates);
    report.note('l2_view_restatements_published', publisher.restated);
  }
}

/** Opens the L2 view of an L3 source; see L2ViewSource. */
export function openL2View(source: EventSource, options: L2ViewOptions = {}): L2ViewSource {
  return new L2ViewSource(source, options);
}

/** Replays the source and writes the view's rows. */
class Publisher {
  private readonly replayer: Replayer;
  private readonly instruments: InstrumentState[] = [];
  private builder: BatchBuilder | null = null;
  private baseNs = 0n;
  private shift = 0;
  /** Epoch offset of the time base modulo the interval: boundaries are multiples of the interval in epoch time. */
  private epochOffset = 0;
  /** Earliest pending publication time over all instruments. */
  private nextAtNs = Infinity;
  updates = 0;
  /** Publications with levels only a restatement changed. */
  restated = 0;
  /** Rows written for the update being published (to know where its Last goes). */
  private written = 0;

  constructor(
    private readonly source: EventSource,
    private readonly intervalNs: number,
    private readonly batchRows: number,
  ) {
    this.replayer = Replayer.for(source);
  }

  push(batch: EventBatch): void {
    if (this.builder === null) {
      this.baseNs = batch.timeBaseNs;
      this.builder = new BatchBuilder(this.source.instruments, this.baseNs, this.batchRows);
      if (this.intervalNs > 0) this.epochOffset = Number(this.baseNs % BigInt(this.intervalNs));
    }
    this.shift = batch.timeBaseNs === this.baseNs ? 0 : Number(batch.timeBaseNs - this.baseNs);
    for (const state of this.instruments) if (state) state.cursor = 0;
    this.replayer.push(batch, this.onUpdate);
  }

  take(): EventBatch | null {
    return this.builder?.take() ?? null;
  }

  /** Publishes what is pending and returns the last rows. */
  finish(): EventBatch | null {
    for (let inst = 0; inst < this.instruments.length; inst++) {
      const state = this.instruments[inst];
      if (!state || state.pendingCount + Number(state.pendingSnapshot) === 0) continue;
      this.written = 0;
      this.publish(inst, state);
    }
    this.replayer.finish();
    return this.builder?.flush() ?? null;
  }

  private state(inst: number, book: L3Book): InstrumentState {
    let state = this.instruments[inst];
    if (!state) {
      const created = (state = this.instruments[inst] = new InstrumentState());
      // An order dropped with its level left no row naming it: forget its price here.
      book.onOrderEnd = (life) => {
        if (life.end === 'dropped') created.forget(life.orderId);
      };
    }
    return state;
  }

  // Hot: called after every complete update of the source; reads the update's rows once, allocates nothing.
  private readonly onUpdate = (book: Book, batch: EventBatch, row: number, inst: number): void => {
    const l3 = book as L3Book;
    const state = this.state(inst, l3);
    const ts = batch.tsEvent[row]! + this.shift;
    if (this.intervalNs > 0 && ts >= this.nextAtNs) this.publishDue(ts);
    const { action, side, price, size, orderId, flags, tsEvent, tsRecv, seq, sourceRow, instrument } = batch;
    const builder = this.builder!;
    let passed = 0;
    let full = false;
    let snapshot = false;
    for (let i = state.cursor; i <= row; i++) {
      if (instrument[i] !== inst) continue;
      const a = action[i]!;
      const id = orderId[i]!;
      // A restated book is read whole after the update (record): its rows touch no level as flow.
      const restates = (flags[i]! & Flag.Snapshot) !== 0 && a !== Action.Trade && a !== Action.Status && a !== Action.Stat;
      if (restates) snapshot = true;
      switch (a) {
        case Action.Add:
          if (!restates) state.touch(side[i]!, price[i]!);
          state.follow(id, side[i]!, price[i]!, l3);
          break;
        case Action.Modify:
          if (!restates) {
            state.touchOrder(id);
            state.touch(side[i]!, price[i]!);
          }
          state.follow(id, side[i]!, price[i]!, l3);
          break;
        case Action.Cancel:
        case Action.Delete:
        case Action.Fill:
          if (!restates) {
            state.touchOrder(id);
            state.touch(side[i]!, price[i]!);
          }
          if (!(l3.orderSize(id) > 0)) state.forget(id);
          break;
        case Action.LevelSet:
        case Action.LevelDelete:
          if (!restates) state.touch(side[i]!, price[i]!);
          break;
        case Action.SnapshotBegin:
          snapshot = true;
          break;
        case Action.Clear:
          full = true;
          break;
        case Action.Trade:
        case Action.Status:
        case Action.Stat:
          builder.push(tsEvent[i]! + this.shift, tsRecv[i]! + this.shift, inst, a, side[i]!, price[i]!, size[i]!, a === Action.Stat ? id : 0, seq[i]!, flags[i]! & ~Flag.Last, sourceRow[i]!);
          passed++;
          break;
        // Checksums are of the source's book by the source's rule; SnapshotEnd closes what SnapshotBegin opened.
      }
    }
    state.cursor = row + 1;
    // A venue depth limit truncates the book without rows: compare every level then.
    if (this.source.depthLimit !== undefined) full = true;
    this.record(state, l3, full, snapshot);
    const pending = state.pendingCount > 0 || state.pendingSnapshot;
    // With an interval the level changes wait for their publication; trades and status go out at once.
    if (passed > 0 && (this.intervalNs > 0 || !pending)) {
      builder.endUpdate();
      this.updates++;
    }
    if (!pending) return;
    if (Number.isNaN(state.pendingAtNs)) {
      state.pendingAtNs = this.intervalNs > 0 && !Number.isNaN(ts) ? (Math.floor((ts + this.epochOffset) / this.intervalNs) + 1) * this.intervalNs - this.epochOffset : ts;
    }
    state.pendingSeq = seq[row]!;
    state.pendingRow = sourceRow[row]!;
    state.pendingRecvNs = this.intervalNs > 0 ? NaN : tsRecv[row]! + this.shift;
    // Per update, the level rows join the trades' update; with an interval those went out on their own.
    this.written = this.intervalNs > 0 ? 0 : passed;
    if (this.intervalNs > 0 && !Number.isNaN(ts)) {
      if (state.pendingAtNs < this.nextAtNs) this.nextAtNs = state.pendingAtNs;
      return;
    }
    this.publish(inst, state);
  };

  /** Reads the sizes of the levels the update touched (every level, for a clear or a restated book) into the pending changes. */
  private record(state: InstrumentState, book: L3Book, full: boolean, snapshot: boolean): void {
    if (snapshot) state.pendingSnapshot = true;
    if (full || snapshot) {
      for (let k = 0; k < state.pendingCount; k++) state.pendingSize[k] = book.sizeAtPrice(state.pendingSide[k]!, state.pendingPrice[k]!);
      for (let s = 1; s >= -1; s -= 2) {
        for (let rank = 0; rank < state.published.depth(s); rank++) {
          const p = state.published.priceAt(s, rank);
          state.pend(s, p, book.sizeAtPrice(s, p), !snapshot);
        }
        for (let rank = 0; rank < book.depth(s); rank++) state.pend(s, book.priceAt(s, rank), book.sizeAt(s, rank), !snapshot);
      }
    }
    for (let k = 0; k < state.touchedCount; k++) {
      const s = state.touchedSide[k]!;
      const p = state.touchedPrice[k]!;
      state.pend(s, p, book.sizeAtPrice(s, p), true);
    }
    state.touchedCount = 0;
  }

  /** Publishes every instrument whose interval ended at or before `ts`, in time order of their publications. */
  private publishDue(ts: number): void {
    for (;;) {
      let next = -1;
      for (let inst = 0; inst < this.instruments.length; inst++) {
        const state = this.instruments[inst];
        if (state && state.pendingAtNs <= ts && (next < 0 || state.pendingAtNs < this.instruments[next]!.pendingAtNs)) next = inst;
      }
      if (next < 0) break;
      this.written = 0;
      this.publish(next, this.instruments[next]!);
    }
    this.nextAtNs = Infinity;
    for (const state of this.instruments) if (state && state.pendingAtNs < this.nextAtNs) this.nextAtNs = state.pendingAtNs;
  }

  /** Writes the pending changes of one instrument as one update (flagged Snapshot when the book was restated). */
  private publish(inst: number, state: InstrumentState): void {
    const builder = this.builder!;
    const published = state.published;
    const at = state.pendingAtNs;
    const recv = state.pendingRecvNs;
    const seq = state.pendingSeq;
    const row = state.pendingRow;
    const restated = state.pendingSnapshot;
    let written = this.written;
    let levels = 0;
    let restatedLevels = 0;
    for (let k = 0; k < state.pendingCount; k++) {
      const s = state.pendingSide[k]!;
      const p = state.pendingPrice[k]!;
      const size = state.pendingSize[k]!;
      if (published.sizeAtPrice(s, p) === (size > 0 ? size : 0)) continue;
      if (size > 0) published.setLevel(s, p, size);
      else published.deleteLevel(s, p);
      const flags = restated && state.pendingFlow[k] === 0 ? Flag.Snapshot : 0;
      builder.push(at, recv, inst, size > 0 ? Action.LevelSet : Action.LevelDelete, s, p, size > 0 ? size : 0, 0, seq, flags, row);
      levels++;
      if (flags) restatedLevels++;
    }
    written += levels;
    if (restatedLevels > 0) this.restated++;
    if (written > 0) {
      builder.endUpdate();
      this.updates++;
    }
    state.pendingIndex.clear();
    state.pendingCount = 0;
    state.pendingSnapshot = false;
    state.pendingAtNs = NaN;
    this.written = 0;
  }
}
