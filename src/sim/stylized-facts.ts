import type { EventBatch } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import type { EventSource } from '../core/source.js';
import { Growing } from './growing.js';
import { L3Book, type OrderLife } from '../book/l3-book.js';
import type { Book } from '../book/view.js';
import { Replayer } from '../book/replay.js';

/** Options of a stylized-facts pass. */
export interface FactsOptions {
  /** Return intervals, ns (default 10 s and 1 min). */
  intervalsNs?: number[];
  /** A return is not computed across a stretch of more than this many ns without any update (closed market); default 5 min. */
  maxGapNs?: number;
  /** Lags of the absolute-return autocorrelation (default 1..10). */
  lags?: number;
  /** Index of the instrument to describe; default: the one with the most order adds. */
  instrument?: number;
}

/** Distribution summary: count, mean and quantiles. */
export interface Summary {
  count: number;
  mean: number;
  p10: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Return statistics at one interval. */
export interface ReturnFacts {
  intervalSeconds: number;
  /** Returns computed (intervals with a book on both sides at both ends, inside active trading). */
  count: number;
  /** Share of returns that are exactly zero (the mid did not move). */
  zeroShare: number;
  /** Standard deviation of log mid returns, in basis points. */
  stdBps: number;
  /** Excess kurtosis (0 for a normal distribution). */
  excessKurtosis: number;
  /** Hill estimator of the tail index of |r| over the largest `hillK` returns (heavy tails: about 2–5). */
  hillAlpha: number;
  hillK: number;
  /** Autocorrelation of |r| at lags 1..n (volatility clustering: positive and slowly decaying). */
  absAcf: number[];
}

/** The stylized facts of one instrument's L3 stream. */
export interface StylizedFacts {
  source: string;
  symbol: string;
  /** Price units per tick used for spreads (instrument tickUnits, or the finest step between prices seen). */
  tickUnits: number;
  updates: number;
  firstNs: number;
  lastNs: number;
  adds: number;
  cancels: number;
  deletes: number;
  modifies: number;
  fills: number;
  trades: number;
  /** (Cancel + Delete) / Add rows, and per trade. */
  cancelToAdd: number;
  cancelToTrade: number;
  returns: ReturnFacts[];
  /** Quoted spread in ticks, one sample per complete update with both sides present and uncrossed. */
  spreadTicks: Summary;
  /** Sizes of added orders (size units), and of trades. */
  orderSize: Summary;
  tradeSize: Summary;
  /** Lifetimes in ms of orders that were cancelled, and of orders that were filled. */
  cancelledLifetimeMs: Summary;
  filledLifetimeMs: Summary;
}

/** Per-instrument accumulation. */
class Accumulator {
  adds = 0;
  cancels = 0;
  deletes = 0;
  modifies = 0;
  fills = 0;
  trades = 0;
  updates = 0;
  firstNs = NaN;
  lastNs = NaN;
  readonly orderSizes = new Growing();
  readonly tradeSizes = new Growing();
  readonly spreads = new Growing();
  readonly cancelledLives = new Growing();
  readonly filledLives = new Growing();
  readonly snapshotOrders = new Set<number>();
  /** Finest price step seen (gcd of differences from the first price). */
  priceStep = 0;
  private firstPrice = NaN;
  readonly grids: Grid[];

  constructor(intervals: number[], maxGapNs: number) {
    this.grids = intervals.map((interval) => new Grid(interval, maxGapNs));
  }

  notePrice(price: number): void {
    if (Number.isNaN(this.firstPrice)) {
      this.firstPrice = price;
      return;
    }
    const difference = Math.abs(price - this.firstPrice);
    if (difference > 0) this.priceStep = gcd(this.priceStep, difference);
  }

  onOrderEnd = (life: OrderLife): void => {
    if (this.snapshotOrders.has(life.orderId)) {
      this.snapshotOrders.delete(life.orderId);
      return;
    }
    const lived = (life.endedNs - life.addedNs) / 1e6;
    if (life.end === 'cancelled') this.cancelledLives.push(lived);
    else if (life.end === 'filled') this.filledLives.push(lived);
  };
}

/** Mid sampled on a time grid; log returns between valid grid points. */
class Grid {
  private nextBoundary = NaN;
  private lastMid = NaN;
  private lastUpdateNs = NaN;
  private previousSample = NaN;
  readonly returns = new Growing();
  /** Index in `returns` where each unbroken run starts (for autocorrelations that never span a gap). */
  readonly breaks: number[] = [0];

  constructor(
    readonly intervalNs: number,
    private readonly maxGapNs: number,
  ) {}

