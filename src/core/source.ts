import type { EventBatch } from './batch.js';
import type { InstrumentTable } from './instrument.js';
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
  batches(): AsyncIterable<EventBatch>;
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
