import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { actionMask, priceText, secondsText, sideName, sizeText, unit } from './detector.js';
import { NumberQueue } from './number-queue.js';
import type { TrackedOrder } from './order-tracker.js';

/**
 * Spoofing (REFERENCES.md; the CFTC/FCA pattern as in Lee, Eom & Park 2013): a large order at or near the
 * touch, short-lived, cancelled unfilled right after the spoofer's real order on the other side executes —
 * it sells into the demand the fake bid displays (passively, or by hitting the bids queued ahead of the
 * spoof) — and its arrival shifts the visible imbalance. Public data has no accounts: the execution shows
 * as a trade shortly before the cancel, on either side of the book.
 *
 * Rule (L3): an order that ends cancelled with nothing filled, lived at most `max_life` seconds, was at
 * least `size_multiple` × the typical arriving order size and `touch_multiple` × the size resting at its
 * side's best when it arrived, arrived within `near_ticks` of that best (or improved it), moved the queue
 * imbalance at the touch toward its side by at least `min_shift`, had an order arrive on the other side
 * within `pair_window` seconds of its own arrival (the real order it is meant to help: spoofers place the
 * two together), and saw a trade within `fill_window` seconds before its cancel. Several such
 * orders of one side cancelled within a millisecond of each other are a layer (the layering detector's),
 * not a spoof; on L3 so is one cancelled within a millisecond of another order of its side at least half
 * its size (a layer's other orders sit deeper than `near_ticks`). On L3, with `given_up`, an order that
 * saw no trade is an attempt given up when an order on the other side placed with it (within
 * `pair_window`), at most half its size, was cancelled unfilled within `pair_window` of it: the two were
 * withdrawn together, the real order having found nothing to execute. On L2 the orders are inferred
 * from level changes (OrderTracker.rowL2); the order on the other side must join or improve its side's
 * best (where the helped order goes: a conflated message changes both sides anyway), and as a diff
 * message shows a cancel that happened after the message before it, the trade window opens
 * `fill_window` before that message. Score: 50 + up to 20 for size (×2 the threshold = full), 10 for a
 * short life, 10 for the imbalance shift at arrival, 10 when the trade came in the last quarter of its
 * life (never for an attempt given up).
 */
