/**
 * The formatting side of a ThreadedWriter (writer-thread.ts): reads the blocks of rows off the shared
 * tape as they are published and writes them with the plain CSV or JSONL writer, continuing the file
 * the other thread began on the same descriptor.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { BLOCKS, CONSUMED, DONE, FAILED, IDLE, PUBLISHED, READY, SIGNAL, tapeLayout, TapeReader } from './table/row-tape.js';
import { CsvRows } from './table/csv-rows.js';
import { textWriter } from './table/text-writers.js';
import type { WriterThreadData, WriterThreadError } from './writer-thread.js';

const data = workerData as WriterThreadData;
const control = new Int32Array(data.control);
const cells = new Float64Array(data.cells);
const blockRows = new Int32Array(data.blockRows);
const blockStrings = new Int32Array(data.blockStrings);
const layout = tapeLayout(data.columns);
try {
  // Continues the file on its descriptor, which the other thread opened and closes.
  const output = { fd: data.fd, continued: true };
  const writer = textWriter(data.format, data.path, data.columns, output);
  const reader = new TapeReader(layout, writer, CsvRows.for(data.columns, writer));
  Atomics.store(control, READY, 1);
  for (let consumed = 0; ; ) {
    if (Atomics.load(control, PUBLISHED) === consumed) {
      if (Atomics.load(control, DONE) === 1) break;
      // Idle until woken: the other thread wakes this one only when it says it is idle (a wake costs it a
      // system call), and says so first, then looks again, so that a block published meanwhile is seen.
      const signal = Atomics.load(control, SIGNAL);
      Atomics.store(control, IDLE, 1);
      if (Atomics.load(control, PUBLISHED) === consumed && Atomics.load(control, DONE) === 0) Atomics.wait(control, SIGNAL, signal);
      Atomics.store(control, IDLE, 0);
      continue;
    }
    const index = consumed % BLOCKS;
    const strings = blockStrings[index]! > 0 ? (receiveMessageOnPort(data.strings)!.message as string[]) : [];
    reader.read(cells, index * layout.blockRows * layout.stride, blockRows[index]!, strings);
    Atomics.store(control, CONSUMED, ++consumed);
    Atomics.notify(control, CONSUMED);
  }
  await writer.close();
} catch (error) {
  const { message, code, path } = error as NodeJS.ErrnoException;
  const failure: WriterThreadError = { message: message ?? String(error), ...(code !== undefined && { code }), ...(path !== undefined && { path }) };
  data.strings.postMessage(failure);
  Atomics.store(control, FAILED, 1);
  // The other thread waits for room on the ring no more.
  Atomics.store(control, CONSUMED, 2 ** 30);
  Atomics.notify(control, CONSUMED);
} finally {
  data.strings.close();
}
