/**
 * The columns of a dataset part and the description of the input it came from (docs/DATASET.md).
 * Prices and sizes stay integer units; times are epoch nanoseconds; NULL stands for a missing value
 * (NaN in an EventBatch).
 */
import type { Instrument } from '../core/instrument.js';
import type { Granularity } from '../core/source.js';

/** One column of a part: its name, its DuckDB / Parquet type, and what it holds. */
export interface PartColumn {
  name: string;
  sqlType: 'BIGINT' | 'UTINYINT' | 'TINYINT';
  meaning: string;
}

/** The columns of every part, in file order. The partition columns `venue`, `symbol`, `date` come from the path. */
export const PART_COLUMNS: readonly PartColumn[] = [
  { name: 'ts_event', sqlType: 'BIGINT', meaning: 'venue event time, epoch ns UTC; NULL when the venue gives none' },
  { name: 'ts_recv', sqlType: 'BIGINT', meaning: 'local receive time, epoch ns UTC; NULL when the source has no receive clock' },
  { name: 'action', sqlType: 'UTINYINT', meaning: 'Action code (docs/DATA_SEMANTICS.md)' },
  { name: 'side', sqlType: 'TINYINT', meaning: '1 bid / buy, -1 ask / sell, 0 none; the aggressor on Trade rows' },
  { name: 'price', sqlType: 'BIGINT', meaning: 'integer price units: real price = price / 10^price_decimals' },
  { name: 'size', sqlType: 'BIGINT', meaning: 'integer size units: real size = size / 10^size_decimals' },
  { name: 'order_id', sqlType: 'BIGINT', meaning: 'venue order id; 0 where there is none' },
  { name: 'seq', sqlType: 'BIGINT', meaning: 'venue sequence number or update id (the source row where the venue has none)' },
  { name: 'flags', sqlType: 'UTINYINT', meaning: 'Flag bits (1 Last, 2 Snapshot, 4 BadTsRecv, 8 Hidden, 16 Repaired, 32 MaybeBadBook, 64 AfterFill, 128 PlacedBefore)' },
  { name: 'source_row', sqlType: 'BIGINT', meaning: '1-based line or record number in the input file' },
  { name: 'event_index', sqlType: 'BIGINT', meaning: "0-based position of the row in its input's event stream: ORDER BY event_index restores the stream" },
  { name: 'price_decimals', sqlType: 'UTINYINT', meaning: 'decimals of one price unit (constant in a part)' },
  { name: 'size_decimals', sqlType: 'UTINYINT', meaning: 'decimals of one size unit (constant in a part)' },
];

/** Key of the part description in each Parquet file's key-value metadata. */
export const PART_METADATA_KEY = 'flowmine.part';

/** Version of the part layout; a reader refuses parts of a version it does not know. */
export const PART_LAYOUT_VERSION = 1;

/**
 * Everything known about one part: the input it came from, what a replay needs to treat its rows as the
 * input's own (instrument, granularity, window, depth limit, checksum rule, time base), the input's
 * integrity report, and the part's own row count and time range. Written as `part-<id>.integrity.json`
 * beside the part and, identically, into the Parquet file's key-value metadata, so a part file describes
 * itself.
 */
export interface PartDescription {
  layout: number;
  part: string;
  input: string;
  format: string;
  granularity: Granularity;
  windowLevels: number | null;
  depthLimit: number | null;
  checksum: string | null;
  /** The input's first batch time base (epoch ns as decimal text): a replay uses it again, so times align exactly as the input's. */
  timeBaseNs: string;
  /** The instrument of this part, and its index in the input's instrument table. */
  instrument: Instrument & { index: number };
  partition: { venue: string; symbol: string; date: string };
  /** Rows in this part. */
  rows: number;
  /** event_index of its first and last row. */
  firstEventIndex: number;
  lastEventIndex: number;
  /** Venue times of this part's rows (epoch ns text and ISO); null when no row has one. */
  tsEvent: TimeRange | null;
  /** Receive times of this part's rows; null when no row has one. */
  tsRecv: TimeRange | null;
  /** The whole input: events and the number of parts (partitions) they fill. */
  inputEvents: number;
  inputParts: number;
  /** The input's integrity report at ingest (IntegrityReport.toJSON()). */
  integrity: IntegrityJson;
}

/** The smallest and largest time of a set of rows. */
export interface TimeRange {
  minNs: string;
  maxNs: string;
  min: string;
  max: string;
}

/** IntegrityReport.toJSON() as stored. */
export interface IntegrityJson {
  source: string;
  format: string;
  rowsRead: number;
  accepted: number;
  repaired: number;
  skipped: number;
  issues: Record<string, { count: number; examples: string[] }>;
  notes: Record<string, number>;
}
