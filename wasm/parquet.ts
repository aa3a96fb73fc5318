// Parquet page decoding for the dataset reader (src/store/parquet/): LZ4 raw blocks, and the values of
// the encodings a part uses: PLAIN (dictionary pages among them, decoded into the dictionary area),
// dictionary indices (the RLE / bit-packed hybrid) looked up in the column chunk's dictionary, and
// delta-packed integers. AssemblyScript, compiled by scripts/build-wasm.mjs into
// dist/src/wasm/parquet.wasm; src/store/parquet/page-decoder.ts drives it.
//
// Why: a dataset replay (the Binance USD-M capture's: 0.36 s) spent a fifth of its time in LZ4 and the
// dictionary indices, in JavaScript that V8 had not optimized yet for much of so short a run; here they
// are compiled before the first page (docs/DATASET.md has the numbers). The other encodings followed.
//
// Memory: four areas (the compressed input, the decompressed page, the decoded values, the dictionary),
// each moved to the end of the memory, larger, when a page needs more: a moved area's old bytes stay
// where they were, so an offset into the page the last call decompressed stays valid until the next.

/** Outcomes of `lz4`, `indices`, `delta` and `plain`. */
export const DONE: i32 = 0;
/** The LZ4 block is damaged: a length or offset leads outside the page. */
export const CORRUPT: i32 = 1;
/** The LZ4 block decompressed to another size than the page's (`produced()` says how many bytes). */
export const WRONG_SIZE: i32 = 2;
/** The page ends before its values do (`produced()` says after how many, for indices and deltas). */
export const SHORT: i32 = 3;
/** An index beyond the dictionary (`badIndex()` says which). */
export const BEYOND: i32 = 4;
/** A delta page holds another number of values than its page header says (`produced()` says how many). */
export const WRONG_COUNT: i32 = 5;

let inputAt: usize = 0;
let inputCapacity: usize = 0;
let pageAt: usize = 0;
let pageCapacity: usize = 0;
let valuesAt: usize = 0;
let valuesCapacity: usize = 0;
let dictionaryAt: usize = 0;
let dictionaryCapacity: usize = 0;
/** Where the next area moved to the end starts. */
let top: usize = (__heap_base + 15) & ~15;
let outcome: i32 = 0;
let bad: f64 = 0;

export function input(): usize { return inputAt; }
export function page(): usize { return pageAt; }
export function values(): usize { return valuesAt; }
export function dictionary(): usize { return dictionaryAt; }
export function produced(): i32 { return outcome; }
export function badIndex(): f64 { return bad; }

/**
 * Bytes readable and writable after each area's end: bit-packed indices and deltas are read with 8-byte
 * loads, and LZ4 copies short runs 16 bytes at a time, any of which may reach past the last byte of a page.
 */
const SLACK: usize = 16;

/** A fresh area of `bytes` (and SLACK) at the end of the memory, grown when it does not fit. */
function area(bytes: usize): usize {
  const at = top;
  top = (top + bytes + SLACK + 15) & ~15;
  const pages = <i32>((top + 0xffff) >>> 16);
  if (pages > memory.size()) memory.grow(max(pages - memory.size(), memory.size()));
  return at;
}

/**
 * Makes room for a page of `inputBytes` compressed and `pageBytes` decompressed, `valueCount` values and a
 * dictionary of `dictionarySize`. Returns 1 when the memory grew (every view of it is then empty), else 0.
 */
export function reserve(inputBytes: usize, pageBytes: usize, valueCount: usize, dictionarySize: usize): i32 {
  const before = memory.size();
  if (inputBytes > inputCapacity) inputAt = area((inputCapacity = max(inputBytes, inputCapacity * 2)));
  if (pageBytes > pageCapacity) pageAt = area((pageCapacity = max(pageBytes, pageCapacity * 2)));
  if (valueCount > valuesCapacity) valuesAt = area((valuesCapacity = max(valueCount, valuesCapacity * 2)) << 3);
  if (dictionarySize > dictionaryCapacity) dictionaryAt = area((dictionaryCapacity = max(dictionarySize, dictionaryCapacity * 2)) << 3);
  return memory.size() != before ? 1 : 0;
}

/** Where the bytes the last `lengthBeyond15` read end; past `end` when the block ended inside them. */
let lengthEnd: usize = 0;

/** What the bytes from `at` add to an LZ4 length of 15: each byte's value, up to one below 255. */
@inline function lengthBeyond15(at: usize, end: usize): usize {
  let added: usize = 0;
  let byte: u32;
  do {
    if (at >= end) {
      lengthEnd = end + 1;
      return 0;
    }
    byte = load<u8>(at++);
    added += byte;
  } while (byte == 255);
  lengthEnd = at;
  return added;
}

