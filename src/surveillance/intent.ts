import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import type { EventSource } from '../core/source.js';
import { grown } from '../core/typed-arrays.js';
import type { Classifier } from '../mining/models/model.js';
import { Standardizer } from '../mining/models/model.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { actionMask } from './detector.js';
import { detect } from './index.js';
import type { TrackedOrder } from './order-tracker.js';

/** What an order's flow is for (REFERENCES.md; Kirilenko, Kyle, Samadi & Tuzun 2017 trader types). */
export const INTENT_CLASSES = ['providing', 'seeking_uninformed', 'seeking_informed', 'predatory'] as const;
export type IntentClass = (typeof INTENT_CLASSES)[number];

/**
 * Per-order features, from the public L3 stream only: size against the typical order (log), distance
 * behind its side's best on arrival in ticks (negative: it crossed or improved), life (log10 seconds),
 * share filled, cancelled, aggressive (it traded on arrival), time since the touch last changed when it
 * arrived (log10 seconds: placement speed), modifications, and the mid's move 1 s and 10 s after arrival
 * in ticks, signed by the order's direction (markouts).
 */
export const INTENT_FEATURES = ['log_size_ratio', 'ticks_from_best', 'log_life_s', 'fill_ratio', 'cancelled', 'aggressive', 'log_reaction_s', 'modifies', 'markout_1s_ticks', 'markout_10s_ticks'] as const;
const WIDTH = INTENT_FEATURES.length;
const MARKOUTS_NS = [1e9, 10e9];

/** The per-order feature table of a stream: order ids, arrival times and the features (rows × WIDTH). */
export interface OrderTable {
  length: number;
  /** Epoch ns that `arrivedNs` counts from. */
  timeBaseNs: bigint;
  ids: Float64Array;
  instrument: Int32Array;
  arrivedNs: Float64Array;
  features: Float64Array;
}

/** Collects the features of every order (resting orders at their end; aggressive orders at their trade). */
class OrderFeatures implements Detector {
  readonly rowActions = actionMask(Action.Trade);
  private touchChangedNs = NaN;
  private lastBid = NaN;
  private lastAsk = NaN;
  private readonly pending: { row: number; due: number; k: number; mid: number; side: number }[] = [];
  private readonly aggressiveSeen = new Set<number>();

  constructor(private readonly context: DetectorContext, private readonly table: OrderTableBuilder) {}

  row(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    const state = this.context.state;
    if (action !== Action.Trade) return;
    // An aggressor id: a trade whose id is not a resting order (venues differ in which id trades carry).
    const id = batch.orderId[i]!;
    if (id === 0 || this.context.orders.has(id) || this.aggressiveSeen.has(id)) return;
    this.aggressiveSeen.add(id);
    const side = batch.side[i]!;
    const best = side > 0 ? state.prevAskPrice : state.prevBidPrice;
    const tick = Math.max(1, state.instrument.tickUnits);
    const through = Number.isNaN(best) ? 0 : ((batch.price[i]! - best) * side) / tick;
    const typical = this.context.orders.typicalSize;
    this.record(id, side, state.ts, [Math.log(batch.size[i]! / typical), -1 - through, -6, 1, 0, 1, this.reaction(state.ts), 0]);
  }

  orderEnded(order: TrackedOrder): void {
    const life = Math.max(1e-6, (order.endedNs - order.addedNs) / 1e9);
    this.record(order.id, order.side, order.addedNs, [
      Math.log(order.size / order.typicalSize),
      Number.isNaN(order.ticksFromBest) ? 0 : order.ticksFromBest,
      Math.log10(life),
      order.filled / order.size,
      order.end === 'cancelled' ? 1 : 0,
      0,
      this.reaction(order.addedNs),
      order.modifies,
    ]);
  }

  update(): void {
    const state = this.context.state;
    const bid = state.book.bestBidPrice();
    const ask = state.book.bestAskPrice();
    if (bid !== this.lastBid || ask !== this.lastAsk) this.touchChangedNs = state.ts;
    this.lastBid = bid;
    this.lastAsk = ask;
    const mid = (bid + ask) / 2;
    const tick = Math.max(1, state.instrument.tickUnits);
    let keep = 0;
    for (const item of this.pending) {
      if (item.due <= state.ts && !Number.isNaN(mid)) this.table.features[item.row * WIDTH + 8 + item.k] = ((mid - item.mid) * item.side) / tick;
      else this.pending[keep++] = item;
    }
    this.pending.length = keep;
  }

  private reaction(ts: number): number {
    return Math.log10(Math.max(1e-6, Number.isNaN(this.touchChangedNs) ? 1 : (ts - this.touchChangedNs) / 1e9));
  }

  private record(id: number, side: number, arrivedNs: number, values: number[]): void {
    const state = this.context.state;
    const row = this.table.add(id, state.index, arrivedNs, values);
    // The mid at arrival is the one before the order's update; markouts resolve as time passes.
    const mid = (state.prevBidPrice + state.prevAskPrice) / 2;
    MARKOUTS_NS.forEach((horizon, k) => this.pending.push({ row, due: arrivedNs + horizon, k, mid, side }));
  }
}

class OrderTableBuilder {
  length = 0;
  ids = new Float64Array(1024);
  instrument = new Int32Array(1024);
  arrivedNs = new Float64Array(1024);
  features = new Float64Array(1024 * WIDTH);

