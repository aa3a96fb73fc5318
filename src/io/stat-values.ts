import { RATE_SCALE } from '../core/event.js';

/** Decimals of a rate unit: RATE_SCALE = 10^RATE_DECIMALS. */
export const RATE_DECIMALS = Math.round(Math.log10(RATE_SCALE));

/**
 * The plain decimal text of a JSON number, without exponent: JSON.parse turns `0.0000016425` into a
 * double that prints as `1.6425e-6`; this gives back `0.0000016425`. Exact: it only moves the point of
 * the shortest text that reads back as the same double (which is the venue's own text).
 *
 * ```ts
 * decimalText(1.6425e-6) === '0.0000016425'
 * decimalText(-2.5e21) === '-2500000000000000000000'
 * ```
 */
export function decimalText(value: number): string {
  return plainDecimal(String(value));
}

/** Decimal text in exponent form (`1.2e-7`, `3E+5`) rewritten without exponent; other text unchanged. */
export function plainDecimal(text: string): string {
  const e = text.search(/[eE]/);
  if (e < 0) return text;
  const exponent = Number(text.slice(e + 1));
  let mantissa = text.slice(0, e);
  const negative = mantissa.startsWith('-');
  if (negative || mantissa.startsWith('+')) mantissa = mantissa.slice(1);
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  if (!/^\d+$/.test(digits) || !Number.isInteger(exponent)) return text;
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let plain: string;
  if (point <= 0) plain = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = digits.slice(0, point) + '.' + digits.slice(point);
  return (negative ? '-' : '') + plain;
}

/**
 * A rate (funding) as decimal text -> integer units of 1/RATE_SCALE. Digits beyond RATE_DECIMALS are
 * rounded half away from zero on the text itself (no float arithmetic); `rateIsRounded` tells the caller
 * to count it. NaN for text that is not a decimal.
 *
 * ```ts
 * rateUnits('0.0001') === 100000000
 * rateUnits('0.00004405208333333333') === 44052083   // rounded
 * ```
 */
export function rateUnits(text: string): number {
  const plain = plainDecimal(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(plain)) return NaN;
  const negative = plain.startsWith('-');
  const unsigned = negative || plain.startsWith('+') ? plain.slice(1) : plain;
  const dot = unsigned.indexOf('.');
  const whole = dot < 0 ? unsigned : unsigned.slice(0, dot);
  const fraction = dot < 0 ? '' : unsigned.slice(dot + 1);
  const kept = (whole + fraction.slice(0, RATE_DECIMALS).padEnd(RATE_DECIMALS, '0')).replace(/^0+(?=\d)/, '');
  let units = Number(kept);
  if (fraction.length > RATE_DECIMALS && fraction.charCodeAt(RATE_DECIMALS) >= 53 /* '5' */) units += 1;
  if (!Number.isSafeInteger(units)) return NaN;
  return negative && units !== 0 ? -units : units;
}

/** True when a rate's text has non-zero digits beyond RATE_DECIMALS, i.e. `rateUnits` rounded it. */
export function rateIsRounded(text: string): boolean {
  const plain = plainDecimal(text);
  const dot = plain.indexOf('.');
  return dot >= 0 && /[1-9]/.test(plain.slice(dot + 1 + RATE_DECIMALS));
}
