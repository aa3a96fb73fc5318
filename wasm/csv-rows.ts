// CSV rows of integer, decimal and epoch-ns cells formatted in WebAssembly: what the writer thread's tape
// reader (src/io/table/row-tape.ts) does for the tables whose every column is one of those kinds (the best
// bid/offer and depth rows of `replay`). AssemblyScript, compiled by scripts/build-wasm.mjs into
// dist/src/wasm/csv-rows.wasm; src/io/table/csv-rows.ts drives it.
//
// The bytes are those of the JavaScript writer (src/io/table/text-writers.ts, bytes-out.ts), to the byte:
// the same double arithmetic in the same order. A cell this module does not format (a decimal that is not
// a whole number of units, which the JavaScript writer reports as an error) stops it before its row.

/** Tape slots a block holds at most (row-tape.ts: BLOCK_SLOTS). */
export const BLOCK_SLOTS: u32 = 1 << 15;
/** Columns a table may have here. */
export const MAX_COLUMNS: u32 = 8192;
/** Epoch bases a block may name. */
export const MAX_BASES: u32 = 1024;
/** Output bytes one `format` call writes at most (it stops before a row that might not fit). */
export const OUT_BYTES: u32 = 1 << 19;
/** The most bytes a cell takes: its separator and a decimal of 42 bytes. */
const CELL_BYTES: u32 = 48;

// Column kinds, as the tape's (row-tape.ts).
export const INT: u8 = 0;
export const DECIMAL: u8 = 2;
export const EPOCH: u8 = 3;

const cells = memory.data(BLOCK_SLOTS * 8);
const kinds = memory.data(MAX_COLUMNS);
const slots = memory.data(MAX_COLUMNS * 4);
const baseSeconds = memory.data(MAX_BASES * 8);
const baseNanos = memory.data(MAX_BASES * 8);
const out = memory.data(OUT_BYTES + 64);
const digits = memory.data(24);
// Per column, the cell of the row above in the output: its two slots' values, and where its bytes are
// (separator included). A cell that holds what the one above holds is copied, not formatted: consecutive
// rows repeat most values (the best bid and ask seldom move), as the JavaScript writer found. For an
// epoch column, the whole seconds and where their digits are.
const aboveA = memory.data(MAX_COLUMNS * 8);
const aboveB = memory.data(MAX_COLUMNS * 8);
const aboveStart = memory.data(MAX_COLUMNS * 4);
const aboveEnd = memory.data(MAX_COLUMNS * 4);
// An epoch column's whole seconds as last written in this call's output, and where their digits are (its
// `aboveA`… hold the cell as a whole, which seldom repeats: the nanoseconds move). Any row of the call
// is still in the output, so the digits may come from a row further up than the one above.
const aboveSeconds = memory.data(MAX_COLUMNS * 8);
const secondsStart = memory.data(MAX_COLUMNS * 4);
const secondsEnd = memory.data(MAX_COLUMNS * 4);
/** "00" … "99", two bytes each (written when the module starts). */
const PAIRS = memory.data(200);
for (let i = 0; i < 100; i++) {
  store<u8>(PAIRS + 2 * i, <u8>(48 + i / 10));
  store<u8>(PAIRS + 2 * i + 1, <u8>(48 + (i % 10)));
}
/** 10^k for 0 ≤ k ≤ 18 (core/decimal.ts: pow10). */
const POW10 = memory.data<f64>([1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18]);
let columns: u32 = 0;
let stride: u32 = 0;
/** Where the last `format` call stopped writing. */
let written: u32 = 0;

export function blockCells(): usize { return cells; }
export function columnKinds(): usize { return kinds; }
export function columnSlots(): usize { return slots; }
export function epochSeconds(): usize { return baseSeconds; }
export function epochNanos(): usize { return baseNanos; }
export function output(): usize { return out; }
export function outputBytes(): u32 { return written; }

/** The table's shape: `count` columns (their kinds and first slots written beforehand), `rowSlots` slots a row. */
export function setLayout(count: u32, rowSlots: u32): void {
  columns = count;
  stride = rowSlots;
}

