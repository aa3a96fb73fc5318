import { BatchBuilder, MAX_TIME_OFFSET_NS, type EventBatch } from '../../core/batch.js';
import { InputError } from '../../core/errors.js';
import { Action, Flag } from '../../core/event.js';
import { ReaderBase } from '../reader-base.js';
import type { EventSource, Granularity, OpenOptions } from '../../core/source.js';
import { fileBytes } from '../bytes.js';
import { metadataLength, parseMetadata, SCHEMA_NAMES, type DbnMetadata } from './metadata.js';

// Record types and sizes (DBN encoding): a 16-byte header, then the schema's fields.
const RTYPE_MBP_0 = 0x00; // trades
const RTYPE_MBP_1 = 0x01;
const RTYPE_MBP_10 = 0x0a;
const RTYPE_MBO = 0xa0;
const MBO_BYTES = 56;
const MBP_BYTES = 48; // plus 32 per level
// Databento record flags.
const F_LAST = 0x80;
const F_SNAPSHOT = 0x20;
const F_BAD_TS_RECV = 0x08;
const F_MAYBE_BAD_BOOK = 0x04;
const UNDEF_PRICE_HI = 0x7fffffff;
const TWO_32 = 4294967296;

/** Opens a DBN file: reads its metadata now, its records when batches() is iterated. */
export async function openDbn(path: string, options: OpenOptions = {}): Promise<DbnSource> {
  const chunks = fileBytes(path);
  let head: Uint8Array = new Uint8Array(0);
  let need = -1;
  while (need < 0 || head.length < need) {
    const next = await chunks.next();
    if (next.done) break;
    head = concat(head, next.value);
    if (need < 0) need = metadataLength(head, path);
  }
  if (need < 0 || head.length < need) {
    await chunks.return(undefined);
    throw new InputError(path, 0, 'header', `file ends inside the DBN metadata (${head.length} bytes)`);
  }
  return new DbnSource(path, options, parseMetadata(head, path), head.subarray(need), chunks);
}

/**
 * Databento DBN records as normalized events: MBO as L3 (with the CME fill echo folded, see
 * docs/DATA_SEMANTICS.md), MBP-1 and MBP-10 as depth-N snapshots of the sides that changed, trades
 * as Trade rows. Atomic updates follow F_LAST per instrument.
 */
export class DbnSource extends ReaderBase implements EventSource {
  readonly granularity: Granularity;
  private readonly byInstrumentId = new Map<number, number>();

  constructor(
    path: string,
    options: OpenOptions,
    readonly metadata: DbnMetadata,
    private readonly rest: Uint8Array,
    private readonly chunks: AsyncGenerator<Uint8Array>,
  ) {
    super(path, 'databento', options);
    this.granularity = metadata.schema === 0 ? 'L3' : metadata.schema === 1 || metadata.schema === 2 ? 'L2' : metadata.schema === 3 ? 'quotes' : 'trades';
    for (const [id, symbol] of metadata.symbols) this.instrumentIndex(id, symbol);
  }

  /** The schema's name, e.g. `mbo`. */
  get schema(): string {
    return SCHEMA_NAMES[this.metadata.schema] ?? `schema ${this.metadata.schema}`;
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const decoder = new RecordDecoder(this);
    try {
      let carry = this.rest;
      for (let more = true; more && !decoder.stopped; ) {
        const next = await this.chunks.next();
        more = !next.done;
        const bytes = next.done ? carry : concat(carry, next.value);
        carry = bytes.subarray(decoder.decode(bytes));
        for (let batch = decoder.builder?.take(); batch; batch = decoder.builder!.take()) yield batch;
      }
      if (!decoder.stopped && carry.length > 0) decoder.truncated(carry.length);
      decoder.finish();
      const last = decoder.builder?.flush();
      if (last) yield last;
    } finally {
      await this.chunks.return(undefined);
    }
  }

