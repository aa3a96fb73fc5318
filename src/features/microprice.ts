import type { Feature, FeatureDefinition, StreamState } from './feature.js';
import { num } from './feature.js';

/**
 * Stoikov's micro-price (Stoikov 2018, "The micro-price: a high-frequency estimator of future prices",
 * Quantitative Finance 18(12)). The state of the touch is X = (I, S): the imbalance I = Qb / (Qb + Qa) of
 * the best bid and ask sizes, in `buckets` equal-width buckets of [0, 1], and the spread S in ticks,
 * 1 … `spreads`. Between consecutive observations the mid changes by ΔM ∈ {0, ±½, ±1} ticks (larger
 * jumps are left out of the estimate). From the observed transitions the paper estimates
 *
 * - Q(x, y) = P(ΔM = 0, X′ = y | X = x) — transitions without a mid change,
 * - T(x, y) = P(ΔM ≠ 0, X′ = y | X = x) — the state after a mid change,
 * - R(x, k) = P(ΔM = k | X = x), k ∈ K = {−1, −½, ½, 1} ticks,
 *
 * and the micro-price adjustment g*(x) = Σᵢ Bⁱ g¹ with g¹ = (1 − Q)⁻¹ R K and B = (1 − Q)⁻¹ T: the
 * expected mid after the next mid change, and the changes after it, summed. The micro-price is
 * mid + g*(I, S)·tick. Every observed transition is counted together with its mirror image
 * (bucket b → buckets − 1 − b on both ends, ΔM → −ΔM), the paper's symmetrization, so that
 * g*(mirror of x) = −g*(x) and the series converges.
 */

/** ΔM in half ticks → index into K; K in ticks. */
const K_TICKS = Float64Array.of(-1, -0.5, 0.5, 1);
const MOVES = 4;

/** The estimated matrices and the adjustment, for `states` = buckets × spreads states indexed (S − 1)·buckets + bucket. */
export interface MicropriceModel {
  readonly buckets: number;
  readonly spreads: number;
  /** g*(x) in ticks per state; NaN for states never observed with a next observation. */
  readonly g: Float64Array;
  /** g¹ = (1 − Q)⁻¹ R K, in ticks. */
  readonly g1: Float64Array;
  /** Row-major states × states. */
  readonly Q: Float64Array;
  readonly T: Float64Array;
  readonly B: Float64Array;
  /** Row-major states × 4, columns ΔM = −1, −½, ½, 1 tick. */
  readonly R: Float64Array;
  /** Transitions counted (the mirrored ones included). */
  readonly transitions: number;
  /** Terms of Σ Bⁱ g¹ summed (at most `terms`; fewer once a term falls below 1e-12 tick). */
  readonly terms: number;
}

/**
 * Transition counts of the touch state, symmetrized as they are added, and the estimate of g* from them.
 * Counting allocates nothing; `estimate` solves one linear system of `states` unknowns.
 */
export class MicropriceCounts {
  readonly states: number;
  private readonly noMove: Float64Array;
  private readonly move: Float64Array;
  private readonly moves: Float64Array;
  private transitions = 0;

  constructor(
    readonly buckets: number,
    readonly spreads: number,
  ) {
    this.states = buckets * spreads;
    this.noMove = new Float64Array(this.states * this.states);
    this.move = new Float64Array(this.states * this.states);
    this.moves = new Float64Array(this.states * MOVES);
  }

  /** The imbalance bucket of sizes Qb, Qa: ⌊I·buckets⌋, I = 1 in the top bucket. */
  bucket(bidSize: number, askSize: number): number {
    return Math.min(this.buckets - 1, Math.floor((bidSize / (bidSize + askSize)) * this.buckets));
  }

  /**
   * One transition from (bucket, spread) to (nextBucket, nextSpread) with the mid moving `halfTicks`
   * half ticks (spreads in ticks, 1 … spreads). Moves of more than one tick are not counted; returns
   * whether it was.
   */
  add(bucket: number, spread: number, nextBucket: number, nextSpread: number, halfTicks: number): boolean {
    if (halfTicks < -2 || halfTicks > 2) return false;
    const top = this.buckets - 1;
    this.count((spread - 1) * this.buckets + bucket, (nextSpread - 1) * this.buckets + nextBucket, halfTicks);
    this.count((spread - 1) * this.buckets + top - bucket, (nextSpread - 1) * this.buckets + top - nextBucket, -halfTicks);
    this.transitions += 2;
    return true;
  }

  private count(from: number, to: number, halfTicks: number): void {
    const n = this.states;
    if (halfTicks === 0) {
      this.noMove[from * n + to]!++;
      return;
    }
    this.move[from * n + to]!++;
    this.moves[from * MOVES + (halfTicks < 0 ? halfTicks + 2 : halfTicks + 1)]!++;
  }

