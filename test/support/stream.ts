import { BatchBuilder, type EventBatch } from '../../src/core/batch.js';
import { Action, Flag } from '../../src/core/event.js';
import { InstrumentTable } from '../../src/core/instrument.js';
import { Integrity, IntegrityReport } from '../../src/core/integrity.js';
import type { EventSource, Granularity } from '../../src/core/source.js';

/** One hand-written event: time in ns, action, side, price and size in units, order id (L3). */
export interface Row {
  ts: number;
  action: number;
  side?: number;
  price?: number;
  size?: number;
  id?: number;
  /** Ends an atomic update (default true). */
  last?: boolean;
  flags?: number;
}

/**
 * An in-memory source of hand-written rows for tests: one instrument (`TEST`, price decimals 2, size
 * decimals 0, tick 1 unit), batches of `batchRows` complete rows.
 */
export function rowSource(rows: readonly Row[], granularity: Granularity = 'L3', batchRows = 8192, decimals = { price: 2, size: 0 }): EventSource {
  const instruments = new InstrumentTable();
  instruments.intern({ venue: 'test', symbol: 'TEST', venueId: -1, priceDecimals: decimals.price, sizeDecimals: decimals.size, tickUnits: 1 });
  const integrity = new Integrity('strict', new IntegrityReport('test', 'rows'));
  return {
    format: 'rows',
    path: 'test',
    granularity,
    instruments,
    integrity,
    async *batches(): AsyncGenerator<EventBatch> {
      const builder = new BatchBuilder(instruments, 0n, batchRows);
      for (let k = 0; k < rows.length; k++) {
        const row = rows[k]!;
        const flags = (row.flags ?? 0) | (row.last === false ? 0 : Flag.Last);
        builder.push(row.ts, NaN, 0, row.action, row.side ?? 0, row.price ?? 0, row.size ?? 0, row.id ?? 0, k + 1, flags, k + 1);
        for (let batch = builder.take(); batch; batch = builder.take()) yield batch;
      }
      const rest = builder.flush();
      if (rest) yield rest;
    },
  };
}

/** L2 helpers: a full snapshot of levels [price, size] per side at time ts. */
export function snapshot(ts: number, bids: [number, number][], asks: [number, number][]): Row[] {
  return [
    { ts, action: Action.SnapshotBegin, last: false, flags: Flag.Snapshot },
    ...bids.map(([price, size]): Row => ({ ts, action: Action.LevelSet, side: 1, price, size, last: false, flags: Flag.Snapshot })),
    ...asks.map(([price, size]): Row => ({ ts, action: Action.LevelSet, side: -1, price, size, last: false, flags: Flag.Snapshot })),
    { ts, action: Action.SnapshotEnd, flags: Flag.Snapshot },
  ];
}