  /** An update at `timeNs` after which the mid is `mid` (NaN when not valid). */
  update(timeNs: number, mid: number): void {
    if (Number.isNaN(this.nextBoundary)) this.nextBoundary = Math.floor(timeNs / this.intervalNs) * this.intervalNs + this.intervalNs;
    while (this.nextBoundary <= timeNs) {
      // The state at the boundary is the one after the last update before it.
      const active = timeNs - this.lastUpdateNs <= this.maxGapNs;
      const sample = active ? this.lastMid : NaN;
      if (!Number.isNaN(sample) && !Number.isNaN(this.previousSample)) this.returns.push(Math.log(sample / this.previousSample));
      else if (this.returns.length > this.breaks[this.breaks.length - 1]!) this.breaks.push(this.returns.length);
      this.previousSample = sample;
      this.nextBoundary += this.intervalNs;
      if (!active && this.nextBoundary <= timeNs) {
        // Skip the closed stretch in one step.
        this.nextBoundary = Math.floor(timeNs / this.intervalNs) * this.intervalNs + this.intervalNs;
        this.previousSample = NaN;
      }
    }
    this.lastMid = mid;
    this.lastUpdateNs = timeNs;
  }
}

/**
 * Computes the stylized facts of limit order book data (Cont 2001, "Empirical properties of asset
 * returns: stylized facts and statistical issues"; Bouchaud, Bonart, Donier & Gould 2018, "Trades,
 * Quotes and Prices"): heavy-tailed mid returns (excess kurtosis, Hill tail index), volatility
 * clustering (autocorrelation of absolute returns), the quoted spread in ticks, order and trade sizes,
 * cancellation ratios and order lifetimes — from any L3 source, by replaying its book.
 */
export async function stylizedFacts(source: EventSource, options: FactsOptions = {}): Promise<StylizedFacts> {
  const collector = new FactsCollector(source, options);
  for await (const batch of source.batches()) collector.push(batch);
  return collector.finish();
}

/** The streaming form of `stylizedFacts`: push the source's batches, then `finish()`. */
export class FactsCollector {
  private readonly replayer: Replayer;
  private readonly accumulators: Accumulator[] = [];
  private readonly intervals: number[];
  private readonly maxGapNs: number;
  private readonly lags: number;

  constructor(
    private readonly source: EventSource,
    private readonly options: FactsOptions = {},
  ) {
    this.replayer = Replayer.for(source);
    this.intervals = options.intervalsNs ?? [10e9, 60e9];
    this.maxGapNs = options.maxGapNs ?? 300e9;
    this.lags = options.lags ?? 10;
  }

  private accumulator(instrument: number): Accumulator {
    let accumulator = this.accumulators[instrument];
    if (!accumulator) {
      accumulator = this.accumulators[instrument] = new Accumulator(this.intervals, this.maxGapNs);
      const book = this.replayer.book(instrument);
      if (book instanceof L3Book) book.onOrderEnd = accumulator.onOrderEnd;
    }
    return accumulator;
  }

  push(batch: EventBatch): void {
    const { action, flags, instrument, size, price, orderId, tsEvent } = batch;
    for (let i = 0; i < batch.length; i++) {
      const a = this.accumulator(instrument[i]!);
      const f = flags[i]!;
      const snapshot = (f & Flag.Snapshot) !== 0;
      switch (action[i]) {
        case Action.Add:
          if (snapshot) a.snapshotOrders.add(orderId[i]!);
          else if (!(f & Flag.AfterFill)) {
            a.adds++;
            a.orderSizes.push(size[i]!);
            a.notePrice(price[i]!);
          }
          break;
        case Action.Cancel:
          if (!snapshot) a.cancels++;
          break;
        case Action.Delete:
          if (!snapshot) a.deletes++;
          break;
        case Action.Modify:
          if (!snapshot && !(f & Flag.AfterFill)) a.modifies++;
          break;
        case Action.Fill:
          a.fills++;
          break;
        case Action.Trade:
          a.trades++;
          a.tradeSizes.push(size[i]!);
          break;
      }
      if (Number.isNaN(a.firstNs) && !snapshot && !Number.isNaN(tsEvent[i]!)) a.firstNs = tsEvent[i]!;
    }
    this.replayer.push(batch, this.onUpdate);
  }

  private readonly onUpdate = (book: Book, batch: EventBatch, row: number, instrument: number): void => {
    const a = this.accumulators[instrument]!;
    const time = batch.tsEvent[row]!;
    a.updates++;
    a.lastNs = time;
    const bid = book.bestBidPrice();
    const ask = book.bestAskPrice();
    const valid = ask > bid; // false when either is NaN
    if (valid) a.spreads.push(ask - bid);
    const mid = valid ? (bid + ask) / 2 : NaN;
    for (const grid of a.grids) grid.update(time, mid);
  };

