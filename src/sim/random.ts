import { Xoshiro128 } from '../core/xoshiro.js';

/**
 * The simulator's seeded pseudo-random generator (xoshiro128**, core/xoshiro.ts), with 32-bit uniforms
 * and the distributions agents draw from. Every agent draws from its own stream (`Random.stream(seed,
 * index)`), so adding an agent does not change the draws of the others, and a run is reproducible from the
 * scenario's seed alone.
 */
export class Random extends Xoshiro128 {
  /** Second normal of the last Box–Muller pair, or NaN. */
  private spare = NaN;

  /** An independent stream for component `index` of a run seeded with `seed`. */
  static stream(seed: number, index: number): Random {
    // Mix the two integers so that nearby (seed, index) pairs land far apart.
    const mixed = Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul((index + 1) >>> 0, 0x165667b1);
    return new Random(mixed >>> 0);
  }

  /** A generator with the given four 32-bit state words (not all zero), as the reference implementation takes them. */
  static fromState(a: number, b: number, c: number, d: number): Random {
    return new Random(0).setState(a, b, c, d);
  }

  /** Uniform on [0, 1) with 32 random bits (enough for every decision the simulator makes). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Exponential with mean `mean`. */
  exponential(mean: number): number {
    return -Math.log(1 - this.uniform()) * mean;
  }

  /** Standard normal (Box–Muller, the pair's second value kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const value = this.spare;
      this.spare = NaN;
      return value;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and log-standard-deviation. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto with minimum `min` and tail index `alpha` (P(X > x) = (min / x)^alpha). */
  pareto(min: number, alpha: number): number {
    return min * Math.pow(1 - this.uniform(), -1 / alpha);
  }

  /** 1, 2, 3, … with P(k) proportional to k^-alpha for k <= max (inverse-CDF over a small table). */
  powerLawInt(cdf: Float64Array): number {
    const u = this.uniform() * cdf[cdf.length - 1]!;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! <= u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}

/** Cumulative weights k^-alpha for k = 1..max, for Random.powerLawInt. */
export function powerLawTable(max: number, alpha: number): Float64Array {
  const cdf = new Float64Array(Math.max(1, max));
  let sum = 0;
  for (let k = 1; k <= cdf.length; k++) cdf[k - 1] = sum += Math.pow(k, -alpha);
  return cdf;
}
