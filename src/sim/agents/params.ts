import { UsageError } from '../../core/errors.js';

/** An agent's parameters: numbers, or strings for enumerated choices. */
export type ParamValues = Record<string, number | string>;

/**
 * Takes an agent's parameters from its scenario entry: every key must be one of the defaults' keys and
 * of the same type; numbers must be finite. Returns the defaults overridden by the entry.
 */
export function readParams<T extends ParamValues>(defaults: T, given: Record<string, unknown>, where: string, allowed: Record<string, readonly string[]> = {}): T {
  const params: ParamValues = { ...defaults };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in defaults)) throw new UsageError(`${where}: unknown parameter "${key}" (known: ${Object.keys(defaults).sort().join(', ')})`);
    const expected = typeof defaults[key];
    if (typeof value !== expected || (typeof value === 'number' && !Number.isFinite(value))) {
      throw new UsageError(`${where}: parameter "${key}" must be a ${expected === 'number' ? 'finite number' : expected}, was ${JSON.stringify(value)}`);
    }
    const choices = allowed[key];
    if (choices && !choices.includes(value as string)) throw new UsageError(`${where}: parameter "${key}" must be one of ${choices.join(', ')}, was ${JSON.stringify(value)}`);
    params[key] = value as number | string;
  }
  return params as T;
}

/** Fails with a one-line message unless `value` lies in [min, max]. */
export function checkRange(where: string, name: string, value: number, min: number, max = Infinity): void {
  if (!(value >= min && value <= max)) throw new UsageError(`${where}: parameter "${name}" must be ${max === Infinity ? `at least ${min}` : `between ${min} and ${max}`}, was ${value}`);
}

/** Side from an enumerated choice: "bid"/"buy" 1, "ask"/"sell" -1, "random" drawn. */
export function pickSide(choice: string, uniform: number): number {
  if (choice === 'bid' || choice === 'buy') return 1;
  if (choice === 'ask' || choice === 'sell') return -1;
  return uniform < 0.5 ? 1 : -1;
}
