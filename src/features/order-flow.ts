import { L3Book, type OrderLife } from '../book/l3-book.js';
import type { EventBatch } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import type { Feature, FeatureDefinition, StreamState } from './feature.js';

/** Volumes (size units) and counts of order flow in the current bar. */
class FlowTally {
  added = 0;
  cancelled = 0;
  filled = 0;
  adds = 0;
  cancels = 0;
  modifies = 0;
  trades = 0;
  reset(): void {
    this.added = this.cancelled = this.filled = this.adds = this.cancels = this.modifies = this.trades = 0;
  }
}

/**
 * Adds, cancels and fills inferred from L2 level changes joined with trades. A level that grows was added
 * to; one that shrinks was filled as far as trades at its price since the last book change account for,
 * and cancelled for the rest. Trades are keyed by price only (one price cannot rest on both sides of an
 * uncrossed book). Traded volume not matched by the next book change is forgotten (hidden or
 * off-book executions). After a snapshot the level sizes are read again from the book, and the
 * snapshot's changes are not counted as flow.
 */
export class LevelFlowInference {
  private readonly sizes = [new Map<number, number>(), new Map<number, number>()];
  private readonly traded = new Map<number, number>();

  constructor(private readonly tally: FlowTally) {}

  row(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    if (action === Action.Trade) {
      const price = batch.price[i]!;
      this.traded.set(price, (this.traded.get(price) ?? 0) + batch.size[i]!);
      this.tally.trades++;
      return;
    }
    if (action !== Action.LevelSet && action !== Action.LevelDelete) return;
    const sizes = this.sizes[batch.side[i]! > 0 ? 0 : 1]!;
    const price = batch.price[i]!;
    const before = sizes.get(price) ?? 0;
    const after = action === Action.LevelSet ? batch.size[i]! : 0;
    if (after > 0) sizes.set(price, after);
    else sizes.delete(price);
    const tally = this.tally;
    if (after > before) {
      tally.added += after - before;
      tally.adds++;
    } else if (after < before) {
      const available = this.traded.get(price) ?? 0;
      const filled = Math.min(available, before - after);
      if (filled > 0) this.traded.set(price, available - filled);
      tally.filled += filled;
      if (before - after > filled) {
        tally.cancelled += before - after - filled;
        tally.cancels++;
      }
    }
  }

  /** After an update: forget unmatched trades once the book has changed; re-read levels after a snapshot. */
  update(state: StreamState, bookChanged: boolean): void {
    if (bookChanged) this.traded.clear();
    if (!state.snapshot) return;
    for (const [index, side] of [[0, 1], [1, -1]] as const) {
      const sizes = this.sizes[index]!;
      sizes.clear();
      const book = state.book;
      for (let rank = 0; rank < book.depth(side); rank++) sizes.set(book.priceAt(side, rank), book.sizeAt(side, rank));
    }
  }
}

/**
 * Order flow per bar: added, cancelled and filled volume, add / cancel / modify / trade counts, the
 * order-to-trade ratio (order messages — adds, cancels, modifies — per trade) and the cancel-to-add
 * ratio. L3 data counts the venue's own messages (a cancel or modify restating an order after its fill is
 * the venue's, not the trader's, and is not counted); L2 data counts inferred events (LevelFlowInference).
 */
class OrderFlow implements Feature {
  private readonly tally = new FlowTally();
  private readonly inference: LevelFlowInference | null;
  private bookRows = 0;

  constructor(l3: boolean, private readonly sizeScale: number) {
    this.inference = l3 ? null : new LevelFlowInference(this.tally);
  }

  row(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    if (action !== Action.Trade) this.bookRows++;
    if (this.inference) return this.inference.row(batch, i);
    const tally = this.tally;
    const size = batch.size[i]!;
    if (batch.flags[i]! & Flag.AfterFill) return;
    switch (action) {
      case Action.Add:
        tally.added += size;
        tally.adds++;
        break;
      case Action.Cancel:
      case Action.Delete:
        tally.cancelled += size;
        tally.cancels++;
        break;
      case Action.Modify:
        tally.modifies++;
        break;
      case Action.Fill:
        tally.filled += size;
        break;
      case Action.Trade:
        tally.trades++;
        break;
    }
  }

  update(state: StreamState): void {
    this.inference?.update(state, this.bookRows > 0);
    this.bookRows = 0;
  }

  close(out: Float64Array, offset: number): void {
    const { tally, sizeScale } = this;
    out[offset] = tally.added / sizeScale;
    out[offset + 1] = tally.cancelled / sizeScale;
    out[offset + 2] = tally.filled / sizeScale;
    out[offset + 3] = tally.adds;
    out[offset + 4] = tally.cancels;
    out[offset + 5] = tally.modifies;
    out[offset + 6] = tally.trades;
    out[offset + 7] = tally.trades > 0 ? (tally.adds + tally.cancels + tally.modifies) / tally.trades : NaN;
    out[offset + 8] = tally.adds > 0 ? tally.cancels / tally.adds : NaN;
    tally.reset();
  }
}

