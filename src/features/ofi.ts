import type { Feature, FeatureDefinition, Params, StreamState } from './feature.js';
import { num } from './feature.js';

/**
 * One level's contribution to order flow imbalance between two book states (Cont, Kukanov & Stoikov 2014,
 * eq. 2, applied per level as in Xu, Gould & Howison 2019): a higher or equal bid adds the new queue, a
 * lower or equal bid removes the old one; mirrored for the ask. An empty bid counts as price −∞ and an
 * empty ask as +∞, each with size 0, so a side appearing or vanishing counts its whole queue.
 */
export function ofiContribution(bidPrice: number, bidSize: number, askPrice: number, askSize: number, prevBidPrice: number, prevBidSize: number, prevAskPrice: number, prevAskSize: number): number {
  return bidContribution(bidPrice, bidSize, prevBidPrice, prevBidSize) + askContribution(askPrice, askSize, prevAskPrice, prevAskSize);
}

/** The bid's part of `ofiContribution` (sizes are whole units: the parts add up exactly). Zero when the bid did not change. */
function bidContribution(price: number, size: number, prevPrice: number, prevSize: number): number {
  const bid = Number.isNaN(price) ? -Infinity : price;
  const prevBid = Number.isNaN(prevPrice) ? -Infinity : prevPrice;
  return (bid >= prevBid ? size : 0) - (bid <= prevBid ? prevSize : 0);
}

/** The ask's part of `ofiContribution`. Zero when the ask did not change. */
function askContribution(price: number, size: number, prevPrice: number, prevSize: number): number {
  const ask = Number.isNaN(price) ? Infinity : price;
  const prevAsk = Number.isNaN(prevPrice) ? Infinity : prevPrice;
  return (ask >= prevAsk ? prevSize : 0) - (ask <= prevAsk ? size : 0);
}

/** Order flow imbalance at the best level, summed over the bar, in size. */
class Ofi implements Feature {
  private sum = 0;
  private started = false;
  update(state: StreamState): void {
    const { top } = state;
    // The first state has nothing before it to differ from.
    if (this.started) {
      const e = ofiContribution(top.bidPrice[0]!, top.bidSize[0]!, top.askPrice[0]!, top.askSize[0]!, state.prevBidPrice, state.prevBidSize, state.prevAskPrice, state.prevAskSize);
      // Adding zero changes no sum (none is ever -0): the division is spared when the touch did not move.
      if (e !== 0) this.sum += e / state.sizeScale;
    }
    this.started = true;
  }
  close(out: Float64Array, offset: number): void {
    out[offset] = this.sum;
    this.sum = 0;
  }
}

/** Order flow imbalance at each of the best `levels` levels, summed over the bar. */
class MultiLevelOfi implements Feature {
  private readonly sums: Float64Array;
  /** The previous state's levels: [bid price, bid size, ask price, ask size] per rank. */
  private readonly previous: Float64Array;
  private started = false;

  constructor(private readonly levels: number) {
    this.sums = new Float64Array(levels);
    this.previous = new Float64Array(4 * levels);
  }

  update(state: StreamState): void {
    const { top } = state;
    // A side whose levels did not change contributes nothing, and its previous levels are still current.
    const bids = top.bidChanged || !this.started;
    const asks = top.askChanged || !this.started;
    if (!bids && !asks) return;
    const previous = this.previous;
    const sums = this.sums;
    for (let rank = 0; rank < this.levels; rank++) {
      // Beyond a side's depth the price is NaN and the size 0.
      const k = 4 * rank;
      let e = 0;
      if (bids) {
        const price = top.bidPrice[rank]!;
        const size = top.bidSize[rank]!;
        e += bidContribution(price, size, previous[k]!, previous[k + 1]!);
        previous[k] = price;
        previous[k + 1] = size;
      }
      if (asks) {
        const price = top.askPrice[rank]!;
        const size = top.askSize[rank]!;
        e += askContribution(price, size, previous[k + 2]!, previous[k + 3]!);
        previous[k + 2] = price;
        previous[k + 3] = size;
      }
      if (this.started && e !== 0) sums[rank]! += e / state.sizeScale;
    }
    this.started = true;
  }

  close(out: Float64Array, offset: number): void {
    const sums = this.sums;
    for (let rank = 0; rank < sums.length; rank++) {
      out[offset + rank] = sums[rank]!;
      sums[rank] = 0;
    }
  }
}

export const ofi: FeatureDefinition = {
  name: 'ofi',
  doc: 'order flow imbalance at the best level, summed over the bar, in size (Cont, Kukanov & Stoikov 2014)',
  params: [],
  rows: 'none',
  levels: () => 1,
  columns: () => ['ofi'],
  create: () => new Ofi(),
};

export const mlofi: FeatureDefinition = {
  name: 'mlofi',
  doc: 'order flow imbalance at each of the best `levels` levels, summed over the bar (Xu, Gould & Howison 2019)',
  params: [{ name: 'levels', default: 10, doc: 'levels per side (1–50)' }],
  rows: 'none',
  levels: (params) => mlofiLevels(params),
  columns: (params) => Array.from({ length: mlofiLevels(params) }, (_, k) => `mlofi_${k + 1}`),
  create: (params) => new MultiLevelOfi(mlofiLevels(params)),
};

function mlofiLevels(params: Params): number {
  return Math.max(1, Math.min(50, num(params, 'levels')));
}

export const ofiFeatures = [ofi, mlofi];
