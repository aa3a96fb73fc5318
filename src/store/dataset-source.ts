/**
 * A dataset folder as an EventSource: the selected parts of each ingested input read back in the input's
 * order, inputs merged by time update by update, with the instruments, granularity, window, depth limit,
 * checksum rule and time base of the inputs themselves, so a replay of the dataset writes what a replay of
 * the files writes.
 */
import { eventBatch, type EventBatch } from '../core/batch.js';
import { FlowmineError, UsageError } from '../core/errors.js';
import { Flag } from '../core/event.js';
import { InstrumentTable } from '../core/instrument.js';
import { Integrity, IntegrityReport, type IntegrityPolicy } from '../core/integrity.js';
import type { BookChecksum, EventSource, Granularity } from '../core/source.js';
import { checksumRule } from '../io/checksums.js';
import { listParts, type PartFile } from './dataset.js';
import { describeFilter, hasTimeWindow, type DatasetFilter } from './dataset-filter.js';
import { InputStream } from './input-stream.js';
import { UNKNOWN_DATE, utcDateOfNs } from './layout.js';
import { PartReader, type PartBlock } from './part-reader.js';
import { RowBuffer } from './row-buffer.js';
import type { PartDescription } from './schema.js';

const EXACT = 2 ** 53;

/** How to open a dataset. */
export interface DatasetOpenOptions {
  policy?: IntegrityPolicy;
  filter?: DatasetFilter;
  /** Rows per batch (a batch may be longer to finish an update). */
  batchRows?: number;
  /** The command reads one instrument: a selection of several is a usage error that names them. */
  singleInstrument?: boolean;
  /** As OpenOptions.recycleBatches: the consumer reads each batch only until it asks for the next. */
  recycleBatches?: boolean;
}

/** One ingested input and its selected parts. */
interface InputSelection {
  id: string;
  description: PartDescription;
  baseNs: bigint;
  firstNs: bigint;
  parts: { reader: PartReader; instrument: number }[];
}

/** Opens a dataset folder as an EventSource (only footers are read here). */
export function openDataset(dir: string, options: DatasetOpenOptions = {}): EventSource {
  const all = listParts(dir);
  if (all.length === 0) throw new UsageError(`${dir}: no dataset parts in it (expected venue=…/symbol=…/date=…/part-….parquet; see flowmine ingest)`);
  const filter = options.filter ?? {};
  const selected = all.filter((part) => selects(filter, part));
  if (selected.length === 0) throw new UsageError(`${dir}: nothing matches ${describeFilter(filter)} (the dataset holds ${instrumentList(all)})`);
  const inputs = groupInputs(dir, all, selected.map((part) => PartReader.open(part.parquet)));
  if (hasTimeWindow(filter) && !inputs.some((input) => input.parts.some((part) => overlaps(part.reader.description, filter)))) {
    throw new UsageError(`${dir}: no events between ${filter.fromNs ?? '-'} and ${filter.toNs ?? '-'} for ${instrumentList(selected)}`);
  }
  return new DatasetSource(dir, inputs, options);
}

class DatasetSource implements EventSource {
  readonly format = 'dataset';
  readonly granularity: Granularity;
  readonly instruments = new InstrumentTable();
  readonly integrity: Integrity;
  readonly windowLevels?: number;
  readonly depthLimit?: number;
  readonly checksum?: BookChecksum;
  private readonly batchRows: number;
  private readonly instrumentColumns = new Map<number, Int32Array>();

