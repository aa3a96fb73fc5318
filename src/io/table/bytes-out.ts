import { closeSync, openSync, writeSync } from 'node:fs';

const BUFFER_BYTES = 1 << 20;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Buffered byte output to a file descriptor with number formatting straight into the buffer.
 * Hot path of every text writer: no string is built for numbers.
 */
export class ByteOut {
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private at = 0;
  private readonly digits = new Uint8Array(24);
  private readonly ownsFd: boolean;
  private readonly fd: number;

  /** Writes to `path`, or to standard output for `-`. */
  constructor(path: string) {
    this.ownsFd = path !== '-';
    this.fd = this.ownsFd ? openSync(path, 'w') : 1;
  }

  /** Counts flushes: a position recorded by `here()` is valid while this has not changed. */
  flushes = 0;

  /** Current write position in the buffer (for `copyBack`). */
  here(): number {
    return this.at;
  }

  /** Makes room for `bytes` more bytes now, so that positions taken after this call stay valid for them. */
  reserve(bytes: number): void {
    if (this.at + bytes > BUFFER_BYTES) this.flush();
  }

  /** Writes again the bytes written earlier at [start, end) of the current buffer (same `flushes`). */
  copyBack(start: number, end: number): void {
    if (this.at + (end - start) > BUFFER_BYTES) throw new Error('copyBack across a flush');
    const buffer = this.buffer;
    let at = this.at;
    for (let i = start; i < end; i++) buffer[at++] = buffer[i]!;
    this.at = at;
  }

  /** Writes raw bytes (short runs: separators, keys). */
  bytes(run: Uint8Array): void {
    if (this.at + run.length > BUFFER_BYTES) this.flush();
    const buffer = this.buffer;
    let at = this.at;
    for (let i = 0; i < run.length; i++) buffer[at++] = run[i]!;
    this.at = at;
  }

  byte(code: number): void {
    if (this.at === BUFFER_BYTES) this.flush();
    this.buffer[this.at++] = code;
  }

  ascii(text: string): void {
    if (this.at + text.length * 3 > BUFFER_BYTES) this.flush();
    if (text.length * 3 > BUFFER_BYTES) {
      writeSync(this.fd, text);
      return;
    }
    this.at += this.buffer.write(text, this.at, 'utf8');
  }

  /** A non-negative integer below 2^53, zero-padded to `width` digits (at most 20). */
  unsigned(value: number, width = 0): void {
    if (this.at + 24 > BUFFER_BYTES) this.flush();
    if (value < 2147483648) {
      this.small(value | 0, width);
      return;
    }
    // Above 2^31: peel digits off as doubles until the rest fits int32 arithmetic.
    const digits = this.digits;
    let n = 0;
    while (value >= 2147483648) {
      const q = Math.floor(value / 10);
      digits[n++] = 48 + (value - q * 10);
      value = q;
    }
    const head = digitCount(value | 0);
    for (let pad = width - n - head; pad > 0; pad--) this.buffer[this.at++] = 48;
    this.small(value | 0, 0);
    const buffer = this.buffer;
    let at = this.at;
    while (n > 0) buffer[at++] = digits[--n]!;
    this.at = at;
  }

  /** An int32 value >= 0, digits written straight into the buffer, zero-padded to `width`. */
  private small(value: number, width: number): void {
    const count = digitCount(value);
    const buffer = this.buffer;
    let at = this.at;
    for (let pad = width - count; pad > 0; pad--) buffer[at++] = 48;
    let end = at + count;
    this.at = end;
    do {
      const q = (value / 10) | 0;
      buffer[--end] = 48 + value - q * 10;
      value = q;
    } while (value > 0);
  }

  integer(value: number): void {
    if (value < 0) {
      this.byte(45);
      value = -value;
    }
    this.unsigned(value);
  }

  /** Integer units of 10**-decimals (`scale` = 10**decimals) as the shortest exact decimal text. */
  decimal(units: number, decimals: number, scale: number): void {
    if (!Number.isInteger(units)) throw new Error(`decimal cell: ${units} is not a whole number of units`);
    if (units < 0) {
      this.byte(45);
      units = -units;
    }
    const whole = Math.floor(units / scale);
    let fraction = units - whole * scale;
    this.unsigned(whole);
    if (fraction === 0) return;
    let width = decimals;
    if (fraction < 2147483648) {
      let small = fraction | 0;
      for (let q = (small / 10) | 0; small === q * 10; q = (small / 10) | 0) {
        small = q;
        width--;
      }
      fraction = small;
    } else {
      while (fraction % 10 === 0) {
        fraction /= 10;
        width--;
      }
    }
    this.byte(46);
    this.unsigned(fraction, width);
  }

  flush(): void {
    this.flushes++;
    let written = 0;
    while (written < this.at) {
      try {
        written += writeSync(this.fd, this.buffer, written, this.at - written);
      } catch (error) {
        // A pipe that is full (standard output into a slow reader) says EAGAIN: wait a moment and retry.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(PAUSE, 0, 0, 2);
      }
    }
    this.at = 0;
  }

  close(): void {
    this.flush();
    if (this.ownsFd) closeSync(this.fd);
  }
}

/** Number of decimal digits of an int32 value >= 0. */
function digitCount(value: number): number {
  if (value < 100000) return value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : value < 10000 ? 4 : 5;
  return value < 10000000 ? (value < 1000000 ? 6 : 7) : value < 100000000 ? 8 : value < 1000000000 ? 9 : 10;
}
