import type { Random } from './random.js';

/**
 * A self-exciting point process with an exponential kernel (Hawkes 1971): intensity
 * λ(t) = μ + Σ α·e^{−β(t − tᵢ)} over past events tᵢ. Arrivals are drawn by Ogata's thinning (1981):
 * between events the intensity only decays, so its current value bounds it until the next candidate;
 * a candidate at t is kept with probability λ(t)/bound. The branching ratio α/β (< 1 for stationarity)
 * is the mean number of events each event triggers; the mean rate is μ/(1 − α/β).
 * Times are in seconds.
 */
export class HawkesClock {
  /** Excitation above the base rate at `lastTime`. */
  private excitation = 0;
  private lastTime = 0;
  readonly alpha: number;
  readonly beta: number;

  /** `baseRate` μ per second, `branching` α/β in [0, 1), `decaySeconds` 1/β. */
  constructor(
    readonly baseRate: number,
    readonly branching: number,
    decaySeconds: number,
  ) {
    if (!(baseRate > 0)) throw new RangeError(`Hawkes base rate must be positive, was ${baseRate}`);
    if (!(branching >= 0 && branching < 1)) throw new RangeError(`Hawkes branching ratio must be in [0, 1), was ${branching}`);
    if (!(decaySeconds > 0)) throw new RangeError(`Hawkes decay must be positive, was ${decaySeconds}`);
    this.beta = 1 / decaySeconds;
    this.alpha = branching * this.beta;
  }

  /** Long-run mean rate μ/(1 − α/β). */
  get meanRate(): number {
    return this.baseRate / (1 - this.branching);
  }

  /** Intensity at time t >= the last event. */
  intensity(t: number): number {
    return this.baseRate + this.excitation * Math.exp(-this.beta * (t - this.lastTime));
  }

  /** Time of the next event after `now` (thinning); the event is recorded as it happens. */
  next(now: number, random: Random): number {
    let t = now;
    for (;;) {
      const bound = this.intensity(t);
      t += random.exponential(1 / bound);
      if (random.uniform() * bound <= this.intensity(t)) {
        this.excitation = this.excitation * Math.exp(-this.beta * (t - this.lastTime)) + this.alpha;
        this.lastTime = t;
        return t;
      }
    }
  }
}
