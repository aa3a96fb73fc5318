import { eightDigits } from './bytes-out.js';

/**
 * The text `String(value)` gives a double — the shortest decimal that reads back as the same double, the
 * closest one when several are as short (ECMAScript Number::toString) — written straight into bytes for
 * values from 1e-6 to 1e16, the range where that text has no exponent. `String()` costs a string per
 * call; this costs a few floating-point operations, all of them exact or checked.
 *
 * The value v is scaled to V = v·10^q in [10^16, 10^17): its 17-digit integer grid is the finest a double
 * ever needs. 10^q is exact for q ≤ 22 and Dekker's product gives V exactly as hi + lo. The doubles that
 * read back as v are those within half a gap of it: in grid units [V − Dl, V + D], with D = ulp(v)/2·10^q
 * (exact) and Dl = D, or D/2 when v is a power of two (the gap below is half as wide). The answer is the
 * coarsest grid (multiples of 10^j) with a point inside that interval, and of its points inside the one
 * nearest V. Every comparison that decides is made with a margin far above the rounding of the few
 * inexact sums; a value closer than that to a boundary or to a tie returns -1 and the caller uses
 * `String()` — as do values outside the range and those needing fewer than 9 significant digits.
 */

const SPLITTER = 2 ** 27 + 1;
/** 10^k, exact, for 0 ≤ k ≤ 22; and each split into two 26-bit halves for Dekker's product. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const POW10_HIGH = POW10.map((p) => {
  const t = SPLITTER * p;
  return t - (t - p);
});
const POW10_LOW = POW10.map((p, k) => p - POW10_HIGH[k]!);
/** Half the gap between doubles of binary exponent e (ulp / 2 = 2^(e − 53)), by e + 1023. */
const HALF_GAP = Float64Array.from({ length: 2047 }, (_, biased) => 2 ** (biased - 1023 - 53));
/** Decisions closer than this (in grid units) to a boundary or a tie go to `String()`. */
const MARGIN = 1e-9;

const scratch = new Float64Array(1);
const ONE = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
/** Index of the word holding the sign, exponent and top of the significand. */
const HIGH_WORD = (() => {
  scratch[0] = 1;
  return words[1] === 0x3ff00000 ? 1 : 0;
})();
const LOW_WORD = 1 - HIGH_WORD;

/**
 * Writes the text of `String(value)` at `at` and returns the position after it, or returns -1 having
 * written nothing when this value is left to `String()` (see above). `buffer` needs 26 bytes of room (some beyond the text may be written).
 */
export function writeShortest(buffer: Uint8Array, at: number, value: number): number {
  ONE[0] = value;
  return writeShortestAt(buffer, at, ONE, 0);
}

