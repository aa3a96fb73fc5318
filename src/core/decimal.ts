/**
 * Exact decimal text <-> integer units. Prices and sizes travel as integers (see Instrument);
 * these helpers are the only place decimals are parsed or printed.
 */

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

/** Returns 10**n for 0 <= n <= 18. */
export function pow10(n: number): number {
  return POW10[n]!;
}

/**
 * Parses decimal text into integer units of 10**-decimals, exactly. Returns NaN for text that is not a
 * plain decimal, that has non-zero digits beyond `decimals`, or whose units exceed 2^53.
 *
 * ```ts
 * parseUnits('236.47', 8) === 23647000000
 * parseUnits('-0.5', 1) === -5
 * ```
 */
export function parseUnits(text: string, decimals: number): number {
  let i = 0;
  const n = text.length;
  let negative = false;
  if (n === 0) return NaN;
  if (text.charCodeAt(0) === 45 /* - */) {
    negative = true;
    i = 1;
  } else if (text.charCodeAt(0) === 43 /* + */) i = 1;
  let value = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (fraction >= 0) {
        if (fraction >= decimals) {
          if (c !== 48) return NaN;
          continue;
        }
        fraction++;
      }
      value = value * 10 + (c - 48);
      digits++;
    } else if (c === 46 /* . */ && fraction < 0) fraction = 0;
    else if ((c === 101 || c === 69) /* e E */ && digits > 0) return parseExponent(text, decimals);
    else return NaN;
  }
  if (digits === 0) return NaN;
  const scaled = value * POW10[decimals - (fraction < 0 ? 0 : fraction)]!;
  if (scaled > Number.MAX_SAFE_INTEGER) return NaN;
  return negative ? -scaled : scaled;
}

/** Exponent notation (as JSON numbers print, e.g. `1e-8`): falls back to rounding, checked for exactness. */
function parseExponent(text: string, decimals: number): number {
  const value = Number(text);
  return Number.isFinite(value) ? numberToUnits(value, decimals) : NaN;
}

/**
 * Parses a JSON number (already a float) into integer units, exactly when the number has at most
 * `decimals` decimals. Returns NaN otherwise.
 */
export function numberToUnits(value: number, decimals: number): number {
  const scaled = Math.round(value * POW10[decimals]!);
  if (!Number.isFinite(scaled) || Math.abs(scaled) > Number.MAX_SAFE_INTEGER) return NaN;
  // Both the JSON literal and this quotient are the double nearest to the same decimal, so equality is exact.
  return scaled / POW10[decimals]! === value ? scaled : NaN;
}

/**
 * Formats integer units as the shortest exact decimal text.
 *
 * ```ts
 * formatUnits(2238200, 4) === '223.82'
 * formatUnits(-5, 1) === '-0.5'
 * ```
 */
export function formatUnits(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const negative = units < 0;
  const abs = negative ? -units : units;
  const scale = POW10[decimals]!;
  const whole = Math.floor(abs / scale);
  let frac = abs - whole * scale;
  let text = String(whole);
  if (frac !== 0) {
    let width = decimals;
    while (frac % 10 === 0) {
      frac /= 10;
      width--;
    }
    text += '.' + String(frac).padStart(width, '0');
  }
  return negative ? '-' + text : text;
}

/** Number of decimals in a decimal text ("0.00010" -> 5), ignoring exponent forms. */
export function decimalsOf(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}
