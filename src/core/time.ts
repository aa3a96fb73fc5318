/**
 * Time helpers. Events carry integer nanoseconds as offsets from a batch's `timeBaseNs` (see EventBatch);
 * absolute times are bigint epoch nanoseconds and only exist at the edges.
 */

export const NS_PER_SECOND = 1_000_000_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_DAY = 86_400 * NS_PER_SECOND;

/** Parses `YYYY-MM-DD` into [year, month, day], or null. */
export function parseIsoDate(text: string): [number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return [year, month, day];
}

/** Epoch nanoseconds of UTC midnight of an ISO date. */
export function utcMidnightNs(date: string): bigint {
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`not a date (YYYY-MM-DD): "${date}"`);
  return BigInt(Date.UTC(parts[0], parts[1] - 1, parts[2])) * 1_000_000n;
}

/** Epoch nanoseconds of local midnight of an ISO date in an IANA time zone, e.g. America/New_York. */
export function zonedMidnightNs(date: string, timeZone: string): bigint {
  const utcMs = Number(utcMidnightNs(date) / 1_000_000n);
  // Local midnight is UTC midnight minus the zone's offset at that instant; one refinement step
  // settles days on which the offset changes (the change never falls at midnight in US zones).
  let guess = utcMs - zoneOffsetMs(utcMs, timeZone);
  guess = utcMs - zoneOffsetMs(guess, timeZone);
  return BigInt(guess) * 1_000_000n;
}

/** Offset of a time zone from UTC at an instant, in ms (New York in winter: -18,000,000). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const fields: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(epochMs))) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  const asUtc = Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** ISO-8601 UTC text of epoch nanoseconds with all nine fractional digits. */
export function isoNs(epochNs: bigint): string {
  const ms = epochNs / 1_000_000n;
  const nanos = Number(((epochNs % NS_BIG) + NS_BIG) % NS_BIG);
  return new Date(Number(ms)).toISOString().slice(0, 19) + '.' + String(nanos).padStart(9, '0') + 'Z';
}
const NS_BIG = 1_000_000_000n;