  /** Index of an instrument id in the table, adding it on first sight. */
  instrumentIndex(instrumentId: number, symbol?: string): number {
    let index = this.byInstrumentId.get(instrumentId);
    if (index === undefined) {
      index = this.instruments.intern({
        venue: this.metadata.dataset.toLowerCase(),
        symbol: symbol ?? this.metadata.symbols.get(instrumentId) ?? String(instrumentId),
        venueId: instrumentId,
        priceDecimals: 9,
        sizeDecimals: 0,
        tickUnits: 0,
      });
      this.byInstrumentId.set(instrumentId, index);
    }
    return index;
  }

}

/** Decodes records from bytes into a BatchBuilder; keeps per-instrument state across chunks. */
class RecordDecoder {
  builder: BatchBuilder | null = null;
  stopped = false;
  private record = 0;
  private baseHi = 0;
  private baseLo = 0;
  /** MBO: quantity filled per order id by an F record, awaiting the C that repeats it. */
  private readonly pendingFill = new Map<number, number>();
  private readonly inSnapshot: boolean[] = [];
  /** MBP: the last levels per instrument (bid px, ask px, bid size, ask size per level). */
  private readonly levels: Float64Array[] = [];
  private folded = 0;
  private readonly skipped = new Map<number, number>();

  constructor(private readonly source: DbnSource) {}

