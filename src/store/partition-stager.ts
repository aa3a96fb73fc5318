/**
 * Splits an event stream into its partitions (instrument × UTC date of each update) and stages each one as
 * a plain Parquet file, until `writeParts` has DuckDB turn every staged partition into its part.
 */
import type { EventBatch } from '../core/batch.js';
import { InputError } from '../core/errors.js';
import { Flag } from '../core/event.js';
import type { Instrument } from '../core/instrument.js';
import { isoNs } from '../core/time.js';
import { NULL_INT64, StagingParquetWriter, type StagingColumn } from '../io/parquet/staging-writer.js';
import { sqlString } from '../io/sql-text.js';
import type { DuckDB } from './duckdb.js';
import { dayStartNs, UNKNOWN_DATE, utcDateOfNs } from './layout.js';
import type { TimeRange } from './schema.js';

const DAY_NS = 86_400e9;
const DAY_NS_BIG = 86_400_000_000_000n;
/** Rows buffered per partition before they go to its staging file: few at first (many partitions may be open), more as a partition proves busy. */
const FIRST_BUFFER_ROWS = 4096;
const MAX_BUFFER_ROWS = 65_536;
/** Largest magnitude a BIGINT column takes from a double without overflow. */
const INT64_LIMIT = 9.2e18;
/** The day number that stands for "no time at all" (the `date=unknown` partition). */
const NO_DAY = -1e9;

/**
 * Staging columns: INT64 ones from a Float64Array each, then the INT32 ones. Times are the batch's offsets as
 * they are; `time_shift` is the batch's time base minus the partition's day start, so that DuckDB adds them
 * up exactly in 64-bit integers (an offset a reader kept beyond 2^53 stays the very value it held).
 */
const STAGING_COLUMNS: readonly StagingColumn[] = [
  { name: 'ts_event', type: 'INT64' },
  { name: 'ts_recv', type: 'INT64' },
  { name: 'time_shift', type: 'INT64' },
  { name: 'price', type: 'INT64' },
  { name: 'size', type: 'INT64' },
  { name: 'order_id', type: 'INT64' },
  { name: 'seq', type: 'INT64' },
  { name: 'source_row', type: 'INT64' },
  { name: 'event_index', type: 'INT64' },
  { name: 'action', type: 'INT32' },
  { name: 'side', type: 'INT32' },
  { name: 'flags', type: 'INT32' },
];
const WIDE_COLUMNS = 9;
/** Integer columns checked to be whole numbers that a BIGINT holds. */
const CHECKED = ['price', 'size', 'orderId', 'seq', 'sourceRow'] as const;

/** One partition being staged: where its rows go, and what its description will say about them. */
export interface StagedPartition {
  /** Its place among the input's partitions (order of first row). */
  readonly key: number;
  readonly instrument: number;
  /** `YYYY-MM-DD` or `unknown`. */
  readonly date: string;
  /** Epoch ns of the day start the staged times count from (0 for `unknown`). */
  readonly baseNs: bigint;
  rows: number;
  firstEventIndex: number;
  lastEventIndex: number;
}

/** The exact time ranges of a partition's rows. */
export interface PartitionRanges {
  tsEvent: TimeRange | null;
  tsRecv: TimeRange | null;
}

/** How parts are laid out in Parquet (docs/DATASET.md says why). */
export interface ParquetLayout {
  compression: 'zstd' | 'snappy' | 'uncompressed' | 'lz4_raw';
  rowGroupRows: number;
  parquetVersion: 'V1' | 'V2';
  metadataKey: string;
}

class PartitionBuffer {
  wide: Float64Array[];
  narrow: Int32Array[];
  n = 0;
  constructor(
    readonly partition: StagedPartition,
    readonly file: StagingParquetWriter,
    capacity: number,
  ) {
    this.wide = Array.from({ length: WIDE_COLUMNS }, () => new Float64Array(capacity));
    this.narrow = Array.from({ length: STAGING_COLUMNS.length - WIDE_COLUMNS }, () => new Int32Array(capacity));
  }

  get capacity(): number {
    return this.wide[0]!.length;
  }

  /** Writes the buffered rows as a row group; a busy partition gets a larger buffer. */
  flush(): void {
    if (this.n === 0) return;
    this.file.writeRowGroup([...this.wide, ...this.narrow], this.n);
    this.n = 0;
    if (this.capacity < MAX_BUFFER_ROWS) {
      const capacity = this.capacity * 2;
      this.wide = this.wide.map(() => new Float64Array(capacity));
      this.narrow = this.narrow.map(() => new Int32Array(capacity));
    }
  }
}

