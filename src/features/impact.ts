import type { EventBatch } from '../core/batch.js';
import { UsageError } from '../core/errors.js';
import type { Feature, FeatureDefinition, StreamState } from './feature.js';
import { num, text } from './feature.js';
import { TradeSigner } from './signing.js';
import { RollingRegression } from './stats.js';

/** Mid-price in price units after the update, NaN when a side is empty. */
function midUnits(state: StreamState): number {
  return state.top.mid();
}

/**
 * Kyle's lambda: the slope of the mid-price change over a bar on the bar's signed volume (aggressor, else
 * tick rule), by least squares over the last `window` bars (Kyle 1985; estimated as in Hasbrouck 2009).
 * Price per unit of size; NaN until two bars with different signed volumes exist.
 */
class KyleLambda implements Feature {
  private readonly regression: RollingRegression;
  private readonly signer = new TradeSigner('aggressor');
  private signedVolume = 0;
  private midAtClose = NaN;
  private mid = NaN;
  constructor(window: number, private readonly priceScale: number) {
    this.regression = new RollingRegression(window);
  }
  row(batch: EventBatch, i: number, state: StreamState): void {
    this.signedVolume += this.signer.sign(batch.price[i]!, batch.side[i]!, state.prevBidPrice, state.prevAskPrice) * batch.size[i]! / state.sizeScale;
  }
  update(state: StreamState): void {
    const mid = midUnits(state);
    if (!Number.isNaN(mid)) this.mid = mid;
  }
  close(out: Float64Array, offset: number): void {
    if (!Number.isNaN(this.midAtClose) && !Number.isNaN(this.mid)) this.regression.add(this.signedVolume, (this.mid - this.midAtClose) / this.priceScale);
    this.midAtClose = this.mid;
    this.signedVolume = 0;
    out[offset] = this.regression.slope();
  }
}

/** Realized volatility over the bar: the square root of the summed squared log changes of the mid. */
class RealizedVolatility implements Feature {
  private sumSquares = 0;
  private mid = NaN;
  update(state: StreamState): void {
    const mid = midUnits(state);
    if (Number.isNaN(mid) || mid <= 0) return;
    if (!Number.isNaN(this.mid) && mid !== this.mid) {
      const r = Math.log(mid / this.mid);
      this.sumSquares += r * r;
    }
    this.mid = mid;
  }
  close(out: Float64Array, offset: number): void {
    out[offset] = Math.sqrt(this.sumSquares);
    this.sumSquares = 0;
  }
}

/**
 * Markouts: for each trade, aggressor sign × (mid at trade time + h − trade price), in price units; the
 * bar reports the volume-weighted mean over the trades whose horizon ended in it (NaN if none). Causal:
 * a markout is known only once its horizon has passed. The mid at t + h is the one after the last update
 * at or before t + h.
 */
class Markouts implements Feature {
  private readonly signer = new TradeSigner('aggressor');
  private readonly horizonsNs: number[];
  // Pending trades, one queue shared by all horizons: time, price, signed size; per horizon a cursor.
  private ts = new Float64Array(1024);
  private price = new Float64Array(1024);
  private signedSize = new Float64Array(1024);
  private head = 0;
  private tail = 0;
  private readonly cursors: number[];
  private readonly weighted: Float64Array;
  private readonly volume: Float64Array;

  constructor(horizonsSeconds: number[], private readonly priceScale: number) {
    this.horizonsNs = horizonsSeconds.map((h) => Math.round(h * 1e9));
    this.cursors = horizonsSeconds.map(() => 0);
    this.weighted = new Float64Array(horizonsSeconds.length);
    this.volume = new Float64Array(horizonsSeconds.length);
  }

  row(batch: EventBatch, i: number, state: StreamState): void {
    if (this.tail === this.ts.length) this.compact();
    const sign = this.signer.sign(batch.price[i]!, batch.side[i]!, state.prevBidPrice, state.prevAskPrice);
    this.ts[this.tail] = state.ts;
    this.price[this.tail] = batch.price[i]!;
    this.signedSize[this.tail] = sign * batch.size[i]! / state.sizeScale;
    this.tail++;
  }

