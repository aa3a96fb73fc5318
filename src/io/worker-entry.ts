/**
 * The decoding side of a WorkerSource: opens the input in this worker thread and posts its batches,
 * transferring their buffers, never more than BATCHES_IN_FLIGHT ahead of the consumer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { columnBuffers, columnsOver, recycleColumns } from '../core/event-columns.js';
import { FlowmineError, InputError } from '../core/errors.js';
import type { OpenOptions } from '../core/source.js';
import { openSource } from './index.js';
import { QuarantineFile } from './quarantine.js';
import { BATCHES_IN_FLIGHT, type ConsumerMessage, type WorkerMessage } from './worker-protocol.js';

const { path, options, quarantinePath } = workerData as { path: string; options: OpenOptions & { format?: string }; quarantinePath?: string };
const port = parentPort!;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let credit = BATCHES_IN_FLIGHT;
let wake: (() => void) | null = null;
port.on('message', (message: ConsumerMessage) => {
  if (message.type === 'recycle') return recycleColumns(columnsOver(message.buffers));
  credit++;
  wake?.();
  wake = null;
});

const quarantine = quarantinePath ? new QuarantineFile(quarantinePath) : undefined;
try {
  const source = await openSource(path, { ...options, ...(quarantine && { quarantine }) });
  post({ type: 'open', format: source.format, granularity: source.granularity, windowLevels: source.windowLevels, depthLimit: source.depthLimit, checksum: source.checksum?.name });
  let instrumentsSent = 0;
  for await (const { instruments, ...batch } of source.batches()) {
    if (instruments.size > instrumentsSent) {
      post({ type: 'instruments', list: instruments.list.slice(instrumentsSent) });
      instrumentsSent = instruments.size;
    }
    while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
    credit--;
    post({ type: 'batch', batch }, columnBuffers(batch));
  }
  const report = source.integrity.report;
  post({ type: 'done', report: { rowsRead: report.rowsRead, repaired: report.repaired, skipped: report.skipped, issues: [...report.issues], notes: [...report.notes] } });
} catch (error) {
  if (error instanceof InputError) post({ type: 'error', name: error.name, message: error.message, file: error.file, line: error.line, field: error.field, detail: error.detail });
  else if (error instanceof FlowmineError) post({ type: 'error', name: error.name, message: error.message });
  else post({ type: 'error', name: 'Error', message: error instanceof Error ? error.message : String(error) });
} finally {
  quarantine?.close();
  port.close();
}