  finish(): StylizedFacts {
    this.replayer.finish();
    let chosen = this.options.instrument ?? -1;
    if (chosen < 0) for (let k = 0; k < this.accumulators.length; k++) if (this.accumulators[k] && (chosen < 0 || this.accumulators[k]!.adds > this.accumulators[chosen]!.adds)) chosen = k;
    const a = this.accumulators[chosen];
    if (!a) throw new Error(`${this.source.path}: no events to describe`);
    const instrument = this.source.instruments.get(chosen);
    const tick = instrument.tickUnits > 1 ? instrument.tickUnits : a.priceStep > 0 ? a.priceStep : 1;
    const spreads = a.spreads.values().map((spread) => spread / tick);
    return {
      source: this.source.path,
      symbol: instrument.symbol,
      tickUnits: tick,
      updates: a.updates,
      firstNs: a.firstNs,
      lastNs: a.lastNs,
      adds: a.adds,
      cancels: a.cancels,
      deletes: a.deletes,
      modifies: a.modifies,
      fills: a.fills,
      trades: a.trades,
      cancelToAdd: (a.cancels + a.deletes) / a.adds,
      cancelToTrade: (a.cancels + a.deletes) / a.trades,
      returns: a.grids.map((grid) => returnFacts(grid, this.lags)),
      spreadTicks: summarize(spreads),
      orderSize: summarize(a.orderSizes.values()),
      tradeSize: summarize(a.tradeSizes.values()),
      cancelledLifetimeMs: summarize(a.cancelledLives.values()),
      filledLifetimeMs: summarize(a.filledLives.values()),
    };
  }
}

function returnFacts(grid: Grid, lags: number): ReturnFacts {
  const r = grid.returns.values();
  const n = r.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += r[i]!;
  mean /= n;
  let m2 = 0;
  let m4 = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const d = r[i]! - mean;
    m2 += d * d;
    m4 += d * d * d * d;
    if (r[i] === 0) zeros++;
  }
  m2 /= n;
  m4 /= n;
  const hill = hillEstimator(r);
  return {
    intervalSeconds: grid.intervalNs / 1e9,
    count: n,
    zeroShare: zeros / n,
    stdBps: Math.sqrt(m2) * 1e4,
    excessKurtosis: m4 / (m2 * m2) - 3,
    hillAlpha: hill.alpha,
    hillK: hill.k,
    absAcf: absoluteAutocorrelation(r, grid.breaks, lags),
  };
}

/**
 * Hill (1975) estimator of the tail index from the k largest |r|: α = k / Σ ln(X₍ᵢ₎ / X₍ₖ₊₁₎), with k
 * the larger of 10 and 5% of the non-zero returns.
 */
export function hillEstimator(returns: Float64Array): { alpha: number; k: number } {
  const magnitudes = Float64Array.from(returns, Math.abs)
    .filter((x) => x > 0)
    .sort()
    .reverse();
  const k = Math.min(magnitudes.length - 1, Math.max(10, Math.floor(0.05 * magnitudes.length)));
  if (k < 2) return { alpha: NaN, k: Math.max(0, k) };
  const threshold = magnitudes[k]!;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += Math.log(magnitudes[i]! / threshold);
  return { alpha: k / sum, k };
}

/** Autocorrelation of |r| at lags 1..lags, pairs taken only within unbroken runs. */
export function absoluteAutocorrelation(returns: Float64Array, breaks: readonly number[], lags: number): number[] {
  const x = Float64Array.from(returns, Math.abs);
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (x[i]! - mean) ** 2;
  variance /= n;
  // Run id per index, so that a pair (i, i + lag) counts only inside one run.
  const run = new Int32Array(n);
  for (let b = 1; b < breaks.length; b++) for (let i = breaks[b]!; i < n; i++) run[i] = b;
  const acf: number[] = [];
  for (let lag = 1; lag <= lags; lag++) {
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i + lag < n; i++) {
      if (run[i] !== run[i + lag]) continue;
      sum += (x[i]! - mean) * (x[i + lag]! - mean);
      pairs++;
    }
    acf.push(pairs > 0 ? sum / pairs / variance : NaN);
  }
  return acf;
}

/** Count, mean and quantiles (nearest rank) of a sample. */
export function summarize(values: Float64Array): Summary {
  const n = values.length;
  if (n === 0) return { count: 0, mean: NaN, p10: NaN, p50: NaN, p90: NaN, p99: NaN };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const q = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
  return { count: n, mean: sum / n, p10: q(0.1), p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

function gcd(a: number, b: number): number {
  while (b > 0) [a, b] = [b, a % b];
  return a;
}
