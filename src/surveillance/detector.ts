import type { EventBatch } from '../core/batch.js';
import type { Episode, EpisodeKind } from '../core/episode.js';
import type { Params, ParamSpec, StreamState } from '../features/feature.js';
import type { OrderTracker, TrackedOrder } from './order-tracker.js';

/** What a detector instance gets besides the stream: the shared order tracker and where episodes go. */
export interface DetectorContext {
  readonly state: StreamState;
  readonly orders: OrderTracker;
  emit(episode: Episode): void;
}

/**
 * One detector for one instrument. Per complete update the runner hands it the update's rows (after the
 * order tracker has seen them), then calls `update`; `orderEnded` reports every order that left the book
 * (L3), `finish` ends the input (close what is open).
 */
export interface Detector {
  /**
   * The actions whose rows `row` reads (`actionMask(…)`, fixed for the instance): the runner hands it no
   * other row. Absent: every row.
   */
  readonly rowActions?: number;
  row?(batch: EventBatch, i: number): void;
  orderEnded?(order: TrackedOrder): void;
  update?(): void;
  finish?(): void;
}

/** A detector plugin: its pattern, documented rule, parameters and factory. */
export interface DetectorDefinition {
  readonly name: EpisodeKind;
  /** The rule in one paragraph, with its reference. */
  readonly doc: string;
  /** What it does on L2 data (inferred events) or that it needs L3. */
  readonly l2: string;
  readonly params: readonly ParamSpec[];
  create(params: Params, context: DetectorContext): Detector;
}

/** The mask of `Detector.rowActions` for these action codes (all below 32). */
export function actionMask(...actions: number[]): number {
  let mask = 0;
  for (const action of actions) mask |= 1 << action;
  return mask;
}

/** Clamps a score component to [0, 1]. */
export function unit(value: number): number {
  return Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0));
}

/** Price in real units as text (for explanations). */
export function priceText(units: number, state: StreamState): string {
  return String(Math.round((units / state.priceScale) * 1e8) / 1e8);
}

/** Size in real units as text. */
export function sizeText(units: number, state: StreamState): string {
  return String(Math.round((units / state.sizeScale) * 1e8) / 1e8);
}

/** Seconds with three decimals, for explanations. */
export function secondsText(ns: number): string {
  return `${(ns / 1e9).toFixed(3)} s`;
}

export function sideName(side: number): string {
  return side > 0 ? 'bid' : side < 0 ? 'ask' : 'no side';
}
