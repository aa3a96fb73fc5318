import { Replayer, type ReplaySummary } from '../book/replay.js';
import type { EventSource } from '../core/source.js';
import { grown } from '../core/typed-arrays.js';
import { parseClock, type ClockSpec } from './clock.js';
import { FeatureEngine, type BarRows, type BarSink } from './engine.js';
import { parseFeatureList, type FeatureRequest } from './registry.js';

/**
 * Replays a source and runs the requested features over it, handing each closed bar to `sink` (or
 * writing it into its rows).
 * `onBatch` sees every batch's row count (for progress). Returns the engine (its columns and time base)
 * and the replay summary.
 */
export async function runFeatures(
  source: EventSource,
  requests: readonly FeatureRequest[],
  clock: ClockSpec,
  sink: BarSink | BarRows,
  onBatch?: (rows: number) => void,
): Promise<{ engine: FeatureEngine; summary: ReplaySummary }> {
  const replayer = Replayer.for(source);
  const engine = new FeatureEngine(requests, clock, source.granularity, source.instruments, sink);
  for await (const batch of source.batches()) {
    replayer.push(batch, engine.onUpdate);
    onBatch?.(batch.length);
  }
  engine.finish();
  return { engine, summary: replayer.finish() };
}

/**
 * Features as a columnar frame: one row per bar, `ts` in ns after `timeBaseNs`, the instrument index, and
 * one Float64Array per column (NaN where a value is undefined).
 */
export interface FeatureFrame {
  readonly length: number;
  readonly timeBaseNs: bigint;
  readonly ts: Float64Array;
  readonly instrument: Int32Array;
  readonly columns: Readonly<Record<string, Float64Array>>;
}

/** Runs the requested features over a source and gathers the bars into a frame. */
export async function collectFrame(source: EventSource, requests: readonly FeatureRequest[], clock: ClockSpec, onBatch?: (rows: number) => void): Promise<FeatureFrame> {
  let n = 0;
  let ts = new Float64Array(1024);
  let instrument = new Int32Array(1024);
  const width = requests.reduce((sum, request) => sum + request.columns.length, 0);
  // The features write each bar straight into the frame's rows.
  const rows = {
    cells: new Float64Array(1024 * width),
    begin(inst: number, at: number): number {
      if (n === ts.length) {
        ts = grown(ts, n * 2);
        instrument = grown(instrument, n * 2);
        rows.cells = grown(rows.cells, n * 2 * width);
      }
      ts[n] = at;
      instrument[n] = inst;
      return n * width;
    },
    end(): void {
      n++;
    },
  };
  const { engine } = await runFeatures(source, requests, clock, rows, onBatch);
  const values = rows.cells;
  const columns: Record<string, Float64Array> = {};
  engine.columns.forEach((name, c) => {
    const column = new Float64Array(n);
    for (let r = 0; r < n; r++) column[r] = values[r * width + c]!;
    columns[name] = column;
  });
  return { length: n, timeBaseNs: engine.timeBaseNs, ts: ts.slice(0, n), instrument: instrument.slice(0, n), columns };
}

/**
 * Library entry: features of a source as a frame.
 *
 * ```ts
 * const frame = await computeFeatures(await openSource('AMZN_..._message_1.csv'), 'ofi,qi', '10s');
 * frame.columns.ofi; // Float64Array, one value per 10-second bar
 * ```
 */
export async function computeFeatures(source: EventSource, featureList: string, clock: string): Promise<FeatureFrame> {
  return await collectFrame(source, parseFeatureList(featureList), parseClock(clock));
}
