// LOBSTER's text files parsed into columns: the byte loops of the message and orderbook readers
// (src/io/lobster/reader.ts, orderbook.ts), in WebAssembly. This is AssemblyScript (TypeScript syntax,
// WebAssembly's types), compiled by scripts/build-wasm.mjs into dist/src/io/wasm/lobster.wasm;
// src/io/lobster/line-parser.ts drives it.
//
// Why: V8 checks a typed array again at every load of a JavaScript loop (its map, length and data
// pointer; no loop-invariant hoisting), some 20 instructions a byte; here a byte costs a load and a
// compare. The parse of the two files was a quarter of a LOBSTER replay's main thread.
//
// The numbers are those the readers' JavaScript loops made, to the bit: integers are exact doubles (a
// field of more than 15 digits, where 64-bit accumulation could part from JavaScript's double
// arithmetic, is summed as doubles, digit by digit), a time is `seconds * 1e9 + fraction * 10^(9 -
// digits)`, a negative zero stays negative. The input ends with a byte that is no digit, sign, point,
// comma or line end (the caller writes it), where a JavaScript loop read `undefined`.

/** Lines one `parseMessages` call reads at most. */
export const MESSAGE_LINES: u32 = 1024;
/** Values (rows × fields) one `parseRows` call writes at most. */
export const ROW_VALUES: u32 = 32768;

/** A line's outcome (`status`): parsed (the six fields are set)… */
export const PARSED: u32 = 0;
/** …blank… */
export const BLANK: u32 = 1;
/** …or malformed: MALFORMED + the index of the field where parsing stopped (`stops` holds the line's end without `\r`). */
export const MALFORMED: u32 = 16;
/** Added to a message line's status when time digits past the ninth decimal were rounded away. */
export const ROUNDED: u32 = 256;

// Message columns, field-major: field f of line k at fields[f * MESSAGE_LINES + k].
const fields = memory.data(6 * MESSAGE_LINES * 8);
const status = memory.data(MESSAGE_LINES * 4);
const starts = memory.data(MESSAGE_LINES * 4);
const stops = memory.data(MESSAGE_LINES * 4);
// Orderbook rows: values row-major, `width` a row; a status and start offset per row.
const rowValues = memory.data(ROW_VALUES * 8);
const rowStatus = memory.data(ROW_VALUES * 4);
const rowStarts = memory.data(ROW_VALUES * 4);
/** Where the last call stopped: the offset of the first line it did not read. */
let resume: u32 = 0;
/** Malformed rows the last `parseRows` call read. */
let malformed: u32 = 0;

const NS_SCALE = memory.data<f64>([1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1]);

export function heapBase(): usize { return __heap_base; }
export function messageFields(): usize { return fields; }
export function messageStatus(): usize { return status; }
export function messageStarts(): usize { return starts; }
export function messageStops(): usize { return stops; }
export function orderbookValues(): usize { return rowValues; }
export function orderbookStatus(): usize { return rowStatus; }
export function orderbookStarts(): usize { return rowStarts; }
export function resumeAt(): u32 { return resume; }
export function malformedRows(): u32 { return malformed; }

@inline function isDigit(c: u32): bool {
  return c - 48 <= 9;
}

/** The digits [from, to) as JavaScript sums them, in doubles (for fields longer than 15 digits). */
function digitsAsDouble(from: usize, to: usize): f64 {
  let value = 0.0;
  for (let p = from; p < to; p++) value = value * 10 + <f64>(load<u8>(p) - 48);
  return value;
}

/** Where the last `signedIntegerAt` stopped: the byte after its digits. */
let numberEnd: usize = 0;

/** The integer at `p` (an optional `-`, then digits) as JavaScript sums it; NaN when it has no digit. Sets `numberEnd`. */
@inline function signedIntegerAt(p: usize): f64 {
  const negative = load<u8>(p) == 45;
  if (negative) p++;
  const digitsFrom = p;
  let value: u64 = 0;
  let c = <u32>load<u8>(p);
  while (isDigit(c)) {
    value = value * 10 + (c - 48);
    c = load<u8>(++p);
  }
  numberEnd = p;
  if (p == digitsFrom) return NaN;
  const number = p - digitsFrom <= 15 ? <f64>value : digitsAsDouble(digitsFrom, p);
  return negative ? -number : number;
}

/** Where the line from `start` ends: its newline, or `end`. */
function lineEnd(input: usize, start: u32, end: u32): u32 {
  let p = start;
  while (p < end && load<u8>(input + p) != 10) p++;
  return p;
}

/**
 * Parses LOBSTER message lines (time,type,order id,size,price,direction) of `input[pos, end)`, at most
 * `maxLines`, into the message columns; returns the number of lines read, and `resumeAt()` where the next
 * starts. Line ends as reader.ts takes them: `\n`, `\r\n`, or the end of the input.
 */