/** One LZ4 block (no frame) of `inputBytes` at `input()`, into exactly `size` bytes at `page()`. */
export function lz4(inputBytes: usize, size: usize): i32 {
  let i = inputAt;
  const end = inputAt + inputBytes;
  const out = pageAt;
  const outEnd = pageAt + size;
  let o = out;
  while (i < end) {
    const token = <u32>load<u8>(i++);
    let literals = <usize>(token >> 4);
    if (literals == 15) {
      literals += lengthBeyond15(i, end);
      i = lengthEnd;
      if (i > end) return CORRUPT;
    }
    if (o + literals > outEnd || i + literals > end) return CORRUPT;
    // Most runs are short: 16 bytes copied whatever their length (the bytes after them are written again
    // next, or are slack) cost less than a call of memory.copy, which V8 makes a call into its runtime.
    if (literals <= 16) {
      store<u64>(o, load<u64>(i));
      store<u64>(o, load<u64>(i, 8), 8);
    } else memory.copy(o, i, literals);
    i += literals;
    o += literals;
    if (i >= end) break;
    if (i + 2 > end) return CORRUPT;
    const offset = <usize>load<u16>(i);
    i += 2;
    let length = <usize>(token & 15) + 4;
    if ((token & 15) == 15) {
      length += lengthBeyond15(i, end);
      i = lengthEnd;
      if (i > end) return CORRUPT;
    }
    if (offset == 0 || offset > o - out || o + length > outEnd) return CORRUPT;
    const from = o - offset;
    // An overlapping match repeats its pattern: byte by byte, or 8 bytes at a time when the pattern is
    // at least that long (each 8 read are then already written); the last 8 may reach past the match.
    if (offset >= 8 && length <= 64) for (let k: usize = 0; k < length; k += 8) store<u64>(o + k, load<u64>(from + k));
    else if (offset >= length) memory.copy(o, from, length);
    else for (let k: usize = 0; k < length; k++) store<u8>(o + k, load<u8>(from + k));
    o += length;
  }
  outcome = <i32>(o - out);
  return o == outEnd ? DONE : WRONG_SIZE;
}

/** Reads an unsigned LEB128 varint at `at`; leaves the position after it in `varintEnd`. */
let varintEnd: usize = 0;
function uvarint(at: usize, end: usize): u64 {
  let value: u64 = 0;
  let shift: u64 = 0;
  while (at < end) {
    const byte = <u64>load<u8>(at++);
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
    shift += 7;
  }
  varintEnd = at;
  return value;
}

/**
 * Dictionary indices of `bitWidth` bits (at most 32: the caller checks; the RLE / bit-packed hybrid) in [from, end), `count` of them,
 * looked up among the `size` values at `dictionary()`: the values go to `values()`.
 */
export function indices(from: usize, end: usize, bitWidth: i32, count: i32, size: i32): i32 {
  const dictionaryBase = dictionaryAt;
  const out = valuesAt;
  const byteWidth = <usize>((bitWidth + 7) >> 3);
  const mask: u64 = (<u64>1 << <u64>bitWidth) - 1;
  let at = from;
  let k = 0;
  while (k < count) {
    if (at >= end) {
      outcome = k;
      return SHORT;
    }
    const run = uvarint(at, end);
    at = varintEnd;
    if ((run & 1) == 0) {
      const n = <i32>min<u64>(run >> 1, <u64>(count - k));
      let index: u64 = 0;
      for (let b: usize = 0; b < byteWidth; b++) index |= <u64>load<u8>(at + b) << (<u64>b << 3);
      at += byteWidth;
      if (index >= <u64>size) {
        bad = <f64>index;
        return BEYOND;
      }
      const value = load<f64>(dictionaryBase + (<usize>index << 3));
      for (let i = 0; i < n; i++) store<f64>(out + (<usize>(k + i) << 3), value);
      k += n;
      continue;
    }
    const groups = <usize>(run >> 1);
    const n = <i32>min<u64>(<u64>groups * 8, <u64>(count - k));
    if (at + groups * <usize>bitWidth > end) {
      outcome = k;
      return SHORT;
    }
    // Each index whole in the 8 bytes from the one its first bit is in (widths are at most 32): a load and
    // a shift, with no branch on where byte boundaries fall (taken or not by turns, it cost more than the rest).
    let bit: usize = 0;
    for (let i = 0; i < n; i++) {
      const index = (load<u64>(at + (bit >> 3)) >> <u64>(bit & 7)) & mask;
      bit += <usize>bitWidth;
      if (index >= <u64>size) {
        bad = <f64>index;
        return BEYOND;
      }
      store<f64>(out + (<usize>(k + i) << 3), load<f64>(dictionaryBase + (<usize>index << 3)));
    }
    at += groups * <usize>bitWidth;
    k += n;
  }
  return DONE;
}

