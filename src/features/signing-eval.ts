import type { EventBatch } from '../core/batch.js';
import type { EventSource } from '../core/source.js';
import { grown } from '../core/typed-arrays.js';
import type { Feature, FeatureDefinition, StreamState } from './feature.js';
import type { FeatureRequest } from './registry.js';
import { runFeatures } from './run.js';
import { SIGNING_RULES, TradeSigner, type SigningRule } from './signing.js';
import { normalCdf } from './stats.js';

/**
 * Where a trade printed against the quote in force before it: no quote (a side missing), a crossed or
 * locked quote, at the mid, strictly inside the spread elsewhere, at the bid or the ask, or outside them.
 */
export const TRADE_LOCATIONS = ['no_quote', 'crossed', 'at_mid', 'inside', 'at_quote', 'outside'] as const;
export type TradeLocation = (typeof TRADE_LOCATIONS)[number];

/** Index in TRADE_LOCATIONS of a trade at `price` against `bid` / `ask` (NaN for a missing side), all in price units. */
export function tradeLocation(price: number, bid: number, ask: number): number {
  if (Number.isNaN(bid) || Number.isNaN(ask)) return 0;
  if (bid >= ask) return 1;
  if (2 * price === bid + ask) return 2;
  if (price > bid && price < ask) return 3;
  if (price === bid || price === ask) return 4;
  return 5;
}

/** How one signing rule did. Shares are NaN when nothing was there to count. */
export interface RuleScore {
  readonly rule: SigningRule;
  /** Trades seen (every rule sees every trade). */
  readonly trades: number;
  /** Trades the rule signs (gives +1 or −1, not 0). */
  readonly classified: number;
  /** Share of all trades the rule signs. */
  readonly classifiedShare: number;
  /** Among the trades both this rule and the tick rule sign: the share signed alike. */
  readonly tickAgreement: number;
  /** Among the trades whose aggressor the venue gives and the rule signs: the share signed as the venue says. */
  readonly accuracyClassified: number;
  /** Among all trades whose aggressor the venue gives: the share signed as the venue says (unsigned count as wrong). */
  readonly accuracy: number;
  /** As `accuracy`, weighted by trade size. */
  readonly volumeAccuracy: number;
  /** `accuracy` by where the trade printed. */
  readonly accuracyByLocation: Readonly<Record<TradeLocation, number>>;
}

/** The result of `evaluateSigning`. */
export interface SigningEvaluation {
  readonly trades: number;
  /** Traded volume, in real size. */
  readonly volume: number;
  /** Trades whose aggressor the venue gives (side ≠ 0): the ground truth for `accuracy`. */
  readonly tradesWithAggressor: number;
  /** Share of trades by where they printed against the quote in force before them. */
  readonly locationShare: Readonly<Record<TradeLocation, number>>;
  /** One score per rule of SIGNING_RULES, in that order. */
  readonly rules: readonly RuleScore[];
}

const RULES = SIGNING_RULES.length;
const LOCATIONS = TRADE_LOCATIONS.length;
const TICK = SIGNING_RULES.indexOf('tick');

/** Counts shared by the instruments of one evaluation. */
class SigningTally {
  trades = 0;
  volume = 0;
  known = 0;
  knownVolume = 0;
  readonly locationTrades = new Float64Array(LOCATIONS);
  readonly knownByLocation = new Float64Array(LOCATIONS);
  readonly signed = new Float64Array(RULES);
  readonly bothSigned = new Float64Array(RULES);
  readonly agree = new Float64Array(RULES);
  readonly signedKnown = new Float64Array(RULES);
  readonly correct = new Float64Array(RULES);
  readonly correctVolume = new Float64Array(RULES);
  readonly correctByLocation = new Float64Array(RULES * LOCATIONS);
}

/** Signs each trade of one instrument with every rule against the quote before its update. */
class SigningProbe implements Feature {
  private readonly signers = SIGNING_RULES.map((rule) => new TradeSigner(rule));
  private readonly signs = new Int8Array(RULES);
  constructor(private readonly tally: SigningTally) {}

