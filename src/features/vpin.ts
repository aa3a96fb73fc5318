import type { EventBatch } from '../core/batch.js';
import type { Feature, FeatureDefinition, StreamState } from './feature.js';
import { num, text } from './feature.js';
import { TradeSigner } from './signing.js';
import { normalCdf } from './stats.js';

/** Trades whose volume sets the bucket size when `bucket` is 0 (auto). */
const CALIBRATION_TRADES = 500;

/**
 * VPIN (Easley, López de Prado & O'Hara 2012): trade volume is filled into buckets of equal volume V (a
 * trade that overflows a bucket carries its remainder, with the same split, into the next), each bucket's
 * volume is split into buys and sells, and VPIN = Σ|V_buy − V_sell| / (n·V) over the last n buckets; NaN
 * until n buckets are full. The split is by `classify`: `aggressor` (the venue's side, else the tick rule),
 * or `bvc`, bulk volume classification at the trade level — a trade's buy share is Φ(Δp / σ), Δp its price
 * change from the previous trade and σ an exponentially weighted standard deviation of those changes
 * (span 1,000 trades). `bucket` 0 chooses V as one tenth of the volume of the first 500 trades (so that a
 * bucket holds about 50 trades); the value used is reported in the `vpin_bucket` column.
 */
class Vpin implements Feature {
  private readonly signer = new TradeSigner('aggressor');
  private bucketSize: number;
  private readonly imbalances: Float64Array;
  private filledBuckets = 0;
  private imbalanceSum = 0;
  private buy = 0;
  private sell = 0;
  private lastPrice = NaN;
  private variance = NaN;
  private readonly calibration: number[] = [];
  private value = NaN;

  constructor(bucket: number, private readonly window: number, private readonly bvc: boolean) {
    this.bucketSize = bucket > 0 ? bucket : NaN;
    this.imbalances = new Float64Array(window);
  }

  row(batch: EventBatch, i: number, state: StreamState): void {
    const size = batch.size[i]! / state.sizeScale;
    const buyShare = this.buyShare(batch, i, state);
    if (Number.isNaN(this.bucketSize)) {
      this.calibration.push(size, buyShare);
      if (this.calibration.length < 2 * CALIBRATION_TRADES) return;
      let volume = 0;
      for (let k = 0; k < this.calibration.length; k += 2) volume += this.calibration[k]!;
      this.bucketSize = volume / 10;
      for (let k = 0; k < this.calibration.length; k += 2) this.fill(this.calibration[k]!, this.calibration[k + 1]!);
      this.calibration.length = 0;
      return;
    }
    this.fill(size, buyShare);
  }

  close(out: Float64Array, offset: number): void {
    out[offset] = this.value;
    out[offset + 1] = this.bucketSize;
  }

  private buyShare(batch: EventBatch, i: number, state: StreamState): number {
    const price = batch.price[i]! / state.priceScale;
    if (!this.bvc) return (this.signer.sign(batch.price[i]!, batch.side[i]!, state.prevBidPrice, state.prevAskPrice) + 1) / 2;
    const change = Number.isNaN(this.lastPrice) ? 0 : price - this.lastPrice;
    this.lastPrice = price;
    const alpha = 2 / 1001;
    this.variance = Number.isNaN(this.variance) ? change * change : this.variance + alpha * (change * change - this.variance);
    const sigma = Math.sqrt(this.variance);
    return sigma > 0 ? normalCdf(change / sigma) : 0.5;
  }

  private fill(size: number, buyShare: number): void {
    let remaining = size;
    while (remaining > 0) {
      const room = this.bucketSize - (this.buy + this.sell);
      const take = Math.min(room, remaining);
      this.buy += take * buyShare;
      this.sell += take * (1 - buyShare);
      remaining -= take;
      if (this.buy + this.sell >= this.bucketSize * (1 - 1e-12)) this.completeBucket();
    }
  }

  private completeBucket(): void {
    const slot = this.filledBuckets % this.window;
    const imbalance = Math.abs(this.buy - this.sell);
    if (this.filledBuckets >= this.window) this.imbalanceSum -= this.imbalances[slot]!;
    this.imbalances[slot] = imbalance;
    this.imbalanceSum += imbalance;
    this.filledBuckets++;
    this.buy = this.sell = 0;
    if (this.filledBuckets >= this.window) this.value = this.imbalanceSum / (this.window * this.bucketSize);
  }
}

export const vpin: FeatureDefinition = {
  name: 'vpin',
  doc: 'volume-synchronized probability of informed trading over the last `window` volume buckets (Easley, López de Prado & O’Hara 2012)',
  params: [
    { name: 'bucket', default: 0, doc: 'bucket volume in size units; 0: a tenth of the first 500 trades’ volume' },
    { name: 'window', default: 50, doc: 'buckets averaged' },
    { name: 'classify', default: 'aggressor', doc: 'volume split: aggressor (venue side, else tick rule) or bvc (bulk volume classification)', choices: ['aggressor', 'bvc'] },
  ],
  rows: 'trades',
  columns: () => ['vpin', 'vpin_bucket'],
  create: (params) => new Vpin(num(params, 'bucket'), Math.max(1, num(params, 'window')), text(params, 'classify') === 'bvc'),
};
