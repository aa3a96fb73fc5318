import type { EventBatch } from '../core/batch.js';
import type { Feature, FeatureDefinition, StreamState } from './feature.js';
import { num } from './feature.js';
import { Random } from './random.js';
import { TradeSigner } from './signing.js';

/**
 * The univariate Hawkes process with exponential kernel (Hawkes 1971): conditional intensity
 * λ(t) = μ + Σ_{tᵢ < t} α·e^{−β(t − tᵢ)}, μ > 0 the background rate, α ≥ 0 the jump of the intensity at
 * each event, β > 0 its decay rate. Each event triggers on average n = α/β further events (the branching
 * ratio); the process is stationary for n < 1, with mean rate μ / (1 − n). See Bacry, Mastromatteo &
 * Muzy (2015), "Hawkes processes in finance", for the review this module follows.
 */

/**
 * Log-likelihood of event times t₁ ≤ … ≤ tₙ observed on [0, T] (Ozaki 1979):
 * ℓ = Σ log λ(tᵢ) − μT − (α/β) Σ (1 − e^{−β(T − tᵢ)}), with λ(tᵢ) = μ + α·Aᵢ computed in O(n) by the
 * recursion Aᵢ = e^{−β(tᵢ − tᵢ₋₁)}(1 + Aᵢ₋₁), A₁ = 0. Times before 0 or after T are the caller's error.
 */
export function hawkesLogLikelihood(times: ArrayLike<number>, T: number, mu: number, alpha: number, beta: number): number {
  return hawkesLogLikelihoodGradient(times, T, mu, alpha, beta, null);
}

/**
 * The log-likelihood and, into `gradient` (when given), its partial derivatives (∂ℓ/∂μ, ∂ℓ/∂α, ∂ℓ/∂β),
 * in one O(n) pass. With Cᵢ = Σ_{j<i} (tᵢ − tⱼ)e^{−β(tᵢ − tⱼ)} = e^{−βΔᵢ}(Cᵢ₋₁ + Δᵢ(1 + Aᵢ₋₁)) and
 * sᵢ = T − tᵢ: ∂ℓ/∂μ = Σ 1/λᵢ − T; ∂ℓ/∂α = Σ Aᵢ/λᵢ − (1/β) Σ (1 − e^{−βsᵢ});
 * ∂ℓ/∂β = −α Σ Cᵢ/λᵢ + (α/β²) Σ (1 − e^{−βsᵢ}) − (α/β) Σ sᵢe^{−βsᵢ}.
 */
export function hawkesLogLikelihoodGradient(times: ArrayLike<number>, T: number, mu: number, alpha: number, beta: number, gradient: Float64Array | null): number {
  const n = times.length;
  let a = 0;
  let c = 0;
  let sumLog = 0;
  let sumInverse = 0;
  let sumA = 0;
  let sumC = 0;
  let compensator = 0;
  let compensatorSlope = 0;
  let previous = n > 0 ? times[0]! : 0;
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    if (i > 0) {
      const gap = t - previous;
      const decay = Math.exp(-beta * gap);
      c = decay * (c + gap * (1 + a));
      a = decay * (1 + a);
      previous = t;
    }
    const lambda = mu + alpha * a;
    sumLog += Math.log(lambda);
    const remaining = T - t;
    const tail = Math.exp(-beta * remaining);
    compensator += 1 - tail;
    if (gradient) {
      const inverse = 1 / lambda;
      sumInverse += inverse;
      sumA += a * inverse;
      sumC += c * inverse;
      compensatorSlope += remaining * tail;
    }
  }
  if (gradient) {
    gradient[0] = sumInverse - T;
    gradient[1] = sumA - compensator / beta;
    gradient[2] = -alpha * sumC + (alpha / (beta * beta)) * compensator - (alpha / beta) * compensatorSlope;
  }
  return sumLog - mu * T - (alpha / beta) * compensator;
}

/** Parameters of a fitted process and how the fit went. */
export interface HawkesFit {
  readonly mu: number;
  readonly alpha: number;
  readonly beta: number;
  readonly logLikelihood: number;
  /** α / β: the mean number of events each event triggers. */
  readonly branchingRatio: number;
  /** The optimizer reached a stationary point (gradient below tolerance). */
  readonly converged: boolean;
  /** L-BFGS iterations of the run that gave the estimate. */
  readonly iterations: number;
}