  constructor(
    readonly path: string,
    private readonly inputs: InputSelection[],
    private readonly options: DatasetOpenOptions,
  ) {
    const first = inputs[0]!.description;
    for (const input of inputs.slice(1)) {
      const other = input.description;
      if (other.granularity !== first.granularity || other.windowLevels !== first.windowLevels || other.depthLimit !== first.depthLimit || other.checksum !== first.checksum) {
        throw new UsageError(`${path}: the selection mixes inputs that replay differently (${summary(first)} and ${summary(other)}); narrow it with --venue or --symbol`);
      }
    }
    this.granularity = first.granularity;
    if (first.windowLevels !== null) this.windowLevels = first.windowLevels;
    if (first.depthLimit !== null) this.depthLimit = first.depthLimit;
    if (first.checksum !== null) this.checksum = checksumRule(first.checksum);
    for (const input of inputs) {
      for (const part of input.parts) {
        const { index: _index, ...instrument } = part.reader.description.instrument;
        part.instrument = this.instruments.intern(instrument);
        const known = this.instruments.get(part.instrument);
        if (known.priceDecimals !== instrument.priceDecimals || known.sizeDecimals !== instrument.sizeDecimals) {
          throw new UsageError(`${path}: ${instrument.venue}:${instrument.symbol} has ${known.priceDecimals}/${known.sizeDecimals} price/size decimals in one input and ${instrument.priceDecimals}/${instrument.sizeDecimals} in ${input.description.input}`);
        }
      }
    }
    if (options.singleInstrument && this.instruments.size > 1) {
      throw new UsageError(`${path}: the selection holds ${this.instruments.size} instruments (${instrumentList(this.instruments.list)}); choose one with --venue and --symbol`);
    }
    const single = inputs.length === 1 ? first : null;
    const report = new IntegrityReport(single ? single.input : path, single ? single.format : 'dataset');
    for (const input of inputs) mergeReport(report, input.description);
    this.integrity = new Integrity(options.policy ?? 'strict', report);
    this.batchRows = options.batchRows ?? 8192;
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const filter = this.options.filter ?? {};
    const window = { ...(filter.fromNs !== undefined && { fromNs: filter.fromNs }), ...(filter.toNs !== undefined && { toNs: filter.toNs }) };
    const streams = this.inputs.map((input) => new InputStream(input.parts, input.baseNs, window, this.options.recycleBatches === true));
    if (streams.length > 1) yield* this.merged(streams);
    else if (streams[0]!.windowed) yield* this.windowed(streams[0]!);
    else yield* this.direct(streams[0]!);
  }

  /**
   * One input, every update: batches are views of the decoded row groups (no copy) where a run of rows is
   * long; short runs (instruments taking turns) and updates that go on into the next run are gathered in
   * the stream's buffer.
   */
  private *direct(stream: InputStream): Generator<EventBatch> {
    const pending = stream.buffer;
    const rows = this.batchRows;
    for (let run = stream.nextRun(); run; run = stream.nextRun()) {
      const { block, to, instrument } = run;
      const flags = block.flags;
      let start = run.from;
      if (to - start < rows) {
        pending.appendBlock(block, start, to, instrument, 0);
        if (pending.length >= rows) {
          const end = lastUpdateEnd(pending.flags, pending.head, pending.n);
          if (end > pending.head) yield pending.take(end, this.instruments);
        }
        continue;
      }
      if (pending.length > 0) {
        const first = nextUpdateEnd(flags, start, to);
        pending.appendBlock(block, start, first < 0 ? to : first, instrument, 0);
        if (first < 0) continue;
        start = first;
        yield pending.take(pending.n, this.instruments);
      }
      const instrumentColumn = this.instrumentColumn(to - run.from, instrument);
      for (;;) {
        let end = nextUpdateEnd(flags, start + rows - 1, to);
        if (end < 0) end = lastUpdateEnd(flags, start, to);
        if (end <= start) break;
        yield this.view(block, start, end, instrumentColumn.subarray(start - run.from, end - run.from), stream.baseNs);
        start = end;
      }
      if (start < to) pending.appendBlock(block, start, to, instrument, 0);
    }
    if (pending.length > 0) {
      pending.markLast();
      yield pending.take(pending.n, this.instruments);
    }
  }

  /** `rows` rows of `instrument`: one column for all runs of it when batches are recycled. */
  private instrumentColumn(rows: number, instrument: number): Int32Array {
    if (!this.options.recycleBatches) return new Int32Array(rows).fill(instrument);
    let column = this.instrumentColumns.get(instrument);
    if (!column || column.length < rows) this.instrumentColumns.set(instrument, (column = new Int32Array(rows).fill(instrument)));
    return column.subarray(0, rows);
  }

