import type { RowColumns } from '../../core/batch.js';
import { FlowmineError } from '../../core/errors.js';
import { Action, Flag, Status } from '../../core/event.js';
import type { LineChunk } from '../lines.js';
import { wasmInstance, type WasmMemory } from '../../core/wasm-module.js';

interface Global {
  readonly value: number;
}

/** wasm/lobster.ts, as its instance exports it. */
interface LobsterExports {
  readonly memory: WasmMemory;
  readonly MESSAGE_LINES: Global;
  readonly ROW_VALUES: Global;
  readonly PARSED: Global;
  readonly BLANK: Global;
  readonly MALFORMED: Global;
  readonly ROUNDED: Global;
  heapBase(): number;
  messageFields(): number;
  messageStatus(): number;
  messageStarts(): number;
  messageStops(): number;
  orderbookValues(): number;
  orderbookStatus(): number;
  orderbookStarts(): number;
  resumeAt(): number;
  malformedRows(): number;
  parseMessages(input: number, pos: number, end: number, maxLines: number): number;
  parseRows(input: number, pos: number, end: number, width: number): number;
  readonly OUT_ROWS: Global;
  readonly STOP_RARE: Global;
  readonly STOP_NO_ROW: Global;
  rowTs(): number;
  rowPrice(): number;
  rowSize(): number;
  rowOrderId(): number;
  rowLine(): number;
  rowAction(): number;
  rowSide(): number;
  rowFlags(): number;
  rowCount(): number;
  clearRows(): void;
  orderbookSlice(): number;
  orderbookSliceUsable(): number;
  previousTime(): number;
  stopped(): number;
  stoppedNext(): number;
  linesReadCount(): number;
  blankLineCount(): number;
  roundedTimeCount(): number;
  lastLineRead(): number;
  restatedMessageCount(): number;
  snapshotCount(): number;
  enteredWindowCount(): number;
  sizeResyncCount(): number;
  leftUnseenCount(): number;
  configure(...codes: number[]): void;
  followWindow(levels: number): void;
  sliceLines(): number;
  handleLines(input: number, pos: number, end: number, maxLines: number, firstLine: number, orderbookRows: number, roomRows: number): number;
  handleMessage(ts: number, type: number, orderId: number, size: number, price: number, direction: number, flags: number, line: number, row: number, resync: number): number;
}

/** A parsed line's status (wasm/lobster.ts): PARSED, BLANK, or MALFORMED + the field where parsing stopped; ROUNDED is added when a time lost digits past the ninth decimal. */
export const LineStatus = { Parsed: 0, Blank: 1, Malformed: 16, Rounded: 256 } as const;

/** Why `handle` stopped before a line: it did not (None), the line is the reader's to judge (Rare), or its orderbook row is not loaded (NoRow). */
export const Stop = { None: 0, Rare: 1, NoRow: 2 } as const;

/**
 * Reads LOBSTER text in WebAssembly (wasm/lobster.ts): a chunk of lines is copied into the module's
 * memory (`load`), then read a slice of lines at a time into columns that this class shows as typed
 * arrays: orderbook rows into values (`rows`), message lines into event rows (`handle`, with the top-N
 * window the reader follows). Each file being read has its own parser (an instance, with a memory of its own).
 */
export class LineParser {
  /** Lines a `messages` call reads at most; field f of line k is `fields[f * messageLines + k]`. */
  readonly messageLines: number;
  fields!: Float64Array;
  status!: Uint32Array;
  starts!: Uint32Array;
  stops!: Uint32Array;
  /** Values of the rows a `rows` call read, `width` a row (at most `maxRowValues`); a status and start offset a row. */
  readonly maxRowValues: number;
  rowValues!: Float64Array;
  rowStatus!: Uint32Array;
  rowStarts!: Uint32Array;
  /** The event rows `handle` and `handleMessage` wrote (views of the module's memory), until `clearRows`. */
  out!: RowColumns;
  /** The orderbook rows of the slice `handle` reads next, `4 * levels` values a row, and whether each is usable (1) or not (0). */
  sliceRows!: Float64Array;
  sliceUsable!: Uint8Array;
  private readonly wasm: LobsterExports;
  private readonly input: number;
  private bytes!: Uint8Array;
  private loaded: LineChunk | null = null;

