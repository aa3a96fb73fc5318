import { closeSync } from 'node:fs';
import type { MessagePort, Worker } from 'node:worker_threads';
import { lazyModule } from '../core/lazy-module.js';
import type { ColumnSpec, TableWriter } from '../core/table.js';
import { CsvRows } from './table/csv-rows.js';
import { BLOCKS, CONSUMED, CONTROL_WORDS, DECIMAL, DONE, EPOCH, FAILED, FLOAT, IDLE, INT, PUBLISHED, READY, ringSlots, SIGNAL, tapeLayout, TapeReader, TEXT, type TapeLayout } from './table/row-tape.js';
import { textWriter, type CsvWriter, type JsonlWriter } from './table/text-writers.js';
import { startWorker } from './worker-thread.js';

const workerThreads = lazyModule<typeof import('node:worker_threads')>('node:worker_threads');

/** What the writer thread is started with. */
export interface WriterThreadData {
  path: string;
  fd: number;
  format: 'csv' | 'jsonl';
  columns: readonly ColumnSpec[];
  cells: SharedArrayBuffer;
  control: SharedArrayBuffer;
  blockRows: SharedArrayBuffer;
  blockStrings: SharedArrayBuffer;
  strings: MessagePort;
}

/** How the writer thread reports the error it stopped on. */
export interface WriterThreadError {
  message: string;
  code?: string;
  path?: string;
}

const KIND_NAMES = ['int', 'float', 'decimal', 'epoch_ns', 'text'];

/** Buffers (of at least 1 MiB) the plain writer writes out before the worker is started. */
const START_AFTER_FLUSHES = 4;
/** How long this thread waits for room on the ring before it asks whether the worker ever started. */
const START_TIMEOUT_MS = 10_000;

/**
 * A CSV or JSONL table writer that formats in a second thread: this thread only lays each row's values
 * on a shared tape (row-tape.ts), and a worker turns them into text and writes the file, so that on two
 * cores computing rows and formatting them overlap. The bytes are those the writer alone would write.
 *
 * Rows are first written here by the plain writer, which also writes the header (the rows of a CSV table
 * of int, decimal and epoch-ns columns laid on the tape and formatted in WebAssembly a block at a time, as
 * the worker would: csv-rows.ts). Once it has written
 * START_AFTER_FLUSHES buffers (4 MiB) the worker is started; it takes 70–100 ms to be ready, and then
 * this thread writes out its buffer and the worker continues the file on the same descriptor. A short
 * output never starts a worker (its start-up would compete with the work: 16% slower on the Binance
 * capture's 1.7 MB of best bid/offer), nor waits for one.
 *
 * A caller that knows the output will be large (`fromFirstRow`: a row per update of a large input)
 * starts the worker at once and lays every row on the tape, the first ones waiting there while the
 * worker starts: this thread then formats nothing, and compiles none of the formatting code the worker
 * compiles again (replay of AMZN ×60 to best bid/offer: 1.74 s → 1.65 s; features of ×18: 1.40 s →
 * 1.30 s). Errors of the writer thread (a full disk) are thrown here, by the next row's block or by
 * `close`, which must be called.
 */
export class ThreadedWriter implements TableWriter {
  rows = 0;
  /** The writer of this thread, until the worker takes over. */
  private direct: CsvWriter | JsonlWriter | null;
  /**
   * `direct` while it takes the cells one by one; null once the worker takes them, and while this thread
   * lays them on the tape to format a block of rows at a time itself (`local`).
   */
  private plain: CsvWriter | JsonlWriter | null;
  /**
   * Until the worker takes over, for a CSV table of int, decimal and epoch-ns columns: this thread's
   * reader of the tape, which formats its rows in WebAssembly (csv-rows.ts) a block at a time.
   */
  private local: TapeReader | null;
  /** The descriptor both threads write to (opened by the plain writer of this thread). */
  private readonly fd: number;
  /** The table's format, for the worker. */
  private readonly format: 'csv' | 'jsonl';
  /** The worker once it is started (`start`), its end, and the port the block's texts are sent to it by. */
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private port: MessagePort | null = null;
  private readonly layout: TapeLayout;
  /** The layout's kinds and slots, one load away. */
  private readonly kinds: Uint8Array;
  private readonly slots: Int32Array;
  /** The tape: where `cellSlots` and `rowSlots` point. */
  readonly cells: Float64Array;
  /** See `TableWriter.cellSlot`; and the first slots of the row's epoch cells (their bases), which `rowSlots` fills. */
  readonly cellSlot: Int32Array;
  private readonly epochSlots: Int32Array;
  /** See `TableWriter.rowsSlots`: the rows the last call took (`endRow` ends one), and the slots a row takes. */
  rowsTaken = 1;
  readonly rowStride: number;
  private readonly hasText: boolean;
  private readonly control: Int32Array;
  private readonly blockRows: Int32Array;
  private readonly blockStrings: Int32Array;
  /** Number of the block being filled, its rows so far, where the current row starts, and the next cell's column. */
  private block = 0;
  private row = 0;
  private rowAt = 0;
  private column = 0;
  /** Texts of the block being filled, and per column the index of the text its last cell named (-1: none in this block). */
  private strings: string[] = [];
  private readonly lastText: (string | null)[];
  private readonly lastTextId: Int32Array;
  private lastBase = 0n;
  private lastBaseId = -1;
  /** An offset passed to `epochNs`, read by `epochNsAt`. */
  private readonly single = new Float64Array(1);
  /** The error the worker stopped on, once received. */
  private failure: WriterThreadError | undefined;

