import type { EventBatch } from '../core/batch.js';
import { UsageError } from '../core/errors.js';
import type { InstrumentTable } from '../core/instrument.js';
import type { ColumnSpec, TableWriter } from '../core/table.js';
import { BEST_VALUES, writeBest, type BestHandler, type BestUpdates } from './replay.js';
import type { BestLevels, BookView } from './view.js';

/** What `replay --emit` writes: best bid/offer, or the top N levels in LOBSTER's orderbook layout. */
export type EmitSpec = { kind: 'bbo' } | { kind: 'depth'; levels: number };

/** Parses `bbo` or `depth:N`. */
export function parseEmitSpec(text: string): EmitSpec {
  if (text === 'bbo') return { kind: 'bbo' };
  const match = /^depth:(\d+)$/.exec(text);
  if (match && Number(match[1]) >= 1 && Number(match[1]) <= 1000) return { kind: 'depth', levels: Number(match[1]) };
  throw new UsageError(`--emit ${text}: expected bbo or depth:N (1 <= N <= 1000)`);
}

/** The output contract's columns (DESIGN.md): ts_ns, seq, [instrument], then the book columns. */
export function emitColumns(spec: EmitSpec, withInstrument: boolean): ColumnSpec[] {
  const columns: ColumnSpec[] = [
    { name: 'ts_ns', type: 'epoch_ns' },
    { name: 'seq', type: 'int' },
  ];
  if (withInstrument) columns.push({ name: 'instrument', type: 'text' });
  if (spec.kind === 'bbo') {
    for (const name of ['bid_px', 'bid_sz', 'ask_px', 'ask_sz']) columns.push({ name, type: 'decimal' });
  } else {
    for (let level = 1; level <= spec.levels; level++) {
      for (const name of ['ask_px', 'ask_sz', 'bid_px', 'bid_sz']) columns.push({ name: `${name}_${level}`, type: 'decimal' });
    }
  }
  return columns;
}

/** Parses an interval such as `100ms`, `1s`, `500us`, `2m` into nanoseconds. */
export function parseIntervalNs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(text);
  const unit = match ? { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[match[2] as 'ns'] : NaN;
  const ns = match ? Math.round(Number(match[1]) * unit) : NaN;
  if (!(ns >= 1)) throw new UsageError(`interval "${text}": expected a number and a unit (ns, us, ms, s, m, h), e.g. 100ms`);
  return ns;
}

/**
 * Writes book states as table rows: after every complete update, or, with `everyNs`, once per interval
 * boundary with the state as of that boundary (the last update at or before it). Columns per emitColumns.
 */
export class BookEmitter {
  /** Per instrument: cached state values (bbo: 4; depth: 4 * levels) for interval sampling. */
  private readonly cache: Float64Array[] = [];
  private readonly cacheSeq: number[] = [];
  private readonly nextBoundary: number[] = [];
  private readonly lastTs: number[] = [];
  private readonly width: number;
  /** Levels per side a row shows. */
  private readonly levels: number;
  private baseNs = 0n;
  /** Per instrument index: price and size decimals (looked up once, not per row). */
  private priceDecimals = new Int8Array(0);
  private sizeDecimals = new Int8Array(0);

  /** The replay's update handler: a row per update (bbo or depth), or the interval sampler. */
  readonly onUpdate: (book: BookView, batch: EventBatch, row: number, instrument: number) => void;
  /** For `Replayer.pushBest` when rows need only the best levels (bbo rows, a run of updates a call), else null. */
  readonly onBest: BestHandler | null;

  constructor(
    private readonly writer: TableWriter,
    private readonly spec: EmitSpec,
    private readonly instruments: InstrumentTable,
    private readonly withInstrument: boolean,
    private readonly everyNs?: number,
  ) {
    this.width = spec.kind === 'bbo' ? 4 : 4 * spec.levels;
    this.levels = spec.kind === 'bbo' ? 1 : spec.levels;
    this.onUpdate = everyNs !== undefined ? this.sample : spec.kind === 'bbo' ? this.bboRow : this.depthRow;
    this.onBest = this.onUpdate === this.bboRow ? this.bboRows : null;
  }

  /** A bbo row for one update (the handler of `Replayer.push`): as `bboRows`. */
  private readonly bboRow = (book: BestLevels, batch: EventBatch, row: number, instrument: number): void => {
    writeBest(book, row, this.one.values, 0);
    this.bboRows(this.one, batch, instrument);
  };
  private readonly one = { count: 1, values: new Float64Array(BEST_VALUES), at: 0 };

