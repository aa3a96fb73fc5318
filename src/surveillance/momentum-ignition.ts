import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { num } from '../features/feature.js';
import { TradeSigner } from '../features/signing.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { actionMask, priceText, secondsText, sideName, sizeText, unit } from './detector.js';
import { NumberQueue } from './number-queue.js';

/**
 * Momentum ignition (REFERENCES.md; ESMA 2012 guidelines, SEC 2010 concept release): a burst of same-side
 * aggressive trades that moves the price by k·σ, then a reversal while the igniter unwinds.
 *
 * Rule: within any `window` seconds, at least `min_trades` trades of which a share `min_share` of the volume
 * is on one side (aggressor, else tick rule), that one-sided volume at least `volume_multiple` × the average
 * volume per window (an igniter concentrates its aggression), moving the mid by at least `k` × σ, where σ is
 * the exponentially averaged absolute mid change over past windows of the same length; then, within `reversal_window`
 * seconds after the burst, the mid gives back at least `reversal` of the move. Score: 50 + up to 25 for the
 * size of the move in σ (2k = full) + up to 25 for the share given back (all = full).
 */
class MomentumIgnition implements Detector {
  readonly rowActions = actionMask(Action.Trade);
  private readonly signer = new TradeSigner('aggressor');
  private readonly windowNs: number;
  private readonly minTrades: number;
  private readonly minShare: number;
  private readonly k: number;
  private readonly reversalNs: number;
  private readonly reversal: number;
  // Trades in the window: time, signed size, mid before.
  private readonly times = new NumberQueue();
  private readonly signed = new NumberQueue();
  private readonly mids = new NumberQueue();
  /**
   * Buying and selling volume of the trades in the window, kept as trades enter and leave it: sizes are
   * integer units, so the running sums are exact (the same as summing the window anew).
   */
  private buy = 0;
  private sell = 0;
  private sigma = NaN;
  private sigmaWindowStart = NaN;
  private sigmaWindowMid = NaN;
  private pending: { start: number; end: number; side: number; from: number; to: number; trades: number; volume: number; sigma: number } | null = null;
  private extreme = NaN;
  private lastEpisodeEnd = -Infinity;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.windowNs = num(params, 'window') * 1e9;
    this.minTrades = num(params, 'min_trades');
    this.minShare = num(params, 'min_share');
    this.k = num(params, 'k');
    this.reversalNs = num(params, 'reversal_window') * 1e9;
    this.reversal = num(params, 'reversal');
    this.volumeMultiple = num(params, 'volume_multiple');
  }

  private readonly volumeMultiple: number;
  /** Exponential average of the volume traded per window (span 50 windows), and the volume of the current one. */
  private typicalVolume = NaN;
  private tradedSinceWindow = 0;

  row(batch: EventBatch, i: number): void {
    if (batch.action[i] !== Action.Trade) return;
    const state = this.context.state;
    const sign = this.signer.sign(batch.price[i]!, batch.side[i]!, state.prevBidPrice, state.prevAskPrice);
    const signed = sign * batch.size[i]!;
    this.times.push(state.ts);
    this.signed.push(signed);
    this.tally(signed, 1);
    this.tradedSinceWindow += batch.size[i]!;
    this.mids.push((state.prevBidPrice + state.prevAskPrice) / 2);
  }

  /** Adds (`way` 1) or removes (-1) a trade's signed size to the window's buying or selling volume. */
  private tally(signed: number, way: number): void {
    if (signed > 0) this.buy += way * signed;
    else this.sell -= way * signed;
  }

  update(): void {
    const state = this.context.state;
    const mid = (state.top.bidPrice[0]! + state.top.askPrice[0]!) / 2;
    if (Number.isNaN(mid)) return;
    this.trackSigma(state.ts, mid);
    while (this.times.length > 0 && this.times.at(0) < state.ts - this.windowNs) {
      this.tally(this.signed.at(0), -1);
      this.times.shift();
      this.signed.shift();
      this.mids.shift();
    }
    // An empty window starts the sums afresh (a size that was not a number leaves them then).
    if (this.times.length === 0) this.buy = this.sell = 0;
    if (this.pending) return this.watchReversal(state.ts, mid);
    if (this.times.length < this.minTrades || !(this.sigma > 0) || this.times.at(0) < this.lastEpisodeEnd) return;
    const { buy, sell } = this;
    const side = buy >= sell ? 1 : -1;
    const share = Math.max(buy, sell) / (buy + sell);
    const from = this.mids.at(0);
    const move = (mid - from) * side;
    const volume = Math.max(buy, sell);
    const concentrated = !(this.volumeMultiple > 0) || volume >= this.volumeMultiple * this.typicalVolume;
    if (share >= this.minShare && move >= this.k * this.sigma && concentrated) {
      this.pending = { start: this.times.at(0), end: state.ts, side, from, to: mid, trades: this.times.length, volume: Math.max(buy, sell), sigma: this.sigma };
      this.extreme = mid;
    }
  }

  private watchReversal(ts: number, mid: number): void {
    const burst = this.pending!;
    if ((mid - this.extreme) * burst.side > 0) {
      // Still running: the burst extends.
      this.extreme = mid;
      burst.to = mid;
      burst.end = ts;
      return;
    }
    const move = (burst.to - burst.from) * burst.side;
    const givenBack = ((burst.to - mid) * burst.side) / move;
    if (givenBack >= this.reversal) {
      const state = this.context.state;
      this.context.emit({
        kind: 'momentum_ignition',
        instrument: state.index,
        startNs: burst.start,
        endNs: ts,
        side: burst.side,
        // The mid may fall between two price units: the episode's price is a price the book can show.
        price: Math.round(burst.to),
        orderIds: [],
        score: Math.round(50 + 25 * unit((move / burst.sigma - this.k) / this.k) + 25 * unit(givenBack)),
        explanation:
          `${burst.trades} trades in ${secondsText(burst.end - burst.start)}, ${sizeText(burst.volume, state)} of them ${sideName(burst.side) === 'bid' ? 'buying' : 'selling'} aggressively, ` +
          `moved the mid ${priceText(burst.from, state)} → ${priceText(burst.to, state)} (${(move / burst.sigma).toFixed(1)}σ, σ ${priceText(burst.sigma, state)}); ` +
          `${Math.round(givenBack * 100)}% given back by ${secondsText(ts - burst.end)} later`,
      });
      this.lastEpisodeEnd = ts;
      this.pending = null;
    } else if (ts - burst.end > this.reversalNs) this.pending = null;
  }

  /** σ: exponential average (span 50) of the absolute mid change over consecutive windows of `window`. */
  private trackSigma(ts: number, mid: number): void {
    if (Number.isNaN(this.sigmaWindowStart)) {
      this.sigmaWindowStart = ts;
      this.sigmaWindowMid = mid;
      return;
    }
    if (ts - this.sigmaWindowStart < this.windowNs) return;
    const change = Math.abs(mid - this.sigmaWindowMid);
    const traded = this.tradedSinceWindow;
    this.typicalVolume = Number.isNaN(this.typicalVolume) ? traded : this.typicalVolume + (2 / 51) * (traded - this.typicalVolume);
    this.tradedSinceWindow = 0;
    this.sigma = Number.isNaN(this.sigma) ? Math.max(change, this.context.state.instrument.tickUnits) : this.sigma + (2 / 51) * (change - this.sigma);
    this.sigmaWindowStart = ts;
    this.sigmaWindowMid = mid;
  }
}

export const momentumIgnition: DetectorDefinition = {
  name: 'momentum_ignition',
  doc: 'burst of same-side aggressive trades moving the price k·σ, then a reversal',
  l2: 'works on L2 (trades and the touch); order ids are not known',
  params: [
    { name: 'window', default: 1, doc: 'burst window, seconds' },
    { name: 'min_trades', default: 5, doc: 'fewest trades in a burst' },
    { name: 'min_share', default: 0.8, doc: 'share of the burst volume on one side' },
    { name: 'k', default: 4, doc: 'move of the mid in σ' },
    { name: 'reversal_window', default: 60, doc: 'seconds after the burst to see the reversal' },
    { name: 'reversal', default: 0.5, doc: 'share of the move given back' },
    { name: 'volume_multiple', default: 8, doc: 'the burst’s one-sided volume is at least this many times the average volume per window (0: not required)' },
  ],
  create: (params, context) => new MomentumIgnition(params, context),
};