export function parseMessages(input: usize, pos: u32, end: u32, maxLines: u32): u32 {
  let n: u32 = 0;
  while (pos < end && n < maxLines) {
    const lineStart = pos;
    let p = input + pos;
    let c = <u32>load<u8>(p);
    const k4 = (<usize>n) << 2;
    const k8 = (<usize>n) << 3;
    store<u32>(starts + k4, lineStart);
    if (c == 10 || (c == 13 && (load<u8>(p + 1) == 10 || pos + 1 == end))) {
      store<u32>(status + k4, BLANK);
      pos = c == 10 ? pos + 1 : min(end, pos + 2);
      n++;
      continue;
    }
    // Time: seconds after midnight, up to 9 decimals kept; later digits round the ninth.
    const secondsFrom = p;
    let seconds: u64 = 0;
    while (isDigit(c)) {
      seconds = seconds * 10 + (c - 48);
      c = load<u8>(++p);
    }
    const secondsDigits = <u32>(p - secondsFrom);
    let nanos: u64 = 0;
    let fraction: u32 = 0;
    let rounded: u32 = 0;
    if (c == 46) {
      c = load<u8>(++p);
      while (isDigit(c) && fraction < 9) {
        nanos = nanos * 10 + (c - 48);
        fraction++;
        c = load<u8>(++p);
      }
      if (isDigit(c)) {
        if (c >= 53) nanos++;
        rounded = ROUNDED;
        while (isDigit(c)) c = load<u8>(++p);
      }
    }
    let ok = secondsDigits > 0 && c == 44;
    const secondsValue = secondsDigits <= 15 ? <f64>seconds : digitsAsDouble(secondsFrom, secondsFrom + secondsDigits);
    store<f64>(fields + k8, secondsValue * 1e9 + <f64>nanos * load<f64>(NS_SCALE + ((<usize>fraction) << 3)));
    // Fields 1..5: signed integers, each after a comma.
    let field: u32 = ok ? 1 : 0;
    while (ok && field < 6) {
      const number = signedIntegerAt(p + 1);
      p = numberEnd;
      c = load<u8>(p);
      if (isNaN(number) || (field < 5 && c != 44)) {
        ok = false;
        break;
      }
      store<f64>(fields + (((<usize>field) * MESSAGE_LINES) << 3) + k8, number);
      field++;
    }
    const at = <u32>(p - input);
    if (ok && c == 10) pos = at + 1;
    else if (ok && c == 13 && load<u8>(p + 1) == 10) pos = at + 2;
    else if (ok && at == end) pos = end;
    else {
      const stop = lineEnd(input, lineStart, end);
      store<u32>(stops + k4, stop > lineStart && load<u8>(input + stop - 1) == 13 ? stop - 1 : stop);
      store<u32>(status + k4, MALFORMED + field + rounded);
      pos = stop + 1;
      n++;
      continue;
    }
    store<u32>(stops + k4, at);
    store<u32>(status + k4, PARSED + rounded);
    n++;
  }
  resume = pos;
  return n;
}

/**
 * Parses LOBSTER orderbook rows (`width` comma-separated integers) of `input[pos, end)`, at most
 * `ROW_VALUES / width` of them, into the row values; returns the number of rows read, and `resumeAt()`
 * where the next starts. A malformed row's status is MALFORMED + the field where parsing stopped.
 */
export function parseRows(input: usize, pos: u32, end: u32, width: u32): u32 {
  const maxRows = ROW_VALUES / width;
  let n: u32 = 0;
  malformed = 0;
  while (pos < end && n < maxRows) {
    let out = rowValues + (((<usize>n) * width) << 3);
    let p = input + pos;
    let field: u32 = 0;
    let ok = true;
    let c: u32 = 0;
    while (field < width) {
      const number = signedIntegerAt(p);
      p = numberEnd;
      c = load<u8>(p);
      if (isNaN(number) || (field < width - 1 && c != 44)) {
        ok = false;
        break;
      }
      store<f64>(out, number);
      out += 8;
      field++;
      if (field < width) p++;
    }
    const at = <u32>(p - input);
    store<u32>(rowStarts + ((<usize>n) << 2), pos);
    if (ok && c == 10) pos = at + 1;
    else if (ok && c == 13 && load<u8>(p + 1) == 10) pos = at + 2;
    else if (ok && at == end) pos = end;
    else {
      store<u32>(rowStatus + ((<usize>n) << 2), MALFORMED + field);
      malformed++;
      pos = lineEnd(input, pos, end) + 1;
      n++;
      continue;
    }
    store<u32>(rowStatus + ((<usize>n) << 2), PARSED);
    n++;
  }
  resume = pos;
  return n;
}