  /**
   * The matrices and g* = Σ_{i < terms} Bⁱ g¹ from the counts so far, stopping early once a term is below
   * 1e-12 tick; null when 1 − Q is singular (a set of observed states that never saw the mid move).
   */
  estimate(terms: number): MicropriceModel | null {
    const n = this.states;
    const Q = new Float64Array(n * n);
    const T = new Float64Array(n * n);
    const R = new Float64Array(n * MOVES);
    const observed = new Uint8Array(n);
    for (let x = 0; x < n; x++) {
      let total = 0;
      for (let y = 0; y < n; y++) total += this.noMove[x * n + y]! + this.move[x * n + y]!;
      if (total === 0) continue;
      observed[x] = 1;
      for (let y = 0; y < n; y++) {
        Q[x * n + y] = this.noMove[x * n + y]! / total;
        T[x * n + y] = this.move[x * n + y]! / total;
      }
      for (let k = 0; k < MOVES; k++) R[x * MOVES + k] = this.moves[x * MOVES + k]! / total;
    }
    // Solve (1 − Q)·[g¹ | B] = [R·K | T] in one factorization.
    const width = n + 1;
    const system = new Float64Array(n * n);
    const rhs = new Float64Array(n * width);
    for (let x = 0; x < n; x++) {
      for (let y = 0; y < n; y++) system[x * n + y] = (x === y ? 1 : 0) - Q[x * n + y]!;
      let drift = 0;
      for (let k = 0; k < MOVES; k++) drift += R[x * MOVES + k]! * K_TICKS[k]!;
      rhs[x * width] = drift;
      for (let y = 0; y < n; y++) rhs[x * width + 1 + y] = T[x * n + y]!;
    }
    if (!solveInPlace(system, rhs, n, width)) return null;
    const g1 = new Float64Array(n);
    const B = new Float64Array(n * n);
    for (let x = 0; x < n; x++) {
      g1[x] = rhs[x * width]!;
      for (let y = 0; y < n; y++) B[x * n + y] = rhs[x * width + 1 + y]!;
    }
    const g = Float64Array.from(g1);
    let term = Float64Array.from(g1);
    let next = new Float64Array(n);
    let used = 1;
    while (used < terms && maxAbs(term) >= 1e-12) {
      for (let x = 0; x < n; x++) {
        let sum = 0;
        for (let y = 0; y < n; y++) sum += B[x * n + y]! * term[y]!;
        next[x] = sum;
      }
      [term, next] = [next, term];
      for (let x = 0; x < n; x++) g[x]! += term[x]!;
      used++;
    }
    for (let x = 0; x < n; x++) if (!observed[x]) g[x] = NaN;
    return { buckets: this.buckets, spreads: this.spreads, g, g1, Q, T, B, R, transitions: this.transitions, terms: used };
  }
}

/**
 * Gaussian elimination with partial pivoting: solves A·X = Y for `width` right-hand sides, X into Y.
 * False when a pivot is below 1e-12 (A singular for this purpose).
 */
function solveInPlace(a: Float64Array, y: Float64Array, n: number, width: number): boolean {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = row;
    if (Math.abs(a[pivot * n + col]!) < 1e-12) return false;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k]!, a[col * n + k]!];
      for (let k = 0; k < width; k++) [y[col * width + k], y[pivot * width + k]] = [y[pivot * width + k]!, y[col * width + k]!];
    }
    const diagonal = a[col * n + col]!;
    for (let row = col + 1; row < n; row++) {
      const factor = a[row * n + col]! / diagonal;
      if (factor === 0) continue;
      for (let k = col; k < n; k++) a[row * n + k]! -= factor * a[col * n + k]!;
      for (let k = 0; k < width; k++) y[row * width + k]! -= factor * y[col * width + k]!;
    }
  }
  for (let col = n - 1; col >= 0; col--) {
    const diagonal = a[col * n + col]!;
    for (let k = 0; k < width; k++) {
      let value = y[col * width + k]!;
      for (let j = col + 1; j < n; j++) value -= a[col * n + j]! * y[j * width + k]!;
      y[col * width + k] = value / diagonal;
    }
  }
  return true;
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (let k = 0; k < a.length; k++) max = Math.max(max, Math.abs(a[k]!));
  return max;
}

/** Options of `fitMicroprice`; the defaults are the paper's. */
export interface MicropriceOptions {
  readonly buckets?: number;
  readonly spreads?: number;
  readonly terms?: number;
}

/**
 * Fits the micro-price model to a sequence of touch observations (best bid and ask price and size,
 * prices in any unit in which `tick` is the tick size). Consecutive observations form the transitions;
 * spreads and mid changes are rounded to whole and half ticks as in the paper. An observation with an
 * empty side or a spread outside 1 … spreads ticks is skipped (the transition runs from the last valid
 * observation to the next), and a mid change of more than one tick is not counted. Null when the model cannot be solved (see `MicropriceCounts.estimate`).
 */