  row(batch: EventBatch, i: number, state: StreamState): void {
    const tally = this.tally;
    const price = batch.price[i]!;
    const side = batch.side[i]!;
    const size = batch.size[i]! / state.sizeScale;
    const location = tradeLocation(price, state.prevBidPrice, state.prevAskPrice);
    for (let r = 0; r < RULES; r++) this.signs[r] = this.signers[r]!.sign(price, side, state.prevBidPrice, state.prevAskPrice);
    const tick = this.signs[TICK]!;
    tally.trades++;
    tally.volume += size;
    tally.locationTrades[location]!++;
    if (side !== 0) {
      tally.known++;
      tally.knownVolume += size;
      tally.knownByLocation[location]!++;
    }
    for (let r = 0; r < RULES; r++) {
      const sign = this.signs[r]!;
      if (sign === 0) continue;
      tally.signed[r]!++;
      if (tick !== 0) {
        tally.bothSigned[r]!++;
        if (sign === tick) tally.agree[r]!++;
      }
      if (side === 0) continue;
      tally.signedKnown[r]!++;
      if (sign !== side) continue;
      tally.correct[r]!++;
      tally.correctVolume[r]! += size;
      tally.correctByLocation[r * LOCATIONS + location]!++;
    }
  }

  close(): void {}
}

