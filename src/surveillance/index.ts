/** Registers every built-in detector and runs detectors over a source. */
import type { ReplaySummary } from '../book/replay.js';
import type { EventBatch } from '../core/batch.js';
import type { Episode } from '../core/episode.js';
import { Registry } from '../core/registry.js';
import type { EventSource } from '../core/source.js';
import { UsageError } from '../core/errors.js';
import type { FeatureDefinition, Params } from '../features/feature.js';
import { parseParams } from '../features/registry.js';
import { runFeatures } from '../features/run.js';
import { absorption } from './absorption.js';
import type { Detector, DetectorDefinition } from './detector.js';
import { iceberg } from './iceberg.js';
import { layering } from './layering.js';
import { markingTheClose } from './marking-the-close.js';
import { momentumIgnition } from './momentum-ignition.js';
import { OrderTracker } from './order-tracker.js';
import { pinging } from './pinging.js';
import { quoteStuffing } from './quote-stuffing.js';
import { spoofing } from './spoofing.js';
import { washTrading } from './wash-trading.js';

export const detectors = new Registry<DetectorDefinition>('detector');
for (const definition of [spoofing, layering, quoteStuffing, momentumIgnition, washTrading, pinging, iceberg, absorption, markingTheClose]) detectors.define(definition);

export interface DetectorRequest {
  readonly definition: DetectorDefinition;
  readonly params: Params;
}

/** Parses `spoofing,layering:min_orders=4,…`; `all` (or an empty list) is every detector with its defaults. */
export function parseDetectorList(list: string): DetectorRequest[] {
  const items = list.split(',').map((part) => part.trim()).filter(Boolean);
  if (items.length === 0 || (items.length === 1 && items[0] === 'all')) return detectors.all().map((definition) => ({ definition, params: parseParams('--detectors', definition.name, definition, []) }));
  const seen = new Set<string>();
  return items.map((item) => {
    const [name, ...assignments] = item.split(':');
    const definition = detectors.get(name!);
    if (seen.has(definition.name)) throw new UsageError(`--detectors: ${definition.name} is requested twice`);
    seen.add(definition.name);
    return { definition, params: parseParams('--detectors', item, definition, assignments) };
  });
}

type RowCall = (batch: EventBatch, i: number) => void;

/**
 * Per action code (any byte), the `row` of the detectors that read rows of that action, in request order:
 * a row goes only to the detectors that asked for its action. Methods are bound once: detectors are of
 * many classes, and a call through a bound function costs less than looking the method up.
 */
function rowDispatch(instances: readonly Detector[]): RowCall[][] {
  const none: RowCall[] = [];
  const rowsFor: RowCall[][] = [];
  for (let action = 0; action < 256; action++) {
    const readers = instances.filter((detector) => detector.row && (detector.rowActions === undefined || (action < 32 && (detector.rowActions >>> action) & 1)));
    rowsFor.push(readers.length > 0 ? readers.map((detector) => detector.row!.bind(detector)) : none);
  }
  return rowsFor;
}

/**
 * Runs detectors over a source: one order tracker and one instance of each detector per instrument, fed
 * every complete update by the feature engine's event clock. Returns the episodes in order of their end.
 */
export async function detect(source: EventSource, requests: readonly DetectorRequest[], onBatch?: (rows: number) => void): Promise<{ episodes: Episode[]; summary: ReplaySummary }> {
  const episodes: Episode[] = [];
  const finishers: (() => void)[] = [];
  const surveillance: FeatureDefinition = {
    name: 'surveillance',
    doc: 'runs the detectors of one instrument',
    params: [],
    rows: 'all',
    columns: () => [],
    create(_params, state) {
      const orders = new OrderTracker(state);
      // Inferred orders (L2) have no venue ids: episodes name only real ones.
      const context = { state, orders, emit: (episode: Episode) => episodes.push(state.granularity === 'L3' ? episode : { ...episode, orderIds: episode.orderIds.filter((id) => id > 0) }) };
      const instances: Detector[] = requests.map((request) => request.definition.create(request.params, context));
      const rowsFor = rowDispatch(instances);
      const updates = instances.filter((detector) => detector.update).map((detector) => detector.update!.bind(detector));
      const ends = instances.filter((detector) => detector.orderEnded).map((detector) => detector.orderEnded!.bind(detector));
      orders.onEnd = (order) => {
        for (let k = 0; k < ends.length; k++) ends[k]!(order);
      };
      finishers.push(() => {
        for (const detector of instances) detector.finish?.();
      });
      const l3 = state.granularity === 'L3';
      const l2 = state.granularity === 'L2';
      return {
        // Hot: every row of the input passes here once.
        row(batch, i) {
          if (l3) orders.row(batch, i);
          else if (l2) orders.rowL2(batch, i);
          const readers = rowsFor[batch.action[i]!]!;
          for (let k = 0; k < readers.length; k++) readers[k]!(batch, i);
        },
        update() {
          if (l3) orders.updateL3();
          else if (l2) orders.updateL2();
          for (let k = 0; k < updates.length; k++) updates[k]!();
        },
        close() {},
      };
    },
  };
  const { summary } = await runFeatures(source, [{ definition: surveillance, params: {}, columns: [] }], { kind: 'event' }, () => {}, onBatch);
  for (const finish of finishers) finish();
  episodes.sort((a, b) => a.endNs - b.endNs || a.startNs - b.startNs);
  return { episodes, summary };
}

export type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
export { OrderTracker, type TrackedOrder } from './order-tracker.js';
