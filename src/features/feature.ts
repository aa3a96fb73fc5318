import type { BookView } from '../book/view.js';
import type { EventBatch } from '../core/batch.js';
import type { Instrument } from '../core/instrument.js';
import type { Granularity } from '../core/source.js';
import type { TopLevels } from './top-levels.js';

/**
 * What a feature sees of one instrument's stream. The engine fills it before every complete update and
 * keeps it current; features read it, never write it. Prices and sizes are integer units of the
 * instrument (divide by `priceScale` / `sizeScale` for real values); times are ns after `timeBaseNs`.
 */
export interface StreamState {
  readonly instrument: Instrument;
  /** The instrument's index in the source's instrument table. */
  readonly index: number;
  readonly granularity: Granularity;
  /** Price units per unit of real price (10^priceDecimals), and size units per unit of real size. */
  readonly priceScale: number;
  readonly sizeScale: number;
  timeBaseNs: bigint;
  /** Venue time of the update being processed. */
  ts: number;
  /** The book after the update (inside `row` calls: already including the update's rows). */
  book: BookView;
  /**
   * The best levels of each side after the update, as many as the stream's features ask for (`levels`),
   * at least one. Read once per update, cheaper than asking the book; in `close` they are still those of
   * the last update in the bar (the engine closes time bars before it reads the next update's).
   */
  readonly top: TopLevels;
  /** Best bid and ask as they were before this update (NaN price, 0 size for an empty side). */
  prevBidPrice: number;
  prevBidSize: number;
  prevAskPrice: number;
  prevAskSize: number;
  /** The update restated the book from a snapshot (a resync, or LOBSTER's orderbook file). */
  snapshot: boolean;
}

/**
 * One instance of a feature for one instrument: a stateful streaming operator. For every complete venue
 * update the engine calls `row` for each of its rows the feature asked for (in order), then `update`.
 * When the clock closes a bar, `close` writes the bar's values and starts the next bar. Everything a
 * value depends on is computed in `row` and `update`, or read from `state.top` in `close`: at a time-bar
 * boundary the book has already moved on to the next update, so `close` must not read the book.
 */
export interface Feature {
  row?(batch: EventBatch, i: number, state: StreamState): void;
  update?(state: StreamState): void;
  /**
   * Writes one value per column at `out[offset…]`: state values as of the bar's end, flows summed over it.
   * `barTs` is the bar's time (ns after the time base): the boundary of a time bar, else the closing update's.
   */
  close(out: Float64Array, offset: number, barTs: number): void;
}

/** Which rows of an update a feature wants in `row`. Snapshot rows are never passed: they are state, not flow. */
export type RowInterest = 'none' | 'trades' | 'all';

/** A parameter of a feature, with its default. Numbers are parsed from the spec; text is kept. */
export interface ParamSpec {
  readonly name: string;
  readonly default: number | string;
  readonly doc: string;
  /** For text parameters: the accepted values. */
  readonly choices?: readonly string[];
}

export type Params = Readonly<Record<string, number | string>>;

/** A feature plugin: what it computes, from what, with which parameters, and how to make an instance. */
export interface FeatureDefinition {
  /** The id used in `--features` and as the stem of column names. */
  readonly name: string;
  /** One line: what it is and its reference (REFERENCES.md). */
  readonly doc: string;
  readonly params: readonly ParamSpec[];
  readonly rows: RowInterest;
  /** Levels per side the feature reads from `state.top` (none when absent). */
  levels?(params: Params): number;
  /** Output column names for these parameters. */
  columns(params: Params): string[];
  create(params: Params, state: StreamState): Feature;
}

/** Numeric parameter value (the parser has checked it is a number). */
export function num(params: Params, name: string): number {
  return params[name] as number;
}

/** Text parameter value. */
export function text(params: Params, name: string): string {
  return params[name] as string;
}
