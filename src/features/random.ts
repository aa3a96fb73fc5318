import { Xoshiro128 } from '../core/xoshiro.js';

/**
 * A small seeded pseudo-random generator for features and tests (xoshiro128**, core/xoshiro.ts), with
 * 53-bit uniforms.
 */
export class Random extends Xoshiro128 {
  /** A generator with the given four 32-bit state words (not all zero), as the reference implementation takes them. */
  static fromState(a: number, b: number, c: number, d: number): Random {
    return new Random(0).setState(a, b, c, d);
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number {
    return -Math.log1p(-this.uniform()) / rate;
  }
}
