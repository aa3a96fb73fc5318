import type { EventBatch } from '../core/batch.js';
import type { Feature, FeatureDefinition, ParamSpec, Params, StreamState } from './feature.js';
import { num, text } from './feature.js';
import { SIGNING_RULES, TradeSigner, type SigningRule } from './signing.js';

export const RULE: ParamSpec = { name: 'rule', default: 'aggressor', doc: `trade signing rule: ${SIGNING_RULES.join(', ')}`, choices: SIGNING_RULES };

/** The column stem with the rule appended when it is not the default, e.g. `cvd_lee_ready`. */
function withRule(stem: string, params: Params): string {
  return text(params, 'rule') === 'aggressor' ? stem : `${stem}_${text(params, 'rule')}`;
}

/** Signs a trade row with the rule, against the quote in force before its update. */
export function signRow(signer: TradeSigner, batch: EventBatch, i: number, state: StreamState): number {
  return signer.sign(batch.price[i]!, batch.side[i]!, state.prevBidPrice, state.prevAskPrice);
}

/** Volume, count, VWAP, and buy / sell volume by aggressor (unknown aggressor counts in neither). */
class TradeSummary implements Feature {
  private volume = 0;
  private count = 0;
  private notional = 0;
  private buy = 0;
  private sell = 0;
  row(batch: EventBatch, i: number, state: StreamState): void {
    const size = batch.size[i]! / state.sizeScale;
    this.volume += size;
    this.count++;
    this.notional += size * batch.price[i]! / state.priceScale;
    const side = batch.side[i]!;
    if (side > 0) this.buy += size;
    else if (side < 0) this.sell += size;
  }
  close(out: Float64Array, offset: number): void {
    out[offset] = this.volume;
    out[offset + 1] = this.count;
    out[offset + 2] = this.count > 0 ? this.notional / this.volume : NaN;
    out[offset + 3] = this.buy;
    out[offset + 4] = this.sell;
    this.volume = this.count = this.notional = this.buy = this.sell = 0;
  }
}

/** Signed volume over the bar (`cumulative` false) or since the start (true), by a signing rule. */
class SignedVolume implements Feature {
  private sum = 0;
  private readonly signer: TradeSigner;
  constructor(rule: SigningRule, private readonly cumulative: boolean) {
    this.signer = new TradeSigner(rule);
  }
  row(batch: EventBatch, i: number, state: StreamState): void {
    this.sum += signRow(this.signer, batch, i, state) * batch.size[i]! / state.sizeScale;
  }
  close(out: Float64Array, offset: number): void {
    out[offset] = this.sum;
    if (!this.cumulative) this.sum = 0;
  }
}

/**
 * Trade arrival rate, trades per second, as an exponentially decaying count: each trade adds ln 2 / h and
 * the total decays with half-life h; read at the bar's end (the last update's time).
 */
class TradeIntensity implements Feature {
  private level = 0;
  private at = NaN;
  private readonly decayPerNs: number;
  constructor(private readonly halfLifeSeconds: number) {
    this.decayPerNs = Math.LN2 / (halfLifeSeconds * 1e9);
  }
  row(_batch: EventBatch, _i: number, state: StreamState): void {
    this.decayTo(state.ts);
    this.level += Math.LN2 / this.halfLifeSeconds;
  }
  update(state: StreamState): void {
    this.decayTo(state.ts);
  }
  close(out: Float64Array, offset: number): void {
    out[offset] = this.level;
  }
  private decayTo(ts: number): void {
    if (!Number.isNaN(this.at) && ts > this.at) this.level *= Math.exp(-(ts - this.at) * this.decayPerNs);
    this.at = ts;
  }
}

export const tradeSummary: FeatureDefinition = {
  name: 'trades',
  doc: 'traded volume, trade count, VWAP, and buy and sell volume by the venue aggressor over the bar',
  params: [],
  rows: 'trades',
  columns: () => ['volume', 'trade_count', 'vwap', 'buy_volume', 'sell_volume'],
  create: () => new TradeSummary(),
};

export const signedVolume: FeatureDefinition = {
  name: 'signed_volume',
  doc: 'buy minus sell volume over the bar, trades signed by `rule` (Lee & Ready 1991; Ellis, Michaely & O’Hara 2000)',
  params: [RULE],
  rows: 'trades',
  columns: (params) => [withRule('signed_volume', params)],
  create: (params) => new SignedVolume(text(params, 'rule') as SigningRule, false),
};

export const cvd: FeatureDefinition = {
  name: 'cvd',
  doc: 'cumulative volume delta: buy minus sell volume since the start, trades signed by `rule`',
  params: [RULE],
  rows: 'trades',
  columns: (params) => [withRule('cvd', params)],
  create: (params) => new SignedVolume(text(params, 'rule') as SigningRule, true),
};

export const tradeIntensity: FeatureDefinition = {
  name: 'trade_intensity',
  doc: 'trades per second, exponentially decaying count with half-life `half_life` seconds',
  params: [{ name: 'half_life', default: 1, doc: 'half-life in seconds' }],
  rows: 'trades',
  columns: () => ['trade_intensity'],
  create: (params) => new TradeIntensity(num(params, 'half_life')),
};

export const tradeFlowFeatures = [tradeSummary, signedVolume, cvd, tradeIntensity];