/** A feature request for the engine whose instances are made by `create`; it writes no columns. */
function probeRequest(name: string, create: (state: StreamState) => Feature): FeatureRequest {
  const definition: FeatureDefinition = { name, doc: name, params: [], rows: 'trades', columns: () => [], create: (_params, state) => create(state) };
  return { definition, params: {}, columns: [] };
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

/**
 * Replays a source and signs every trade with each rule of SIGNING_RULES against the quote in force
 * before the trade's update (the book's best bid and ask, as features see them). Reports per rule the
 * share of trades it signs, its agreement with the tick rule and — where the venue gives the aggressor —
 * its accuracy against it, overall and by where the trade printed (Lee & Ready 1991; Ellis, Michaely &
 * O'Hara 2000; Chakrabarty, Li, Nguyen & Van Ness 2007 evaluate the rules the same way).
 *
 * ```ts
 * const result = await evaluateSigning(await openSource('lobster_AMZN_…_message_1.csv'));
 * result.rules.find((score) => score.rule === 'lee_ready')!.accuracy; // 0.972
 * ```
 */
export async function evaluateSigning(source: EventSource): Promise<SigningEvaluation> {
  const tally = new SigningTally();
  await runFeatures(source, [probeRequest('signing_evaluation', () => new SigningProbe(tally))], { kind: 'event' }, () => {});
  const byLocation = (values: (l: number) => number) => Object.fromEntries(TRADE_LOCATIONS.map((name, l) => [name, values(l)])) as Record<TradeLocation, number>;
  return {
    trades: tally.trades,
    volume: tally.volume,
    tradesWithAggressor: tally.known,
    locationShare: byLocation((l) => ratio(tally.locationTrades[l]!, tally.trades)),
    rules: SIGNING_RULES.map((rule, r) => ({
      rule,
      trades: tally.trades,
      classified: tally.signed[r]!,
      classifiedShare: ratio(tally.signed[r]!, tally.trades),
      tickAgreement: ratio(tally.agree[r]!, tally.bothSigned[r]!),
      accuracyClassified: ratio(tally.correct[r]!, tally.signedKnown[r]!),
      accuracy: ratio(tally.correct[r]!, tally.known),
      volumeAccuracy: ratio(tally.correctVolume[r]!, tally.knownVolume),
      accuracyByLocation: byLocation((l) => ratio(tally.correctByLocation[r * LOCATIONS + l]!, tally.knownByLocation[l]!)),
    })),
  };
}

/** The rules compared with bulk volume classification: every rule but the venue's own aggressor. */
export const BULK_RULES = SIGNING_RULES.filter((rule) => rule !== 'aggressor');
const BULK = BULK_RULES.length;

/** The result of `evaluateBulkClassification` for one bar length. */
export interface BulkClassificationScore {
  readonly barSeconds: number;
  /** Bars scored: bars with volume of known aggressor, after each instrument's first bar with trades. */
  readonly bars: number;
  /** Volume of known aggressor in those bars, real size. */
  readonly volume: number;
  /** Buyer-initiated share of that volume, by the venue's aggressor. */
  readonly trueBuyShare: number;
  /** Bulk-classified buy share of that volume. */
  readonly bvcBuyShare: number;
  /** σ of the bar-to-bar price change, in price, per instrument index. */
  readonly sigma: readonly number[];
  /** Volume-weighted accuracy Σ(V − |V_B − V̂_B|) / ΣV of bulk volume classification. */
  readonly bvc: number;
  /** The same accuracy for each rule of BULK_RULES, its trade signs summed into the bars (unsigned volume split in half). */
  readonly rules: Readonly<Record<(typeof BULK_RULES)[number], number>>;
}

/** Growable columns of completed bars: volume, true buy volume, price change, and each rule's buy volume. */
class BarColumns {
  length = 0;
  volume = new Float64Array(256);
  trueBuy = new Float64Array(256);
  change = new Float64Array(256);
  ruleBuy = new Float64Array(256 * BULK);

  push(volume: number, trueBuy: number, change: number, ruleBuy: Float64Array): void {
    if (this.length === this.volume.length) {
      this.volume = grown(this.volume, this.length * 2);
      this.trueBuy = grown(this.trueBuy, this.length * 2);
      this.change = grown(this.change, this.length * 2);
      this.ruleBuy = grown(this.ruleBuy, this.length * 2 * BULK);
    }
    const n = this.length++;
    this.volume[n] = volume;
    this.trueBuy[n] = trueBuy;
    this.change[n] = change;
    this.ruleBuy.set(ruleBuy, n * BULK);
  }
}

/** One instrument's trades cut into time bars of one length (boundaries at multiples of the length since the epoch; a bar is (b − Δ, b]). */
class BarSeries {
  readonly bars = new BarColumns();
  private key = NaN;
  private volume = 0;
  private trueBuy = 0;
  private close = NaN;
  private previousClose = NaN;
  private readonly ruleBuy = new Float64Array(BULK);

  constructor(
    private readonly barNs: number,
    private readonly epochOffsetNs: number,
  ) {}

  trade(ts: number, price: number, size: number, side: number, signs: Int8Array): void {
    const key = Math.ceil((ts + this.epochOffsetNs) / this.barNs);
    if (key !== this.key) {
      this.finish();
      this.key = key;
    }
    this.close = price;
    if (side === 0) return;
    this.volume += size;
    if (side > 0) this.trueBuy += size;
    for (let r = 0; r < BULK; r++) this.ruleBuy[r]! += signs[r]! > 0 ? size : signs[r]! === 0 ? size / 2 : 0;
  }

  /** Closes the open bar: scored from the second bar with trades on (the first has no price change). */
  finish(): void {
    if (Number.isNaN(this.close)) return;
    if (!Number.isNaN(this.previousClose)) this.bars.push(this.volume, this.trueBuy, this.close - this.previousClose, this.ruleBuy);
    this.previousClose = this.close;
    this.close = NaN;
    this.volume = this.trueBuy = 0;
    this.ruleBuy.fill(0);
  }
}

/** Feeds one instrument's trades to its bar series, one per bar length. */
class BulkProbe implements Feature {
  private readonly signers = BULK_RULES.map((rule) => new TradeSigner(rule));
  private readonly signs = new Int8Array(BULK);
  constructor(readonly series: BarSeries[]) {}

  row(batch: EventBatch, i: number, state: StreamState): void {
    const price = batch.price[i]!;
    for (let r = 0; r < BULK; r++) this.signs[r] = this.signers[r]!.sign(price, 0, state.prevBidPrice, state.prevAskPrice);
    const size = batch.size[i]! / state.sizeScale;
    const real = price / state.priceScale;
    for (let b = 0; b < this.series.length; b++) this.series[b]!.trade(state.ts, real, size, batch.side[i]!, this.signs);
  }

  close(): void {}
}

/**
 * Bulk volume classification (Easley, López de Prado & O'Hara, "Bulk classification of trading activity",
 * 2012; published as "Discerning information from trade data", JFE 2016): a time bar's buy volume is
 * V_τ·Φ(ΔP_τ / σ_ΔP), ΔP_τ the change of the last trade price from the previous bar with trades, σ_ΔP the
 * standard deviation of those changes over the whole input (per instrument; not volume-weighted), Φ the
 * standard normal CDF (the 2016 paper also allows a Student t). Scored against the venue's aggressor as
 * Chakrabarty, Pascual & Shkilko (2015) do: the volume-weighted accuracy Σ_τ[min(V_B, V̂_B) + min(V_S, V̂_S)] / Σ_τ V
 * = 1 − Σ_τ|V_B − V̂_B| / Σ_τ V, for BVC and for the trade rules summed into the same bars. Only trades with a
 * known aggressor carry volume; every trade sets the price path. One replay scores every bar length.
 *
 * ```ts
 * const [oneSecond, oneMinute] = await evaluateBulkClassification(await openSource(binanceCapture), [1, 60]);
 * oneMinute.bvc; // accuracy of BVC over one-minute bars
 * ```
 */
export async function evaluateBulkClassification(source: EventSource, barSeconds: readonly number[]): Promise<BulkClassificationScore[]> {
  const probes: BulkProbe[] = [];
  const request = probeRequest('bulk_classification_evaluation', (state) => {
    const series = barSeconds.map((seconds) => {
      const barNs = Math.round(seconds * 1e9);
      return new BarSeries(barNs, Number(state.timeBaseNs % BigInt(barNs)));
    });
    const probe = new BulkProbe(series);
    probes.push(probe);
    return probe;
  });
  await runFeatures(source, [request], { kind: 'event' }, () => {});
  return barSeconds.map((seconds, b) => {
    let bars = 0;
    let volume = 0;
    let trueBuy = 0;
    let bvcBuy = 0;
    let bvcError = 0;
    const ruleError = new Float64Array(BULK);
    const sigma: number[] = [];
    for (const probe of probes) {
      const series = probe.series[b]!;
      series.finish();
      const columns = series.bars;
      const s = standardDeviation(columns.change, columns.length);
      sigma.push(s);
      for (let k = 0; k < columns.length; k++) {
        const v = columns.volume[k]!;
        if (v === 0) continue;
        const estimate = v * (s > 0 ? normalCdf(columns.change[k]! / s) : 0.5);
        bars++;
        volume += v;
        trueBuy += columns.trueBuy[k]!;
        bvcBuy += estimate;
        bvcError += Math.abs(columns.trueBuy[k]! - estimate);
        for (let r = 0; r < BULK; r++) ruleError[r]! += Math.abs(columns.trueBuy[k]! - columns.ruleBuy[k * BULK + r]!);
      }
    }
    return {
      barSeconds: seconds,
      bars,
      volume,
      trueBuyShare: ratio(trueBuy, volume),
      bvcBuyShare: ratio(bvcBuy, volume),
      sigma,
      bvc: ratio(volume - bvcError, volume),
      rules: Object.fromEntries(BULK_RULES.map((rule, r) => [rule, ratio(volume - ruleError[r]!, volume)])) as Record<(typeof BULK_RULES)[number], number>,
    };
  });
}

/** Population standard deviation of the first `n` values (NaN for none). */
function standardDeviation(values: Float64Array, n: number): number {
  if (n === 0) return NaN;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += values[k]!;
  mean /= n;
  let squares = 0;
  for (let k = 0; k < n; k++) squares += (values[k]! - mean) ** 2;
  return Math.sqrt(squares / n);
}