/**
 * Receives batches in stream order and routes each row to its partition: its instrument, and the UTC date of
 * the update it belongs to, which is the venue time of the update's last row (its receive time when it has
 * none; `unknown` when it has neither). An update thus never spans two dates, even where the venue stamps
 * book entries with older times (Kraken: when each level last changed). Rows keep their place in the stream
 * as `event_index`.
 */
export class PartitionStager {
  private readonly buffers: PartitionBuffer[] = [];
  private readonly byKey = new Map<string, PartitionBuffer>();
  private eventIndex = 0;
  /** Per row of the batch being added: the day of its update, relative to the batch's time base. */
  private days = new Float64Array(0);

  /** Staging files are `stagingPath(key)`. */
  constructor(
    private readonly sourcePath: string,
    private readonly stagingPath: (key: number) => string,
  ) {}

  /** Events staged so far. */
  get events(): number {
    return this.eventIndex;
  }

  /** Partitions in the order they first received a row. */
  get partitions(): StagedPartition[] {
    return this.buffers.map((buffer) => buffer.partition);
  }

  // Hot loop: one partition lookup per run of rows of the same instrument and day.
  add(batch: EventBatch): void {
    this.check(batch);
    const base = batch.timeBaseNs;
    const baseDay = floorDiv(base, DAY_NS_BIG);
    const baseRem = Number(base - baseDay * DAY_NS_BIG);
    const { tsEvent, tsRecv, instrument, action, side, price, size, orderId, seq, flags, sourceRow } = batch;
    const days = this.updateDays(batch, baseRem);
    let current: PartitionBuffer | null = null;
    let currentInstrument = -1;
    let currentDay = NaN;
    let shift = 0;
    for (let i = 0; i < batch.length; i++) {
      const day = days[i]!;
      const inst = instrument[i]!;
      if (inst !== currentInstrument || day !== currentDay) {
        const absoluteDay = day === NO_DAY ? null : Number(baseDay) + day;
        current = this.byKey.get(`${inst}:${absoluteDay ?? UNKNOWN_DATE}`) ?? this.create(inst, absoluteDay, batch);
        currentInstrument = inst;
        currentDay = day;
        // The batch's time base minus the partition's day start: an integer well below 2^53.
        shift = day === NO_DAY ? 0 : baseRem - day * DAY_NS;
      }
      const buffer = current!;
      const n = buffer.n;
      const w = buffer.wide;
      w[0]![n] = tsEvent[i]!;
      w[1]![n] = tsRecv[i]!;
      w[2]![n] = shift;
      w[3]![n] = price[i]!;
      w[4]![n] = size[i]!;
      w[5]![n] = orderId[i]!;
      w[6]![n] = seq[i]!;
      w[7]![n] = sourceRow[i]!;
      w[8]![n] = this.eventIndex;
      buffer.narrow[0]![n] = action[i]!;
      buffer.narrow[1]![n] = side[i]!;
      buffer.narrow[2]![n] = flags[i]!;
      const p = buffer.partition;
      if (p.rows === 0) p.firstEventIndex = this.eventIndex;
      p.lastEventIndex = this.eventIndex;
      p.rows++;
      this.eventIndex++;
      if (++buffer.n === buffer.capacity) buffer.flush();
    }
  }

  /** Closes every staging file. */
  finish(): void {
    for (const buffer of this.buffers) {
      buffer.flush();
      buffer.file.close();
    }
  }

