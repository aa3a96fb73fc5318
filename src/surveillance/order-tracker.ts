import type { EventBatch } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import type { StreamState } from '../features/feature.js';

/** What the tracker knows of one order (L3). Prices and sizes in units; times ns after the time base. */
export interface TrackedOrder {
  id: number;
  side: number;
  price: number;
  /** Largest displayed size it had (its size at entry, or after a size-increasing modify). */
  size: number;
  remaining: number;
  filled: number;
  /** Number of fills it took. */
  fills: number;
  addedNs: number;
  endedNs: number;
  /** Ticks behind (positive) or through (negative) its side's best when it arrived; NaN if the side was empty. */
  ticksFromBest: number;
  /** Size resting at its side's best just before it arrived. */
  bestSizeBefore: number;
  /** Queue imbalance (bid − ask)/(bid + ask) at the touch before and after it arrived. */
  imbalanceBefore: number;
  imbalanceAfter: number;
  /** Typical order size when it arrived (exponential average of arriving sizes). */
  typicalSize: number;
  /** How it ended: filled in full or cancelled; '' while resting. */
  end: '' | 'filled' | 'cancelled';
  modifies: number;
}

/**
 * Follows every order of an L3 stream by id: where it arrived relative to the touch, how big it was
 * against the typical order, how the visible imbalance moved when it arrived, fills and cancels, and how
 * it ended. Orders placed before the data began are not tracked. Detectors read it and are told of
 * every order that ends.
 */
export class OrderTracker {
  readonly live = new Map<number, TrackedOrder>();
  /** Exponential average of arriving order sizes (units), span ~200 orders. */
  typicalSize = NaN;
  /** Venue time of the last fill of a resting order on each side: [bid, ask]. */
  readonly lastFillNs = [NaN, NaN];
  readonly lastFillSize = [0, 0];
  onEnd: ((order: TrackedOrder) => void) | null = null;
  private readonly tick: number;

  constructor(private readonly state: StreamState) {
    this.tick = Math.max(1, state.instrument.tickUnits);
  }

  // Rows of one complete update, in order; `state.book` is the book after the whole update.
  row(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    const id = batch.orderId[i]!;
    const state = this.state;
    switch (action) {
      case Action.Add: {
        const side = batch.side[i]!;
        const price = batch.price[i]!;
        const size = batch.size[i]!;
        const best = side > 0 ? state.prevBidPrice : state.prevAskPrice;
        const bestSize = side > 0 ? state.prevBidSize : state.prevAskSize;
        const bid = state.prevBidSize;
        const ask = state.prevAskSize;
        const before = (bid - ask) / (bid + ask);
        const atTouch = side > 0 ? price >= best || Number.isNaN(best) : price <= best || Number.isNaN(best);
        const bidAfter = side > 0 && atTouch ? (price === best ? bid + size : size) : bid;
        const askAfter = side < 0 && atTouch ? (price === best ? ask + size : size) : ask;
        this.live.set(id, {
          id,
          side,
          price,
          size,
          remaining: size,
          filled: 0,
          fills: 0,
          addedNs: state.ts,
          endedNs: NaN,
          ticksFromBest: Number.isNaN(best) ? NaN : (side > 0 ? best - price : price - best) / this.tick,
          bestSizeBefore: bestSize,
          imbalanceBefore: before,
          imbalanceAfter: (bidAfter - askAfter) / (bidAfter + askAfter),
          typicalSize: this.typicalSize,
          end: '',
          modifies: 0,
        });
        this.typicalSize = Number.isNaN(this.typicalSize) ? size : this.typicalSize + (2 / 201) * (size - this.typicalSize);
        return;
      }
      case Action.Fill: {
        const side = batch.side[i]!;
        const slot = side > 0 ? 0 : 1;
        this.lastFillNs[slot] = state.ts;
        this.lastFillSize[slot] = batch.size[i]!;
        const order = this.live.get(id);
        if (!order) return;
        order.filled += batch.size[i]!;
        order.fills++;
        order.remaining -= batch.size[i]!;
        if (order.remaining <= 0) this.ended(order, 'filled');
        return;
      }
      case Action.Cancel: {
        const order = this.live.get(id);
        if (!order || batch.flags[i]! & Flag.AfterFill) return;
        order.remaining -= batch.size[i]!;
        if (order.remaining <= 0) this.ended(order, 'cancelled');
        return;
      }
      case Action.Delete: {
        const order = this.live.get(id);
        if (order) this.ended(order, order.remaining > 0 || order.filled === 0 ? 'cancelled' : 'filled');
        return;
      }
      case Action.Modify: {
        const order = this.live.get(id);
        if (!order || batch.flags[i]! & Flag.AfterFill) return;
        order.modifies++;
        order.price = batch.price[i]!;
        order.remaining = batch.size[i]!;
        order.size = Math.max(order.size, batch.size[i]!);
        return;
      }
    }
  }

  private ended(order: TrackedOrder, end: 'filled' | 'cancelled'): void {
    order.end = end;
    order.endedNs = this.state.ts;
    this.live.delete(order.id);
    this.onEnd?.(order);
  }
}