  /** One input, updates in a time window: rows are gathered and filtered in the stream's buffer. */
  private *windowed(stream: InputStream): Generator<EventBatch> {
    for (;;) {
      stream.fill(this.batchRows);
      if (stream.ready === 0) return;
      const end = nextUpdateEnd(stream.buffer.flags, stream.buffer.head + this.batchRows - 1, stream.complete);
      yield stream.buffer.take(end < 0 ? stream.complete : end, this.instruments);
    }
  }

  /** Rows [from, to) of a decoded row group as a batch that shares its memory. */
  private view(block: PartBlock, from: number, to: number, instrument: Int32Array, timeBaseNs: bigint): EventBatch {
    const columns = {
      tsEvent: block.tsEvent.subarray(from, to),
      tsRecv: block.tsRecv.subarray(from, to),
      instrument,
      action: block.action.subarray(from, to),
      side: block.side.subarray(from, to),
      price: block.price.subarray(from, to),
      size: block.size.subarray(from, to),
      orderId: block.orderId.subarray(from, to),
      seq: block.seq.subarray(from, to),
      flags: block.flags.subarray(from, to),
      sourceRow: block.sourceRow.subarray(from, to),
    };
    return eventBatch(to - from, timeBaseNs, columns, this.instruments);
  }

  /** Several inputs: whole updates, the earliest first (by the time of their last row), into one stream. */
  private *merged(streams: InputStream[]): Generator<EventBatch> {
    const output = new RowBuffer(streams.reduce((min, stream) => (stream.baseNs < min ? stream.baseNs : min), streams[0]!.baseNs));
    for (;;) {
      let best: InputStream | null = null;
      let bestEnd = 0;
      let bestTime = Infinity;
      for (const stream of streams) {
        stream.fill(1);
        if (stream.ready === 0) continue;
        const end = updateEnd(stream.buffer, stream.complete);
        const last = end - 1;
        const event = stream.buffer.tsEvent[last]!;
        const time = Number.isNaN(event) ? stream.buffer.tsRecv[last]! : event;
        const absolute = Number.isNaN(time) ? -Infinity : Number(stream.baseNs - output.baseNs) + time;
        if (best === null || absolute < bestTime) {
          best = stream;
          bestEnd = end;
          bestTime = absolute;
        }
      }
      if (!best) break;
      const source = best.buffer;
      let shift = Number(best.baseNs - output.baseNs);
      if (!exactAfterShift(source, source.head, bestEnd, shift)) {
        // Too far from this batch's time base to stay exact: start a batch on the input's own base.
        if (output.length > 0) yield output.take(output.n, this.instruments);
        output.baseNs = best.baseNs;
        shift = 0;
      }
      output.appendRows(source, source.head, bestEnd, shift);
      source.head = bestEnd;
      if (output.length >= this.batchRows) yield output.take(output.n, this.instruments);
    }
    if (output.length > 0) yield output.take(output.n, this.instruments);
  }
}

/** The end (index after) of the first update that ends at or after `from` and before `to`; -1 when none does. */
function nextUpdateEnd(flags: Uint8Array, from: number, to: number): number {
  for (let p = from; p < to; p++) if (flags[p]! & Flag.Last) return p + 1;
  return -1;
}

/** The end (index after) of the last update that ends in [from, to); `from` when none does. */
function lastUpdateEnd(flags: Uint8Array, from: number, to: number): number {
  for (let p = to - 1; p >= from; p--) if (flags[p]! & Flag.Last) return p + 1;
  return from;
}

/** End of the first pending update. */
function updateEnd(buffer: RowBuffer, complete: number): number {
  const flags = buffer.flags;
  for (let p = buffer.head; p < complete; p++) if (flags[p]! & Flag.Last) return p + 1;
  return complete;
}

function exactAfterShift(buffer: RowBuffer, from: number, to: number, shift: number): boolean {
  if (shift === 0) return true;
  if (!(Math.abs(shift) < EXACT)) return false;
  for (let p = from; p < to; p++) {
    if (Math.abs(buffer.tsEvent[p]! + shift) >= EXACT || Math.abs(buffer.tsRecv[p]! + shift) >= EXACT) return false;
  }
  return true;
}

