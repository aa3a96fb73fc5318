import type { Worker } from 'node:worker_threads';
import { eventBatch, type EventBatch } from '../core/batch.js';
import { columnBuffers } from '../core/event-columns.js';
import { FlowmineError, InputError, UsageError } from '../core/errors.js';
import { InstrumentTable } from '../core/instrument.js';
import { Integrity, IntegrityReport, type IntegrityPolicy } from '../core/integrity.js';
import type { BookChecksum, EventSource, Granularity, OpenOptions } from '../core/source.js';
import { checksumRule } from './checksums.js';
import type { ConsumerMessage, WorkerMessage } from './worker-protocol.js';
import { startWorker } from './worker-thread.js';

/**
 * Options for a source decoded in a worker: as openSource, with the quarantine given as a file path. With
 * `recycleBatches` a batch's buffers go back to the worker once the next batch is asked for (the batch's
 * columns are then empty), to be filled again.
 */
export type WorkerSourceOptions = Omit<OpenOptions, 'quarantine'> & { format?: string; quarantinePath?: string };

/**
 * An EventSource whose input is decoded in a worker thread while this thread consumes the batches
 * (books, features, output): on a machine with two cores, decoding and consuming overlap. Batches cross
 * without copying (their buffers are transferred). The first transfer makes V8 throw away, once, all of
 * this thread's optimized code that reads typed arrays (a detached buffer becomes possible; see
 * docs/ARCHITECTURE.md): the CLI decodes in its own thread. Errors arrive as the same one-line errors;
 * the reader's integrity counts are merged into `integrity.report` when the input ends.
 *
 * ```ts
 * const source = await openSourceInWorker('big_message_1.csv', { policy: 'repair' });
 * await replay(source);
 * ```
 */
export async function openSourceInWorker(path: string, options: WorkerSourceOptions = {}): Promise<EventSource> {
  const { quarantinePath, recycleBatches = false, ...openOptions } = options;
  const worker = startWorker('worker-entry.js', { path, options: openOptions, quarantinePath });
  const inbox = new Inbox(worker);
  const first = await inbox.next();
  if (first.type !== 'open') {
    await worker.terminate();
    throw asError(first);
  }
  const source = new WorkerSource(path, first.format, first.granularity, first.windowLevels, options.policy ?? 'strict', worker, inbox, recycleBatches);
  source.depthLimit = first.depthLimit;
  source.checksum = first.checksum === undefined ? undefined : checksumRule(first.checksum);
  return source;
}

class WorkerSource implements EventSource {
  readonly instruments = new InstrumentTable();
  readonly integrity: Integrity;
  depthLimit: number | undefined;
  checksum: BookChecksum | undefined;

  constructor(
    readonly path: string,
    readonly format: string,
    readonly granularity: Granularity,
    readonly windowLevels: number | undefined,
    policy: IntegrityPolicy,
    private readonly worker: Worker,
    private readonly inbox: Inbox,
    private readonly recycleBatches: boolean,
  ) {
    this.integrity = new Integrity(policy, new IntegrityReport(path, format));
  }

  async *batches(): AsyncGenerator<EventBatch> {
    try {
      for (;;) {
        const message = await this.inbox.next();
        switch (message.type) {
          case 'instruments':
            for (const instrument of message.list) this.instruments.intern(instrument);
            break;
          case 'batch': {
            this.worker.postMessage({ type: 'credit' } satisfies ConsumerMessage);
            yield eventBatch(message.batch.length, message.batch.timeBaseNs, message.batch, this.instruments);
            if (this.recycleBatches) {
              const buffers = columnBuffers(message.batch);
              this.worker.postMessage({ type: 'recycle', buffers } satisfies ConsumerMessage, buffers);
            }
            break;
          }
          case 'done':
            this.mergeReport(message.report);
            return;
          default:
            throw asError(message);
        }
      }
    } finally {
      await this.worker.terminate();
    }
  }

  private mergeReport(state: Extract<WorkerMessage, { type: 'done' }>['report']): void {
    const report = this.integrity.report;
    report.rowsRead += state.rowsRead;
    report.repaired += state.repaired;
    report.skipped += state.skipped;
    for (const [kind, entry] of state.issues) {
      const mine = report.issues.get(kind);
      if (mine) mine.count += entry.count;
      else report.issues.set(kind, entry);
    }
    for (const [kind, n] of state.notes) report.note(kind, n);
  }
}

/** Queues a worker's messages for one async consumer; a crash of the worker becomes an error message. */
class Inbox {
  private readonly queue: WorkerMessage[] = [];
  private waiting: ((message: WorkerMessage) => void) | null = null;

  constructor(worker: Worker) {
    const deliver = (message: WorkerMessage) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve(message);
      } else this.queue.push(message);
    };
    worker.on('message', deliver);
    worker.on('error', (error) => deliver({ type: 'error', name: 'Error', message: error.message }));
    // After 'done' nobody reads this; before it, it turns a worker that stopped early into an error, not a hang.
    worker.on('exit', (code) => deliver({ type: 'error', name: 'Error', message: code === 0 ? 'decoding worker stopped before the end of the input' : `decoding worker exited with code ${code}` }));
  }

  next(): Promise<WorkerMessage> {
    const message = this.queue.shift();
    return message ? Promise.resolve(message) : new Promise((resolve) => (this.waiting = resolve));
  }
}

function asError(message: WorkerMessage): Error {
  if (message.type !== 'error') return new Error(`unexpected message from the decoding worker: ${message.type}`);
  if (message.name === 'InputError') return new InputError(message.file!, message.line!, message.field!, message.detail!);
  if (message.name === 'UsageError') return new UsageError(message.message);
  if (message.name === 'FlowmineError') return new FlowmineError(message.message);
  return new Error(message.message);
}
