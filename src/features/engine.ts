import type { Book } from '../book/view.js';
import type { EventBatch } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import type { InstrumentTable } from '../core/instrument.js';
import type { Granularity } from '../core/source.js';
import { tradeClock, type ClockSpec, type TradeClock } from './clock.js';
import { closesOf, rowsOf, updatesOf, type ClosesCall, type RowsCall, type UpdatesCall } from './fan-out.js';
import type { Feature, StreamState } from './feature.js';
import type { FeatureRequest } from './registry.js';
import { TopLevels } from './top-levels.js';

/**
 * Receives each closed bar: the instrument index, the bar's time (ns after `timeBaseNs`: the boundary for
 * time clocks, else the venue time of the update that closed it) and one value per column. `values` is
 * reused: copy what you keep.
 */
export type BarSink = (instrument: number, ts: number, timeBaseNs: bigint, values: Float64Array) => void;

/**
 * A sink the features write each bar into, sparing its copy (a table writer's tape, a frame's array):
 * `begin` starts the bar's row and says where in `cells` its values go, or -1 to receive them at `end`.
 */
export interface BarRows {
  /** The array `begin`'s positions point into; read again after each `begin` (it may grow). */
  readonly cells: Float64Array;
  /** Starts a bar's row: the bar's time is as `BarSink` has it. Returns where in `cells` its first value goes, or -1. */
  begin(instrument: number, ts: number, timeBaseNs: bigint): number;
  /** Ends the row; `values` holds the bar's values when `begin` returned -1 (reused: copy what you keep). */
  end(values: Float64Array): void;
}

/** One instrument's features, clock and running state. The features are called through fan-out.ts. */
interface Stream {
  readonly state: StreamState;
  readonly top: TopLevels;
  /** `row` of the features that want trade rows, and of those that want every row (null: none do). */
  readonly tradeRows: RowsCall | null;
  readonly allRows: RowsCall | null;
  /** `update` of the features that have one, called after every complete update. */
  readonly update: UpdatesCall;
  readonly close: ClosesCall;
  readonly clock: TradeClock | null;
  nextBoundary: number;
  lastTradePrice: number;
  lastTradeSign: number;
}

/**
 * Runs requested features over a replay: pass `onUpdate` to `Replayer.push`. For each complete update of
 * an instrument the engine reads the book's best levels (`state.top`), hands the update's rows to the
 * features that asked for them, then calls their `update`, and closes bars as the clock says (time bars
 * that end before the update close before its levels are read). Instruments are independent: each has
 * its own features. Feeding the same events in batches of any size gives the same bars (the conformance
 * tests check it). A bar still open at the end of the input is not emitted (for time clocks: unless the
 * last update falls exactly on its boundary).
 */
export class FeatureEngine {
  readonly columns: string[];
  private readonly streams: Stream[] = [];
  private readonly values: Float64Array;
  /** Where each feature's columns start in a row. */
  private readonly offsets: number[];
  /** Levels per side the streams' features read from `state.top`. */
  private readonly levels: number;
  private baseNs: bigint | null = null;
  private shift = 0;
  private batch: EventBatch | null = null;
  /** First row of the batch not yet handed to features. */
  private cursor = 0;

  constructor(
    private readonly requests: readonly FeatureRequest[],
    private readonly clock: ClockSpec,
    private readonly granularity: Granularity,
    private readonly instruments: InstrumentTable,
    private readonly sink: BarSink | BarRows,
  ) {
    this.columns = requests.flatMap((request) => request.columns);
    this.offsets = [];
    for (let f = 0, offset = 0; f < requests.length; offset += requests[f]!.columns.length, f++) this.offsets.push(offset);
    this.values = new Float64Array(this.columns.length);
    this.levels = Math.max(1, ...requests.map((request) => request.definition.levels?.(request.params) ?? 0));
  }

  /** The replay's update handler. */
  readonly onUpdate = (book: Book, batch: EventBatch, row: number, instrument: number): void => {
    if (batch !== this.batch) {
      this.batch = batch;
      this.cursor = 0;
      if (this.baseNs === null) this.baseNs = batch.timeBaseNs;
      this.shift = batch.timeBaseNs === this.baseNs ? 0 : Number(batch.timeBaseNs - this.baseNs);
    }
    const stream = this.streams[instrument] ?? this.open(instrument, book);
    const state = stream.state;
    const ts = batch.tsEvent[row]! + this.shift;
    if (this.clock.kind === 'time') this.closeBoundariesBefore(stream, instrument, ts);
    state.ts = ts;
    state.book = book;
    state.snapshot = false;
    const top = stream.top;
    top.read(book);
    this.handRows(stream, batch, row, instrument);
    this.cursor = row + 1;
    stream.update(state);
    state.prevBidPrice = top.bidPrice[0]!;
    state.prevBidSize = top.bidSize[0]!;
    state.prevAskPrice = top.askPrice[0]!;
    state.prevAskSize = top.askSize[0]!;
    if (this.clock.kind === 'event' || stream.clock?.closes()) this.closeBar(stream, instrument, ts);
  };

