import type { LadderBook } from '../book/ladder-book.js';
import type { EventBatch } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import type { InstrumentTable } from '../core/instrument.js';
import type { Granularity } from '../core/source.js';
import { tradeClock, type ClockSpec, type TradeClock } from './clock.js';
import type { Feature, StreamState } from './feature.js';
import type { FeatureRequest } from './registry.js';

/**
 * Receives each closed bar: the instrument index, the bar's time (ns after `timeBaseNs`: the boundary for
 * time clocks, else the venue time of the update that closed it) and one value per column. `values` is
 * reused: copy what you keep.
 */
export type BarSink = (instrument: number, ts: number, timeBaseNs: bigint, values: Float64Array) => void;

/** One instrument's features, clock and running state. */
interface Stream {
  readonly state: StreamState;
  readonly features: Feature[];
  /** Features that want trade rows, and those that want every row. */
  readonly tradeFeatures: Feature[];
  readonly rowFeatures: Feature[];
  /** Features with an `update`, called after every complete update. */
  readonly updaters: Feature[];
  readonly clock: TradeClock | null;
  nextBoundary: number;
  lastTradePrice: number;
  lastTradeSign: number;
}

/**
 * Runs requested features over a replay: pass `onUpdate` to `Replayer.push`. For each complete update of
 * an instrument the engine hands the update's rows to the features that asked for them, then calls their
 * `update`, and closes bars as the clock says. Instruments are independent: each has its own features.
 * Feeding the same events in batches of any size gives the same bars (the conformance tests check it).
 * A bar still open at the end of the input is not emitted (for time clocks: unless the last update falls
 * exactly on its boundary).
 */
export class FeatureEngine {
  readonly columns: string[];
  private readonly streams: Stream[] = [];
  private readonly values: Float64Array;
  private readonly widths: number[];
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
    private readonly sink: BarSink,
  ) {
    this.columns = requests.flatMap((request) => request.columns);
    this.widths = requests.map((request) => request.columns.length);
    this.values = new Float64Array(this.columns.length);
  }

  /** The replay's update handler. */
  readonly onUpdate = (book: LadderBook, batch: EventBatch, row: number, instrument: number): void => {
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
    this.handRows(stream, batch, row, instrument);
    this.cursor = row + 1;
    const updaters = stream.updaters;
    for (let f = 0; f < updaters.length; f++) updaters[f]!.update!(state);
    state.prevBidPrice = book.bestBidPrice();
    state.prevBidSize = book.bestBidSize();
    state.prevAskPrice = book.bestAskPrice();
    state.prevAskSize = book.bestAskSize();
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

  private open(instrument: number, book: LadderBook): Stream {
    const meta = this.instruments.get(instrument);
    const state: StreamState = {
      instrument: meta,
      index: instrument,
      granularity: this.granularity,
      priceScale: 10 ** meta.priceDecimals,
      sizeScale: 10 ** meta.sizeDecimals,
      timeBaseNs: this.baseNs!,
      ts: NaN,
      book,
      prevBidPrice: NaN,
      prevBidSize: 0,
      prevAskPrice: NaN,
      prevAskSize: 0,
      snapshot: false,
    };
    const features: Feature[] = [];
    const tradeFeatures: Feature[] = [];
    const rowFeatures: Feature[] = [];
    for (const request of this.requests) {
      const feature = request.definition.create(request.params, state);
      features.push(feature);
      if (request.definition.rows === 'trades') tradeFeatures.push(feature);
      if (request.definition.rows === 'all') rowFeatures.push(feature);
    }
    const updaters = features.filter((feature) => feature.update !== undefined);
    const stream: Stream = { state, features, tradeFeatures, rowFeatures, updaters, clock: tradeClock(this.clock), nextBoundary: NaN, lastTradePrice: NaN, lastTradeSign: 0 };
    this.streams[instrument] = stream;
    return stream;
  }

  // Hot: every row of the input passes here once.
  private handRows(stream: Stream, batch: EventBatch, row: number, instrument: number): void {
    const { action, flags } = batch;
    const state = stream.state;
    const tradeFeatures = stream.tradeFeatures;
    const rowFeatures = stream.rowFeatures;
    for (let i = this.cursor; i <= row; i++) {
      if (batch.instrument[i] !== instrument) continue;
      if (flags[i]! & Flag.Snapshot) {
        state.snapshot = true;
        continue;
      }
      for (let f = 0; f < rowFeatures.length; f++) rowFeatures[f]!.row!(batch, i, state);
      if (action[i] !== Action.Trade) continue;
      for (let f = 0; f < tradeFeatures.length; f++) tradeFeatures[f]!.row!(batch, i, state);
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
    let offset = 0;
    for (let f = 0; f < stream.features.length; f++) {
      stream.features[f]!.close(this.values, offset, ts);
      offset += this.widths[f]!;
    }
    this.sink(instrument, ts, this.baseNs!, this.values);
  }
}