export interface HawkesFitOptions {
  /** A starting point tried besides the built-in ones (e.g. the previous fit of a rolling window). */
  readonly start?: { readonly mu: number; readonly alpha: number; readonly beta: number };
  /** Per run; default 200. */
  readonly maxIterations?: number;
  /** Largest gradient component of ℓ/n in the optimizer's coordinates at convergence; default 1e-6. */
  readonly tolerance?: number;
}

/**
 * Maximum-likelihood estimate of (μ, α, β) from event times on [0, T]. The optimizer works on
 * x = (log μ, logit(α/β), log β), so μ > 0, β > 0 and 0 < α < β (stationarity) hold everywhere, and
 * minimizes −ℓ/n by L-BFGS with a strong-Wolfe line search, using the analytic gradient. Starts: the best
 * two points of a grid (β from 0.1 to 10⁴ times the mean event rate, branching ratio 0.2, 0.5, 0.8, μ set so
 * that the stationary rate matches the observed one) and `options.start`; the run ending with the
 * highest likelihood is returned.
 *
 * Times must be non-decreasing, within [0, T], at least two of them. Events at identical times make the
 * likelihood unbounded (β → ∞ with α/β fixed puts infinite intensity on the ties): merge them first, or
 * expect `converged` false.
 */
export function fitHawkes(times: ArrayLike<number>, T: number, options: HawkesFitOptions = {}): HawkesFit {
  const n = times.length;
  if (n < 2) throw new RangeError(`fitHawkes: needs at least two events (got ${n})`);
  if (!(T > 0) || !(times[0]! >= 0) || !(times[n - 1]! <= T)) throw new RangeError(`fitHawkes: event times must lie within [0, T] with T > 0 (T = ${T}, first ${times[0]}, last ${times[n - 1]})`);
  for (let i = 1; i < n; i++) if (!(times[i]! >= times[i - 1]!)) throw new RangeError(`fitHawkes: event times must be non-decreasing (time ${i} is ${times[i]} after ${times[i - 1]})`);
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  const gradient = new Float64Array(3);
  const objective = (x: Float64Array, g: Float64Array | null): number => {
    const mu = Math.exp(x[0]!);
    const ratio = logistic(x[1]!);
    const beta = Math.exp(x[2]!);
    const alpha = ratio * beta;
    if (!(mu > 0 && mu < Infinity && beta > 0 && beta < Infinity)) return Infinity;
    const ll = hawkesLogLikelihoodGradient(times, T, mu, alpha, beta, g ? gradient : null);
    if (!g) return -ll / n;
    // Chain rule to x: dμ/dx₀ = μ; dα/dx₁ = β·n(1 − n); dα/dx₂ = α, dβ/dx₂ = β.
    g[0] = (-mu * gradient[0]!) / n;
    g[1] = (-beta * ratio * (1 - ratio) * gradient[1]!) / n;
    g[2] = (-(alpha * gradient[1]! + beta * gradient[2]!)) / n;
    return -ll / n;
  };

  const rate = n / T;
  const starts: Float64Array[] = [];
  const grid: { f: number; x: Float64Array }[] = [];
  for (let k = -2; k <= 8; k++) {
    const beta = rate * 10 ** (k / 2);
    for (const ratio of [0.2, 0.5, 0.8]) {
      const x = Float64Array.of(Math.log(rate * (1 - ratio)), logit(ratio), Math.log(beta));
      const f = objective(x, null);
      if (Number.isFinite(f)) grid.push({ f, x });
    }
  }
  grid.sort((p, q) => p.f - q.f);
  for (const point of grid.slice(0, 2)) starts.push(point.x);
  const start = options.start;
  if (start && start.mu > 0 && start.beta > 0 && start.alpha > 0 && start.alpha < start.beta) {
    starts.push(Float64Array.of(Math.log(start.mu), logit(start.alpha / start.beta), Math.log(start.beta)));
  }

  let best: Minimum | null = null;
  for (const x0 of starts) {
    const result = minimizeLbfgs(objective, x0, maxIterations, tolerance);
    if (best === null || result.f < best.f || (!best.converged && result.converged && result.f <= best.f + 1e-12)) best = result;
  }
  if (best === null) throw new RangeError('fitHawkes: the likelihood is not finite at any starting point');
  const mu = Math.exp(best.x[0]!);
  const beta = Math.exp(best.x[2]!);
  const alpha = logistic(best.x[1]!) * beta;
  return { mu, alpha, beta, logLikelihood: -best.f * n, branchingRatio: alpha / beta, converged: best.converged, iterations: best.iterations };
}

/**
 * Event times of a Hawkes process on [0, T] by Ogata's thinning (Ogata 1981): between events the
 * intensity only decays, so its value just after the last event bounds it until the next; candidates
 * arrive at that rate and each is kept with probability λ(candidate) / bound. Seeded: the same arguments
 * give the same times.
 */