  /** Decodes whole records from `bytes`; returns the bytes used (a partial record is left over). */
  decode(bytes: Uint8Array): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = 0;
    while (pos < bytes.length) {
      const length = bytes[pos]! * 4;
      if (length === 0) {
        this.fail('record', `record ${this.record + 1} has length 0; the rest of the file (${bytes.length - pos} bytes here) cannot be decoded`);
        return pos;
      }
      if (pos + length > bytes.length) break;
      this.record++;
      const rtype = bytes[pos + 1]!;
      if (rtype === RTYPE_MBO) this.mbo(view, pos, length);
      else if (rtype === RTYPE_MBP_1 || rtype === RTYPE_MBP_10 || rtype === RTYPE_MBP_0) this.mbp(view, pos, length, rtype === RTYPE_MBP_10 ? 10 : rtype === RTYPE_MBP_1 ? 1 : 0);
      else this.skipped.set(rtype, (this.skipped.get(rtype) ?? 0) + 1);
      pos += length;
    }
    return pos;
  }

  truncated(bytesLeft: number): void {
    this.source.integrity.report.rowsRead++;
    this.source.integrity.reject('truncated_record', this.record + 1, 'record', `file ends ${bytesLeft} bytes into a record`, '');
  }

  finish(): void {
    const report = this.source.integrity.report;
    if (this.folded) report.note('fill_echo_folded', this.folded);
    for (const [rtype, n] of this.skipped) report.note(`skipped_rtype_0x${rtype.toString(16).padStart(2, '0')}`, n);
  }

  private fail(field: string, detail: string): void {
    this.source.integrity.report.rowsRead++;
    this.source.integrity.reject('malformed_record', this.record + 1, field, detail, '');
    this.stopped = true;
  }

  /** Time offset of a u64 nanosecond field from the time base, exact below 2^53. */
  private time(view: DataView, at: number): number {
    const lo = view.getUint32(at, true);
    const hi = view.getUint32(at + 4, true);
    if (this.builder === null) {
      // The first record fixes the time base: its UTC midnight.
      const ns = (BigInt(hi) << 32n) | BigInt(lo);
      const base = ns - (ns % 86_400_000_000_000n);
      this.baseHi = Number(base >> 32n);
      this.baseLo = Number(base & 0xffffffffn);
      this.builder = new BatchBuilder(this.source.instruments, base, this.source.batchRows);
    }
    const offset = (hi - this.baseHi) * TWO_32 + (lo - this.baseLo);
    return offset < MAX_TIME_OFFSET_NS ? offset : NaN;
  }

  private flags(raw: number): number {
    return (raw & F_LAST ? Flag.Last : 0) | (raw & F_SNAPSHOT ? Flag.Snapshot : 0) | (raw & F_BAD_TS_RECV ? Flag.BadTsRecv : 0) | (raw & F_MAYBE_BAD_BOOK ? Flag.MaybeBadBook : 0);
  }

  private price(view: DataView, at: number): number {
    const hi = view.getInt32(at + 4, true);
    const lo = view.getUint32(at, true);
    return hi === UNDEF_PRICE_HI && lo === 0xffffffff ? NaN : hi * TWO_32 + lo;
  }

  // Hot: one MBO record -> zero, one or two rows.
  private mbo(view: DataView, at: number, length: number): void {
    const report = this.source.integrity.report;
    report.rowsRead++;
    if (length < MBO_BYTES) return this.reject('record', `an MBO record needs ${MBO_BYTES} bytes, this one has ${length}`);
    const tsEvent = this.time(view, at + 8);
    const builder = this.builder!;
    const instrument = this.source.instrumentIndex(view.getUint32(at + 4, true));
    const orderId = view.getUint32(at + 16, true) + view.getUint32(at + 20, true) * TWO_32;
    const price = this.price(view, at + 24);
    const size = view.getUint32(at + 32, true);
    const rawFlags = view.getUint8(at + 36);
    const action = view.getUint8(at + 38);
    const sideChar = view.getUint8(at + 39);
    const tsRecv = this.time(view, at + 40);
    const seq = view.getUint32(at + 52, true);
    const side = sideChar === 66 /* B */ ? 1 : sideChar === 65 /* A */ ? -1 : 0;
    const row = this.record;
    let flags = this.flags(rawFlags);
    const last = flags & Flag.Last;
    flags &= ~Flag.Last;

    if (rawFlags & F_SNAPSHOT && !this.inSnapshot[instrument]) {
      this.inSnapshot[instrument] = true;
      builder.push(tsEvent, tsRecv, instrument, Action.SnapshotBegin, 0, 0, 0, 0, seq, Flag.Snapshot, row);
      if (action === 82 /* R */) return this.endRecord(instrument, last, tsEvent, tsRecv, seq, row);
    }
    switch (action) {
      case 65: // A: add
        builder.push(tsEvent, tsRecv, instrument, Action.Add, side, price, size, orderId, seq, flags, row);
        break;
      case 67: {
        // C: cancel. After an F for the same order, the C that repeats the fill is the book side of
        // that fill (CME via Databento): fold it away, cancel only what exceeds it.
        const pending = this.pendingFill.get(orderId);
        let cancelled = size;
        if (pending !== undefined) {
          this.pendingFill.delete(orderId);
          const echo = Math.min(pending, size);
          cancelled -= echo;
          this.folded++;
        }
        if (cancelled > 0) builder.push(tsEvent, tsRecv, instrument, Action.Cancel, side, price, cancelled, orderId, seq, flags, row);
        break;
      }
      case 77: {
        // M: modify (absolute price and size). After an F it restates the order after its fill: the
        // reduced size, or an iceberg's refilled display (the fill may exceed what was displayed).
        const afterFill = this.pendingFill.delete(orderId) ? Flag.AfterFill : 0;
        builder.push(tsEvent, tsRecv, instrument, Action.Modify, side, price, size, orderId, seq, flags | afterFill, row);
        break;
      }
      case 84: // T: trade, side = aggressor
        builder.push(tsEvent, tsRecv, instrument, Action.Trade, side, price, size, orderId, seq, flags, row);
        break;
      case 70: // F: the resting order filled; in flowmine the Fill shrinks the book
        this.pendingFill.set(orderId, (this.pendingFill.get(orderId) ?? 0) + size);
        builder.push(tsEvent, tsRecv, instrument, Action.Fill, side, price, size, orderId, seq, flags, row);
        break;
      case 82: // R: clear
        builder.push(tsEvent, tsRecv, instrument, Action.Clear, 0, 0, 0, 0, seq, flags, row);
        break;
      case 78: // N: no action, only flags
        report.note('none_records');
        break;
      default:
        return this.reject('action', `unknown MBO action "${String.fromCharCode(action)}"`);
    }
    this.endRecord(instrument, last, tsEvent, tsRecv, seq, row);
  }

  /** Closes the record's update when it carried F_LAST (and a snapshot when one was open). */
  private endRecord(instrument: number, last: number, tsEvent: number, tsRecv: number, seq: number, row: number): void {
    if (!last) return;
    const builder = this.builder!;
    if (this.inSnapshot[instrument]) {
      this.inSnapshot[instrument] = false;
      builder.push(tsEvent, tsRecv, instrument, Action.SnapshotEnd, 0, 0, 0, 0, seq, Flag.Snapshot | Flag.Last, row);
    } else builder.markLastOfInstrument(instrument);
  }

  // One MBP-1/MBP-10 record: a Trade row for trades, and a depth-N snapshot of each side that changed.
  private mbp(view: DataView, at: number, length: number, depth: number): void {
    this.source.integrity.report.rowsRead++;
    if (length < MBP_BYTES + 32 * depth) return this.reject('record', `an MBP-${depth} record needs ${MBP_BYTES + 32 * depth} bytes, this one has ${length}`);
    const tsEvent = this.time(view, at + 8);
    const builder = this.builder!;
    const instrument = this.source.instrumentIndex(view.getUint32(at + 4, true));
    const price = this.price(view, at + 16);
    const size = view.getUint32(at + 24, true);
    const action = view.getUint8(at + 28);
    const sideChar = view.getUint8(at + 29);
    const rawFlags = view.getUint8(at + 30);
    const tsRecv = this.time(view, at + 32);
    const seq = view.getUint32(at + 44, true);
    const row = this.record;
    const flags = this.flags(rawFlags) & ~Flag.Last;
    if (action === 84 /* T */) builder.push(tsEvent, tsRecv, instrument, Action.Trade, sideChar === 66 ? 1 : sideChar === 65 ? -1 : 0, price, size, 0, seq, flags, row);
    if (depth > 0) {
      let previous = this.levels[instrument];
      if (!previous) previous = this.levels[instrument] = new Float64Array(4 * depth).fill(NaN);
      for (const side of [1, -1]) {
        let changed = false;
        for (let k = 0; k < depth; k++) {
          const level = at + MBP_BYTES + 32 * k;
          const px = this.price(view, level + (side === 1 ? 0 : 8));
          const sz = view.getUint32(level + (side === 1 ? 16 : 20), true);
          const slot = 4 * k + (side === 1 ? 0 : 2);
          const shownPx = sz > 0 ? px : NaN;
          if (!Object.is(previous[slot], shownPx) || previous[slot + 1] !== sz) changed = true;
          previous[slot] = shownPx;
          previous[slot + 1] = sz;
        }
        if (!changed) continue;
        builder.push(tsEvent, tsRecv, instrument, Action.SnapshotBegin, side, 0, depth, 0, seq, flags | Flag.Snapshot, row);
        for (let k = 0; k < depth; k++) {
          const slot = 4 * k + (side === 1 ? 0 : 2);
          if (!Number.isNaN(previous[slot]!)) builder.push(tsEvent, tsRecv, instrument, Action.LevelSet, side, previous[slot]!, previous[slot + 1]!, 0, seq, flags | Flag.Snapshot, row);
        }
        builder.push(tsEvent, tsRecv, instrument, Action.SnapshotEnd, side, 0, 0, 0, seq, flags | Flag.Snapshot, row);
      }
    }
    if (rawFlags & F_LAST) builder.markLastOfInstrument(instrument);
  }

  private reject(field: string, detail: string): void {
    this.source.integrity.reject('malformed_record', this.record, field, detail, '');
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