class Spoofing implements Detector {
  /** Trades; on L3 also adds (an order arrives with each). */
  readonly rowActions: number;
  private readonly maxLifeNs: number;
  private readonly sizeMultiple: number;
  private readonly nearTicks: number;
  private arrivalsSeen = 0;
  /** L2: arrivals at their side's best per side [bid, ask] already recorded in `adds`. */
  private readonly sideArrivalsSeen = [0, 0];
  /** Per side [bid, ask]: arrival times of recent orders. */
  private readonly adds = [new NumberQueue(), new NumberQueue()];
  // Recent trades: times and sizes.
  private readonly tradeTimes = new NumberQueue();
  private readonly tradeSizes = new NumberQueue();
  private readonly givenUp: boolean;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.maxLifeNs = num(params, 'max_life') * 1e9;
    this.sizeMultiple = num(params, 'size_multiple');
    this.nearTicks = num(params, 'near_ticks');
    this.touchMultiple = num(params, 'touch_multiple');
    this.fillWindowNs = num(params, 'fill_window') * 1e9;
    this.minShift = num(params, 'min_shift');
    this.pairNs = num(params, 'pair_window') * 1e9;
    this.givenUp = num(params, 'given_up') === 1 && context.state.granularity === 'L3';
    this.rowActions = context.state.granularity === 'L3' ? actionMask(Action.Add, Action.Trade) : actionMask(Action.Trade);
  }

  private readonly pairNs: number;

  private readonly minShift: number;

  /**
   * Candidates wait until the clock has moved a millisecond past their cancel: a layer cancels together.
   * `cancelAfterNs`: the cancel happened after this time (on L3 at `endedNs`; on L2 after the book message before).
   */
  private pending: (TrackedOrder & { cancelAfterNs: number })[] = [];
  private readonly touchMultiple: number;
  private readonly fillWindowNs: number;

  update(): void {
    if (this.context.state.granularity !== 'L3') this.inferredArrivals();
    this.judgeDue();
  }

  /**
   * Judges the candidates once the clock is a millisecond past their cancels: at the first update after,
   * before its rows and orders (a quiet stream's next update may come seconds later, and its trades
   * would push out the ones the candidates saw).
   */
  private judgeDue(): void {
    if (this.pending.length === 0 || this.context.state.ts - this.pending[this.pending.length - 1]!.endedNs < 1e6) return;
    for (const order of this.pending) {
      const together = this.pending.filter((other) => other.side === order.side && Math.abs(other.endedNs - order.endedNs) < 1e6);
      if (together.length === 1 && !this.layered(order)) this.judge(order);
    }
    this.pending = [];
  }

  finish(): void {
    this.update();
    for (const order of this.pending) this.judge(order);
    this.pending = [];
  }

  /** L2: the orders inferred from an update's level changes arrive once the update is read, several at a time. */
  private inferredArrivals(): void {
    const arrived = this.context.orders.sideArrivals;
    const now = this.context.state.ts;
    for (let slot = 0; slot < 2; slot++) {
      if (arrived[slot] === this.sideArrivalsSeen[slot]) continue;
      this.sideArrivalsSeen[slot] = arrived[slot]!;
      const adds = this.adds[slot]!;
      adds.push(now);
      while (adds.length > 0 && adds.at(0) < now - 2 * this.maxLifeNs) adds.shift();
    }
  }

  row(batch: EventBatch, i: number): void {
    this.judgeDue();
    const orders = this.context.orders;
    if (orders.arrivals !== this.arrivalsSeen && this.context.state.granularity === 'L3') {
      // An order arrived with this row.
      this.arrivalsSeen = orders.arrivals;
      const adds = this.adds[orders.lastArrivalSide > 0 ? 0 : 1]!;
      adds.push(this.context.state.ts);
      while (adds.length > 0 && adds.at(0) < this.context.state.ts - 2 * this.maxLifeNs) adds.shift();
      return;
    }
    if (batch.action[i] !== Action.Trade) return;
    const times = this.tradeTimes;
    times.push(this.context.state.ts);
    this.tradeSizes.push(batch.size[i]!);
    // Keep only trades that can still fall inside a live order's life.
    while (times.length > 0 && times.at(0) < this.context.state.ts - this.maxLifeNs) {
      times.shift();
      this.tradeSizes.shift();
    }
  }

  orderEnded(order: TrackedOrder): void {
    this.judgeDue();
    if (order.end !== 'cancelled' || order.filled > 0) return;
    if (!(order.endedNs - order.addedNs <= this.maxLifeNs) || !(order.ticksFromBest <= this.nearTicks)) return;
    if (!(order.size >= this.sizeMultiple * order.typicalSize) || !(order.size >= this.touchMultiple * order.bestSizeBefore)) return;
    if (!((order.imbalanceAfter - order.imbalanceBefore) * order.side >= this.minShift)) return;
    const seenAfter = this.context.orders.changedAfterNs;
    this.pending.push({ ...order, cancelAfterNs: this.context.state.granularity === 'L3' || !(seenAfter >= order.addedNs) ? order.endedNs : seenAfter });
  }

  /** L3: another order of its side, at least half its size, cancelled unfilled within a millisecond of it (a layer). */
  private layered(order: TrackedOrder): boolean {
    return this.context.state.granularity === 'L3' && !Number.isNaN(this.context.orders.withdrawals.find(order.side, NaN, order.endedNs, 1e6, order.size / 2, Infinity, order.id));
  }

  /** True when an order of `arrivals` came within pair_window of `ns`. */
  private arrivedNear(arrivals: NumberQueue, ns: number): boolean {
    for (let k = 0; k < arrivals.length; k++) if (Math.abs(arrivals.at(k) - ns) <= this.pairNs) return true;
    return false;
  }

  private judge(order: TrackedOrder & { cancelAfterNs: number }): void {
    const life = order.endedNs - order.addedNs;
    const opposite = this.adds[order.side > 0 ? 1 : 0]!;
    if (this.pairNs >= 0 && !this.arrivedNear(opposite, order.addedNs)) return;
    const ratio = order.size / order.typicalSize;
    const times = this.tradeTimes;
    const sizes = this.tradeSizes;
    let count = 0;
    let volume = 0;
    let last = NaN;
    for (let k = 0; k < times.length; k++) {
      const t = times.at(k);
      if (t < order.addedNs || t > order.endedNs || t < order.cancelAfterNs - this.fillWindowNs) continue;
      count++;
      volume += sizes.at(k);
      last = t;
    }
    // No trade: an attempt given up, when the order placed with it on the other side was withdrawn with it.
    const partner = count === 0 && this.givenUp ? this.context.orders.withdrawals.find(-order.side, order.addedNs, order.endedNs, this.pairNs, 0, order.size / 2, order.id) : NaN;
    if (count === 0 && Number.isNaN(partner)) return;
    const state = this.context.state;
    const shift = Math.abs(order.imbalanceAfter - order.imbalanceBefore);
    const score =
      50 +
      20 * unit((ratio - this.sizeMultiple) / this.sizeMultiple) +
      10 * unit(1 - life / this.maxLifeNs) +
      10 * unit(shift / 0.5) +
      (count > 0 && order.endedNs - last <= life / 4 ? 10 : 0);
    const what = order.id > 0 ? `${sideName(order.side)} order ${order.id}` : `${sideName(order.side)} size (inferred from the level)`;
    const where = order.ticksFromBest <= 0 ? (order.ticksFromBest < 0 ? 'improving the best' : 'at the best') : `${order.ticksFromBest} tick(s) behind the best`;
    this.context.emit({
      kind: 'spoofing',
      instrument: state.index,
      startNs: order.addedNs,
      endNs: order.endedNs,
      side: order.side,
      price: order.price,
      orderIds: [order.id],
      score: Math.round(score),
      explanation:
        `${what} of ${sizeText(order.size, state)} (${ratio.toFixed(1)}× the typical ${sizeText(order.typicalSize, state)}) at ${priceText(order.price, state)}, ${where}; ` +
        `queue imbalance ${order.imbalanceBefore.toFixed(2)} → ${order.imbalanceAfter.toFixed(2)} on arrival; cancelled unfilled after ${secondsText(life)}; ` +
        (count === 0
          ? `no trade in the ${secondsText(this.fillWindowNs)} before the cancel, but ${sideName(-order.side)} order ${partner}, placed with it, was cancelled unfilled with it: an attempt given up`
          : `${count} trade(s) of ${sizeText(volume, state)} in the ${secondsText(this.fillWindowNs)} before the cancel, the last ${secondsText(order.endedNs - last)} before it`) +
        (order.cancelAfterNs < order.endedNs ? ` (the book message showing the cancel came ${secondsText(order.endedNs - order.cancelAfterNs)} after the one before it: the window opens before that one)` : ''),
    });
  }
}