export function simulateHawkes(mu: number, alpha: number, beta: number, T: number, seed: number): Float64Array {
  if (!(mu > 0) || !(alpha >= 0) || !(beta > 0) || !(T >= 0)) throw new RangeError(`simulateHawkes: needs μ > 0, α ≥ 0, β > 0, T ≥ 0 (got ${mu}, ${alpha}, ${beta}, ${T})`);
  const random = new Random(seed);
  const ratio = alpha / beta;
  let times = new Float64Array(Math.max(16, Math.ceil(ratio < 1 ? (1.2 * mu * T) / (1 - ratio) : mu * T)));
  let n = 0;
  let t = 0;
  // Σ e^{−β(t − tᵢ)} over the events so far, at time t.
  let excitation = 0;
  for (;;) {
    const bound = mu + alpha * excitation;
    const wait = random.exponential(bound);
    t += wait;
    if (t > T) break;
    excitation *= Math.exp(-beta * wait);
    if (random.uniform() * bound <= mu + alpha * excitation) {
      if (n === times.length) {
        const grown = new Float64Array(times.length * 2);
        grown.set(times);
        times = grown;
      }
      times[n++] = t;
      excitation += 1;
    }
  }
  return times.slice(0, n);
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

interface Minimum {
  x: Float64Array;
  f: number;
  converged: boolean;
  iterations: number;
}

/** Objective value at x, with its gradient written into g when given; Infinity where undefined. */
type Objective = (x: Float64Array, g: Float64Array | null) => number;

const MEMORY = 6;

/**
 * Limited-memory BFGS (Nocedal & Wright 2006, algorithm 7.4) with a strong-Wolfe line search
 * (algorithms 3.5 and 3.6). Converged when the largest gradient component is at most `tolerance`.
 * A failed line search restarts once from steepest descent; a second failure ends the run.
 */
function minimizeLbfgs(objective: Objective, x0: Float64Array, maxIterations: number, tolerance: number): Minimum {
  const dim = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(dim);
  let f = objective(x, g);
  if (!Number.isFinite(f)) return { x, f: Infinity, converged: false, iterations: 0 };
  const s = Array.from({ length: MEMORY }, () => new Float64Array(dim));
  const y = Array.from({ length: MEMORY }, () => new Float64Array(dim));
  const rho = new Float64Array(MEMORY);
  const alphas = new Float64Array(MEMORY);
  let stored = 0;
  let newest = -1;
  const direction = new Float64Array(dim);
  const trial = { x: new Float64Array(dim), g: new Float64Array(dim), f: 0 };
  let restarted = false;
  let iteration = 0;
  for (; iteration < maxIterations; iteration++) {
    if (maxAbs(g) <= tolerance) return { x, f, converged: true, iterations: iteration };
    // Two-loop recursion: direction = −H·g.
    for (let k = 0; k < dim; k++) direction[k] = -g[k]!;
    for (let m = 0; m < stored; m++) {
      const j = (newest - m + MEMORY) % MEMORY;
      alphas[j] = rho[j]! * dot(s[j]!, direction);
      axpy(-alphas[j]!, y[j]!, direction);
    }
    if (stored > 0) {
      const j = newest;
      const scale = dot(s[j]!, y[j]!) / dot(y[j]!, y[j]!);
      for (let k = 0; k < dim; k++) direction[k]! *= scale;
    } else {
      const norm = Math.sqrt(dot(g, g));
      for (let k = 0; k < dim; k++) direction[k]! /= Math.max(1, norm);
    }
    for (let m = stored - 1; m >= 0; m--) {
      const j = (newest - m + MEMORY) % MEMORY;
      const beta = rho[j]! * dot(y[j]!, direction);
      axpy(alphas[j]! - beta, s[j]!, direction);
    }
    if (!(dot(direction, g) < 0)) {
      for (let k = 0; k < dim; k++) direction[k] = -g[k]!;
      stored = 0;
    }
    if (!wolfeLineSearch(objective, x, f, g, direction, trial)) {
      if (restarted || stored === 0) break;
      restarted = true;
      stored = 0;
      continue;
    }
    restarted = false;
    newest = (newest + 1) % MEMORY;
    const sNew = s[newest]!;
    const yNew = y[newest]!;
    for (let k = 0; k < dim; k++) {
      sNew[k] = trial.x[k]! - x[k]!;
      yNew[k] = trial.g[k]! - g[k]!;
    }
    const curvature = dot(sNew, yNew);
    const previousF = f;
    x.set(trial.x);
    g.set(trial.g);
    f = trial.f;
    if (curvature > 1e-16 * Math.sqrt(dot(sNew, sNew) * dot(yNew, yNew))) {
      rho[newest] = 1 / curvature;
      stored = Math.min(stored + 1, MEMORY);
    } else newest = (newest - 1 + MEMORY) % MEMORY;
    // No representable progress is left.
    if (previousF - f <= 1e-16 * Math.abs(f) && maxAbs(sNew) <= 1e-14 * (1 + maxAbs(x))) break;
  }
  return { x, f, converged: maxAbs(g) <= tolerance, iterations: iteration };
}

const C1 = 1e-4;
const C2 = 0.9;

/**
 * Finds a step along `direction` meeting the strong Wolfe conditions; writes the accepted point into
 * `out` and returns true, or false when none is found in 60 evaluations. Non-finite values count as
 * too long a step.
 */
function wolfeLineSearch(objective: Objective, x: Float64Array, f0: number, g0: Float64Array, direction: Float64Array, out: { x: Float64Array; g: Float64Array; f: number }): boolean {
  const slope0 = dot(g0, direction);
  const evaluate = (step: number): { f: number; slope: number } => {
    for (let k = 0; k < x.length; k++) out.x[k] = x[k]! + step * direction[k]!;
    const f = objective(out.x, out.g);
    out.f = f;
    return { f, slope: Number.isFinite(f) ? dot(out.g, direction) : NaN };
  };
  let previousStep = 0;
  let previousF = f0;
  let previousSlope = slope0;
  let step = 1;
  let evaluations = 0;
  const zoom = (lo: number, fLo: number, slopeLo: number, hi: number, fHi: number): boolean => {
    while (evaluations < 60) {
      evaluations++;
      const width = hi - lo;
      let candidate = lo + width / 2;
      if (Number.isFinite(fHi)) {
        // Minimum of the quadratic through (lo, fLo, slopeLo) and (hi, fHi), kept inside the bracket.
        const curvature = (fHi - fLo - slopeLo * width) / (width * width);
        if (curvature > 0) candidate = lo - slopeLo / (2 * curvature);
      }
      const margin = 0.1 * Math.abs(width);
      const low = Math.min(lo, hi) + margin;
      const high = Math.max(lo, hi) - margin;
      if (!(candidate >= low && candidate <= high)) candidate = lo + width / 2;
      const { f, slope } = evaluate(candidate);
      if (!Number.isFinite(f) || f > f0 + C1 * candidate * slope0 || f >= fLo) {
        hi = candidate;
        fHi = f;
      } else {
        if (Math.abs(slope) <= -C2 * slope0) return true;
        if (slope * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
        }
        lo = candidate;
        fLo = f;
        slopeLo = slope;
      }
      if (Math.abs(hi - lo) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
    }
    // The bracket collapsed: accept its low end when it decreased the objective.
    if (lo > 0 && fLo < f0) {
      evaluate(lo);
      return true;
    }
    return false;
  };
  while (evaluations < 60) {
    evaluations++;
    const { f, slope } = evaluate(step);
    if (!Number.isFinite(f) || f > f0 + C1 * step * slope0 || (previousStep > 0 && f >= previousF)) return zoom(previousStep, previousF, previousSlope, step, f);
    if (Math.abs(slope) <= -C2 * slope0) return true;
    if (slope >= 0) return zoom(step, f, slope, previousStep, previousF);
    previousStep = step;
    previousF = f;
    previousSlope = slope;
    step *= 2;
  }
  return false;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k]! * b[k]!;
  return sum;
}

function axpy(scale: number, a: Float64Array, into: Float64Array): void {
  for (let k = 0; k < a.length; k++) into[k]! += scale * a[k]!;
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (let k = 0; k < a.length; k++) max = Math.max(max, Math.abs(a[k]!));
  return max;
}

/**
 * One side's process in the `hawkes` feature: the last `window` event times (ns) in a ring, the fitted
 * parameters, and the excitation Σ e^{−β(t − tᵢ)} at the last event.
 */
class SideProcess {
  private readonly ring: Float64Array;
  private readonly scratch: Float64Array;
  private head = 0;
  private held = 0;
  private sinceFit = 0;
  private attempted = false;
  private lastNs = NaN;
  private excitation = 0;
  mu = NaN;
  alpha = NaN;
  beta = NaN;

  constructor(
    private readonly window: number,
    private readonly refit: number,
  ) {
    this.ring = new Float64Array(window);
    this.scratch = new Float64Array(window);
  }

  /** An event at `ns`; trades at the time of the previous event are part of it. */
  add(ns: number): void {
    if (ns === this.lastNs) return;
    if (!Number.isNaN(this.beta)) this.excitation = this.excitation * Math.exp(-this.beta * (ns - this.lastNs) * 1e-9) + 1;
    this.ring[this.head] = ns;
    this.head = (this.head + 1) % this.window;
    if (this.held < this.window) this.held++;
    this.lastNs = ns;
    this.sinceFit++;
    if (this.held === this.window && (!this.attempted || this.sinceFit >= this.refit)) this.fit();
  }

  /** λ at `ns` (at or after the last event), events at `ns` included; NaN before the first fit. */
  intensityAt(ns: number): number {
    if (Number.isNaN(this.beta)) return NaN;
    return this.mu + this.alpha * this.excitation * Math.exp(-this.beta * (ns - this.lastNs) * 1e-9);
  }

  private fit(): void {
    this.attempted = true;
    this.sinceFit = 0;
    // The window in time order, in seconds from its first event; observed on [first, last].
    const first = this.ring[this.head % this.window]!;
    for (let k = 0; k < this.window; k++) this.scratch[k] = (this.ring[(this.head + k) % this.window]! - first) * 1e-9;
    const start = Number.isNaN(this.beta) ? undefined : { mu: this.mu, alpha: this.alpha, beta: this.beta };
    const fit = fitHawkes(this.scratch, this.scratch[this.window - 1]!, start ? { start } : {});
    if (!fit.converged) return;
    this.mu = fit.mu;
    this.alpha = fit.alpha;
    this.beta = fit.beta;
    const end = this.scratch[this.window - 1]!;
    let excitation = 0;
    for (let k = 0; k < this.window; k++) excitation += Math.exp(-fit.beta * (end - this.scratch[k]!));
    this.excitation = excitation;
  }
}

/**
 * Hawkes intensities of buyer- and seller-initiated trades: each side is its own univariate exponential
 * Hawkes process (Hawkes 1971; Bacry, Mastromatteo & Muzy 2015), fitted by maximum likelihood on its last
 * `window` events once that many are held and again after every `refit` further events, using only the
 * past. The columns are each side's fitted λ(t) at the bar's end (events per second, decayed to the bar's
 * time, the intensity's excitation taken over the window's events) and its branching ratio α/β; NaN before
 * the first fit. Trades are signed by the aggressor, else the tick rule; trades of one side at the same
 * venue time are one event (one aggressive order filling several resting ones; ties would make the
 * likelihood unbounded). A fit that does not converge leaves the previous parameters in place.
 */
class HawkesIntensity implements Feature {
  private readonly signer = new TradeSigner('aggressor');
  private readonly buys: SideProcess;
  private readonly sells: SideProcess;

  constructor(window: number, refit: number) {
    this.buys = new SideProcess(window, refit);
    this.sells = new SideProcess(window, refit);
  }

  row(batch: EventBatch, i: number, state: StreamState): void {
    const sign = this.signer.sign(batch.price[i]!, batch.side[i]!, state.prevBidPrice, state.prevAskPrice);
    if (sign > 0) this.buys.add(state.ts);
    else if (sign < 0) this.sells.add(state.ts);
  }

  close(out: Float64Array, offset: number, barTs: number): void {
    out[offset] = this.buys.intensityAt(barTs);
    out[offset + 1] = this.sells.intensityAt(barTs);
    out[offset + 2] = this.buys.alpha / this.buys.beta;
    out[offset + 3] = this.sells.alpha / this.sells.beta;
  }
}

export const hawkes: FeatureDefinition = {
  name: 'hawkes',
  doc: 'Hawkes intensities (events/s) and branching ratios of buyer- and seller-initiated trades, exponential kernel fitted by MLE on the last `window` events every `refit` events (Hawkes 1971; Bacry, Mastromatteo & Muzy 2015)',
  params: [
    { name: 'window', default: 2000, doc: 'events per side in each fit (at least 10)' },
    { name: 'refit', default: 500, doc: 'new events of a side between its fits (at least 1)' },
  ],
  rows: 'trades',
  columns: () => ['hawkes_buy', 'hawkes_sell', 'hawkes_buy_branching', 'hawkes_sell_branching'],
  create: (params) => new HawkesIntensity(Math.max(10, Math.round(num(params, 'window'))), Math.max(1, Math.round(num(params, 'refit')))),
};

export const hawkesFeatures = [hawkes];