@inline function getF64(array: usize, k: u32): f64 {
  return load<f64>(array + ((<usize>k) << 3));
}
@inline function setF64(array: usize, k: u32, value: f64): void {
  store<f64>(array + ((<usize>k) << 3), value);
}
@inline function getU32(array: usize, k: u32): u32 {
  return load<u32>(array + ((<usize>k) << 2));
}
@inline function setU32(array: usize, k: u32, value: u32): void {
  store<u32>(array + ((<usize>k) << 2), value);
}

/**
 * Formats rows [from, to) of the block's cells as CSV lines into the output, at most `limit` bytes of it
 * (at most OUT_BYTES); returns the row it stopped before: `to`, or earlier when the output is full or a
 * cell is not one this module formats.
 */
export function format(from: u32, to: u32, limit: u32): u32 {
  // Nothing of an earlier call's output is left to copy.
  for (let column: u32 = 0; column < columns; column++) setF64(aboveSeconds, column, -1);
  let at = out;
  const rowBytes = columns * CELL_BYTES + 1;
  let row = from;
  for (; row < to; row++) {
    if (at - out + rowBytes > min(limit, OUT_BYTES) && row > from) break;
    const rowStart = at;
    // The row above is in this call's output only after its first row.
    const above = row > from;
    const base = cells + (((<usize>row) * stride) << 3);
    let ok = true;
    for (let column: u32 = 0; column < columns; column++) {
      const cell = base + ((<usize>getU32(slots, column)) << 3);
      const kind = load<u8>(kinds + column);
      const a = load<f64>(cell);
      const b = kind == INT ? 0 : load<f64>(cell + 8);
      const cellStart = at;
      if (above && kind != EPOCH && a == getF64(aboveA, column) && b == getF64(aboveB, column)) {
        // What the cell above holds (never an empty cell: NaN equals nothing).
        at = copyAbove(at, getU32(aboveStart, column), getU32(aboveEnd, column));
      } else {
        if (column > 0) store<u8>(at++, 44);
        if (a != a) {
          // An empty cell.
        } else if (kind == INT) {
          if (!isFinite(a)) {
            ok = false;
            break;
          }
          at = writeInteger(at, a);
        } else if (kind == DECIMAL) {
          if (Math.floor(a) != a || !isFinite(a) || !(b >= 0 && b <= 18) || Math.floor(b) != b) {
            ok = false;
            break;
          }
          at = writeDecimal(at, a, <i32>b);
        } else {
          at = writeEpoch(at, <usize>a, b, column);
          if (at == 0) {
            ok = false;
            break;
          }
        }
      }
      setF64(aboveA, column, a);
      setF64(aboveB, column, b);
      setU32(aboveStart, column, <u32>(cellStart - out));
      setU32(aboveEnd, column, <u32>(at - out));
    }
    if (!ok) {
      at = rowStart;
      break;
    }
    store<u8>(at++, 10);
  }
  written = <u32>(at - out);
  return row;
}

/**
 * Copies output bytes [start, end) of the row above to `at`, eight at a time (memory.copy calls out of
 * the module: dearer for a few bytes); returns the position after them. Up to 7 bytes past the copy are
 * written over, and read past `end`: the output has that room, and the row being written is past `end`.
 */
@inline function copyAbove(at: usize, start: u32, end: u32): usize {
  const from = out + start;
  const length = <usize>(end - start);
  for (let k: usize = 0; k < length; k += 8) store<u64>(at + k, load<u64>(from + k));
  return at + length;
}


/**
 * The epoch-ns cell of base `id` and offset `offsetNs` (text-writers.ts: epochNsAt), its separator written;
 * an empty cell for a NaN offset; 0 (nothing more written) for a time this module leaves to the JavaScript writer (not a whole
 * nanosecond, or before 1970). The seconds are copied from the cell above when they are its seconds.
 */