function selects(filter: DatasetFilter, part: PartFile): boolean {
  if (filter.venues && !filter.venues.includes(part.venue)) return false;
  if (filter.symbols && !filter.symbols.includes(part.symbol)) return false;
  if (!hasTimeWindow(filter)) return true;
  // Rows are partitioned by the time of their update, the very time the window applies to.
  if (part.date === UNKNOWN_DATE) return false;
  if (filter.fromNs !== undefined && part.date < utcDateOfNs(filter.fromNs)) return false;
  if (filter.toNs !== undefined && part.date > utcDateOfNs(filter.toNs - 1n)) return false;
  return true;
}

function overlaps(description: PartDescription, filter: DatasetFilter): boolean {
  return [description.tsEvent, description.tsRecv].some(
    (range) => range !== null && (filter.toNs === undefined || BigInt(range.minNs) < filter.toNs) && (filter.fromNs === undefined || BigInt(range.maxNs) >= filter.fromNs),
  );
}

/** Groups the selected parts by input; refuses an input whose parts in the dataset are not all of one complete ingest. */
function groupInputs(dir: string, all: PartFile[], readers: PartReader[]): InputSelection[] {
  const byId = new Map<string, InputSelection>();
  for (const reader of readers) {
    const description = reader.description;
    let input = byId.get(description.part);
    if (!input) {
      const onDisk = all.filter((part) => part.id === description.part).length;
      if (onDisk !== description.inputParts) {
        throw new FlowmineError(`${dir}: input ${description.input} has ${onDisk} of its ${description.inputParts} parts here; its ingest was cut short: ingest it again`);
      }
      byId.set(description.part, (input = { id: description.part, description, baseNs: BigInt(description.timeBaseNs), firstNs: BigInt(firstTime(description)), parts: [] }));
    } else if (description.inputEvents !== input.description.inputEvents || description.timeBaseNs !== input.description.timeBaseNs) {
      throw new FlowmineError(`${dir}: the parts of input ${description.input} come from different ingests; ingest it again`);
    }
    const first = BigInt(firstTime(description));
    if (first < input.firstNs) input.firstNs = first;
    input.parts.push({ reader, instrument: -1 });
  }
  const inputs = [...byId.values()];
  for (const input of inputs) input.parts.sort((a, b) => a.reader.description.instrument.index - b.reader.description.instrument.index || a.reader.description.firstEventIndex - b.reader.description.firstEventIndex);
  return inputs.sort((a, b) => (a.firstNs < b.firstNs ? -1 : a.firstNs > b.firstNs ? 1 : a.id < b.id ? -1 : 1));
}

function firstTime(description: PartDescription): string {
  return description.tsEvent?.minNs ?? description.tsRecv?.minNs ?? description.timeBaseNs;
}

function mergeReport(report: IntegrityReport, description: PartDescription): void {
  const stored = description.integrity;
  report.rowsRead += stored.rowsRead;
  report.repaired += stored.repaired;
  report.skipped += stored.skipped;
  for (const [kind, entry] of Object.entries(stored.issues)) {
    const mine = report.issues.get(kind);
    if (mine) mine.count += entry.count;
    else report.issues.set(kind, { count: entry.count, examples: [...entry.examples] });
  }
  for (const [kind, n] of Object.entries(stored.notes)) report.note(kind, n);
}

function summary(description: PartDescription): string {
  const extras = [description.windowLevels !== null && `window ${description.windowLevels}`, description.depthLimit !== null && `depth ${description.depthLimit}`, description.checksum && `${description.checksum} checksums`].filter(Boolean);
  return `${description.instrument.venue}:${description.instrument.symbol} ${description.granularity}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

function instrumentList(items: readonly { venue: string; symbol: string }[]): string {
  const names = [...new Set(items.map((item) => `${item.venue}:${item.symbol}`))];
  return names.length > 8 ? `${names.slice(0, 8).join(', ')}, … (${names.length})` : names.join(', ');
}
