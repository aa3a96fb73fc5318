import type { EventBatch } from './batch.js';
import type { Instrument, InstrumentTable } from './instrument.js';
import type { Integrity, IntegrityPolicy, QuarantineSink } from './integrity.js';

/** How detailed a source's book information is. */
export type Granularity = 'L3' | 'L2' | 'quotes' | 'trades';

/**
 * An opened input: its instruments, its integrity account and its events as a stream of batches.
 * `batches()` may be iterated once.
 */
export interface EventSource {
  readonly format: string;
  readonly path: string;
  readonly granularity: Granularity;
  readonly instruments: InstrumentTable;
  readonly integrity: Integrity;
  /**
   * Set when the source only reports events inside the top `windowLevels` price levels (LOBSTER level-N):
   * orders outside the window are never announced, so unknown order ids are expected, not errors.
   */
  readonly windowLevels?: number;
  /** The venue keeps books to this many levels per side (a subscription depth); deeper levels are dropped by the client. */
  readonly depthLimit?: number;
  /** How the venue's checksums (Action.Checksum rows) are computed from a book. */
  readonly checksum?: BookChecksum;
  batches(): AsyncIterable<EventBatch>;
}

/** What a checksum needs of a book: its levels by rank (Side 1 bids, -1 asks; rank 0 best). */
export interface LevelsView {
  depth(side: number): number;
  priceAt(side: number, rank: number): number;
  sizeAt(side: number, rank: number): number;
}

/** A venue's book checksum rule (e.g. Kraken's CRC32 of the top ten levels). */
export interface BookChecksum {
  readonly name: string;
  compute(book: LevelsView, instrument: Instrument): number;
}

/** Options every reader accepts; readers document which extra ones they use. */
export interface OpenOptions {
  policy?: IntegrityPolicy;
  quarantine?: QuarantineSink;
  /** Trading date `YYYY-MM-DD` for formats whose times are times of day (LOBSTER). */
  date?: string;
  /** Companion file holding the book state after each message (LOBSTER orderbook); false to ignore it. */
  companion?: string | false;
  /** Rows per batch (a batch may be longer to finish an atomic update). */
  batchRows?: number;
  /**
   * The consumer reads each batch only until it asks for the next: the batch's columns are then reused
   * for later batches (sparing the allocation of new ones), so a consumer that keeps batches must not set it.
   */
  recycleBatches?: boolean;
  /**
   * Whether ticks the reader cannot know are inferred from the stream's head (the default; its batches are
   * held back until it is read). Consumers that never use ticks (a replay to prices and sizes) set false:
   * such instruments then keep `tickUnits` 0, unknown.
   */
  inferTicks?: boolean;
}

/** A readable format: how to recognise it and how to open it. Registered with `defineFormat`. */
export interface FormatDescriptor {
  readonly name: string;
  readonly description: string;
  readonly granularity: Granularity;
  /** True when the first bytes (decompressed) and the file name look like this format. */
  sniff(head: string, fileName: string): boolean;
  /** Opens the file; formats whose header says what the file holds (Databento) read it here. */
  open(path: string, options: OpenOptions): EventSource | Promise<EventSource>;
}
