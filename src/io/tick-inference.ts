import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import type { InstrumentTable } from '../core/instrument.js';
import type { EventSource } from '../core/source.js';
import { SourceWrapper } from './source-wrapper.js';

/** Rows of the stream's head whose prices decide the ticks of the instruments it holds. */
export const TICK_HEAD_ROWS = 200_000;

/**
 * Fills in the price tick of instruments whose reader could not know it (`tickUnits` 0: Databento MBO
 * carries no instrument definitions, crypto feeds print prices without their tick). The tick is taken as
 * the greatest common divisor of the differences between the prices of book and trade rows in the first
 * `headRows` rows of the stream — the finest step the data shows. Snapshots list hundreds of levels, so
 * this is the venue's tick in practice (ES: 0.25; Deribit BTC-PERPETUAL: 0.5); at worst, on a head that
 * never used the finest step, a multiple of it. Instruments first seen after the head, or with fewer than
 * two distinct prices in it, get 1 unit (the instrument's decimals).
 *
 * The batches of the head are held back until it is read (the head is counted in rows, not batches, so
 * the result does not depend on batch sizes), and nothing is buffered when every instrument's tick is known.
 */
export function withInferredTicks(source: EventSource, headRows = TICK_HEAD_ROWS): EventSource {
  return new TickInferringSource(source, headRows);
}

/** The source itself, but for `batches()`, which settles ticks first. */
class TickInferringSource extends SourceWrapper {
  constructor(
    inner: EventSource,
    private readonly headRows: number,
  ) {
    super(inner);
  }
  batches(): AsyncIterable<EventBatch> {
    return inferredBatches(this.inner, this.headRows);
  }
}

async function* inferredBatches(source: EventSource, headRows: number): AsyncIterable<EventBatch> {
  const instruments = source.instruments;
  const divisor = new TickDivisor();
  // Batches wait here from the first one with an unknown tick until the head has been read.
  const held: EventBatch[] = [];
  let rows = 0;
  for await (const batch of source.batches()) {
    if (rows < headRows) {
      divisor.scan(batch, Math.min(batch.length, headRows - rows));
      rows += batch.length;
      if (held.length > 0 || hasUnknownTick(instruments)) {
        held.push(batch);
        if (rows < headRows) continue;
        divisor.settle(instruments);
        yield* held.splice(0);
        continue;
      }
    }
    divisor.settle(instruments);
    yield batch;
  }
  divisor.settle(instruments);
  yield* held;
}

function hasUnknownTick(instruments: InstrumentTable): boolean {
  for (let k = 0; k < instruments.size; k++) if (instruments.get(k).tickUnits === 0) return true;
  return false;
}

/** Running GCD of price steps per instrument. */
class TickDivisor {
  private readonly first: number[] = [];
  private readonly gcd: number[] = [];
  /** Instruments [0, settled) have their tick. */
  private settled = 0;

  scan(batch: EventBatch, rows: number): void {
    const { action, price, instrument } = batch;
    for (let i = 0; i < rows; i++) {
      const a = action[i]!;
      if (a !== Action.Add && a !== Action.Modify && a !== Action.Fill && a !== Action.Trade && a !== Action.LevelSet) continue;
      const p = price[i]!;
      if (!(p > 0)) continue;
      const k = instrument[i]!;
      const first = this.first[k];
      if (first === undefined) {
        this.first[k] = p;
        this.gcd[k] = 0;
      } else if (p !== first) this.gcd[k] = gcd(this.gcd[k]!, Math.abs(p - first));
    }
  }

  /** Sets the tick of every instrument still unknown: the head's GCD, else 1 unit. */
  settle(instruments: InstrumentTable): void {
    for (let k = this.settled; k < instruments.size; k++) {
      const instrument = instruments.get(k);
      if (instrument.tickUnits === 0) instrument.tickUnits = this.gcd[k] || 1;
    }
    this.settled = instruments.size;
  }
}

/** Euclid on whole numbers held in doubles (exact below 2^53). */
function gcd(a: number, b: number): number {
  while (b > 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}