  /** Emits the time bar whose boundary coincides with the last update, if any. */
  finish(): void {
    if (this.clock.kind !== 'time') return;
    this.streams.forEach((stream, instrument) => {
      if (stream.nextBoundary === stream.state.ts) this.closeBar(stream, instrument, stream.nextBoundary);
    });
  }

  /** The time base the bars' times count from (the first batch's). */
  get timeBaseNs(): bigint {
    return this.baseNs ?? 0n;
  }

  private open(instrument: number, book: Book): Stream {
    const meta = this.instruments.get(instrument);
    const top = new TopLevels(this.levels);
    const state: StreamState = {
      instrument: meta,
      index: instrument,
      granularity: this.granularity,
      priceScale: 10 ** meta.priceDecimals,
      sizeScale: 10 ** meta.sizeDecimals,
      timeBaseNs: this.baseNs!,
      ts: NaN,
      book,
      top,
      prevBidPrice: NaN,
      prevBidSize: 0,
      prevAskPrice: NaN,
      prevAskSize: 0,
      snapshot: false,
    };
    const features: Feature[] = this.requests.map((request) => request.definition.create(request.params, state));
    const rowsWanted = (rows: string) => {
      const wanting = features.filter((_, f) => this.requests[f]!.definition.rows === rows);
      return wanting.length > 0 ? rowsOf(wanting) : null;
    };
    const stream: Stream = {
      state,
      top,
      tradeRows: rowsWanted('trades'),
      allRows: rowsWanted('all'),
      update: updatesOf(features.filter((feature) => feature.update !== undefined)),
      close: closesOf(features, this.offsets),
      clock: tradeClock(this.clock),
      nextBoundary: NaN,
      lastTradePrice: NaN,
      lastTradeSign: 0,
    };
    this.streams[instrument] = stream;
    return stream;
  }

  // Hot: every row of the input passes here once.
  private handRows(stream: Stream, batch: EventBatch, row: number, instrument: number): void {
    const { action, flags } = batch;
    const state = stream.state;
    const { tradeRows, allRows } = stream;
    for (let i = this.cursor; i <= row; i++) {
      if (batch.instrument[i] !== instrument) continue;
      if (flags[i]! & Flag.Snapshot) {
        state.snapshot = true;
        continue;
      }
      if (allRows !== null) allRows(batch, i, state);
      if (action[i] !== Action.Trade) continue;
      if (tradeRows !== null) tradeRows(batch, i, state);
      if (stream.clock) {
        const price = batch.price[i]! / state.priceScale;
        stream.clock.trade(price, batch.size[i]! / state.sizeScale, this.tradeSign(stream, batch.side[i]!, batch.price[i]!));
      }
    }
  }

  /** The aggressor side where the venue gives it, else the tick rule. */
  private tradeSign(stream: Stream, side: number, price: number): number {
    let sign = side;
    if (sign === 0) sign = price > stream.lastTradePrice ? 1 : price < stream.lastTradePrice ? -1 : stream.lastTradeSign;
    stream.lastTradePrice = price;
    stream.lastTradeSign = sign;
    return sign;
  }

  private closeBoundariesBefore(stream: Stream, instrument: number, ts: number): void {
    const every = (this.clock as { ns: number }).ns;
    if (Number.isNaN(stream.nextBoundary)) {
      // Boundaries are multiples of the interval in epoch time.
      const epochOffset = Number(this.baseNs! % BigInt(every));
      stream.nextBoundary = Math.ceil((ts + epochOffset) / every) * every - epochOffset;
    }
    while (stream.nextBoundary < ts) {
      this.closeBar(stream, instrument, stream.nextBoundary);
      stream.nextBoundary += every;
    }
  }

  private closeBar(stream: Stream, instrument: number, ts: number): void {
    const sink = this.sink;
    if (typeof sink === 'function') {
      stream.close(this.values, 0, ts);
      sink(instrument, ts, this.baseNs!, this.values);
      return;
    }
    const at = sink.begin(instrument, ts, this.baseNs!);
    if (at >= 0) stream.close(sink.cells, at, ts);
    else stream.close(this.values, 0, ts);
    sink.end(this.values);
  }
}
