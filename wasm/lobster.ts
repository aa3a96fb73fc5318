// LOBSTER's text files read in WebAssembly: the message lines into the event rows of the message reader
// (src/io/lobster/reader.ts), with the top-N window it follows from the orderbook file, and the orderbook
// rows into columns (orderbook.ts). This is AssemblyScript (TypeScript syntax, WebAssembly's types),
// compiled by scripts/build-wasm.mjs into dist/src/wasm/lobster.wasm; src/io/lobster/line-parser.ts
// drives it.
//
// Why: V8 checks a typed array again at every load of a JavaScript loop (its map, length and data
// pointer; no loop-invariant hoisting), some 20 instructions a byte; here a byte costs a load and a
// compare. The parse of the two files was a quarter of a LOBSTER replay's main thread, and the reader's
// JavaScript after it (a message's rows, the window, its restatements) another fifth.
//
// The numbers are those the readers' JavaScript loops made, to the bit: integers are exact doubles (a
// field of more than 15 digits, where 64-bit accumulation could part from JavaScript's double
// arithmetic, is summed as doubles, digit by digit), a time is `seconds * 1e9 + fraction * 10^(9 -
// digits)`, a negative zero stays negative. The input ends with a byte that is no digit, sign, point,
// comma or line end (the caller writes it), where a JavaScript loop read `undefined`.
//
// A line this module does not handle itself — malformed, a field out of range, a time that goes back, an
// unknown halt code, no orderbook row loaded for it — stops `handleLines` before it; the reader decides
// what its integrity policy makes of it, then hands the message back through `handleMessage` if it stays.

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

/** Levels the window follows at most: the widest orderbook row `parseRows` reads. */
const MAX_LEVELS: u32 = ROW_VALUES / 4;
/** Event rows the message handler holds at once: room for a slice of lines (see `sliceLines`). */
export const OUT_ROWS: u32 = 2 * MAX_LEVELS + 16;

// The event model's codes (src/core/event.ts), set by `configure`.
let ADD: u8 = 0;
let CANCEL: u8 = 0;
let DELETE: u8 = 0;
let FILL: u8 = 0;
let TRADE: u8 = 0;
let STATUS: u8 = 0;
let LEVEL_SET: u8 = 0;
let SNAPSHOT_BEGIN: u8 = 0;
let SNAPSHOT_END: u8 = 0;
let LAST: u8 = 0;
let SNAPSHOT: u8 = 0;
let REPAIRED: u8 = 0;
let HIDDEN: u8 = 0;
let HALTED: f64 = 0;
let QUOTING: f64 = 0;
let TRADING: f64 = 0;

// Event rows, a column each (BatchBuilder's, but for tsRecv and instrument, which LOBSTER does not vary;
// a row's line is its seq and its source row).
const outTs = memory.data(OUT_ROWS * 8);
const outPrice = memory.data(OUT_ROWS * 8);
const outSize = memory.data(OUT_ROWS * 8);
const outOrderId = memory.data(OUT_ROWS * 8);
const outLine = memory.data(OUT_ROWS * 8);
const outAction = memory.data(OUT_ROWS);
const outSide = memory.data(OUT_ROWS);
const outFlags = memory.data(OUT_ROWS);
/** Rows written since the reader last took them (`clearRows`). */
let rows: u32 = 0;

// The orderbook rows of the lines of a slice (row k: the line `k` lines after the slice's first), and
// whether each is usable (a malformed row is not: no resync after its message). Written by the reader.
const sliceRows = memory.data(ROW_VALUES * 8);
const sliceUsable = memory.data(MESSAGE_LINES);

// The top-N window (see MessageParser in the reader): the best `depth` levels of each side as the
// messages and the orderbook rows have shown them, bids best (highest) first, asks best (lowest) first,
// with room for one level more (pushed past the depth, it falls off).
let windowed = false;
let depth: i32 = 0;
const bidPx = memory.data((MAX_LEVELS + 1) * 8);
const bidSz = memory.data((MAX_LEVELS + 1) * 8);
const askPx = memory.data((MAX_LEVELS + 1) * 8);
const askSz = memory.data((MAX_LEVELS + 1) * 8);
let bidN: i32 = 0;
let askN: i32 = 0;
let bidShrank = false;
let askShrank = false;
let restateBids = false;
let restateAsks = false;
/** The time of the last message handled (repaired, if it went back): a time before it stops `handleLines`. */
let prevTs: f64 = -Infinity;

