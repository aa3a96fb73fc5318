import type { BookView } from '../book/view.js';
import type { Feature, FeatureDefinition, Params, StreamState } from './feature.js';
import { num } from './feature.js';

/** A feature whose values are the book's state after the last update, reported unchanged at the bar's end. */
abstract class StateFeature implements Feature {
  protected readonly last: Float64Array;
  constructor(width: number) {
    this.last = new Float64Array(width).fill(NaN);
  }
  abstract update(state: StreamState): void;
  close(out: Float64Array, offset: number): void {
    // A loop, not TypedArray.set: these hold one or two values, and set's call costs more than the copy.
    const last = this.last;
    for (let k = 0; k < last.length; k++) out[offset + k] = last[k]!;
  }
}

/** Sum of the sizes of the best `levels` levels of a side, in size units. */
export function depthUnits(book: BookView, side: number, levels: number): number {
  let total = 0;
  const n = Math.min(levels, book.depth(side));
  for (let rank = 0; rank < n; rank++) total += book.sizeAt(side, rank);
  return total;
}

const LEVELS = { name: 'levels', default: 5, doc: 'price levels per side' } as const;

export const spread: FeatureDefinition = {
  name: 'spread',
  doc: 'best ask minus best bid, in price; NaN when a side is empty',
  params: [],
  rows: 'none',
  columns: () => ['spread'],
  create: () =>
    new (class extends StateFeature {
      update(state: StreamState): void {
        this.last[0] = (state.book.bestAskPrice() - state.book.bestBidPrice()) / state.priceScale;
      }
    })(1),
};

export const mid: FeatureDefinition = {
  name: 'mid',
  doc: 'mid-price (best bid + best ask) / 2',
  params: [],
  rows: 'none',
  columns: () => ['mid'],
  create: () =>
    new (class extends StateFeature {
      update(state: StreamState): void {
        this.last[0] = ((state.book.bestAskPrice() + state.book.bestBidPrice()) / 2) / state.priceScale;
      }
    })(1),
};

export const weightedMid: FeatureDefinition = {
  name: 'weighted_mid',
  doc: 'weighted mid-price I·ask + (1−I)·bid with I = bid size / (bid size + ask size) at the best level (Stoikov 2018, eq. 1)',
  params: [],
  rows: 'none',
  columns: () => ['weighted_mid'],
  create: () =>
    new (class extends StateFeature {
      update(state: StreamState): void {
        const { book } = state;
        const bidSize = book.bestBidSize();
        const askSize = book.bestAskSize();
        const imbalance = bidSize / (bidSize + askSize);
        this.last[0] = (imbalance * book.bestAskPrice() + (1 - imbalance) * book.bestBidPrice()) / state.priceScale;
      }
    })(1),
};

export const queueImbalance: FeatureDefinition = {
  name: 'qi',
  doc: 'queue imbalance (bid − ask) / (bid + ask) of the sizes in the best `levels` levels (Gould & Bonart 2016); in [−1, 1]',
  params: [{ ...LEVELS, default: 1 }],
  rows: 'none',
  columns: (params) => [num(params, 'levels') === 1 ? 'qi' : `qi_${num(params, 'levels')}`],
  create: (params) => {
    const levels = num(params, 'levels');
    return new (class extends StateFeature {
      update(state: StreamState): void {
        const bid = depthUnits(state.book, 1, levels);
        const ask = depthUnits(state.book, -1, levels);
        this.last[0] = (bid - ask) / (bid + ask);
      }
    })(1);
  },
};

export const depth: FeatureDefinition = {
  name: 'depth',
  doc: 'resting size in the best `levels` levels of each side, in size',
  params: [LEVELS],
  rows: 'none',
  columns: (params) => [`depth_bid_${num(params, 'levels')}`, `depth_ask_${num(params, 'levels')}`],
  create: (params) => {
    const levels = num(params, 'levels');
    return new (class extends StateFeature {
      update(state: StreamState): void {
        this.last[0] = depthUnits(state.book, 1, levels) / state.sizeScale;
        this.last[1] = depthUnits(state.book, -1, levels) / state.sizeScale;
      }
    })(2);
  },
};

/**
 * Least-squares slope, through the origin, of cumulative depth against distance from the mid over the
 * best `levels` levels of a side: how fast liquidity builds up away from the touch (size per unit of
 * price; after Næs & Skjeltorp 2006). NaN with fewer than two levels or no mid.
 */
function depthSlope(book: BookView, side: number, levels: number, mid: number, priceScale: number, sizeScale: number): number {
  const n = Math.min(levels, book.depth(side));
  if (n < 2 || Number.isNaN(mid)) return NaN;
  let cumulative = 0;
  let xy = 0;
  let xx = 0;
  for (let rank = 0; rank < n; rank++) {
    cumulative += book.sizeAt(side, rank) / sizeScale;
    const distance = Math.abs(book.priceAt(side, rank) - mid) / priceScale;
    xy += distance * cumulative;
    xx += distance * distance;
  }
  return xy / xx;
}

export const depthSlopeFeature: FeatureDefinition = {
  name: 'depth_slope',
  doc: 'slope of cumulative depth against distance from the mid over the best `levels` levels, per side (size per price; Næs & Skjeltorp 2006)',
  params: [LEVELS],
  rows: 'none',
  columns: (params) => [`depth_slope_bid_${num(params, 'levels')}`, `depth_slope_ask_${num(params, 'levels')}`],
  create: (params: Params) => {
    const levels = num(params, 'levels');
    return new (class extends StateFeature {
      update(state: StreamState): void {
        const { book } = state;
        const midUnits = (book.bestBidPrice() + book.bestAskPrice()) / 2;
        this.last[0] = depthSlope(book, 1, levels, midUnits, state.priceScale, state.sizeScale);
        this.last[1] = depthSlope(book, -1, levels, midUnits, state.priceScale, state.sizeScale);
      }
    })(2);
  },
};

export const bookStateFeatures = [spread, mid, weightedMid, queueImbalance, depth, depthSlopeFeature];
