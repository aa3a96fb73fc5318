import { Random } from './random.js';

/** Parameters of the fundamental value path: published as it happens, known ahead by informed traders. */
export interface FundamentalParams {
  /** Standard deviation of the value's change over one minute, in ticks (a Brownian part). */
  volatilityTicksPerMinute: number;
  /** Mean number of jumps (news) per hour, and their mean absolute size in ticks (exponential, random sign). */
  jumpsPerHour: number;
  jumpTicks: number;
  /** Grid step of the path in seconds; the value is linear between grid points. */
  stepSeconds: number;
}

export const DEFAULT_FUNDAMENTAL: FundamentalParams = { volatilityTicksPerMinute: 4, jumpsPerHour: 6, jumpTicks: 8, stepSeconds: 1 };

/**
 * The "true" value of the simulated instrument over time: a Gaussian random walk on a grid plus
 * compound-Poisson jumps, in price units, starting at the start price. It is drawn lazily from its own
 * random stream in grid order, so any pattern of queries sees the same path. V(t) is news published at
 * t: market makers with an `anchor` read it then (`at(now)`); informed traders read it ahead of time
 * (`at(now + horizon)`).
 */
export class FundamentalValue {
  private values = new Float64Array(1024);
  private count = 1;
  private readonly stepNs: number;
  private readonly sigmaPerStep: number;
  private readonly jumpPerStep: number;

  constructor(
    private readonly params: FundamentalParams,
    readonly startNs: number,
    startPrice: number,
    private readonly tickUnits: number,
    private readonly random: Random,
  ) {
    this.values[0] = startPrice;
    this.stepNs = params.stepSeconds * 1e9;
    this.sigmaPerStep = params.volatilityTicksPerMinute * Math.sqrt(params.stepSeconds / 60);
    this.jumpPerStep = (params.jumpsPerHour * params.stepSeconds) / 3600;
  }

  /** Value (price units, not rounded to ticks) at time `timeNs`. */
  at(timeNs: number): number {
    const x = Math.max(0, (timeNs - this.startNs) / this.stepNs);
    const k = Math.floor(x);
    this.extend(k + 2);
    const v0 = this.values[k]!;
    return v0 + (this.values[k + 1]! - v0) * (x - k);
  }

  private extend(n: number): void {
    while (this.count < n) {
      if (this.count === this.values.length) {
        const next = new Float64Array(this.values.length * 2);
        next.set(this.values);
        this.values = next;
      }
      let step = this.sigmaPerStep * this.random.normal();
      if (this.random.uniform() < this.jumpPerStep) step += (this.random.uniform() < 0.5 ? -1 : 1) * this.random.exponential(this.params.jumpTicks);
      // The value stays above ten ticks: a price path, not a signed walk.
      this.values[this.count] = Math.max(10 * this.tickUnits, this.values[this.count - 1]! + step * this.tickUnits);
      this.count++;
    }
  }
}
