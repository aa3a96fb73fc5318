import type { Feature, FeatureDefinition, Params, StreamState } from './feature.js';
import { num } from './feature.js';
import type { TopLevels } from './top-levels.js';

/**
 * A feature whose values are the book's state after the bar's last update: computed from the best levels
 * (`state.top`) when the bar closes, not after every update.
 */
abstract class StateFeature implements Feature {
  protected readonly top: TopLevels;
  protected readonly priceScale: number;
  protected readonly sizeScale: number;
  constructor(state: StreamState) {
    this.top = state.top;
    this.priceScale = state.priceScale;
    this.sizeScale = state.sizeScale;
  }
  abstract close(out: Float64Array, offset: number): void;
}

/** Sum of the sizes of the best `levels` levels of a side (`sizes`, `held` of them present), in size units. */
function depthUnits(sizes: Float64Array, held: number, levels: number): number {
  let total = 0;
  const n = Math.min(levels, held);
  for (let rank = 0; rank < n; rank++) total += sizes[rank]!;
  return total;
}

const LEVELS = { name: 'levels', default: 5, doc: 'price levels per side' } as const;
const topOnly = () => 1;
const levelsParam = (params: Params) => num(params, 'levels');

export const spread: FeatureDefinition = {
  name: 'spread',
  doc: 'best ask minus best bid, in price; NaN when a side is empty',
  params: [],
  rows: 'none',
  levels: topOnly,
  columns: () => ['spread'],
  create: (_params, state) =>
    new (class extends StateFeature {
      close(out: Float64Array, offset: number): void {
        out[offset] = (this.top.askPrice[0]! - this.top.bidPrice[0]!) / this.priceScale;
      }
    })(state),
};

export const mid: FeatureDefinition = {
  name: 'mid',
  doc: 'mid-price (best bid + best ask) / 2',
  params: [],
  rows: 'none',
  levels: topOnly,
  columns: () => ['mid'],
  create: (_params, state) =>
    new (class extends StateFeature {
      close(out: Float64Array, offset: number): void {
        out[offset] = (this.top.askPrice[0]! + this.top.bidPrice[0]!) / 2 / this.priceScale;
      }
    })(state),
};

export const weightedMid: FeatureDefinition = {
  name: 'weighted_mid',
  doc: 'weighted mid-price I·ask + (1−I)·bid with I = bid size / (bid size + ask size) at the best level (Stoikov 2018, eq. 1)',
  params: [],
  rows: 'none',
  levels: topOnly,
  columns: () => ['weighted_mid'],
  create: (_params, state) =>
    new (class extends StateFeature {
      close(out: Float64Array, offset: number): void {
        const top = this.top;
        const bidSize = top.bidSize[0]!;
        const askSize = top.askSize[0]!;
        const imbalance = bidSize / (bidSize + askSize);
        out[offset] = (imbalance * top.askPrice[0]! + (1 - imbalance) * top.bidPrice[0]!) / this.priceScale;
      }
    })(state),
};

export const queueImbalance: FeatureDefinition = {
  name: 'qi',
  doc: 'queue imbalance (bid − ask) / (bid + ask) of the sizes in the best `levels` levels (Gould & Bonart 2016); in [−1, 1]',
  params: [{ ...LEVELS, default: 1 }],
  rows: 'none',
  levels: levelsParam,
  columns: (params) => [num(params, 'levels') === 1 ? 'qi' : `qi_${num(params, 'levels')}`],
  create: (params, state) => {
    const levels = num(params, 'levels');
    return new (class extends StateFeature {
      close(out: Float64Array, offset: number): void {
        const top = this.top;
        const bid = depthUnits(top.bidSize, top.bidLevels, levels);
        const ask = depthUnits(top.askSize, top.askLevels, levels);
        out[offset] = (bid - ask) / (bid + ask);
      }
    })(state);
  },
};

export const depth: FeatureDefinition = {
  name: 'depth',
  doc: 'resting size in the best `levels` levels of each side, in size',
  params: [LEVELS],
  rows: 'none',
  levels: levelsParam,
  columns: (params) => [`depth_bid_${num(params, 'levels')}`, `depth_ask_${num(params, 'levels')}`],
  create: (params, state) => {
    const levels = num(params, 'levels');
    return new (class extends StateFeature {
      close(out: Float64Array, offset: number): void {
        const top = this.top;
        out[offset] = depthUnits(top.bidSize, top.bidLevels, levels) / this.sizeScale;
        out[offset + 1] = depthUnits(top.askSize, top.askLevels, levels) / this.sizeScale;
      }
    })(state);
  },
};

/**
 * Least-squares slope, through the origin, of cumulative depth against distance from the mid over the
 * best `levels` levels of a side (`prices`, `sizes`, `held` of them present): how fast liquidity builds
 * up away from the touch (size per unit of price; after Næs & Skjeltorp 2006). NaN with fewer than two
 * levels or no mid.
 */
function depthSlope(prices: Float64Array, sizes: Float64Array, held: number, levels: number, mid: number, priceScale: number, sizeScale: number): number {
  const n = Math.min(levels, held);
  if (n < 2 || Number.isNaN(mid)) return NaN;
  let cumulative = 0;
  let xy = 0;
  let xx = 0;
  for (let rank = 0; rank < n; rank++) {
    cumulative += sizes[rank]! / sizeScale;
    const distance = Math.abs(prices[rank]! - mid) / priceScale;
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
  levels: levelsParam,
  columns: (params) => [`depth_slope_bid_${num(params, 'levels')}`, `depth_slope_ask_${num(params, 'levels')}`],
  create: (params, state) => {
    const levels = num(params, 'levels');
    return new (class extends StateFeature {
      close(out: Float64Array, offset: number): void {
        const top = this.top;
        const midUnits = top.mid();
        out[offset] = depthSlope(top.bidPrice, top.bidSize, top.bidLevels, levels, midUnits, this.priceScale, this.sizeScale);
        out[offset + 1] = depthSlope(top.askPrice, top.askSize, top.askLevels, levels, midUnits, this.priceScale, this.sizeScale);
      }
    })(state);
  },
};

export const bookStateFeatures = [spread, mid, weightedMid, queueImbalance, depth, depthSlopeFeature];
