import { UsageError } from '../core/errors.js';
import type { BookChecksum } from '../core/source.js';
import { krakenChecksum } from './kraken/checksum.js';

const rules = new Map<string, BookChecksum>([[krakenChecksum.name, krakenChecksum]]);

/** The checksum rule of a name (sources name theirs when they cross threads). */
export function checksumRule(name: string): BookChecksum {
  const rule = rules.get(name);
  if (!rule) throw new UsageError(`unknown checksum rule "${name}"`);
  return rule;
}
