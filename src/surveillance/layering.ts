import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { actionMask, priceText, secondsText, sideName, sizeText, unit } from './detector.js';
import { NumberQueue } from './number-queue.js';
import type { TrackedOrder } from './order-tracker.js';

/** What a layer needs of an order that ended cancelled. */
interface Candidate {
  id: number;
  price: number;
  size: number;
  addedNs: number;
  endedNs: number;
}

/**
 * Layering (REFERENCES.md): several same-side orders across price levels, placed together and cancelled
 * together, unfilled, around the layerer's execution on the other side (public data has no accounts: it
 * shows as a trade while the layer rests).
 *
 * Rule (L3): among orders of one side that ended cancelled and unfilled after living at most `max_life`
 * seconds, each at least `size_multiple` × the typical arriving order, a group of at least `min_orders` whose arrivals all fall within `place_window` seconds and whose
 * cancels all fall within `cancel_window` seconds, resting at `min_levels` or more distinct prices, with a
 * trade between the group's first arrival and last cancel, and no large order of that side placed with
 * them (within the place window) traded: a layer is placed and cancelled untouched. Each
 * order belongs to at most one episode. Score: 50 + up to 20 for the number of orders (twice the minimum =
 * full), 15 for the spread of levels, 15 for how tightly the cancels cluster.
 */
class Layering implements Detector {
  readonly rowActions = actionMask(Action.Trade);
  private readonly candidates: Candidate[][] = [[], []];
  /** Per side: arrival times of recent large orders that traded (a layer is placed and cancelled untouched). */
  private readonly executed = [new NumberQueue(), new NumberQueue()];
  /** Times of recent trades. */
  private readonly trades = new NumberQueue();
  private readonly maxLifeNs: number;
  private readonly placeNs: number;
  private readonly cancelNs: number;
  private readonly minOrders: number;
  private readonly minLevels: number;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.maxLifeNs = num(params, 'max_life') * 1e9;
    this.placeNs = num(params, 'place_window') * 1e9;
    this.cancelNs = num(params, 'cancel_window') * 1e9;
    this.minOrders = num(params, 'min_orders');
    this.minLevels = num(params, 'min_levels');
    this.sizeMultiple = num(params, 'size_multiple');
  }

  private readonly sizeMultiple: number;

  row(batch: EventBatch, i: number): void {
    if (batch.action[i] !== Action.Trade) return;
    const trades = this.trades;
    trades.push(this.context.state.ts);
    while (trades.length > 0 && trades.at(0) < this.context.state.ts - 2 * this.maxLifeNs) trades.shift();
  }

  orderEnded(order: TrackedOrder): void {
    // Inferred orders (L2) come and go with every requote of a diff stream: layers cannot be told from them.
    if (this.context.state.granularity !== 'L3') return;
    if (!(order.size >= this.sizeMultiple * order.typicalSize)) return;
    if (order.filled > 0) {
      // A large order that traded: the orders placed with it are not an untouched layer.
      const executed = this.executed[order.side > 0 ? 0 : 1]!;
      executed.push(order.addedNs);
      while (executed.length > 0 && executed.at(0) < order.endedNs - 2 * this.maxLifeNs) executed.shift();
      return;
    }
    if (order.end !== 'cancelled' || !(order.endedNs - order.addedNs <= this.maxLifeNs)) return;
    const slot = order.side > 0 ? 0 : 1;
    const list = this.candidates[slot]!;
    list.push({ id: order.id, price: order.price, size: order.size, addedNs: order.addedNs, endedNs: order.endedNs });
    const now = order.endedNs;
    while (list.length > 0 && list[0]!.endedNs < now - this.cancelNs) list.shift();
    // The group: cancels within the cancel window (the list), arrivals within the place window of this one's.
    let members = 0;
    for (let k = 0; k < list.length; k++) if (Math.abs(list[k]!.addedNs - order.addedNs) <= this.placeNs) members++;
    if (!(members < this.minOrders)) this.judge(order, slot);
  }

  /** Whether the group of `order` (enough members) is a layer; emits it and takes its members off the list. */
  private judge(order: TrackedOrder, slot: number): void {
    const list = this.candidates[slot]!;
    const now = order.endedNs;
    const group = list.filter((other) => Math.abs(other.addedNs - order.addedNs) <= this.placeNs);
    const levels = new Set(group.map((member) => member.price)).size;
    if (levels < this.minLevels) return;
    const first = Math.min(...group.map((member) => member.addedNs));
    const last = Math.max(...group.map((member) => member.addedNs));
    const executed = this.executed[slot]!;
    for (let k = 0; k < executed.length; k++) if (executed.at(k) >= first - this.placeNs && executed.at(k) <= last + this.placeNs) return;
    let fills = 0;
    for (let k = 0; k < this.trades.length; k++) if (this.trades.at(k) >= first && this.trades.at(k) <= now) fills++;
    if (fills === 0) return;
    for (const member of group) list.splice(list.indexOf(member), 1);
    const state = this.context.state;
    const prices = group.map((member) => member.price).sort((a, b) => a - b);
    const cancelSpread = now - Math.min(...group.map((member) => member.endedNs));
    const total = group.reduce((sum, member) => sum + member.size, 0);
    this.context.emit({
      kind: 'layering',
      instrument: state.index,
      startNs: first,
      endNs: now,
      side: order.side,
      price: order.side > 0 ? prices[prices.length - 1]! : prices[0]!,
      orderIds: group.map((member) => member.id),
      score: Math.round(50 + 20 * unit((group.length - this.minOrders) / this.minOrders) + 15 * unit((levels - this.minLevels + 1) / this.minLevels) + 15 * unit(1 - cancelSpread / Math.max(1, this.cancelNs))),
      explanation:
        `${group.length} ${sideName(order.side)} orders (${sizeText(total, state)} in all) at ${levels} prices ${priceText(prices[0]!, state)}–${priceText(prices[prices.length - 1]!, state)}, ` +
        `placed within ${secondsText(Math.max(...group.map((member) => member.addedNs)) - first)}, cancelled unfilled within ${secondsText(cancelSpread)}; ` +
        `${fills} trade(s) in between`,
    });
  }
}

export const layering: DetectorDefinition = {
  name: 'layering',
  doc: 'several same-side orders at several prices, placed together and cancelled together unfilled, around an execution',
  l2: 'needs order ids (L3); reports nothing on L2',
  params: [
    { name: 'min_orders', default: 3, doc: 'orders in a layer' },
    { name: 'min_levels', default: 3, doc: 'distinct prices in a layer' },
    { name: 'place_window', default: 0.1, doc: 'seconds within which the orders arrive' },
    { name: 'cancel_window', default: 0.1, doc: 'seconds within which they are cancelled' },
    { name: 'size_multiple', default: 2, doc: 'minimum size of each order as a multiple of the typical arriving order' },
    { name: 'max_life', default: 10, doc: 'longest life of a layered order, seconds' },
  ],
  create: (params, context) => new Layering(params, context),
};
