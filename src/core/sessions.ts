import { zoneOffsetMs } from './time.js';

/**
 * When a venue matches orders continuously. A crossed or locked book is an error only then: in a
 * pre-open or auction the venue accepts orders without matching them, so the book may legitimately
 * cross until the uncross. Rules are by venue (Instrument.venue) and local clock time.
 */
export interface SessionRule {
  readonly venue: string;
  readonly description: string;
  /** True when the venue does not match continuously at this instant (epoch ms). */
  notContinuous(epochMs: number): boolean;
}

/** Local weekday (0 = Sunday) and minutes after local midnight of an instant in a time zone. */
class LocalClock {
  private dayStartMs = NaN;
  private dayEndMs = NaN;
  private offsetMs = 0;

  constructor(readonly timeZone: string) {}

  /** Returns [weekday, minute of day]; the zone offset is looked up once per local day. */
  at(epochMs: number): [number, number] {
    if (!(epochMs >= this.dayStartMs && epochMs < this.dayEndMs)) {
      this.offsetMs = zoneOffsetMs(epochMs, this.timeZone);
      const local = epochMs + this.offsetMs;
      this.dayStartMs = local - (((local % 86_400_000) + 86_400_000) % 86_400_000) - this.offsetMs;
      // Re-check the offset at the next local midnight (a clock change day is shorter or longer).
      this.dayEndMs = this.dayStartMs + 86_400_000 - Math.abs(zoneOffsetMs(this.dayStartMs + 86_400_000, this.timeZone) - this.offsetMs);
    }
    const local = epochMs + this.offsetMs;
    const weekday = (Math.floor(local / 86_400_000) + 4) % 7; // 1970-01-01 was a Thursday
    return [weekday, Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 60_000)];
  }
}

function cmeGlobex(venue: string): SessionRule {
  const clock = new LocalClock('America/Chicago');
  return {
    venue,
    description: 'CME Globex: no matching 16:00-17:00 America/Chicago (daily maintenance and pre-open), Friday 16:00 to Sunday 17:00',
    notContinuous(epochMs) {
      const [weekday, minute] = clock.at(epochMs);
      if (weekday === 6) return true;
      if (weekday === 0) return minute < 17 * 60;
      if (weekday === 5 && minute >= 16 * 60) return true;
      return minute >= 16 * 60 && minute < 17 * 60;
    },
  };
}

function nasdaq(venue: string): SessionRule {
  const clock = new LocalClock('America/New_York');
  return {
    venue,
    description: 'Nasdaq: continuous trading 09:30-16:00 America/New_York on weekdays; opening and closing crosses outside it',
    notContinuous(epochMs) {
      const [weekday, minute] = clock.at(epochMs);
      return weekday === 0 || weekday === 6 || minute < 9 * 60 + 30 || minute >= 16 * 60;
    },
  };
}

/**
 * The US consolidated quote (AlgoSeek's NBBO): Reg NMS Rule 610 forbids locking or crossing quotes only in
 * regular hours, 09:30-16:00 America/New_York; before and after, locked and crossed NBBOs are common and legal.
 */
function usConsolidated(venue: string): SessionRule {
  return { ...nasdaq(venue), description: 'US consolidated quote: locked or crossed quotes are barred only 09:30-16:00 America/New_York on weekdays (Reg NMS Rule 610)' };
}

const rules: Record<string, (venue: string) => SessionRule> = {
  'glbx.mdp3': cmeGlobex,
  'glbx-mdp3': cmeGlobex,
  cme: cmeGlobex,
  nasdaq,
  'xnas.itch': nasdaq,
  algoseek: usConsolidated,
};

/** The session rule of a venue, or null for venues that match around the clock (crypto). */
export function sessionRule(venue: string): SessionRule | null {
  const make = rules[venue.toLowerCase()];
  return make ? make(venue) : null;
}
