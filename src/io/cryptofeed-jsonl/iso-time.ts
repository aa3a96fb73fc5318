/**
 * ISO-8601 UTC times as venues print them (`2021-04-17T16:43:37.075687Z`, 0 to 9 fractional digits,
 * `Z` only) turned into exact nanosecond offsets from a time base. The date-and-seconds part is cached,
 * so runs of times within one second (a snapshot's levels) cost one digit loop each.
 */
export class IsoTimes {
  private prefix = '';
  private prefixSeconds = NaN;

  /** `baseSeconds` gives the epoch seconds of the stream's time base (a UTC midnight). */
  constructor(private readonly baseSeconds: () => number) {}

  /** ns after the time base, exact; NaN for text that is not such a time. */
  offset(text: string): number {
    const n = text.length;
    if (n < 20 || text.charCodeAt(n - 1) !== 90 /* Z */) return NaN;
    if (!text.startsWith(this.prefix) || this.prefix === '') {
      const seconds = epochSeconds(text);
      if (Number.isNaN(seconds)) return NaN;
      this.prefix = text.slice(0, 19);
      this.prefixSeconds = seconds;
    }
    let nanos = 0;
    if (n > 20) {
      if (text.charCodeAt(19) !== 46 /* . */ || n - 21 > 9 || n - 21 < 1) return NaN;
      let scale = 100_000_000;
      for (let i = 20; i < n - 1; i++, scale /= 10) {
        const digit = text.charCodeAt(i) - 48;
        if (digit < 0 || digit > 9) return NaN;
        nanos += digit * scale;
      }
    }
    return (this.prefixSeconds - this.baseSeconds()) * 1e9 + nanos;
  }
}

/** Epoch seconds of the `YYYY-MM-DDTHH:MM:SS` start of `text`, or NaN. */
function epochSeconds(text: string): number {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60)) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
}

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}