export const spoofing: DetectorDefinition = {
  name: 'spoofing',
  doc: 'large order near the touch, cancelled unfilled within max_life right after a trade (the spoofer’s real order executing), or, given up, together with the small order placed with it on the other side; shifts the visible imbalance',
  l2: 'on L2, orders are inferred from level changes (a level that grows is an order of the increase unless another level of its side shrank by as much: a moved order; a shrink is filled as trades at its price account for, the rest cancels the orders closest in size); the order on the other side must join or improve its best; the trade window opens fill_window before the book message preceding the cancel; episodes name no order ids',
  params: [
    { name: 'max_life', default: 5, doc: 'longest life of a spoof order, seconds' },
    { name: 'size_multiple', default: 6, doc: 'minimum size as a multiple of the typical arriving order' },
    { name: 'near_ticks', default: 1, doc: 'farthest distance behind its side’s best at arrival, ticks' },
    { name: 'touch_multiple', default: 4, doc: 'minimum size as a multiple of the size resting at its side’s best on arrival' },
    { name: 'fill_window', default: 0.05, doc: 'the trade comes at most this many seconds before the cancel' },
    { name: 'pair_window', default: 0.001, doc: 'an order on the other side arrives within this many seconds of it (the real order it is meant to help); −1: not required' },
    { name: 'min_shift', default: 0, doc: 'least move of the touch’s queue imbalance toward its side on arrival' },
    { name: 'given_up', default: 1, doc: 'L3: 1 reports an attempt without a trade when an order placed with it on the other side, at most half its size, was cancelled unfilled with it (within pair_window); 0 requires the trade' },
  ],
  create: (params, context) => new Spoofing(params, context),
};
