import { FlowmineError } from '../../core/errors.js';
import type { LineChunk } from '../lines.js';
import { wasmInstance, type WasmMemory } from '../wasm-module.js';

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
}

/** A parsed line's status (wasm/lobster.ts): PARSED, BLANK, or MALFORMED + the field where parsing stopped; ROUNDED is added when a time lost digits past the ninth decimal. */
export const LineStatus = { Parsed: 0, Blank: 1, Malformed: 16, Rounded: 256 } as const;

/**
 * Parses LOBSTER text in WebAssembly (wasm/lobster.ts): a chunk of lines is copied into the module's
 * memory (`load`), then read a slice of lines at a time into columns that this class shows as typed
 * arrays. Each file being read has its own parser (an instance, with a memory of its own).
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
  private readonly wasm: LobsterExports;
  private readonly input: number;
  private bytes!: Uint8Array;
  private loaded: LineChunk | null = null;

  constructor() {
    const wasm = wasmInstance<LobsterExports>('lobster');
    this.wasm = wasm;
    this.messageLines = wasm.MESSAGE_LINES.value;
    this.maxRowValues = wasm.ROW_VALUES.value;
    if (wasm.PARSED.value !== LineStatus.Parsed || wasm.BLANK.value !== LineStatus.Blank || wasm.MALFORMED.value !== LineStatus.Malformed || wasm.ROUNDED.value !== LineStatus.Rounded) {
      throw new FlowmineError('dist/src/io/wasm/lobster.wasm does not match this build: run `npm run build`');
    }
    this.input = (wasm.heapBase() + 15) & ~15;
    this.view();
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
  }
}
