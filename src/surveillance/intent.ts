import type { EventBatch } from '../core/batch.js';
import type { Episode } from '../core/episode.js';
import { Action } from '../core/event.js';
import type { EventSource } from '../core/source.js';
import { grown } from '../core/typed-arrays.js';
import type { Classifier } from '../mining/models/model.js';
import { Standardizer } from '../mining/models/model.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { actionMask } from './detector.js';
import { detect, type DetectorRequest } from './index.js';
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
const PREDATORY = INTENT_CLASSES.indexOf('predatory');
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
  return (await orderFeaturesAndEpisodes(source, [])).table;
}

/**
 * The per-order feature table of an L3 source and the episodes of `detectors` in the same replay (their
 * times count from the table's time base).
 */
export async function orderFeaturesAndEpisodes(source: EventSource, detectors: readonly DetectorRequest[]): Promise<{ table: OrderTable; episodes: Episode[] }> {
  const table = new OrderTableBuilder();
  const definition: DetectorDefinition = {
    name: 'spoofing',
    doc: 'per-order intent features',
    l2: 'needs order ids (L3)',
    params: [],
    create: (_params, context) => new OrderFeatures(context, table),
  };
  const { summary, episodes } = await detect(source, [{ definition, params: {} }, ...detectors]);
  return { table: table.build(summary.timeBaseNs), episodes };
}

/** Why an order or an episode got its class: a feature, its value (an episode's: its orders' mean) and the drop in probability without it. */
export interface IntentReason {
  feature: string;
  value: number;
  drop: number;
}

/**
 * Per-episode features, from its orders' features: how many (log), their size against the typical order
 * (mean and largest, log), distance behind the best (mean), life (mean and shortest, log10 s), share
 * filled, cancelled and aggressive, placement speed (mean, log10 s), modifications (mean), the 1 s and 10 s
 * markouts (mean, ticks), and the episode's length (log10 s).
 */
export const EPISODE_FEATURES = [
  'log_orders',
  'mean_log_size_ratio',
  'max_log_size_ratio',
  'mean_ticks_from_best',
  'mean_log_life_s',
  'min_log_life_s',
  'mean_fill_ratio',
  'share_cancelled',
  'share_aggressive',
  'mean_log_reaction_s',
  'mean_modifies',
  'mean_markout_1s_ticks',
  'mean_markout_10s_ticks',
  'log_span_s',
] as const;
const EPISODE_WIDTH = EPISODE_FEATURES.length;

/** Episodes as rows of EPISODE_FEATURES, with the orders each was judged by (`basis`: see EpisodeIntent). */
export interface EpisodeTable extends FeatureRows {
  orders: number[][];
  basis: EpisodeIntent['basis'][];
}

/**
 * The features of each episode from the orders of `table` it names (orders it names that the table lacks,
 * such as an aggressor a venue does not show, are left out) or, when it names none of them, the orders of
 * its instrument that arrived within its span. An episode with no orders has NaN features.
 */