// Counts for the integrity report: of the last `handleLines` call, and over the whole file.
let linesRead: u32 = 0;
let blankLines: u32 = 0;
let roundedTimes: u32 = 0;
let lastLine: f64 = 0;
let restatedMessages: f64 = 0;
let snapshots: f64 = 0;
let enteredWindow: f64 = 0;
let sizeResyncs: f64 = 0;
let leftUnseen: f64 = 0;
/** Why the last `handleLines` call stopped before a line (0: it did not), and where the line after it starts. */
let stop: u32 = 0;
let stopNext: u32 = 0;
export const STOP_RARE: u32 = 1;
export const STOP_NO_ROW: u32 = 2;

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
export function rowTs(): usize { return outTs; }
export function rowPrice(): usize { return outPrice; }
export function rowSize(): usize { return outSize; }
export function rowOrderId(): usize { return outOrderId; }
export function rowLine(): usize { return outLine; }
export function rowAction(): usize { return outAction; }
export function rowSide(): usize { return outSide; }
export function rowFlags(): usize { return outFlags; }
export function rowCount(): u32 { return rows; }
export function clearRows(): void { rows = 0; }
export function orderbookSlice(): usize { return sliceRows; }
export function orderbookSliceUsable(): usize { return sliceUsable; }
export function previousTime(): f64 { return prevTs; }
export function stopped(): u32 { return stop; }
export function stoppedNext(): u32 { return stopNext; }
export function linesReadCount(): u32 { return linesRead; }
export function blankLineCount(): u32 { return blankLines; }
export function roundedTimeCount(): u32 { return roundedTimes; }
export function lastLineRead(): f64 { return lastLine; }
export function restatedMessageCount(): f64 { return restatedMessages; }
export function snapshotCount(): f64 { return snapshots; }
export function enteredWindowCount(): f64 { return enteredWindow; }
export function sizeResyncCount(): f64 { return sizeResyncs; }
export function leftUnseenCount(): f64 { return leftUnseen; }

/** The event model's action, flag and status codes (src/core/event.ts), before any message. */
export function configure(add: u8, cancel: u8, del: u8, fill: u8, trade: u8, status: u8, levelSet: u8, snapshotBegin: u8, snapshotEnd: u8, last: u8, snapshot: u8, repaired: u8, hidden: u8, halted: f64, quoting: f64, trading: f64): void {
  ADD = add;
  CANCEL = cancel;
  DELETE = del;
  FILL = fill;
  TRADE = trade;
  STATUS = status;
  LEVEL_SET = levelSet;
  SNAPSHOT_BEGIN = snapshotBegin;
  SNAPSHOT_END = snapshotEnd;
  LAST = last;
  SNAPSHOT = snapshot;
  REPAIRED = repaired;
  HIDDEN = hidden;
  HALTED = halted;
  QUOTING = quoting;
  TRADING = trading;
}

/** Follows a window of the top `levels` levels from the orderbook rows the reader gives each slice. */
export function followWindow(levels: i32): void {
  windowed = true;
  depth = levels;
}

/** Lines a `handleLines` call may read at most, for the orderbook rows and the event rows of a slice to fit. */
export function sliceLines(): u32 {
  const width = <u32>max(1, 4 * depth);
  return min(MESSAGE_LINES, min(ROW_VALUES / width, OUT_ROWS / (2 * <u32>depth + 6)));
}

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
 * starts. Line ends as reader.ts takes them: `\n`, `\r\n`, or the end of the input. (The line parse
 * alone, as `handleLines` does it: tests check it against a reference.)
 */
export function parseMessages(input: usize, pos: u32, end: u32, maxLines: u32): u32 {
  let n: u32 = 0;
  while (pos < end && n < maxLines) pos = parseLine(input, pos, end, n++);
  resume = pos;
  return n;
}

/**
 * Parses the message line at `input + pos` into line `n` of the message columns (its status, start, stop
 * and fields); returns where the next line starts.
 */