  /**
   * Has DuckDB write each staged partition as a part at `pathOf(partition)`: rows in stream order, times
   * back to epoch ns, NULL for missing values, the instrument's decimals, and `metadataOf(partition,
   * ranges)` in the key-value metadata, `ranges` being the partition's exact time ranges.
   */
  async writeParts(
    db: DuckDB,
    instruments: readonly Instrument[],
    pathOf: (partition: StagedPartition) => string,
    metadataOf: (partition: StagedPartition, ranges: PartitionRanges) => string,
    layout: ParquetLayout,
  ): Promise<void> {
    for (const { partition } of this.buffers) {
      const instrument = instruments[partition.instrument]!;
      const staged = `read_parquet(${sqlString(this.stagingPath(partition.key))})`;
      const nullable = (column: string) => `NULLIF(${column}, ${NULL_INT64})`;
      const time = (column: string) => `(${nullable(column)} + time_shift + ${partition.baseNs})`;
      const found = await db.connection.runAndReadAll(`SELECT min(${time('ts_event')}), max(${time('ts_event')}), min(${time('ts_recv')}), max(${time('ts_recv')}) FROM ${staged}`);
      const [eventMin, eventMax, recvMin, recvMax] = found.getRows()[0]! as (bigint | null)[];
      const metadata = metadataOf(partition, { tsEvent: timeRange(eventMin ?? null, eventMax ?? null), tsRecv: timeRange(recvMin ?? null, recvMax ?? null) });
      const select =
        `SELECT ${time('ts_event')} AS ts_event, ${time('ts_recv')} AS ts_recv, CAST(action AS UTINYINT) AS action, CAST(side AS TINYINT) AS side, ` +
        `${nullable('price')} AS price, ${nullable('size')} AS size, ${nullable('order_id')} AS order_id, ${nullable('seq')} AS seq, ` +
        `CAST(flags AS UTINYINT) AS flags, ${nullable('source_row')} AS source_row, event_index, ` +
        `CAST(${instrument.priceDecimals} AS UTINYINT) AS price_decimals, CAST(${instrument.sizeDecimals} AS UTINYINT) AS size_decimals ` +
        `FROM ${staged} ORDER BY event_index`;
      await db.connection.run(
        `COPY (${select}) TO ${sqlString(pathOf(partition))} (FORMAT parquet, COMPRESSION ${layout.compression}, ROW_GROUP_SIZE ${layout.rowGroupRows}, ` +
          `PARQUET_VERSION ${layout.parquetVersion}, KV_METADATA {${sqlString(layout.metadataKey)}: ${sqlString(metadata)}})`,
      );
    }
  }

  /** The day (relative to the batch's base) of each row's update: that of the update's last row. */
  private updateDays(batch: EventBatch, baseRem: number): Float64Array {
    if (this.days.length < batch.length) this.days = new Float64Array(batch.length);
    const days = this.days;
    const { tsEvent, tsRecv, flags } = batch;
    let start = 0;
    for (let i = 0; i < batch.length; i++) {
      // A batch ends on a Last row; its final row closes whatever is open all the same.
      if (!(flags[i]! & Flag.Last) && i < batch.length - 1) continue;
      const event = tsEvent[i]!;
      const time = Number.isNaN(event) ? tsRecv[i]! : event;
      days.fill(Number.isNaN(time) ? NO_DAY : Math.floor((baseRem + time) / DAY_NS), start, i + 1);
      start = i + 1;
    }
    return days;
  }

  private create(instrument: number, day: number | null, batch: EventBatch): PartitionBuffer {
    if (!batch.instruments.get(instrument).symbol) throw new InputError(this.sourcePath, 0, 'symbol', `instrument ${instrument} has an empty symbol: it cannot name a partition`);
    const key = this.buffers.length;
    const baseNs = day === null ? 0n : dayStartNs(day);
    const partition: StagedPartition = { key, instrument, date: day === null ? UNKNOWN_DATE : utcDateOfNs(baseNs), baseNs, rows: 0, firstEventIndex: 0, lastEventIndex: 0 };
    const buffer = new PartitionBuffer(partition, new StagingParquetWriter(this.stagingPath(key), STAGING_COLUMNS), FIRST_BUFFER_ROWS);
    this.buffers.push(buffer);
    this.byKey.set(`${instrument}:${day ?? UNKNOWN_DATE}`, buffer);
    return buffer;
  }

  /** Values a BIGINT column cannot hold exactly are a reader bug: stop with the row that has one. */
  private check(batch: EventBatch): void {
    for (const column of CHECKED) {
      const values = batch[column];
      for (let i = 0; i < batch.length; i++) {
        const value = values[i]!;
        if (value !== Math.floor(value) && !Number.isNaN(value)) throw new InputError(this.sourcePath, batch.sourceRow[i]!, column, `${value} is not an integer: it cannot be stored`);
        if (value > INT64_LIMIT || value < -INT64_LIMIT) throw new InputError(this.sourcePath, batch.sourceRow[i]!, column, `${value} is beyond 64 bits: it cannot be stored`);
      }
    }
    for (const column of ['tsEvent', 'tsRecv'] as const) {
      const values = batch[column];
      for (let i = 0; i < batch.length; i++) {
        const value = values[i]!;
        if (value !== Math.floor(value) && !Number.isNaN(value)) throw new InputError(this.sourcePath, batch.sourceRow[i]!, column, `${value} is not a whole number of nanoseconds: it cannot be stored`);
      }
    }
  }
}

function timeRange(min: bigint | null, max: bigint | null): TimeRange | null {
  if (min === null || max === null) return null;
  return { minNs: min.toString(), maxNs: max.toString(), min: isoNs(min), max: isoNs(max) };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b > a ? q - 1n : q;
}