  /** Whether a worker may be started: without one, this is a one-thread writer that formats as above. */
  private readonly workerAllowed: boolean;

  /**
   * Opens `path` (`-`: standard output) for a table in `format`; with `fromFirstRow` every row goes to the
   * worker; with `worker: false` no worker is started (`--threads 1`), and a CSV table of int, decimal and
   * epoch-ns columns is still formatted in WebAssembly, here.
   */
  constructor(
    readonly path: string,
    readonly columns: readonly ColumnSpec[],
    format: 'csv' | 'jsonl',
    options: { fromFirstRow?: boolean; worker?: boolean } = {},
  ) {
    this.workerAllowed = options.worker !== false;
    this.direct = textWriter(format, path, columns);
    this.layout = tapeLayout(columns);
    const formatter = CsvRows.for(columns, this.direct);
    this.local = formatter === null ? null : new TapeReader(this.layout, this.direct, formatter);
    this.plain = this.local === null ? this.direct : null;
    this.kinds = this.layout.kinds;
    this.slots = this.layout.slots;
    this.cellSlot = this.slots.map((slot, column) => (this.kinds[column] === EPOCH ? slot + 1 : slot));
    this.epochSlots = this.slots.filter((_, column) => this.kinds[column] === EPOCH);
    this.rowStride = this.layout.stride;
    this.hasText = this.kinds.includes(TEXT);
    // Without a worker only the first block is ever filled (and formatted here).
    const cells = new SharedArrayBuffer(8 * (this.workerAllowed ? ringSlots(this.layout) : this.layout.blockRows * this.layout.stride));
    const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
    const blockRows = new SharedArrayBuffer(4 * BLOCKS);
    const blockStrings = new SharedArrayBuffer(4 * BLOCKS);
    this.cells = new Float64Array(cells);
    this.control = new Int32Array(control);
    this.blockRows = new Int32Array(blockRows);
    this.blockStrings = new Int32Array(blockStrings);
    this.lastText = columns.map(() => null);
    this.lastTextId = new Int32Array(columns.length).fill(-1);
    this.fd = this.direct.fd;
    this.format = format;
    if (options.fromFirstRow && this.workerAllowed) {
      this.start();
      this.handOver(this.direct);
    }
  }

  int(value: number): void {
    if (this.plain !== null) this.plain.int(value);
    else this.cells[this.next(INT)] = value;
  }

  intAt(values: Float64Array, at: number): void {
    if (this.plain !== null) this.plain.intAt(values, at);
    else this.cells[this.next(INT)] = values[at]!;
  }

  float(value: number): void {
    if (this.plain !== null) this.plain.float(value);
    else this.cells[this.next(FLOAT)] = value;
  }

  /** `float` for each of `values` in turn. */
  floats(values: Float64Array): void {
    const at = this.cellSlots('float', values.length);
    if (at < 0) return this.plain!.floats(values);
    // A loop, not `set`: for a row's few dozen values the call into the runtime costs more than the copy.
    const cells = this.cells;
    for (let i = 0; i < values.length; i++) cells[at + i] = values[i]!;
  }

  /** See `TableWriter.cellSlots`: -1 while this thread's writer takes the cells one by one. */
  cellSlots(type: 'float' | 'decimal', count: number): number {
    if (this.plain !== null) return -1;
    const column = this.column;
    if (column >= this.columns.length || this.kinds[column] !== (type === 'float' ? FLOAT : DECIMAL) || column + count > this.layout.runEnd[column]!) {
      throw new Error(`table ${this.path}: ${count} ${type} cells from column ${column + 1} do not fit its ${type} columns`);
    }
    this.column += count;
    return this.rowAt + this.slots[column]!;
  }

  /** See `TableWriter.rowSlots`: -1 while this thread's writer takes the cells one by one, or with text cells. */
  rowSlots(baseNs: bigint): number {
    return this.rowsSlots(baseNs, 1);
  }