  constructor() {
    const wasm = wasmInstance<LobsterExports>('lobster');
    this.wasm = wasm;
    this.messageLines = wasm.MESSAGE_LINES.value;
    this.maxRowValues = wasm.ROW_VALUES.value;
    if (
      wasm.PARSED.value !== LineStatus.Parsed ||
      wasm.BLANK.value !== LineStatus.Blank ||
      wasm.MALFORMED.value !== LineStatus.Malformed ||
      wasm.ROUNDED.value !== LineStatus.Rounded ||
      wasm.STOP_RARE?.value !== Stop.Rare ||
      wasm.STOP_NO_ROW?.value !== Stop.NoRow
    ) {
      throw new FlowmineError('dist/src/wasm/lobster.wasm does not match this build: run `npm run build`');
    }
    wasm.configure(
      Action.Add,
      Action.Cancel,
      Action.Delete,
      Action.Fill,
      Action.Trade,
      Action.Status,
      Action.LevelSet,
      Action.SnapshotBegin,
      Action.SnapshotEnd,
      Flag.Last,
      Flag.Snapshot,
      Flag.Repaired,
      Flag.Hidden,
      Status.Halted,
      Status.Quoting,
      Status.Trading,
    );
    this.input = (wasm.heapBase() + 15) & ~15;
    this.view();
  }

  /** Follows the top `levels` levels of each side from the orderbook rows given with each slice (`sliceRows`). */
  followWindow(levels: number): void {
    this.wasm.followWindow(levels);
  }

  /** Lines a `handle` call reads at most: as many as the slice's orderbook rows and event rows have room for. */
  get sliceLines(): number {
    return this.wasm.sliceLines();
  }

  /**
   * Reads the loaded chunk's message lines from `pos` (at most `maxLines`; the first is line `firstLine`
   * of the file, and the first `orderbookRows` have their row in `sliceRows`) into event rows, until the
   * rows reach `roomRows` or a line is left to the reader (`stopped`). Returns the lines read.
   */
  handle(pos: number, end: number, maxLines: number, firstLine: number, orderbookRows: number, roomRows: number): number {
    return this.wasm.handleLines(this.input, pos, end, maxLines, firstLine, orderbookRows, roomRows);
  }

  /**
   * Writes the event rows of a message `handle` stopped before and the reader keeps (its time as kept, its
   * flags); returns the rows of the message itself, its window's restatements not counted. See wasm/lobster.ts.
   */
  handleMessage(ts: number, type: number, orderId: number, size: number, price: number, direction: number, flags: number, line: number, row: number, resync: boolean): number {
    return this.wasm.handleMessage(ts, type, orderId, size, price, direction, flags, line, row, resync ? 1 : 0);
  }

  /** The time of the last message handled (as kept: a time before it goes back). */
  get previousTime(): number {
    return this.wasm.previousTime();
  }

  /** Why the last `handle` stopped before a line (Stop), and where the line after that one starts. */
  get stopped(): number {
    return this.wasm.stopped();
  }
  get stoppedNext(): number {
    return this.wasm.stoppedNext();
  }

  /** Event rows written since `clearRows`. */
  get rowCount(): number {
    return this.wasm.rowCount();
  }
  clearRows(): void {
    this.wasm.clearRows();
  }

  /** Of the last `handle` call: message lines read, blank lines, and times rounded to the nanosecond. */
  get linesRead(): number {
    return this.wasm.linesReadCount();
  }
  get blankLines(): number {
    return this.wasm.blankLineCount();
  }
  get roundedTimes(): number {
    return this.wasm.roundedTimeCount();
  }
  /** The last message line `handle` read. */
  get lastLine(): number {
    return this.wasm.lastLineRead();
  }

