/**
 * The selected parts of one ingested input read back in the input's own order: parts are merged by
 * `event_index` (a multi-instrument capture interleaves its instruments; a capture across midnight
 * continues in the next date's part), one row group at a time, and whole updates outside the time window
 * are dropped.
 */
import { FlowmineError } from '../core/errors.js';
import { columnList } from '../core/event-columns.js';
import { Flag } from '../core/event.js';
import type { PartBlock, PartReader } from './part-reader.js';
import { RowBuffer } from './row-buffer.js';

const DAY_NS = 86_400_000_000_000n;

/** Rows [from, to) of a decoded row group, all of one instrument (its index in the source's table). */
export interface Run {
  block: PartBlock;
  from: number;
  to: number;
  instrument: number;
}

/** One part being read: the row group in hand and the next row. */
class PartCursor {
  private group = -1;
  block: PartBlock | null = null;
  row = 0;
  private lastIndex = -1;

  constructor(
    readonly reader: PartReader,
    /** Index of the part's instrument in the source's table. */
    readonly instrument: number,
    private readonly baseNs: bigint,
    private readonly window: { fromNs?: bigint; toNs?: bigint },
    /** Whether the next row group may be decoded into the memory of the one before (see InputStream). */
    private readonly reuseBlocks: boolean,
  ) {}

  /** event_index of the next row; Infinity when the part is done. */
  head(): number {
    if (this.block && this.row < this.block.rows) return this.block.eventIndex[this.row]!;
    return this.next() ? this.block!.eventIndex[this.row]! : Infinity;
  }

  /** Loads the next row group that can hold rows of the time window (statistics, one day of slack for updates across midnight). */
  private next(): boolean {
    const spent = this.reuseBlocks ? this.block : null;
    this.block = null;
    const { fromNs, toNs } = this.window;
    while (++this.group < this.reader.rowGroups) {
      const times = fromNs === undefined && toNs === undefined ? null : this.reader.rowGroupEventTimes(this.group);
      if (times && fromNs !== undefined && times.max < fromNs - DAY_NS) continue;
      if (times && toNs !== undefined && times.min >= toNs + DAY_NS) continue;
      const block = this.reader.readRowGroup(this.group, this.baseNs, spent);
      if (block.rows === 0) continue;
      const index = block.eventIndex;
      for (let i = 0; i < block.rows; i++) {
        if (!(index[i]! > this.lastIndex)) throw new FlowmineError(`${this.reader.path}: event_index ${index[i]} after ${this.lastIndex}: rows are not in stream order`);
        this.lastIndex = index[i]!;
      }
      this.block = block;
      this.row = 0;
      return true;
    }
    return false;
  }
}

/**
 * Rows of one input in stream order, in `buffer` (times as offsets from the input's own time base).
 * Rows [buffer.head, complete) are whole updates that passed the time window.
 */
export class InputStream {
  readonly buffer: RowBuffer;
  done = false;
  private readonly cursors: PartCursor[];
  private readonly fromOffset: number;
  private readonly toOffset: number;
  /** True when whole updates are filtered by time: rows then go through `buffer`. */
  readonly windowed: boolean;

  constructor(
    parts: { reader: PartReader; instrument: number }[],
    readonly baseNs: bigint,
    window: { fromNs?: bigint; toNs?: bigint },
    /**
     * The caller is done with the rows of a run (copied them, or its consumer has read the batches that view
     * them) when it asks for the next run: a part's next row group is then decoded into the memory of its last.
     */
    reuseBlocks = false,
  ) {
    this.buffer = new RowBuffer(baseNs);
    this.cursors = parts.map((part) => new PartCursor(part.reader, part.instrument, baseNs, window, reuseBlocks));
    this.windowed = window.fromNs !== undefined || window.toNs !== undefined;
    this.fromOffset = window.fromNs === undefined ? -Infinity : Number(window.fromNs - baseNs);
    this.toOffset = window.toNs === undefined ? Infinity : Number(window.toNs - baseNs);
  }

  /** End of the complete, accepted updates in `buffer`. */
  get complete(): number {
    return this.buffer.complete;
  }

  /** Complete rows waiting. */
  get ready(): number {
    return this.buffer.complete - this.buffer.head;
  }

  /**
   * The next run of rows in stream order: rows [from, to) of one part's row group, up to where another part
   * goes on. Null when the input is done. A part read alone gives whole row groups.
   */
  nextRun(): Run | null {
    let best: PartCursor | null = null;
    let bestHead = Infinity;
    let secondHead = Infinity;
    for (const cursor of this.cursors) {
      const head = cursor.head();
      if (head < bestHead) {
        secondHead = bestHead;
        bestHead = head;
        best = cursor;
      } else if (head < secondHead) secondHead = head;
    }
    if (!best) return null;
    const block = best.block!;
    const from = best.row;
    const to = firstAtOrAfter(block.eventIndex, from + 1, block.rows, secondHead);
    best.row = to;
    return { block, from, to, instrument: best.instrument };
  }

  /** Reads on, into `buffer`, until at least `rows` complete rows wait or the input is done. */
  fill(rows: number): void {
    while (!this.done && this.ready < rows) {
      const run = this.nextRun();
      if (!run) {
        this.done = true;
        // A stream always ends on a Last row; the selection of some instruments may not.
        if (this.buffer.n > this.buffer.complete) this.buffer.markLast();
        this.settle(this.buffer.complete);
        return;
      }
      // Appending may first drop consumed rows, moving the rest: the new rows are the last ones.
      this.buffer.appendBlock(run.block, run.from, run.to, run.instrument, 0);
      this.settle(this.buffer.n - (run.to - run.from));
    }
  }

  /** Takes in the rows appended from `from` on: each update that ends there is kept (inside the window) or dropped. */
  private settle(from: number): void {
    const buffer = this.buffer;
    const flags = buffer.flags;
    if (!this.windowed) {
      for (let p = buffer.n - 1; p >= from; p--) {
        if (flags[p]! & Flag.Last) {
          buffer.complete = p + 1;
          break;
        }
      }
      return;
    }
    // Compact in one pass: kept updates move down to `write`, dropped ones are overwritten.
    let write = buffer.complete;
    let start = buffer.complete;
    for (let p = Math.max(from, start); p < buffer.n; p++) {
      if (!(flags[p]! & Flag.Last)) continue;
      const event = buffer.tsEvent[p]!;
      const time = Number.isNaN(event) ? buffer.tsRecv[p]! : event;
      if (time >= this.fromOffset && time < this.toOffset) {
        if (write !== start) this.move(start, p + 1, write);
        write += p + 1 - start;
      }
      start = p + 1;
    }
    if (write !== start) {
      this.move(start, buffer.n, write);
      buffer.n = write + (buffer.n - start);
    }
    buffer.complete = write;
  }

  private move(from: number, to: number, target: number): void {
    for (const column of columnList(this.buffer)) column.copyWithin(target, from, to);
  }
}

/**
 * The first of rows [from, to) whose index is at least `value` (`to` if none): a binary search, as a part's
 * indexes increase (PartCursor checks). Where another part goes on is usually past the row group's end,
 * found with one comparison. A scan went through every row of each group, and in a replay of the USD-M
 * dataset (two parts) V8 threw its compiled code away at 14 of its 16 calls.
 */
function firstAtOrAfter(index: Float64Array, from: number, to: number, value: number): number {
  if (from >= to || index[to - 1]! < value) return to;
  let low = from;
  let high = to - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (index[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