// @inline: called once a line from each loop, it keeps the line's state in registers.
@inline function parseLine(input: usize, pos: u32, end: u32, n: u32): u32 {
  const lineStart = pos;
  let p = input + pos;
  let c = <u32>load<u8>(p);
  const k4 = (<usize>n) << 2;
  const k8 = (<usize>n) << 3;
  store<u32>(starts + k4, lineStart);
  if (c == 10 || (c == 13 && (load<u8>(p + 1) == 10 || pos + 1 == end))) {
    store<u32>(status + k4, BLANK);
    return c == 10 ? pos + 1 : min(end, pos + 2);
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
  let next: u32;
  if (ok && c == 10) next = at + 1;
  else if (ok && c == 13 && load<u8>(p + 1) == 10) next = at + 2;
  else if (ok && at == end) next = end;
  else {
    const stopAt = lineEnd(input, lineStart, end);
    store<u32>(stops + k4, stopAt > lineStart && load<u8>(input + stopAt - 1) == 13 ? stopAt - 1 : stopAt);
    store<u32>(status + k4, MALFORMED + field + rounded);
    return stopAt + 1;
  }
  store<u32>(stops + k4, at);
  store<u32>(status + k4, PARSED + rounded);
  return next;
}

/** Field `f` of line `n` of the message columns. */
@inline function fieldOf(f: u32, n: u32): f64 {
  return load<f64>(fields + (((<usize>f) * MESSAGE_LINES + n) << 3));
}

/**
 * Reads the message lines of `input[pos, end)`, at most `maxLines` (at most `sliceLines()`), the first of
 * them line `firstLine` of the file, into event rows (see `handleMessage`); `ordersRows` of them have
 * their orderbook row in the slice's rows (when the window is followed). Stops after the message that
 * brings the rows written to `roomRows`, or before a line it leaves to the reader (`stopped()`: STOP_RARE,
 * or STOP_NO_ROW for a message with no orderbook row loaded; `stoppedNext()` is where the line after it
 * starts). Returns the lines read, the stopped one not counted; `resumeAt()` is where the next starts.
 */
export function handleLines(input: usize, pos: u32, end: u32, maxLines: u32, firstLine: f64, orderbookRows: u32, roomRows: u32): u32 {
  let n: u32 = 0;
  linesRead = 0;
  blankLines = 0;
  roundedTimes = 0;
  stop = 0;
  while (pos < end && n < maxLines) {
    const next = parseLine(input, pos, end, n);
    const lineStatus = load<u32>(status + ((<usize>n) << 2));
    if (lineStatus == BLANK) {
      // Blank lines carry no message; they are counted, so every line is accounted for.
      blankLines++;
      pos = next;
      n++;
      continue;
    }
    if (windowed && n >= orderbookRows) {
      stop = STOP_NO_ROW;
      stopNext = next;
      break;
    }
    const ts = fieldOf(0, n);
    const type = fieldOf(1, n);
    const size = fieldOf(3, n);
    const price = fieldOf(4, n);
    const direction = fieldOf(5, n);
    const halt = price == -1 || price == 0 || price == 1;
    if ((lineStatus & ~ROUNDED) != PARSED || (direction != 1 && direction != -1) || ts < prevTs || (type == 7 ? !halt : type < 1 || type > 6 || size <= 0 || price <= 0)) {
      stop = STOP_RARE;
      stopNext = next;
      break;
    }
    linesRead++;
    if (lineStatus & ROUNDED) roundedTimes++;
    lastLine = firstLine + <f64>n;
    message(ts, <i32>type, fieldOf(2, n), size, price, <i32>direction, 0, lastLine, n, true);
    pos = next;
    n++;
    if (rows >= roomRows) break;
  }
  resume = pos;
  return n;
}

/**
 * The event rows of one message of line `line` (row `row` of the slice's orderbook rows), its time `ts`
 * (the time to keep: repaired, if it went back), with `flags` on its rows; with `resync`, the window
 * compares itself with the orderbook row and restates the sides that differ. The reader calls it for the
 * lines `handleLines` stopped before and its policy keeps. Returns the rows of the message itself (its
 * restatements not counted).
 */
export function handleMessage(ts: f64, type: i32, orderId: f64, size: f64, price: f64, direction: i32, flags: u8, line: f64, row: u32, resync: bool): u32 {
  return message(ts, type, orderId, size, price, direction, flags, line, row, resync);
}

// @inline: `handleLines` calls it for every message (and the reader, through `handleMessage`, for few).
@inline function message(ts: f64, type: i32, orderId: f64, size: f64, price: f64, direction: i32, flags: u8, line: f64, row: u32, resync: bool): u32 {
  prevTs = ts;
  const first = rows;
  // Types 1-6 push their row after the switch (an execution pushes the tape's trade before it); a status
  // row is pushed in its case. `delta`: the shares the message adds to its level (negative: removes).
  let action = TRADE;
  let side = <i8>direction;
  let rowFlags = flags;
  let delta: f64 = 0;
  switch (type) {
    case 1:
      action = ADD;
      delta = size;
      break;
    case 2:
      action = CANCEL;
      delta = -size;
      break;
    case 3:
      action = DELETE;
      delta = -size;
      break;
    case 4:
      // The tape sees a trade by the opposite side; the book sees the resting order filled.
      push(ts, TRADE, <i8>-direction, price, size, orderId, line, flags);
      action = FILL;
      delta = -size;
      break;
    case 5:
      side = <i8>-direction;
      rowFlags = flags | HIDDEN;
      break;
    case 6:
      // Cross trade (opening/closing auction): no aggressor.
      side = 0;
      break;
    default: {
      const code = price == -1 ? HALTED : price == 0 ? QUOTING : price == 1 ? TRADING : 0;
      push(ts, STATUS, 0, 0, code, 0, line, flags);
      if (code == 0) {
        // An unknown halt code (the reader reports it): no resync.
        endUpdate();
        return 1;
      }
    }
  }
  if (type != 7) push(ts, action, side, price, size, orderId, line, rowFlags);
  const own = rows - first;
  if (delta != 0 && windowed) apply(direction, price, delta);
  if (resync && windowed && load<u8>(sliceUsable + row) != 0) {
    const values = sliceRows + (((<usize>row) * <usize>(4 * depth)) << 3);
    if (reconcile(values)) restatedMessages++;
    if (restateAsks) restate(ts, line, -1, values);
    if (restateBids) restate(ts, line, 1, values + 16);
  }
  endUpdate();
  return own;
}

@inline function push(ts: f64, action: u8, side: i8, price: f64, size: f64, orderId: f64, line: f64, flags: u8): void {
  const k = <usize>rows;
  rows++;
  store<f64>(outTs + (k << 3), ts);
  store<f64>(outPrice + (k << 3), price);
  store<f64>(outSize + (k << 3), size);
  store<f64>(outOrderId + (k << 3), orderId);
  store<f64>(outLine + (k << 3), line);
  store<u8>(outAction + k, action);
  store<i8>(outSide + k, side);
  store<u8>(outFlags + k, flags);
}

/** Marks the last row written as the last of its atomic update. */
@inline function endUpdate(): void {
  if (rows > 0) store<u8>(outFlags + rows - 1, load<u8>(outFlags + rows - 1) | LAST);
}

/** Restates one side of the window from its orderbook row (`values`: the side's first price) as a depth-N snapshot. */
function restate(ts: f64, line: f64, side: i8, values: usize): void {
  const flags = SNAPSHOT | REPAIRED;
  push(ts, SNAPSHOT_BEGIN, side, 0, <f64>depth, 0, line, flags);
  const levels = shown(values);
  for (let k = 0; k < levels; k++) push(ts, LEVEL_SET, side, levelPrice(values, k), levelSize(values, k), 0, line, flags);
  push(ts, SNAPSHOT_END, side, 0, 0, 0, line, flags);
  snapshots++;
}

// The window. An orderbook row holds, per level, ask price, ask size, bid price, bid size; a side's
// `values` point at its first price, its level k's price and size 4k and 4k + 1 values on.

@inline function levelPrice(values: usize, k: i32): f64 {
  return load<f64>(values + ((<usize>k) << 5));
}
@inline function levelSize(values: usize, k: i32): f64 {
  return load<f64>(values + ((<usize>k) << 5) + 8);
}
@inline function valueAt(levels: usize, k: i32): f64 {
  return load<f64>(levels + ((<usize>k) << 3));
}
@inline function setValue(levels: usize, k: i32, value: f64): void {
  store<f64>(levels + ((<usize>k) << 3), value);
}

/** Applies a message's effect on a level: `delta` shares at `price` on `side` (1 bid, -1 ask). */
@inline function apply(side: i32, price: f64, delta: f64): void {
  if (side == 1) {
    const n = applyLevel(bidPx, bidSz, bidN, price, delta, true);
    if (n < bidN) bidShrank = true;
    bidN = n;
  } else {
    const n = applyLevel(askPx, askSz, askN, price, delta, false);
    if (n < askN) askShrank = true;
    askN = n;
  }
}

/** One side's levels after `delta` shares at `price`: returns its new count. */
function applyLevel(px: usize, sz: usize, n: i32, price: f64, delta: f64, bid: bool): i32 {
  let j = 0;
  while (j < n && (bid ? valueAt(px, j) > price : valueAt(px, j) < price)) j++;
  if (j < n && valueAt(px, j) == price) {
    const size = valueAt(sz, j) + delta;
    setValue(sz, j, size);
    if (size > 0) return n;
    for (let k = j + 1; k < n; k++) {
      setValue(px, k - 1, valueAt(px, k));
      setValue(sz, k - 1, valueAt(sz, k));
    }
    return n - 1;
  }
  if (delta <= 0 || j >= depth) return n;
  // Room for depth + 1 levels: a level pushed past the depth falls off.
  for (let k = n; k > j; k--) {
    setValue(px, k, valueAt(px, k - 1));
    setValue(sz, k, valueAt(sz, k - 1));
  }
  setValue(px, j, price);
  setValue(sz, j, delta);
  return n < depth ? n + 1 : depth;
}

/**
 * Compares the window with an orderbook row, sets `restateBids`/`restateAsks`, and adopts the row.
 * Returns true when the row showed something the messages did not explain.
 */
@inline function reconcile(values: usize): bool {
  // A side the row shows as the window holds it needs nothing more (the usual case): nothing to adopt.
  const askDiffers = !matches(values, askPx, askSz, askN) && differs(values, askPx, askSz, askN, false);
  const bidDiffers = !matches(values + 16, bidPx, bidSz, bidN) && differs(values + 16, bidPx, bidSz, bidN, true);
  restateAsks = askDiffers || (askShrank && askN < depth);
  restateBids = bidDiffers || (bidShrank && bidN < depth);
  if (askDiffers) askN = adopt(values, askPx, askSz);
  if (bidDiffers) bidN = adopt(values + 16, bidPx, bidSz);
  askShrank = false;
  bidShrank = false;
  return askDiffers || bidDiffers;
}

/** Levels one side of the row shows: those before the first of size zero, at most `depth`. */
function shown(values: usize): i32 {
  let n = 0;
  while (n < depth && levelSize(values, n) > 0) n++;
  return n;
}

/** True when one side of the row shows exactly the window's `n` levels: the same prices and sizes, and nothing after them. */
@inline function matches(values: usize, px: usize, sz: usize, n: i32): bool {
  for (let k = 0; k < n; k++) if (valueAt(px, k) != levelPrice(values, k) || valueAt(sz, k) != levelSize(values, k) || !(valueAt(sz, k) > 0)) return false;
  return n == depth || !(levelSize(values, n) > 0);
}

/** Whether the side differs from the row; if so, counts each difference by kind for the report (rare path). */
function differs(values: usize, px: usize, sz: usize, n: i32, bid: bool): bool {
  const levels = shown(values);
  let different = levels != n;
  for (let k = 0; !different && k < n; k++) different = valueAt(px, k) != levelPrice(values, k) || valueAt(sz, k) != levelSize(values, k);
  if (!different) return false;
  for (let k = 0; k < levels; k++) {
    const price = levelPrice(values, k);
    let j = 0;
    while (j < n && valueAt(px, j) != price) j++;
    if (j == n) enteredWindow++;
    else if (valueAt(sz, j) != levelSize(values, k)) sizeResyncs++;
  }
  const worst = levels == depth ? levelPrice(values, levels - 1) : NaN;
  for (let j = 0; j < n; j++) {
    if (levels == depth && (bid ? valueAt(px, j) < worst : valueAt(px, j) > worst)) break;
    let k = 0;
    while (k < levels && levelPrice(values, k) != valueAt(px, j)) k++;
    if (k == levels) leftUnseen++;
  }
  return true;
}

/** Takes one side of the row into the window; returns its level count. */
function adopt(values: usize, px: usize, sz: usize): i32 {
  const levels = shown(values);
  for (let k = 0; k < levels; k++) {
    setValue(px, k, levelPrice(values, k));
    setValue(sz, k, levelSize(values, k));
  }
  return levels;
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