  /** The window's counts over the whole file: messages restated, snapshots, and the differences by kind. */
  windowCounts(): { restatedMessages: number; snapshots: number; enteredWindow: number; sizeResyncs: number; leftUnseen: number } {
    const wasm = this.wasm;
    return {
      restatedMessages: wasm.restatedMessageCount(),
      snapshots: wasm.snapshotCount(),
      enteredWindow: wasm.enteredWindowCount(),
      sizeResyncs: wasm.sizeResyncCount(),
      leftUnseen: wasm.leftUnseenCount(),
    };
  }

  /** Copies `chunk`'s lines into the module's memory, unless they are there already, followed by a 0 that ends every number. */
  load(chunk: LineChunk): void {
    if (chunk === this.loaded) return;
    const needed = this.input + chunk.end + 1;
    const memory = this.wasm.memory;
    if (needed > memory.buffer.byteLength) {
      // A line longer than a read chunk: the memory grows (and its views are made again), rarely.
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
      this.view();
    }
    this.bytes.set(chunk.bytes.subarray(0, chunk.end), this.input);
    this.bytes[this.input + chunk.end] = 0;
    this.loaded = chunk;
  }

  /** Parses the loaded chunk's message lines from `pos` (at most `maxLines`, at most `messageLines`): returns how many were read. */
  messages(pos: number, end: number, maxLines: number): number {
    return this.wasm.parseMessages(this.input, pos, end, Math.min(maxLines, this.messageLines));
  }

  /** Parses the loaded chunk's orderbook rows of `width` values from `pos`: returns how many were read. */
  rows(pos: number, end: number, width: number): number {
    return this.wasm.parseRows(this.input, pos, end, width);
  }

  /** Where the last call stopped: the offset of the next line to read. */
  get resume(): number {
    return this.wasm.resumeAt();
  }

  /** Malformed rows the last `rows` call read. */
  get malformedRows(): number {
    return this.wasm.malformedRows();
  }

  private view(): void {
    const wasm = this.wasm;
    const buffer = wasm.memory.buffer;
    const lines = this.messageLines;
    const rowValues = this.maxRowValues;
    this.bytes = new Uint8Array(buffer);
    this.fields = new Float64Array(buffer, wasm.messageFields(), 6 * lines);
    this.status = new Uint32Array(buffer, wasm.messageStatus(), lines);
    this.starts = new Uint32Array(buffer, wasm.messageStarts(), lines);
    this.stops = new Uint32Array(buffer, wasm.messageStops(), lines);
    this.rowValues = new Float64Array(buffer, wasm.orderbookValues(), rowValues);
    this.rowStatus = new Uint32Array(buffer, wasm.orderbookStatus(), rowValues);
    this.rowStarts = new Uint32Array(buffer, wasm.orderbookStarts(), rowValues);
    const outRows = wasm.OUT_ROWS.value;
    this.out = {
      ts: new Float64Array(buffer, wasm.rowTs(), outRows),
      action: new Uint8Array(buffer, wasm.rowAction(), outRows),
      side: new Int8Array(buffer, wasm.rowSide(), outRows),
      price: new Float64Array(buffer, wasm.rowPrice(), outRows),
      size: new Float64Array(buffer, wasm.rowSize(), outRows),
      orderId: new Float64Array(buffer, wasm.rowOrderId(), outRows),
      line: new Float64Array(buffer, wasm.rowLine(), outRows),
      flags: new Uint8Array(buffer, wasm.rowFlags(), outRows),
    };
    this.sliceRows = new Float64Array(buffer, wasm.orderbookSlice(), rowValues);
    this.sliceUsable = new Uint8Array(buffer, wasm.orderbookSliceUsable(), lines);
  }
}