export function episodeFeatures(episodes: readonly { instrument: number; startNs: number; endNs: number; orderIds: readonly number[] }[], table: OrderTable): EpisodeTable {
  const rowOf = new Map<number, number>();
  for (let r = 0; r < table.length; r++) rowOf.set(table.ids[r]!, r);
  const byArrival = Int32Array.from({ length: table.length }, (_, r) => r).sort((a, b) => table.arrivedNs[a]! - table.arrivedNs[b]!);
  const firstArrivedAtOrAfter = (ns: number) => {
    let lo = 0;
    let hi = byArrival.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (table.arrivedNs[byArrival[mid]!]! < ns) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const features = new Float64Array(episodes.length * EPISODE_WIDTH).fill(NaN);
  const orders: number[][] = [];
  const basis: EpisodeIntent['basis'][] = [];
  episodes.forEach((episode, e) => {
    let rows = episode.orderIds.map((id) => rowOf.get(id)).filter((row): row is number => row !== undefined);
    basis.push(rows.length > 0 ? 'named' : 'span');
    if (rows.length === 0) {
      for (let k = firstArrivedAtOrAfter(episode.startNs); k < byArrival.length && table.arrivedNs[byArrival[k]!]! <= episode.endNs; k++) {
        if (table.instrument[byArrival[k]!] === episode.instrument) rows.push(byArrival[k]!);
      }
    }
    orders.push(rows);
    if (rows.length === 0) {
      basis[e] = 'none';
      return;
    }
    const f = (row: number, name: (typeof INTENT_FEATURES)[number]) => table.features[row * WIDTH + INTENT_FEATURES.indexOf(name)]!;
    const mean = (name: (typeof INTENT_FEATURES)[number]) => {
      let sum = 0;
      let n = 0;
      for (const row of rows) {
        const value = f(row, name);
        if (value === value) {
          sum += value;
          n++;
        }
      }
      return n > 0 ? sum / n : NaN;
    };
    const values = [
      Math.log(rows.length),
      mean('log_size_ratio'),
      Math.max(...rows.map((row) => f(row, 'log_size_ratio'))),
      mean('ticks_from_best'),
      mean('log_life_s'),
      Math.min(...rows.map((row) => f(row, 'log_life_s'))),
      mean('fill_ratio'),
      mean('cancelled'),
      mean('aggressive'),
      mean('log_reaction_s'),
      mean('modifies'),
      mean('markout_1s_ticks'),
      mean('markout_10s_ticks'),
      Math.log10(Math.max(1e-6, (episode.endNs - episode.startNs) / 1e9)),
    ];
    features.set(values, e * EPISODE_WIDTH);
  });
  return { length: episodes.length, features, orders, basis };
}

/** The intent of an episode (EPISODE_FEATURES of its orders, through the episode model). */
export interface EpisodeIntent {
  /** The orders judged by: those named (`named`), those that arrived during it (`span`), or none seen (`none`). */
  basis: 'named' | 'span' | 'none';
  orders: number;
  /** Index into INTENT_CLASSES; -1 when no order was seen. */
  intent: number;
  /** Each class's probability (NaN when no order was seen). */
  probabilities: number[];
  /** The features that decided (see IntentModel.explain); empty unless asked for. */
  because: IntentReason[];
}

/** Classifies episodes with an episode model; `explain` adds each one's deciding features. */
export function episodeIntents(model: IntentModel, episodes: EpisodeTable, explain = false): EpisodeIntent[] {
  const classes = INTENT_CLASSES.length;
  const probabilities = model.predict(episodes);
  const reasons = explain ? model.explain(episodes) : [];
  return episodes.basis.map((basis, e) => {
    if (basis === 'none') return { basis, orders: 0, intent: -1, probabilities: INTENT_CLASSES.map(() => NaN), because: [] };
    const p = Array.from(probabilities.subarray(e * classes, (e + 1) * classes));
    return { basis, orders: episodes.orders[e]!.length, intent: p.indexOf(Math.max(...p)), probabilities: p, because: reasons[e] ?? [] };
  });
}

/**
 * Stretches of ordinary trading to learn episodes from beside the manipulators': the orders of each agent
 * that does not manipulate, cut where it paused for more than `gapNs`, at most `perAgent` stretches an
 * agent (spread over the run), each labelled with the agent's intent. With the labelled episodes and the
 * detections they are what the episode model is trained and evaluated on.
 */
export function agentStretches(table: OrderTable, identityOf: (orderId: number) => number, kindOf: (identity: number) => string, gapNs = 1e9, perAgent = 40): { episodes: Pick<Episode, 'instrument' | 'startNs' | 'endNs' | 'orderIds'>[]; labels: number[] } {
  const byAgent = new Map<number, number[]>();
  for (let r = 0; r < table.length; r++) {
    const k = identityOf(table.ids[r]!);
    if (k < 0 || intentOfAgent(kindOf(k)) === PREDATORY) continue;
    (byAgent.get(k) ?? byAgent.set(k, []).get(k)!).push(r);
  }
  const episodes: Pick<Episode, 'instrument' | 'startNs' | 'endNs' | 'orderIds'>[] = [];
  const labels: number[] = [];
  for (const [k, rows] of byAgent) {
    rows.sort((a, b) => table.arrivedNs[a]! - table.arrivedNs[b]!);
    const stretches: number[][] = [];
    for (const row of rows) {
      const last = stretches.at(-1);
      if (last && table.arrivedNs[row]! - table.arrivedNs[last.at(-1)!]! <= gapNs) last.push(row);
      else stretches.push([row]);
    }
    const step = Math.max(1, stretches.length / perAgent);
    for (let i = 0; i < stretches.length; i += step) {
      const stretch = stretches[Math.floor(i)]!;
      episodes.push({ instrument: table.instrument[stretch[0]!]!, startNs: table.arrivedNs[stretch[0]!]!, endNs: table.arrivedNs[stretch.at(-1)!]!, orderIds: stretch.map((row) => table.ids[row]!) });
      labels.push(intentOfAgent(kindOf(k)));
    }
  }
  return { episodes, labels };
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

/** Rows of features: an OrderTable, or the episodes' table of `episodeFeatures`. */
export interface FeatureRows {
  length: number;
  features: Float64Array;
}

/**
 * A trained intent model over rows of `features` (the orders' INTENT_FEATURES by default, or the episodes'
 * EPISODE_FEATURES): the classifier with its standardization; missing values (markouts never resolved)
 * count as average.
 */
export class IntentModel {
  private readonly standardizer = new Standardizer();
  private readonly width: number;

  constructor(
    private readonly classifier: Classifier,
    private readonly features: readonly string[] = INTENT_FEATURES,
  ) {
    this.width = features.length;
  }

  fit(table: FeatureRows, labels: Int32Array): void {
    const x = complete(table.features);
    this.standardizer.fit(x, this.width);
    this.classifier.fit(this.standardizer.apply(x, this.width), this.width, labels, INTENT_CLASSES.length);
  }

  /** Class probabilities per row (rows × classes). */
  predict(table: FeatureRows): Float64Array {
    return this.classifier.predict(this.standardizer.apply(complete(table.features), this.width), this.width);
  }

  /**
   * Why each order got its class: per order, the `top` features whose replacement by the average order's
   * value lowers the predicted class's probability most (occlusion), with that drop. One prediction pass
   * per feature over all orders.
   */
  explain(table: FeatureRows, top = 3): IntentReason[][] {
    const classes = INTENT_CLASSES.length;
    const width = this.width;
    const x = this.standardizer.apply(complete(table.features), width);
    const base = this.classifier.predict(x, width);
    const predicted = Int32Array.from({ length: table.length }, (_, r) => {
      let best = 0;
      for (let k = 1; k < classes; k++) if (base[r * classes + k]! > base[r * classes + best]!) best = k;
      return best;
    });
    const drops = this.features.map((_, c) => {
      const occluded = x.slice();
      for (let r = 0; r < table.length; r++) occluded[r * width + c] = 0;
      const p = this.classifier.predict(occluded, width);
      return Float64Array.from({ length: table.length }, (_, r) => base[r * classes + predicted[r]!]! - p[r * classes + predicted[r]!]!);
    });
    return Array.from({ length: table.length }, (_, r) =>
      this.features.map((feature, c) => ({ feature, value: table.features[r * width + c]!, drop: drops[c]![r]! }))
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
