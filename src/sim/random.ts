/**
 * The simulator's seeded pseudo-random generator: xoshiro128** (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 2021), 128 bits of state seeded from one integer through
 * splitmix32. Every agent draws from its own stream (`Random.stream(seed, index)`), so adding an agent
 * does not change the draws of the others, and a run is reproducible from the scenario's seed alone.
 */
export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  /** Second normal of the last Box–Muller pair, or NaN. */
  private spare = NaN;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** An independent stream for component `index` of a run seeded with `seed`. */
  static stream(seed: number, index: number): Random {
    // Mix the two integers so that nearby (seed, index) pairs land far apart.
    const mixed = Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul((index + 1) >>> 0, 0x165667b1);
    return new Random(mixed >>> 0);
  }

  /** A generator with the given four 32-bit state words (not all zero), as the reference implementation takes them. */
  static fromState(a: number, b: number, c: number, d: number): Random {
    const random = new Random(0);
    random.a = a | 0;
    random.b = b | 0;
    random.c = c | 0;
    random.d = d | 0;
    return random;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
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

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
