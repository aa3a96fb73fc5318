import { closeSync, openSync, writeSync } from 'node:fs';

const DEFAULT_CAPACITY = 1 << 20;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Buffered byte output to a file descriptor with number formatting straight into the buffer.
 * Hot path of every text writer: no string is built for numbers. A writer may also format into `buffer`
 * itself with the `write…` functions below, moving `at` on, in room it has `reserve`d.
 */
export class ByteOut {
  readonly buffer: Buffer;
  /** The buffer as a DataView, for `copyChunks`. */
  readonly view: DataView;
  /** Write position in the buffer. */
  at = 0;
  private readonly capacity: number;
  private readonly ownsFd: boolean;
  readonly fd: number;

  /**
   * Writes to `path`, or to standard output for `-`, through a buffer of at least `capacity` bytes (1 MiB);
   * to `fd` instead of opening `path` when one is given (`path` then names it in errors). Closes what it
   * opened itself.
   */
  constructor(private readonly path: string, capacity = DEFAULT_CAPACITY, fd?: number) {
    this.capacity = Math.max(capacity, DEFAULT_CAPACITY);
    this.buffer = Buffer.allocUnsafe(this.capacity);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
    this.ownsFd = fd === undefined && path !== '-';
    this.fd = fd ?? (this.ownsFd ? openSync(path, 'w') : 1);
  }

  /** Counts flushes: a position `at` had is valid while this has not changed. */
  flushes = 0;

  /** Makes room for `bytes` more bytes now, so that positions taken after this call stay valid for them. */
  reserve(bytes: number): void {
    if (this.at + bytes > this.capacity) this.flush();
  }

  /** Writes raw bytes (short runs: separators, keys). */
  bytes(run: Uint8Array): void {
    if (this.at + run.length > this.capacity) this.flush();
    this.at = writeBytes(this.buffer, this.at, run);
  }

  /** Writes a run of bytes of any length (whole lines formatted elsewhere). */
  run(bytes: Uint8Array): void {
    if (this.at + bytes.length > this.capacity) this.flush();
    if (bytes.length > this.capacity) {
      writeSync(this.fd, bytes);
      return;
    }
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
  }

  byte(code: number): void {
    if (this.at === this.capacity) this.flush();
    this.buffer[this.at++] = code;
  }

  ascii(text: string): void {
    if (this.at + text.length * 3 > this.capacity) this.flush();
    if (text.length * 3 > this.capacity) {
      writeSync(this.fd, text);
      return;
    }
    this.at += this.buffer.write(text, this.at, 'utf8');
  }

  /** A non-negative integer below 2^53, zero-padded to `width` digits (at most 20). */
  unsigned(value: number, width = 0): void {
    if (this.at + 24 > this.capacity) this.flush();
    this.at = writeUnsigned(this.buffer, this.at, value, width);
  }

  /** An integer of magnitude below 2^53. */
  integer(value: number): void {
    if (this.at + 24 > this.capacity) this.flush();
    this.at = writeInteger(this.buffer, this.at, value);
  }

  /** Integer units of 10**-decimals (`scale` = 10**decimals) as the shortest exact decimal text. */
  decimal(units: number, decimals: number, scale: number): void {
    if (this.at + 48 > this.capacity) this.flush();
    this.at = writeDecimal(this.buffer, this.at, units, decimals, scale);
  }