  /** See `TableWriter.rowsSlots`: rows up to the end of the block being filled. */
  rowsSlots(baseNs: bigint, count: number): number {
    if (this.plain !== null || this.hasText) return -1;
    if (this.column !== 0) throw new Error(`table ${this.path}: a whole row taken after ${this.column} of its cells`);
    const at = this.rowAt;
    const rows = Math.min(count, this.layout.blockRows - this.row);
    const epochSlots = this.epochSlots;
    if (epochSlots.length > 0) {
      // `baseId`, its usual case inline (the call cost a row 60 instructions).
      const baseId = baseNs === this.lastBase && this.lastBaseId >= 0 ? this.lastBaseId : this.baseId(baseNs);
      const cells = this.cells;
      for (let row = at, end = at + rows * this.rowStride; row < end; row += this.rowStride) {
        for (let k = 0; k < epochSlots.length; k++) cells[row + epochSlots[k]!] = baseId;
      }
    }
    this.rowsTaken = rows;
    this.column = this.kinds.length;
    return at;
  }

  decimal(units: number, decimals: number): void {
    if (this.plain !== null) return this.plain.decimal(units, decimals);
    const slot = this.next(DECIMAL);
    this.cells[slot] = units;
    this.cells[slot + 1] = decimals;
  }

  epochNs(baseNs: bigint, offsetNs: number): void {
    if (this.plain !== null) return this.plain.epochNs(baseNs, offsetNs);
    this.single[0] = offsetNs;
    this.epochNsAt(baseNs, this.single, 0);
  }

  /** On the tape: the index of the base's text, then the offset. */
  epochNsAt(baseNs: bigint, offsets: Float64Array, at: number): void {
    if (this.plain !== null) return this.plain.epochNsAt(baseNs, offsets, at);
    const slot = this.next(EPOCH);
    const offsetNs = offsets[at]!;
    this.cells[slot] = Number.isNaN(offsetNs) ? NaN : this.baseId(baseNs);
    this.cells[slot + 1] = offsetNs;
  }

  /** The index of the base's text among the block's strings (sent with the block). */
  private baseId(baseNs: bigint): number {
    if (baseNs !== this.lastBase || this.lastBaseId < 0) {
      this.lastBase = baseNs;
      this.lastBaseId = this.strings.push(String(baseNs)) - 1;
    }
    return this.lastBaseId;
  }

  text(value: string): void {
    if (this.plain !== null) return this.plain.text(value);
    const column = this.column;
    const slot = this.next(TEXT);
    if (value !== this.lastText[column] || this.lastTextId[column]! < 0) {
      this.lastText[column] = value;
      this.lastTextId[column] = this.strings.push(value) - 1;
    }
    this.cells[slot] = this.lastTextId[column]!;
  }

  empty(): void {
    if (this.plain !== null) return this.plain.empty();
    this.cells[this.rowAt + this.slots[this.column++]!] = NaN;
  }

  endRow(): void {
    const plain = this.plain;
    if (plain !== null) {
      plain.endRow();
      this.rows++;
      this.written(plain);
      return;
    }
    if (this.column !== this.kinds.length) this.wrongRow();
    this.ended(1);
  }

  /** See `TableWriter.endRows`. */
  endRows(): void {
    if (this.column !== this.kinds.length) this.wrongRow();
    this.ended(this.rowsTaken);
  }

  /** After `rows` rows laid on the tape: a full block is formatted here or handed to the worker. */
  private ended(rows: number): void {
    this.rows += rows;
    this.column = 0;
    this.rowAt += rows * this.rowStride;
    this.row += rows;
    if (this.row === this.layout.blockRows) {
      if (this.local !== null) {
        this.formatHere();
        this.written(this.direct!);
      } else this.publish();
    }
  }

  /** After rows this thread wrote: starts the worker once `direct` has written START_AFTER_FLUSHES buffers, hands over once it is ready. */
  private written(direct: CsvWriter | JsonlWriter): void {
    if (this.worker === null) {
      if (this.workerAllowed && direct.flushes >= START_AFTER_FLUSHES) this.start();
    } else if (Atomics.load(this.control, READY) === 1) this.handOver(direct);
  }

  /** Formats the rows laid on the tape so far here (`local`), and starts the tape over. */
  private formatHere(): void {
    this.local!.read(this.cells, 0, this.row, this.strings);
    this.row = 0;
    this.rowAt = 0;
    this.strings = [];
    this.lastTextId.fill(-1);
    this.lastBaseId = -1;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    worker?.ref();
    const direct = this.direct;
    if (direct) {
      if (this.local !== null && this.row > 0) this.formatHere();
      await direct.close();
      await worker?.terminate();
      return;
    }
    if (this.row > 0) this.publish();
    Atomics.store(this.control, DONE, 1);
    this.wake(true);
    await this.exited;
    if (this.path !== '-') closeSync(this.fd);
    this.throwIfFailed();
  }