  add(id: number, instrument: number, arrivedNs: number, values: number[]): number {
    if (this.length === this.ids.length) {
      const capacity = this.length * 2;
      this.ids = grown(this.ids, capacity);
      this.instrument = grown(this.instrument, capacity);
      this.arrivedNs = grown(this.arrivedNs, capacity);
      this.features = grown(this.features, capacity * WIDTH);
    }
    const row = this.length++;
    this.ids[row] = id;
    this.instrument[row] = instrument;
    this.arrivedNs[row] = arrivedNs;
    this.features.fill(NaN, row * WIDTH, (row + 1) * WIDTH);
    values.forEach((value, k) => (this.features[row * WIDTH + k] = value));
    return row;
  }

  build(timeBaseNs: bigint): OrderTable {
    return { length: this.length, timeBaseNs, ids: this.ids.slice(0, this.length), instrument: this.instrument.slice(0, this.length), arrivedNs: this.arrivedNs.slice(0, this.length), features: this.features.slice(0, this.length * WIDTH) };
  }
}

/** The per-order feature table of an L3 source (replayed once, with the detectors' order tracker). */
export async function orderFeatures(source: EventSource): Promise<OrderTable> {
  const table = new OrderTableBuilder();
  const definition: DetectorDefinition = {
    name: 'spoofing',
    doc: 'per-order intent features',
    l2: 'needs order ids (L3)',
    params: [],
    create: (_params, context) => new OrderFeatures(context, table),
  };
  const { summary } = await detect(source, [{ definition, params: {} }]);
  return table.build(summary.timeBaseNs);
}

/** The intent class of a simulated agent kind (ground truth for training and evaluation). */
export function intentOfAgent(kind: string): number {
  switch (kind) {
    case 'market_maker':
    case 'iceberg':
      return 0;
    case 'noise':
    case 'momentum':
      return 1;
    case 'informed':
      return 2;
    default:
      return 3;
  }
}

/** A trained intent model: the classifier with its standardization; missing markouts count as average. */
export class IntentModel {
  private readonly standardizer = new Standardizer();

  constructor(private readonly classifier: Classifier) {}

  fit(table: OrderTable, labels: Int32Array): void {
    const x = complete(table.features);
    this.standardizer.fit(x, WIDTH);
    this.classifier.fit(this.standardizer.apply(x, WIDTH), WIDTH, labels, INTENT_CLASSES.length);
  }

  /** Class probabilities per order (rows × classes). */
  predict(table: OrderTable): Float64Array {
    return this.classifier.predict(this.standardizer.apply(complete(table.features), WIDTH), WIDTH);
  }

  /**
   * Why each order got its class: per order, the `top` features whose replacement by the average order's
   * value lowers the predicted class's probability most (occlusion), with that drop. One prediction pass
   * per feature over all orders.
   */
  explain(table: OrderTable, top = 3): { feature: string; value: number; drop: number }[][] {
    const classes = INTENT_CLASSES.length;
    const x = this.standardizer.apply(complete(table.features), WIDTH);
    const base = this.classifier.predict(x, WIDTH);
    const predicted = Int32Array.from({ length: table.length }, (_, r) => {
      let best = 0;
      for (let k = 1; k < classes; k++) if (base[r * classes + k]! > base[r * classes + best]!) best = k;
      return best;
    });
    const drops = INTENT_FEATURES.map((_, c) => {
      const occluded = x.slice();
      for (let r = 0; r < table.length; r++) occluded[r * WIDTH + c] = 0;
      const p = this.classifier.predict(occluded, WIDTH);
      return Float64Array.from({ length: table.length }, (_, r) => base[r * classes + predicted[r]!]! - p[r * classes + predicted[r]!]!);
    });
    return Array.from({ length: table.length }, (_, r) =>
      INTENT_FEATURES.map((feature, c) => ({ feature, value: table.features[r * WIDTH + c]!, drop: drops[c]![r]! }))
        .sort((a, b) => b.drop - a.drop)
        .slice(0, top),
    );
  }
}

/** The features with NaN (markouts never resolved) replaced by 0 before standardization would see them. */
function complete(features: Float64Array): Float64Array {
  const out = features.slice();
  for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i]!)) out[i] = 0;
  return out;
}

/** Confusion matrix (truth rows × predicted columns) and per-class and macro F1 (over classes present in truth or predictions). */
export function confusion(probabilities: Float64Array, labels: Int32Array): { matrix: number[][]; f1: number[]; macroF1: number } {
  const classes = INTENT_CLASSES.length;
  const matrix = INTENT_CLASSES.map(() => new Array<number>(classes).fill(0));
  for (let r = 0; r < labels.length; r++) {
    if (labels[r]! < 0) continue;
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[r * classes + k]! > probabilities[r * classes + best]!) best = k;
    matrix[labels[r]!]![best]!++;
  }
  const f1 = matrix.map((row, k) => {
    const tp = row[k]!;
    const fn = row.reduce((sum, n) => sum + n, 0) - tp;
    const fp = matrix.reduce((sum, other) => sum + other[k]!, 0) - tp;
    return tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : NaN;
  });
  const present = f1.filter((value) => !Number.isNaN(value));
  return { matrix, f1, macroF1: present.reduce((sum, value) => sum + value, 0) / present.length };
}