  // Hot: a row per update, a run of updates a call (`Replayer.pushBest`). The handler is chosen once, so a
  // row costs no mode tests; prices and sizes go straight from the updates to the writer, a run of rows on
  // its tape at a time where it can (`TableWriter.rowsSlots`).
  private readonly bboRows = (updates: BestUpdates, batch: EventBatch, instrument: number): void => {
    if (instrument >= this.priceDecimals.length) this.decimalsOf();
    const priceDecimals = this.priceDecimals[instrument]!;
    const sizeDecimals = this.sizeDecimals[instrument]!;
    const values = updates.values;
    const writer = this.writer;
    const { tsEvent, seq } = batch;
    for (let v = updates.at, end = v + updates.count * BEST_VALUES; v < end; ) {
      const first = writer.rowsSlots ? writer.rowsSlots(batch.timeBaseNs, (end - v) / BEST_VALUES) : -1;
      if (first < 0) {
        this.bboRowByCells(values, v, batch, instrument, priceDecimals, sizeDecimals);
        v += BEST_VALUES;
        continue;
      }
      const cells = writer.cells!;
      const cellSlot = writer.cellSlot!;
      const stride = writer.rowStride!;
      const tsSlot = cellSlot[0]!;
      const seqSlot = cellSlot[1]!;
      const bidSlot = cellSlot[2]!;
      for (let slot = first, stop = first + writer.rowsTaken! * stride; slot < stop; slot += stride, v += BEST_VALUES) {
        const row = values[v]!;
        cells[slot + tsSlot] = tsEvent[row]!;
        cells[slot + seqSlot] = seq[row]!;
        bboCells(cells, slot + bidSlot, values, v, priceDecimals, sizeDecimals);
      }
      writer.endRows!();
    }
  };

  /** A bbo row of the update at `values[v]` for a writer that takes its row's cells one by one, or by `cellSlots`. */
  private bboRowByCells(values: Float64Array, v: number, batch: EventBatch, instrument: number, priceDecimals: number, sizeDecimals: number): void {
    const at = this.rowStart(batch, values[v]!, instrument);
    const writer = this.writer;
    // Stored in place, not through decimalCell: the four calls a row were not inlined (AMZN ×6 − ×3: 1.8%
    // fewer instructions a message).
    if (at >= 0) bboCells(writer.cells!, at, values, v, priceDecimals, sizeDecimals);
    else {
      const bidSize = values[v + 2]!;
      const askSize = values[v + 4]!;
      writer.decimal(values[v + 1]!, priceDecimals);
      writer.decimal(bidSize > 0 ? bidSize : NaN, sizeDecimals);
      writer.decimal(values[v + 3]!, priceDecimals);
      writer.decimal(askSize > 0 ? askSize : NaN, sizeDecimals);
    }
    writer.endRow();
  }

  private readonly depthRow = (book: BookView, batch: EventBatch, row: number, instrument: number): void => {
    const at = this.rowStart(batch, row, instrument);
    const priceDecimals = this.priceDecimals[instrument]!;
    const sizeDecimals = this.sizeDecimals[instrument]!;
    for (let rank = 0; rank < this.levels; rank++) {
      const askPrice = book.priceAt(-1, rank);
      const bidPrice = book.priceAt(1, rank);
      this.decimalCell(at, 4 * rank, askPrice, priceDecimals);
      this.decimalCell(at, 4 * rank + 1, Number.isNaN(askPrice) ? NaN : book.sizeAt(-1, rank), sizeDecimals);
      this.decimalCell(at, 4 * rank + 2, bidPrice, priceDecimals);
      this.decimalCell(at, 4 * rank + 3, Number.isNaN(bidPrice) ? NaN : book.sizeAt(1, rank), sizeDecimals);
    }
    this.writer.endRow();
  };

  /**
   * Starts the row of `batch`'s row `at`: its time, sequence and instrument. Returns where its decimal
   * cells go on the writer's tape: the whole row taken in place where the writer can (`TableWriter.rowSlots`:
   * one call a row, not one a cell), else, with an instrument column, the decimal cells alone
   * (`cellSlots`); -1 when they are written by `decimal`. The time and sequence are read here, not passed:
   * a double passed to a call is boxed, an allocation per row.
   */
  private rowStart(batch: EventBatch, at: number, instrument: number): number {
    if (instrument >= this.priceDecimals.length) this.decimalsOf();
    const writer = this.writer;
    const slot = writer.rowSlots ? writer.rowSlots(batch.timeBaseNs) : -1;
    if (slot >= 0) {
      const cells = writer.cells!;
      const cellSlot = writer.cellSlot!;
      cells[slot + cellSlot[0]!] = batch.tsEvent[at]!;
      cells[slot + cellSlot[1]!] = batch.seq[at]!;
      return slot + cellSlot[2]!;
    }
    writer.epochNsAt(batch.timeBaseNs, batch.tsEvent, at);
    writer.intAt(batch.seq, at);
    if (this.withInstrument) writer.text(this.instruments.get(instrument).symbol);
    return writer.cellSlots ? writer.cellSlots('decimal', this.width) : -1;
  }

