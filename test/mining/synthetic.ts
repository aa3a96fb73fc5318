import { Random } from '../../src/features/random.js';
import type { FeatureFrame } from '../../src/features/run.js';

/** Seeded standard normal draws (Box–Muller). */
export class Normal {
  private readonly random: Random;
  private spare = NaN;
  constructor(seed: number) {
    this.random = new Random(seed);
  }
  next(): number {
    if (!Number.isNaN(this.spare)) {
      const value = this.spare;
      this.spare = NaN;
      return value;
    }
    const u = 1 - this.random.uniform();
    const v = this.random.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
  uniform(): number {
    return this.random.uniform();
  }
}

/**
 * A one-instrument frame of `rows` one-second bars: a random-walk mid (log steps of `volatility`), a constant
 * spread of `spreadBps` basis points, and the given extra columns.
 */
export function syntheticFrame(rows: number, seed: number, extra: (normal: Normal, mid: Float64Array) => Record<string, Float64Array> = () => ({}), volatility = 1e-4, spreadBps = 1): FeatureFrame {
  const normal = new Normal(seed);
  const ts = Float64Array.from({ length: rows }, (_, i) => (i + 1) * 1e9);
  const mid = new Float64Array(rows);
  let log = Math.log(100);
  for (let i = 0; i < rows; i++) {
    mid[i] = Math.exp(log);
    log += volatility * normal.next();
  }
  const spread = Float64Array.from(mid, (m) => (m * spreadBps) / 1e4);
  return { length: rows, timeBaseNs: 1_700_000_000_000_000_000n, ts, instrument: new Int32Array(rows), columns: { mid, spread, ...extra(normal, mid) } };
}

/** AR(1) noise with coefficient phi and unit stationary variance: persistent like most order-flow features. */
export function ar1(normal: Normal, rows: number, phi: number): Float64Array {
  const out = new Float64Array(rows);
  const innovation = Math.sqrt(1 - phi * phi);
  let value = normal.next();
  for (let i = 0; i < rows; i++) {
    out[i] = value;
    value = phi * value + innovation * normal.next();
  }
  return out;
}