export function fitMicroprice(
  bidPrice: ArrayLike<number>,
  bidSize: ArrayLike<number>,
  askPrice: ArrayLike<number>,
  askSize: ArrayLike<number>,
  tick: number,
  options: MicropriceOptions = {},
): MicropriceModel | null {
  const counts = new MicropriceCounts(options.buckets ?? 10, options.spreads ?? 2);
  const chain = new TouchChain(counts, tick);
  for (let i = 0; i < bidPrice.length; i++) chain.observe(bidPrice[i]!, bidSize[i]!, askPrice[i]!, askSize[i]!);
  return counts.estimate(options.terms ?? 6);
}

/** Turns touch observations into transitions of the model; remembers the last valid state. */
class TouchChain {
  /** The current observation's state, -1 when it is not one of the model's. */
  state = -1;
  private bucket = -1;
  private spread = 0;
  /** bid + ask of the last valid observation, in ticks (twice the mid). */
  private sum = NaN;

  constructor(
    private readonly counts: MicropriceCounts,
    private readonly tick: number,
  ) {}

  observe(bidPrice: number, bidSize: number, askPrice: number, askSize: number): void {
    this.state = -1;
    if (!(bidSize > 0 && askSize > 0)) return;
    const spread = Math.round((askPrice - bidPrice) / this.tick);
    if (!(spread >= 1 && spread <= this.counts.spreads)) return;
    const bucket = this.counts.bucket(bidSize, askSize);
    const sum = (bidPrice + askPrice) / this.tick;
    if (this.bucket >= 0) this.counts.add(this.bucket, this.spread, bucket, spread, Math.round(sum - this.sum));
    this.bucket = bucket;
    this.spread = spread;
    this.sum = sum;
    this.state = (spread - 1) * this.counts.buckets + bucket;
  }
}

/**
 * The `microprice` feature: Stoikov's micro-price estimated causally from the stream. Every complete
 * update with both sides present, a spread of 1 … `spreads` ticks and a mid change of at most one tick
 * since the previous such update adds one transition (and its mirror); g* is re-estimated after every
 * `refit` complete updates from all transitions so far. Value: mid + g*(I, S)·tick in price, at the bar's
 * end; NaN before the first estimate, while the touch is outside the model (empty side, wider spread),
 * and in states never observed. The tick is the instrument's (`tickUnits`) unless `tick` (in price) is given.
 */
class Microprice implements Feature {
  private readonly counts: MicropriceCounts;
  private readonly chain: TouchChain;
  private g: Float64Array | null = null;
  private updates = 0;
  private value = NaN;

  constructor(
    buckets: number,
    spreads: number,
    private readonly terms: number,
    private readonly refit: number,
    private readonly tickUnits: number,
  ) {
    this.counts = new MicropriceCounts(buckets, spreads);
    this.chain = new TouchChain(this.counts, tickUnits);
  }

  update(state: StreamState): void {
    const { book } = state;
    const bid = book.bestBidPrice();
    const ask = book.bestAskPrice();
    this.chain.observe(bid, book.bestBidSize(), ask, book.bestAskSize());
    this.updates++;
    if (this.updates % this.refit === 0) {
      const model = this.counts.estimate(this.terms);
      if (model) this.g = model.g;
    }
    const x = this.chain.state;
    this.value = this.g && x >= 0 ? ((bid + ask) / 2 + this.g[x]! * this.tickUnits) / state.priceScale : NaN;
  }

  close(out: Float64Array, offset: number): void {
    out[offset] = this.value;
  }
}

export const microprice: FeatureDefinition = {
  name: 'microprice',
  doc: "Stoikov's micro-price: mid + g*(imbalance, spread)·tick from the estimated Markov chain of the touch, refitted causally every `refit` updates (Stoikov 2018)",
  params: [
    { name: 'buckets', default: 10, doc: 'imbalance buckets (at least 2)' },
    { name: 'spreads', default: 2, doc: 'largest spread in ticks in the model (at least 1)' },
    { name: 'terms', default: 6, doc: 'at most this many terms of Σ Bⁱ g¹' },
    { name: 'refit', default: 20000, doc: 'complete updates between estimates' },
    { name: 'tick', default: 0, doc: "tick size in price; 0: the instrument's" },
  ],
  rows: 'none',
  columns: () => ['microprice'],
  create: (params, state) => {
    const tick = num(params, 'tick');
    const tickUnits = tick > 0 ? Math.round(tick * state.priceScale) : state.instrument.tickUnits;
    return new Microprice(Math.max(2, Math.round(num(params, 'buckets'))), Math.max(1, Math.round(num(params, 'spreads'))), Math.max(1, Math.round(num(params, 'terms'))), Math.max(1, Math.round(num(params, 'refit'))), Math.max(1, tickUnits));
  },
};

export const micropriceFeatures = [microprice];
