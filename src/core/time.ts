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
  const standardHours = US_RULE_ZONES[timeZone];
  if (standardHours !== undefined) {
    const offset = usOffsetMs(epochMs, standardHours * HOUR_MS);
    if (offset !== null) return offset;
  }
  return intlOffsetMs(epochMs, timeZone);
}

const HOUR_MS = 3_600_000;

/**
 * Zones on US daylight saving time, by standard offset in hours: their offsets since 1987 follow from the
 * rules, without Intl. A process's first Intl.DateTimeFormat loads ICU's locale data, tens of ms, more
 * than the rest of opening a LOBSTER file. Other zones and earlier years ask Intl.
 */
const US_RULE_ZONES: Record<string, number> = { 'America/New_York': -5, 'America/Chicago': -6, 'America/Denver': -7, 'America/Los_Angeles': -8 };

/**
 * The offset under the US rules at 02:00 local: since 2007 daylight time runs from the second Sunday of
 * March to the first Sunday of November; from 1987 to 2006 from the first Sunday of April to the last
 * Sunday of October. Null before 1987.
 */
function usOffsetMs(epochMs: number, standardMs: number): number | null {
  const year = new Date(epochMs + standardMs).getUTCFullYear();
  if (year < 1987) return null;
  const [startMonth, startSunday, endMonth, endSunday] = year >= 2007 ? [2, 2, 10, 1] : [3, 1, 9, -1];
  // Starts at 02:00 standard time, ends at 02:00 daylight time (01:00 standard).
  const start = Date.UTC(year, startMonth, sundayOf(year, startMonth, startSunday), 2) - standardMs;
  const end = Date.UTC(year, endMonth, sundayOf(year, endMonth, endSunday), 1) - standardMs;
  return epochMs >= start && epochMs < end ? standardMs + HOUR_MS : standardMs;
}

/** Day of the month of the nth Sunday of a month (0-based month), or of the last one for n = -1. */
function sundayOf(year: number, month: number, n: number): number {
  if (n < 0) {
    const last = new Date(Date.UTC(year, month + 1, 0));
    return last.getUTCDate() - last.getUTCDay();
  }
  const firstWeekday = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - firstWeekday) % 7) + 7 * (n - 1);
}

/** One formatter per zone: making one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The offset as Intl's time zone data gives it (whole seconds). */
export function intlOffsetMs(epochMs: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, format);
  }
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