/**
 * Lives of the orders that left the book in the bar (L3 only; NaN on L2): count, mean lifetime in
 * seconds, mean lifetime of those cancelled, and the share that was filled in full.
 */
class OrderLifetimes implements Feature {
  private ended = 0;
  private lifeSum = 0;
  private cancelled = 0;
  private cancelledLifeSum = 0;
  private filled = 0;
  private readonly available: boolean;

  constructor(state: StreamState) {
    const book = state.book;
    this.available = book instanceof L3Book;
    if (book instanceof L3Book) {
      const previous = book.onOrderEnd;
      book.onOrderEnd = (life) => {
        previous?.(life);
        this.record(life);
      };
    }
  }

  private record(life: OrderLife): void {
    if (life.end === 'dropped' || Number.isNaN(life.addedNs)) return;
    const seconds = (life.endedNs - life.addedNs) / 1e9;
    this.ended++;
    this.lifeSum += seconds;
    if (life.end === 'cancelled') {
      this.cancelled++;
      this.cancelledLifeSum += seconds;
    } else this.filled++;
  }

  close(out: Float64Array, offset: number): void {
    out[offset] = this.available ? this.ended : NaN;
    out[offset + 1] = this.ended > 0 ? this.lifeSum / this.ended : NaN;
    out[offset + 2] = this.cancelled > 0 ? this.cancelledLifeSum / this.cancelled : NaN;
    out[offset + 3] = this.ended > 0 ? this.filled / this.ended : NaN;
    this.ended = this.lifeSum = this.cancelled = this.cancelledLifeSum = this.filled = 0;
  }
}

/**
 * Queue depletion at the touch: size taken from the best bid (ask) queue during the bar — fills, cancels
 * and deletes at the price that was best before the row's update — divided by the best queue's size at
 * the bar's start. Above 1: the queue was consumed and replenished within the bar. L3 only; NaN on L2.
 */
class QueueDepletion implements Feature {
  private readonly taken = new Float64Array(2);
  private readonly startSize = new Float64Array([NaN, NaN]);
  private readonly lastSize = new Float64Array([NaN, NaN]);
  constructor(private readonly available: boolean) {}

  row(batch: EventBatch, i: number, state: StreamState): void {
    const action = batch.action[i]!;
    if (action !== Action.Fill && action !== Action.Cancel && action !== Action.Delete) return;
    if (batch.flags[i]! & Flag.AfterFill) return;
    const side = batch.side[i]!;
    const best = side > 0 ? state.prevBidPrice : state.prevAskPrice;
    if (batch.price[i] === best) this.taken[side > 0 ? 0 : 1]! += batch.size[i]!;
  }

  update(state: StreamState): void {
    this.lastSize[0] = state.book.bestBidSize();
    this.lastSize[1] = state.book.bestAskSize();
    if (Number.isNaN(this.startSize[0]!)) this.startSize.set(this.lastSize);
  }

  close(out: Float64Array, offset: number): void {
    for (let k = 0; k < 2; k++) out[offset + k] = this.available && this.startSize[k]! > 0 ? this.taken[k]! / this.startSize[k]! : NaN;
    this.taken.fill(0);
    this.startSize.set(this.lastSize);
  }
}

export const orderFlow: FeatureDefinition = {
  name: 'order_flow',
  doc: 'added / cancelled / filled volume, add, cancel, modify and trade counts, order-to-trade and cancel-to-add ratios per bar (L2: inferred from level changes and trades)',
  params: [],
  rows: 'all',
  columns: () => ['added_volume', 'cancelled_volume', 'filled_volume', 'adds', 'cancels', 'modifies', 'trades', 'order_to_trade', 'cancel_to_add'],
  create: (_params, state) => new OrderFlow(state.granularity === 'L3', state.sizeScale),
};

export const orderLifetimes: FeatureDefinition = {
  name: 'lifetime',
  doc: 'orders that left the book in the bar: count, mean lifetime (s), mean lifetime of cancelled ones (s), share filled (L3)',
  params: [],
  rows: 'none',
  columns: () => ['orders_ended', 'lifetime_mean_s', 'lifetime_cancelled_mean_s', 'filled_share'],
  create: (_params, state) => new OrderLifetimes(state),
};

export const queueDepletion: FeatureDefinition = {
  name: 'queue_depletion',
  doc: 'size taken from the best bid / ask queue in the bar over its size at the bar start (L3)',
  params: [],
  rows: 'all',
  columns: () => ['queue_depletion_bid', 'queue_depletion_ask'],
  create: (_params, state) => new QueueDepletion(state.granularity === 'L3'),
};

export const orderFlowFeatures = [orderFlow, orderLifetimes, queueDepletion];