  flush(): void {
    this.flushes++;
    let written = 0;
    while (written < this.at) {
      try {
        written += writeSync(this.fd, this.buffer, written, this.at - written);
      } catch (error) {
        // A pipe that is full (standard output into a slow reader) says EAGAIN: wait a moment and retry.
        // Other errors (a full disk) name the output, which a write to a descriptor does not.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw Object.assign(error as Error, { path: (error as NodeJS.ErrnoException).path ?? (this.path === '-' ? 'standard output' : this.path) });
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

// Formatting into a buffer at a position: each returns the position after what it wrote.

/**
 * Copies `[start, end)` to `at` sixteen bytes at a time: much cheaper than byte by byte for the short runs
 * text writers repeat. The stretch must end before `at`; up to 15 bytes past `end` are read and past
 * the copy written over, so both need that room in the buffer.
 */
export function copyChunks(view: DataView, at: number, start: number, end: number): number {
  for (let from = start, to = at; from < end; from += 16, to += 16) {
    view.setUint32(to, view.getUint32(from));
    view.setUint32(to + 4, view.getUint32(from + 4));
    view.setUint32(to + 8, view.getUint32(from + 8));
    view.setUint32(to + 12, view.getUint32(from + 12));
  }
  return at + (end - start);
}

/** Writes `run` at `at`. */
export function writeBytes(buffer: Uint8Array, at: number, run: Uint8Array): number {
  for (let i = 0; i < run.length; i++) buffer[at++] = run[i]!;
  return at;
}

const digits = new Uint8Array(24);

/** A non-negative integer below 2^53, zero-padded to `width` digits (at most 20). At most 20 bytes. */
export function writeUnsigned(buffer: Uint8Array, at: number, value: number, width = 0): number {
  if (value < 2147483648) return writeSmall(buffer, at, value | 0, width);
  // Above 2^31: peel digits off as doubles until the rest fits int32 arithmetic.
  let n = 0;
  while (value >= 2147483648) {
    const q = Math.floor(value / 10);
    digits[n++] = 48 + (value - q * 10);
    value = q;
  }
  const head = digitCount(value | 0);
  for (let pad = width - n - head; pad > 0; pad--) buffer[at++] = 48;
  at = writeSmall(buffer, at, value | 0, 0);
  while (n > 0) buffer[at++] = digits[--n]!;
  return at;
}

/** An int32 value >= 0, zero-padded to `width`. */
function writeSmall(buffer: Uint8Array, at: number, value: number, width: number): number {
  const count = digitCount(value);
  for (let pad = width - count; pad > 0; pad--) buffer[at++] = 48;
  const after = at + count;
  let end = after;
  do {
    const q = (value / 10) | 0;
    buffer[--end] = 48 + value - q * 10;
    value = q;
  } while (value > 0);
  return after;
}

/** An integer of magnitude below 2^53. At most 21 bytes. */
export function writeInteger(buffer: Uint8Array, at: number, value: number): number {
  if (value < 0) {
    buffer[at++] = 45;
    value = -value;
  }
  return writeUnsigned(buffer, at, value);
}

/** Integer units of 10**-decimals (`scale` = 10**decimals) as the shortest exact decimal text. At most 42 bytes. */
export function writeDecimal(buffer: Uint8Array, at: number, units: number, decimals: number, scale: number): number {
  if (!Number.isInteger(units)) throw new Error(`decimal cell: ${units} is not a whole number of units`);
  if (units < 0) {
    buffer[at++] = 45;
    units = -units;
  }
  const whole = Math.floor(units / scale);
  let fraction = units - whole * scale;
  at = writeUnsigned(buffer, at, whole);
  if (fraction === 0) return at;
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
  buffer[at++] = 46;
  return writeUnsigned(buffer, at, fraction, width);
}

/** "00" … "99". */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : ((i >> 1) / 10) | 0));

/** The 8 digits of 0 ≤ x < 10^8, zero-padded, at `at`, two at a time. */
export function eightDigits(buffer: Uint8Array, at: number, x: number): void {
  const upper = (x / 10000) | 0;
  const lower = x - upper * 10000;
  const a = (upper / 100) | 0;
  const b = upper - a * 100;
  const c = (lower / 100) | 0;
  const d = lower - c * 100;
  buffer[at] = PAIRS[2 * a]!;
  buffer[at + 1] = PAIRS[2 * a + 1]!;
  buffer[at + 2] = PAIRS[2 * b]!;
  buffer[at + 3] = PAIRS[2 * b + 1]!;
  buffer[at + 4] = PAIRS[2 * c]!;
  buffer[at + 5] = PAIRS[2 * c + 1]!;
  buffer[at + 6] = PAIRS[2 * d]!;
  buffer[at + 7] = PAIRS[2 * d + 1]!;
}

/** The 9 digits of 0 ≤ x < 10^9 (the nanoseconds of a time), zero-padded, at `at`; returns the position after them. */
export function nineDigits(buffer: Uint8Array, at: number, x: number): number {
  const lead = (x / 100000000) | 0;
  buffer[at] = 48 + lead;
  eightDigits(buffer, at + 1, x - lead * 100000000);
  return at + 9;
}

/** Number of decimal digits of an int32 value >= 0. */
function digitCount(value: number): number {
  if (value < 100000) return value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : value < 10000 ? 4 : 5;
  return value < 10000000 ? (value < 1000000 ? 6 : 7) : value < 100000000 ? 8 : value < 1000000000 ? 9 : 10;
}
