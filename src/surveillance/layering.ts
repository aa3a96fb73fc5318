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
 * them (within the place window) traded: a layer is placed and cancelled untouched. With `given_up`, a
 * group that saw no trade is an attempt given up when an order on the other side placed with one of its
 * orders (within `pair_window`), at most half that order's size, was cancelled unfilled within
 * `pair_window` of its cancel: the real order was withdrawn with the layer, having found nothing to
 * execute (a ladder requoted on both sides has orders of one size on both). Each
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
  private readonly pairNs: number;
  private readonly givenUp: boolean;
  /**
   * Groups with enough members, per side, by the arrival of the order that completed them and the last
   * cancel seen: judged once the clock is `pair_window` past it (a layer's last orders, and the order on
   * the other side, may be cancelled just after).
   */
  private readonly waiting: { slot: number; addedNs: number; lastEndedNs: number }[] = [];

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.maxLifeNs = num(params, 'max_life') * 1e9;
    this.placeNs = num(params, 'place_window') * 1e9;
    this.cancelNs = num(params, 'cancel_window') * 1e9;
    this.minOrders = num(params, 'min_orders');
    this.minLevels = num(params, 'min_levels');
    this.sizeMultiple = num(params, 'size_multiple');
    this.pairNs = num(params, 'pair_window') * 1e9;
    this.givenUp = num(params, 'given_up') === 1;
  }

  private readonly sizeMultiple: number;

  row(batch: EventBatch, i: number): void {
    if (batch.action[i] !== Action.Trade) return;
    this.judgeDue();
    const trades = this.trades;
    trades.push(this.context.state.ts);
    while (trades.length > 0 && trades.at(0) < this.context.state.ts - 2 * this.maxLifeNs) trades.shift();
  }

  orderEnded(order: TrackedOrder): void {
    // Inferred orders (L2) come and go with every requote of a diff stream: layers cannot be told from them.
    if (this.context.state.granularity !== 'L3') return;
    this.judgeDue();
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
    if (!(members < this.minOrders)) this.wait(order, slot);
  }

  /**
   * Judges the groups whose cancels are over: before the first trade or order end `pair_window` after
   * them, which would push out the group's members and the trades they saw (only those change what a
   * group is judged by), or at the end of the input.
   */
  private judgeDue(): void {
    if (this.waiting.length === 0) return;
    const now = this.context.state.ts;
    for (let k = 0; k < this.waiting.length; ) {
      const entry = this.waiting[k]!;
      if (now - entry.lastEndedNs <= this.pairNs) {
        k++;
        continue;
      }
      this.waiting.splice(k, 1);
      this.judge(entry.slot, entry.addedNs);
    }
  }

  finish(): void {
    for (const entry of this.waiting.splice(0)) this.judge(entry.slot, entry.addedNs);
  }

  /** A group has enough members: it waits until its cancels are over (a layer's last orders and the order on the other side may follow within `pair_window`). */
  private wait(order: TrackedOrder, slot: number): void {
    const waiting = this.waiting.find((entry) => entry.slot === slot && Math.abs(entry.addedNs - order.addedNs) <= this.placeNs);
    if (waiting) waiting.lastEndedNs = order.endedNs;
    else this.waiting.push({ slot, addedNs: order.addedNs, lastEndedNs: order.endedNs });
  }

  /**
   * Whether the group placed around `addedNs`, its cancels over, is a layer: a trade while it rested, or
   * the order on the other side placed with it withdrawn with it. Emits it and takes its members off the list.
   */
  private judge(slot: number, addedNs: number): void {
    const group = this.groupOf(slot, addedNs);
    if (group.length < this.minOrders || !this.untouchedLayer(group, slot)) return;
    const side = slot === 0 ? 1 : -1;
    const first = Math.min(...group.map((member) => member.addedNs));
    const last = Math.max(...group.map((member) => member.endedNs));
    let fills = 0;
    for (let k = 0; k < this.trades.length; k++) if (this.trades.at(k) >= first && this.trades.at(k) <= last) fills++;
    if (fills > 0) return this.emit(group, side, fills, NaN);
    if (!this.givenUp) return;
    // The real order is small beside the layer's order it was placed with (a ladder requoted on both sides is no layer).
    for (const member of group) {
      const partner = this.context.orders.withdrawals.find(-side, member.addedNs, member.endedNs, this.pairNs, 0, member.size / 2, member.id);
      if (!Number.isNaN(partner)) return this.emit(group, side, 0, partner);
    }
  }

  /** The candidates of a side placed within the place window of `addedNs`. */
  private groupOf(slot: number, addedNs: number): Candidate[] {
    return this.candidates[slot]!.filter((other) => Math.abs(other.addedNs - addedNs) <= this.placeNs);
  }

  /** At the least levels, and no large order of the side placed with the group traded. */
  private untouchedLayer(group: Candidate[], slot: number): boolean {
    const levels = new Set(group.map((member) => member.price)).size;
    if (levels < this.minLevels) return false;
    const first = Math.min(...group.map((member) => member.addedNs));
    const last = Math.max(...group.map((member) => member.addedNs));
    const executed = this.executed[slot]!;
    for (let k = 0; k < executed.length; k++) if (executed.at(k) >= first - this.placeNs && executed.at(k) <= last + this.placeNs) return false;
    return true;
  }

  /** Reports a layer (`fills` trades while it rested; none: given up, `partner` the order withdrawn with it) and takes its members off the list. */
  private emit(group: Candidate[], side: number, fills: number, partner: number): void {
    const list = this.candidates[side > 0 ? 0 : 1]!;
    for (const member of group) list.splice(list.indexOf(member), 1);
    const state = this.context.state;
    const prices = group.map((member) => member.price).sort((a, b) => a - b);
    const levels = new Set(prices).size;
    const first = Math.min(...group.map((member) => member.addedNs));
    const now = Math.max(...group.map((member) => member.endedNs));
    const cancelSpread = now - Math.min(...group.map((member) => member.endedNs));
    const total = group.reduce((sum, member) => sum + member.size, 0);
    this.context.emit({
      kind: 'layering',
      instrument: state.index,
      startNs: first,
      endNs: now,
      side,
      price: side > 0 ? prices[prices.length - 1]! : prices[0]!,
      orderIds: group.map((member) => member.id),
      score: Math.round(50 + 20 * unit((group.length - this.minOrders) / this.minOrders) + 15 * unit((levels - this.minLevels + 1) / this.minLevels) + 15 * unit(1 - cancelSpread / Math.max(1, this.cancelNs))),
      explanation:
        `${group.length} ${sideName(side)} orders (${sizeText(total, state)} in all) at ${levels} prices ${priceText(prices[0]!, state)}–${priceText(prices[prices.length - 1]!, state)}, ` +
        `placed within ${secondsText(Math.max(...group.map((member) => member.addedNs)) - first)}, cancelled unfilled within ${secondsText(cancelSpread)}; ` +
        (fills > 0 ? `${fills} trade(s) in between` : `no trade in between, but ${sideName(-side)} order ${partner}, placed with them, was cancelled unfilled with them: an attempt given up`),
    });
  }
}

export const layering: DetectorDefinition = {
  name: 'layering',
  doc: 'several same-side orders at several prices, placed together and cancelled together unfilled, around an execution or, given up, with the small order placed with them on the other side',
  l2: 'needs order ids (L3); reports nothing on L2',
  params: [
    { name: 'min_orders', default: 3, doc: 'orders in a layer' },
    { name: 'min_levels', default: 3, doc: 'distinct prices in a layer' },
    { name: 'place_window', default: 0.1, doc: 'seconds within which the orders arrive' },
    { name: 'cancel_window', default: 0.1, doc: 'seconds within which they are cancelled' },
    { name: 'size_multiple', default: 2, doc: 'minimum size of each order as a multiple of the typical arriving order' },
    { name: 'max_life', default: 10, doc: 'longest life of a layered order, seconds' },
    { name: 'pair_window', default: 0.001, doc: 'given up: the order on the other side is placed and cancelled within this many seconds of one of the layer’s' },
    { name: 'given_up', default: 1, doc: '1 reports a layer without a trade when an order on the other side, placed with one of its orders and at most half that order’s size, was cancelled unfilled with it; 0 requires the trade' },
  ],
  create: (params, context) => new Layering(params, context),
};