/** Reads a zigzag LEB128 varint of up to 64 bits at `at`; leaves the position after it in `varintEnd`. */
function zigzag(at: usize, end: usize): i64 {
  const value = uvarint(at, end);
  return <i64>(value >>> 1) ^ -<i64>(value & 1);
}

/** `value - base` (both 64-bit integers) as the double nearest its exact value: rounded once, even past 2^63. */
@inline function offsetFrom(value: i64, base: i64): f64 {
  return value >= base ? <f64><u64>(value - base) : -<f64><u64>(base - value);
}

/** `width` bits (at most 64) at bit `bit` after `at`, least significant first; reads up to 16 bytes from the first. */
@inline function bitsAt(at: usize, bit: usize, width: u64): u64 {
  const from = at + (bit >> 3);
  const shift = <u64>(bit & 7);
  let value = load<u64>(from) >> shift;
  if (width + shift > 64) value |= <u64>load<u8>(from + 8) << (64 - shift);
  return width == 64 ? value : value & ((<u64>1 << width) - 1);
}

/**
 * DELTA_BINARY_PACKED values in [from, end), `count` of them (INT32 or INT64; 64-bit integer arithmetic,
 * wrapping as the format's writers do), each minus `base`, as doubles at `values()`. The page: a header (block
 * size, miniblocks per block, the number of values, the first value), then blocks of a minimum delta, one
 * bit width per miniblock and the miniblocks' deltas above the minimum, bit-packed.
 */
export function delta(from: usize, end: usize, count: i32, base: i64): i32 {
  const out = valuesAt;
  let at = from;
  const blockSize = uvarint(at, end);
  at = varintEnd;
  const miniblocks = uvarint(at, end);
  at = varintEnd;
  const total = uvarint(at, end);
  at = varintEnd;
  let previous = zigzag(at, end);
  at = varintEnd;
  if (total != <u64>count) {
    outcome = <i32>min<u64>(total, 0x7fffffff);
    return WRONG_COUNT;
  }
  if (count == 0) return DONE;
  if (blockSize == 0 || miniblocks == 0 || blockSize % miniblocks != 0 || (blockSize / miniblocks) % 32 != 0 || blockSize > 1 << 24) return CORRUPT;
  const perMiniblock = <i32>(blockSize / miniblocks);
  store<f64>(out, offsetFrom(previous, base));
  let k = 1;
  while (k < count) {
    const minDelta = zigzag(at, end);
    at = varintEnd;
    const widths = at;
    at += <usize>miniblocks;
    if (at > end) {
      outcome = k;
      return SHORT;
    }
    for (let m: usize = 0; m < <usize>miniblocks && k < count; m++) {
      const width = <u64>load<u8>(widths + m);
      if (width > 64) return CORRUPT;
      const n = min(perMiniblock, count - k);
      // The bytes this miniblock's n values take (a last miniblock may stop short of its full size).
      if (at + ((<usize>n * <usize>width + 7) >> 3) > end) {
        outcome = k;
        return SHORT;
      }
      for (let i = 0; i < n; i++) {
        previous += minDelta + <i64>bitsAt(at, <usize>i * <usize>width, width);
        store<f64>(out + (<usize>(k + i) << 3), offsetFrom(previous, base));
      }
      at += (<usize>perMiniblock * <usize>width) >> 3;
      k += n;
    }
  }
  return DONE;
}

/**
 * PLAIN little-endian INT32 (`wide` 0) or INT64 values in [from, end), `count` of them, INT64 ones minus
 * `base`, as doubles at `values()`; with `toDictionary`, at `dictionary()` instead, as the dictionary of
 * the chunk's pages that follow (room for it reserved by the caller).
 */
export function plain(from: usize, end: usize, count: i32, wide: i32, base: i64, toDictionary: i32): i32 {
  const width: usize = wide ? 8 : 4;
  if (from + <usize>count * width > end) return SHORT;
  const out = toDictionary ? dictionaryAt : valuesAt;
  if (wide) for (let i = 0; i < count; i++) store<f64>(out + (<usize>i << 3), offsetFrom(load<i64>(from + (<usize>i << 3)), base));
  else for (let i = 0; i < count; i++) store<f64>(out + (<usize>i << 3), <f64>load<i32>(from + (<usize>i << 2)));
  return DONE;
}

/**
 * The first `count` decoded values as bytes, at the start of the values area (each byte written over
 * values already read): for the event model's one-byte columns (action, side, flags). Their values are
 * INT32, so the low 8 bits kept here are what a JavaScript byte array keeps of the number.
 */
export function narrow(count: i32): void {
  for (let i = 0; i < count; i++) store<u8>(valuesAt + <usize>i, <u8>(<i32>load<f64>(valuesAt + (<usize>i << 3))));
}
