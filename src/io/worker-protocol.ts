import type { EventBatch } from '../core/batch.js';
import type { Instrument } from '../core/instrument.js';
import type { IssueCount } from '../core/integrity.js';
import type { Granularity } from '../core/source.js';

/** Messages a decoding worker sends to the thread that consumes its batches. */
export type WorkerMessage =
  | { type: 'open'; format: string; granularity: Granularity; windowLevels: number | undefined; depthLimit: number | undefined; checksum: string | undefined }
  | { type: 'instruments'; list: Instrument[] }
  | { type: 'batch'; batch: TransferableBatch }
  | { type: 'done'; report: ReportState }
  | { type: 'error'; name: string; message: string; file?: string; line?: number; field?: string; detail?: string };

/**
 * What the consumer sends back: one credit per batch it has taken, and, when it recycles, the buffers of
 * each batch it is done with (in `columnList` order) for the decoder to fill again.
 */
export type ConsumerMessage = { type: 'credit' } | { type: 'recycle'; buffers: ArrayBuffer[] };

/** An EventBatch without its instrument table (the consumer keeps its own copy). */
export type TransferableBatch = Omit<EventBatch, 'instruments'>;

/** The integrity report's counts, as they cross threads. */
export interface ReportState {
  rowsRead: number;
  repaired: number;
  skipped: number;
  issues: [string, IssueCount][];
  notes: [string, number][];
}

/** Batches the worker may have in flight before it waits for credit: bounds memory, keeps both threads busy. */
export const BATCHES_IN_FLIGHT = 4;