function writeEpoch(at: usize, id: usize, offsetNs: f64, column: u32): usize {
  if (offsetNs != offsetNs) return at; // an empty cell
  const offsetSeconds = Math.floor(offsetNs / 1e9);
  let nanos = load<f64>(baseNanos + (id << 3)) + (offsetNs - offsetSeconds * 1e9);
  let seconds = load<f64>(baseSeconds + (id << 3)) + offsetSeconds;
  if (nanos >= 1e9) {
    nanos -= 1e9;
    seconds++;
  }
  if (!(seconds >= 0 && seconds < 9007199254740992) || Math.floor(nanos) != nanos || !(nanos >= 0)) return 0;
  if (seconds == 0) return writeUnsigned(at, nanos, 0);
  if (seconds == getF64(aboveSeconds, column)) {
    at = copyAbove(at, getU32(secondsStart, column), getU32(secondsEnd, column));
  } else {
    setU32(secondsStart, column, <u32>(at - out));
    at = writeUnsigned(at, seconds, 0);
    setU32(secondsEnd, column, <u32>(at - out));
    setF64(aboveSeconds, column, seconds);
  }
  return writeUnsigned(at, nanos, 9);
}

/** An integer of magnitude below 2^53 (bytes-out.ts: writeInteger). */
function writeInteger(at: usize, value: f64): usize {
  if (value < 0) {
    store<u8>(at++, 45);
    value = -value;
  }
  return writeUnsigned(at, value, 0);
}

/** Integer units of 10^-decimals as the shortest exact decimal (bytes-out.ts: writeDecimal). */
function writeDecimal(at: usize, units: f64, decimals: i32): usize {
  if (units < 0) {
    store<u8>(at++, 45);
    units = -units;
  }
  const scale = load<f64>(POW10 + ((<usize>decimals) << 3));
  const whole = Math.floor(units / scale);
  let fraction = units - whole * scale;
  at = writeUnsigned(at, whole, 0);
  if (fraction == 0) return at;
  let width = decimals;
  if (fraction < 2147483648) {
    let small = <i32>fraction;
    for (let q = small / 10; small == q * 10; q = small / 10) {
      small = q;
      width--;
    }
    fraction = <f64>small;
  } else {
    while (fraction % 10 == 0) {
      fraction /= 10;
      width--;
    }
  }
  store<u8>(at++, 46);
  return writeUnsigned(at, fraction, width);
}

/** A non-negative integer below 2^53, zero-padded to `width` digits (bytes-out.ts: writeUnsigned). */
function writeUnsigned(at: usize, value: f64, width: i32): usize {
  if (value < 2147483648) return writeSmall(at, <i32>value, width);
  // Above 2^31: peel digits off as doubles until the rest fits int32 arithmetic.
  let n = 0;
  while (value >= 2147483648) {
    const q = Math.floor(value / 10);
    store<u8>(digits + n++, <u8>(48 + <i32>(value - q * 10)));
    value = q;
  }
  const small = <i32>value;
  for (let pad = width - n - digitCount(small); pad > 0; pad--) store<u8>(at++, 48);
  at = writeSmall(at, small, 0);
  while (n > 0) store<u8>(at++, load<u8>(digits + --n));
  return at;
}

/** An int32 value >= 0, zero-padded to `width`; two digits at a time. */
function writeSmall(at: usize, value: i32, width: i32): usize {
  const count = digitCount(value);
  for (let pad = width - count; pad > 0; pad--) store<u8>(at++, 48);
  const after = at + count;
  let end = after;
  while (value >= 100) {
    const q = value / 100;
    end -= 2;
    store<u16>(end, load<u16>(PAIRS + ((<usize>(value - q * 100)) << 1)));
    value = q;
  }
  if (value >= 10) store<u16>(end - 2, load<u16>(PAIRS + ((<usize>value) << 1)));
  else store<u8>(end - 1, <u8>(48 + value));
  return after;
}

/** Number of decimal digits of an int32 value >= 0. */
function digitCount(value: i32): i32 {
  if (value < 100000) return value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : value < 10000 ? 4 : 5;
  return value < 10000000 ? (value < 1000000 ? 6 : 7) : value < 100000000 ? 8 : value < 1000000000 ? 9 : 10;
}