/** `writeShortest` of `values[index]`, read here: a double passed to a call that is not inlined is boxed. */
export function writeShortestAt(buffer: Uint8Array, at: number, values: Float64Array, index: number): number {
  const value = values[index]!;
  const v = value < 0 ? -value : value;
  if (!(v >= 1e-6 && v < 1e16)) return -1;
  scratch[0] = v;
  const high = words[HIGH_WORD]!;
  const biased = high >>> 20;
  // 10^(16 − q) ≤ v < 10^(17 − q), from the binary exponent (off by one at most, corrected below):
  // (e · 78913) >> 18 is floor(e · log10 2) for every binary exponent e a double has.
  let q = 16 - (((biased - 1023) * 78913) >> 18);
  if (q > 22) q = 22;
  let hi = v * POW10[q]!;
  if (hi >= 1e17) hi = v * POW10[--q]!;
  else if (hi < 1e16 && q < 22) hi = v * POW10[++q]!;
  if (!(hi >= 1e16 && hi < 1e17)) return -1;
  // Dekker: V = hi + lo exactly.
  const t = SPLITTER * v;
  const vHigh = t - (t - v);
  const vLow = v - vHigh;
  const pHigh = POW10_HIGH[q]!;
  const pLow = POW10_LOW[q]!;
  const lo = vHigh * pHigh - hi + vHigh * pLow + vLow * pHigh + vLow * pLow;
  // V = top·10^8 + low + fraction, all exact, with fraction in [0, 1) and low an integer kept within
  // [10^8 − 8, 2·10^8 + 8), so that it and every candidate below stay positive int32 values.
  // (A product instead of a quotient: the top it gives may be one off, which the steps below correct.)
  let top = Math.floor(hi * 1e-8) - 1;
  let low = hi - top * 1e8;
  if (low < 1e8) {
    top--;
    low += 1e8;
  } else if (low >= 2e8) {
    top++;
    low -= 1e8;
  }
  const whole = Math.floor(lo);
  const fraction = lo - whole;
  // From here on integers are int32 values (exact, and cheap to divide by constants).
  const base = (low + whole) | 0;
  // Half gaps in grid units, above and below (half as wide below a power of two).
  const gapUp = HALF_GAP[biased]! * POW10[q]!;
  const gapDown = (high & 0xfffff) === 0 && words[LOW_WORD] === 0 ? gapUp / 2 : gapUp;
  // The interval relative to base: [below, above].
  const above = fraction + gapUp;
  const below = fraction - gapDown;
  const ceiling = Math.floor(above);
  if (above - ceiling < MARGIN || ceiling + 1 - above < MARGIN) return -1;
  const highest = (base + ceiling) | 0;
  // Coarsest grid 10^j with a point in the interval: the largest multiple of 10^j at or below the top.
  let j = 0;
  let chosen = highest;
  let quotient = highest;
  let step = 1;
  for (;;) {
    quotient = (quotient / 10) | 0;
    step *= 10;
    const candidate = quotient * step;
    const margin = candidate - base - below;
    if (margin < MARGIN && margin > -MARGIN) return -1;
    if (margin < 0) break;
    j++;
    chosen = candidate;
    if (j === 8) return -1;
  }
  if (j <= 1) {
    // On the grid of 1 or 10 several points may lie inside: the nearest to V (base + fraction), else
    // the nearest on its other side.
    const grid = j === 0 ? 1 : 10;
    const under = j === 0 ? base : base - (base % 10);
    const offset = base - under + fraction;
    if (offset * 2 === grid) return -1;
    const near = offset * 2 < grid ? under : under + grid;
    const margin = near - base;
    if (margin - below < MARGIN && margin - below > -MARGIN) return -1;
    if (margin - above < MARGIN && margin - above > -MARGIN) return -1;
    chosen = margin >= below && margin <= above ? near : near === under ? under + grid : under;
  }
  // The 17 digits top·10^8 + chosen (the last j are zeros).
  if (chosen >= 2e8) {
    top += 2;
    chosen -= 2e8;
  } else if (chosen >= 1e8) {
    top++;
    chosen -= 1e8;
  }
  if (top < 1e8 || top >= 1e9) return -1;
  const count = 17 - j;
  const point = 17 - q;
  if (value < 0) buffer[at++] = 45;
  if (point <= 0) {
    // 0.000ddd: the seven bytes 0.00000, of which the exponent keeps 2 − point, then the digits.
    for (let k = 0; k < 7; k++) buffer[at + k] = k === 1 ? 46 : 48;
    at += 2 - point;
    seventeenDigits(buffer, at, top, chosen);
    return at + count;
  }
  if (count <= point) {
    // A whole number: its digits, then zeros up to the point.
    seventeenDigits(buffer, at, top, chosen);
    for (let k = count; k < point; k++) buffer[at + k] = 48;
    return at + point;
  }
  // The digits one byte further on, then the first `point` of them moved back over it, and the point.
  seventeenDigits(buffer, at + 1, top, chosen);
  for (let k = 0; k < point; k++) buffer[at + k] = buffer[at + k + 1]!;
  buffer[at + point] = 46;
  return at + count + 1;
}

/** The 17 digits of top·10^8 + low (10^8 ≤ top < 10^9, 0 ≤ low < 10^8) at `at`. */
function seventeenDigits(buffer: Uint8Array, at: number, top: number, low: number): void {
  const topInt = top | 0;
  const lead = (topInt / 100000000) | 0;
  buffer[at] = 48 + lead;
  eightDigits(buffer, at + 1, topInt - lead * 100000000);
  eightDigits(buffer, at + 9, low | 0);
}