  /** The k-th decimal cell of a row `rowStart` put on the tape at `at` (its decimal cells lie side by side), or, at -1, the next cell. */
  private decimalCell(at: number, k: number, units: number, decimals: number): void {
    if (at < 0) return this.writer.decimal(units, decimals);
    const cells = this.writer.cells!;
    cells[at + 2 * k] = units;
    cells[at + 2 * k + 1] = decimals;
  }

  /** With `everyNs`: writes the boundaries the update passes, then caches the state after it. */
  private readonly sample = (book: BookView, batch: EventBatch, row: number, instrument: number): void => {
    const everyNs = this.everyNs!;
    this.baseNs = batch.timeBaseNs;
    const ts = batch.tsEvent[row]!;
    let cache = this.cache[instrument];
    if (!cache) {
      cache = this.cache[instrument] = new Float64Array(this.width).fill(NaN);
      this.nextBoundary[instrument] = Math.ceil(ts / everyNs) * everyNs;
    }
    // Boundaries before this update show the state before it.
    let boundary = this.nextBoundary[instrument]!;
    for (; boundary < ts; boundary += everyNs) this.cachedRow(instrument, boundary);
    this.nextBoundary[instrument] = boundary;
    this.lastTs[instrument] = ts;
    this.cacheSeq[instrument] = batch.seq[row]!;
    this.fillCache(book, cache);
  };

  /** Writes the boundary that coincides with the last update, if any. */
  finish(): void {
    if (this.everyNs === undefined) return;
    for (let instrument = 0; instrument < this.cache.length; instrument++) {
      if (this.cache[instrument] && this.nextBoundary[instrument] === this.lastTs[instrument]) this.cachedRow(instrument, this.nextBoundary[instrument]!);
    }
  }

  /** Copies every instrument's price and size decimals (again when instruments were added). */
  private decimalsOf(): void {
    this.priceDecimals = new Int8Array(this.instruments.size);
    this.sizeDecimals = new Int8Array(this.instruments.size);
    this.instruments.list.forEach((entry, i) => {
      this.priceDecimals[i] = entry.priceDecimals;
      this.sizeDecimals[i] = entry.sizeDecimals;
    });
  }

  private fillCache(book: BookView, cache: Float64Array): void {
    if (this.spec.kind === 'bbo') {
      cache[0] = book.bestBidPrice();
      cache[1] = book.bestBidSize() || NaN;
      cache[2] = book.bestAskPrice();
      cache[3] = book.bestAskSize() || NaN;
      return;
    }
    for (let rank = 0; rank < this.spec.levels; rank++) {
      const askPrice = book.priceAt(-1, rank);
      const bidPrice = book.priceAt(1, rank);
      cache[4 * rank] = askPrice;
      cache[4 * rank + 1] = Number.isNaN(askPrice) ? NaN : book.sizeAt(-1, rank);
      cache[4 * rank + 2] = bidPrice;
      cache[4 * rank + 3] = Number.isNaN(bidPrice) ? NaN : book.sizeAt(1, rank);
    }
  }

  private cachedRow(instrument: number, boundary: number): void {
    const cache = this.cache[instrument]!;
    const { priceDecimals, sizeDecimals } = this.instruments.get(instrument);
    const writer = this.writer;
    writer.epochNs(this.baseNs, boundary);
    writer.int(this.cacheSeq[instrument]!);
    if (this.withInstrument) writer.text(this.instruments.get(instrument).symbol);
    for (let i = 0; i < this.width; i++) writer.decimal(cache[i]!, i % 2 === 0 ? priceDecimals : sizeDecimals);
    writer.endRow();
  }
}

/** A bbo row's four decimal cells (units, then decimals; an empty side's size empty), from the update at `values[v]`, at `at` of the writer's `cells`. */
function bboCells(cells: Float64Array, at: number, values: Float64Array, v: number, priceDecimals: number, sizeDecimals: number): void {
  const bidSize = values[v + 2]!;
  const askSize = values[v + 4]!;
  cells[at] = values[v + 1]!;
  cells[at + 1] = priceDecimals;
  cells[at + 2] = bidSize > 0 ? bidSize : NaN;
  cells[at + 3] = sizeDecimals;
  cells[at + 4] = values[v + 3]!;
  cells[at + 5] = priceDecimals;
  cells[at + 6] = askSize > 0 ? askSize : NaN;
  cells[at + 7] = sizeDecimals;
}