  /** The slot of the next cell, which must be of `kind`. Hot: small enough to be inlined, the errors apart. */
  private next(kind: number): number {
    const column = this.column++;
    if (this.kinds[column] !== kind) this.wrongCell(kind, column);
    return this.rowAt + this.slots[column]!;
  }

  private wrongCell(kind: number, column: number): never {
    throw new Error(`table ${this.path}: a ${KIND_NAMES[kind]} cell in column ${column + 1} (${this.columns[column]?.name ?? 'past the last'}, ${this.columns[column]?.type ?? 'none'})`);
  }

  private wrongRow(): never {
    throw new Error(`row has ${this.column} cells, table has ${this.columns.length} columns`);
  }

  /** Starts the worker (`node:worker_threads` is loaded here: a short output never needs it). */
  private start(): void {
    const channel = new (workerThreads().MessageChannel)();
    this.port = channel.port1;
    const shared = (view: Int32Array | Float64Array) => view.buffer as SharedArrayBuffer;
    const workerData: WriterThreadData = {
      path: this.path,
      fd: this.fd,
      format: this.format,
      columns: this.columns,
      cells: shared(this.cells),
      control: shared(this.control),
      blockRows: shared(this.blockRows),
      blockStrings: shared(this.blockStrings),
      strings: channel.port2,
    };
    const worker = startWorker('writer-entry.js', workerData, [channel.port2]);
    // A writer never closed (its run failed) leaves no thread holding the process; `close` holds it.
    worker.unref();
    worker.once('error', (error) => this.stopped(error));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    this.worker = worker;
  }

  /** The worker is ready (or, from the first row, started): what this thread buffered goes out, and rows go on the tape from now on. */
  private handOver(direct: CsvWriter | JsonlWriter): void {
    direct.flush();
    this.direct = this.plain = this.local = null;
  }

  /** Hands the block over and waits, if the ring is full, until the next one is free. */
  private publish(): void {
    const index = this.block % BLOCKS;
    this.blockRows[index] = this.row;
    this.blockStrings[index] = this.strings.length;
    if (this.strings.length > 0) {
      this.port!.postMessage(this.strings);
      this.strings = [];
      this.lastTextId.fill(-1);
      this.lastBaseId = -1;
    }
    this.block++;
    Atomics.store(this.control, PUBLISHED, this.block);
    this.wake(false);
    for (let consumed = Atomics.load(this.control, CONSUMED); this.block - consumed >= BLOCKS; consumed = Atomics.load(this.control, CONSUMED)) {
      // A worker that failed to load never says so while this thread waits here (its error is an event):
      // one that has not started after START_TIMEOUT_MS never will.
      if (Atomics.wait(this.control, CONSUMED, consumed, START_TIMEOUT_MS) === 'timed-out' && Atomics.load(this.control, READY) === 0) {
        throw new Error(`table ${this.path}: the writer thread did not start in ${START_TIMEOUT_MS / 1000} s`);
      }
    }
    this.throwIfFailed();
    this.row = 0;
    this.rowAt = (this.block % BLOCKS) * this.layout.blockRows * this.layout.stride;
  }

  /**
   * Wakes the writer thread: at the end (`always`), else if it is idle and half the ring waits for it. A
   * wake is a system call here and a reschedule there: woken for every block, a writer thread faster than
   * this one would cost it one per block. The ring full is more than half: this thread never waits on a
   * sleeping writer thread.
   */
  private wake(always: boolean): void {
    Atomics.add(this.control, SIGNAL, 1);
    if (always || (Atomics.load(this.control, IDLE) === 1 && this.block - Atomics.load(this.control, CONSUMED) >= BLOCKS / 2)) Atomics.notify(this.control, SIGNAL);
  }

  /**
   * The worker stopped on an error of its own (its entry could not run): rows fail as after a failed write.
   * Seen only once this thread turns to its event loop (`close`); a thread waiting for room on the ring
   * meanwhile gives up on a worker that never started (START_TIMEOUT_MS).
   */
  private stopped(error: Error): void {
    this.failure ??= { message: `${this.path}: the writer thread stopped: ${error.message}` };
    Atomics.store(this.control, FAILED, 1);
    Atomics.store(this.control, CONSUMED, 2 ** 30);
  }

  private throwIfFailed(): void {
    if (Atomics.load(this.control, FAILED) === 0) return;
    // The worker sends its error once; `close`, called after it was thrown, throws it again.
    this.failure ??= (this.port && workerThreads().receiveMessageOnPort(this.port)?.message as WriterThreadError | undefined) ?? { message: `writing ${this.path} failed` };
    const { message, code, path } = this.failure;
    throw Object.assign(new Error(message), { code, path });
  }
}
