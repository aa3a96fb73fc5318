import type { EventBatch } from '../core/batch.js';
import { columnBuffers, columnsOver, recycleColumns } from '../core/event-columns.js';
import type { InstrumentTable } from '../core/instrument.js';
import type { Integrity } from '../core/integrity.js';
import type { BookChecksum, EventSource, Granularity } from '../core/source.js';

/** A source that is another one but for its batches: everything else is the inner source's. */
export abstract class SourceWrapper implements EventSource {
  constructor(protected readonly inner: EventSource) {}
  get format(): string {
    return this.inner.format;
  }
  get path(): string {
    return this.inner.path;
  }
  get granularity(): Granularity {
    return this.inner.granularity;
  }
  get instruments(): InstrumentTable {
    return this.inner.instruments;
  }
  get integrity(): Integrity {
    return this.inner.integrity;
  }
  get windowLevels(): number | undefined {
    return this.inner.windowLevels;
  }
  get depthLimit(): number | undefined {
    return this.inner.depthLimit;
  }
  get checksum(): BookChecksum | undefined {
    return this.inner.checksum;
  }
  abstract batches(): AsyncIterable<EventBatch>;
}

/**
 * The source with its batches recycled (OpenOptions.recycleBatches): once the consumer asks for the next
 * batch, the previous one's columns go back to the readers of this thread to be filled again.
 */
export function withRecycledBatches(source: EventSource): EventSource {
  return new RecyclingSource(source);
}

class RecyclingSource extends SourceWrapper {
  async *batches(): AsyncIterable<EventBatch> {
    for await (const batch of this.inner.batches()) {
      yield batch;
      recycleColumns(columnsOver(columnBuffers(batch)));
    }
  }
}