  update(state: StreamState): void {
    const before = (state.prevBidPrice + state.prevAskPrice) / 2;
    const after = midUnits(state);
    for (let h = 0; h < this.horizonsNs.length; h++) {
      const horizon = this.horizonsNs[h]!;
      let k = this.cursors[h]!;
      for (; k < this.tail; k++) {
        const due = this.ts[k]! + horizon;
        if (due > state.ts) break;
        const mid = due < state.ts ? before : after;
        if (Number.isNaN(mid)) continue;
        const size = Math.abs(this.signedSize[k]!);
        this.weighted[h]! += Math.sign(this.signedSize[k]!) * (mid - this.price[k]!) / this.priceScale * size;
        this.volume[h]! += size;
      }
      this.cursors[h] = k;
    }
    let head = this.tail;
    for (const cursor of this.cursors) head = Math.min(head, cursor);
    this.head = head;
  }

  close(out: Float64Array, offset: number): void {
    for (let h = 0; h < this.horizonsNs.length; h++) out[offset + h] = this.volume[h]! > 0 ? this.weighted[h]! / this.volume[h]! : NaN;
    this.weighted.fill(0);
    this.volume.fill(0);
  }

  /** Drops resolved trades from the front, growing the queue when it is mostly pending. */
  private compact(): void {
    const live = this.tail - this.head;
    const size = live * 2 > this.ts.length ? this.ts.length * 2 : this.ts.length;
    const move = (array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const next = size === array.length ? array : new Float64Array(size);
      next.set(array.subarray(this.head, this.tail), 0);
      return next;
    };
    this.ts = move(this.ts);
    this.price = move(this.price);
    this.signedSize = move(this.signedSize);
    for (let h = 0; h < this.cursors.length; h++) this.cursors[h]! -= this.head;
    this.tail = live;
    this.head = 0;
  }
}

/** Parses a comma-free horizon list `1/10/60` (seconds). */
function horizons(list: string): number[] {
  const values = list.split('/').map(Number);
  if (values.length === 0 || values.some((value) => !(value >= 0))) throw new UsageError(`horizons "${list}": expected seconds separated by "/", e.g. 1/10/60`);
  return values;
}

export const kyleLambda: FeatureDefinition = {
  name: 'kyle_lambda',
  doc: "Kyle's lambda: rolling least-squares slope of the bar's mid change on its signed volume over `window` bars (Kyle 1985; Hasbrouck 2009)",
  params: [{ name: 'window', default: 50, doc: 'bars in the regression' }],
  rows: 'trades',
  levels: () => 1,
  columns: () => ['kyle_lambda'],
  create: (params, state) => new KyleLambda(Math.max(2, num(params, 'window')), state.priceScale),
};

export const realizedVolatility: FeatureDefinition = {
  name: 'rv',
  doc: 'realized volatility over the bar: sqrt of the sum of squared log mid changes (Andersen & Bollerslev 1998)',
  params: [],
  rows: 'none',
  levels: () => 1,
  columns: () => ['rv'],
  create: () => new RealizedVolatility(),
};

export const markouts: FeatureDefinition = {
  name: 'markout',
  doc: 'mean aggressor markout (mid at t+h minus price, signed) of the trades whose horizon h ended in the bar, per horizon, in price',
  params: [{ name: 'horizons', default: '1/10/60', doc: 'horizons in seconds, separated by /' }],
  rows: 'trades',
  levels: () => 1,
  columns: (params) => horizons(text(params, 'horizons')).map((h) => `markout_${h}s`),
  create: (params, state) => new Markouts(horizons(text(params, 'horizons')), state.priceScale),
};

export const impactFeatures = [kyleLambda, realizedVolatility, markouts];
