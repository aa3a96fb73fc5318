/** Small numeric helpers shared by features and mining: regressions and the normal distribution. */

/**
 * Ordinary least squares of y on x over the last `window` pairs, kept as running sums (each pair added
 * and, once the window is full, the oldest removed). `slope()` is NaN until two distinct x values exist.
 */
export class RollingRegression {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private next = 0;
  private count = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;

  constructor(readonly window: number) {
    this.xs = new Float64Array(window);
    this.ys = new Float64Array(window);
  }

  add(x: number, y: number): void {
    if (this.count === this.window) {
      const oldX = this.xs[this.next]!;
      const oldY = this.ys[this.next]!;
      this.sx -= oldX;
      this.sy -= oldY;
      this.sxx -= oldX * oldX;
      this.sxy -= oldX * oldY;
    } else this.count++;
    this.xs[this.next] = x;
    this.ys[this.next] = y;
    this.next = (this.next + 1) % this.window;
    this.sx += x;
    this.sy += y;
    this.sxx += x * x;
    this.sxy += x * y;
  }

  slope(): number {
    const n = this.count;
    const varianceTimesN = this.sxx - (this.sx * this.sx) / n;
    if (n < 2 || !(varianceTimesN > 1e-12 * this.sxx)) return NaN;
    return (this.sxy - (this.sx * this.sy) / n) / varianceTimesN;
  }
}

/** Standard normal cumulative distribution function. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Complementary error function (the Chebyshev fit of Numerical Recipes' erfcc: fractional error below 1.2e-7 everywhere, tails included). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Ordinary least squares of y on x with an intercept: slope, intercept, R² and the number of pairs used (finite ones). */
export function ols(xs: ArrayLike<number>, ys: ArrayLike<number>): { slope: number; intercept: number; r2: number; n: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
  }
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  const cxy = sxy - (sx * sy) / n;
  const slope = cxy / vx;
  return { slope, intercept: (sy - slope * sx) / n, r2: (cxy * cxy) / (vx * vy), n };
}
