import type { EventBatch } from '../core/batch.js';
import { UsageError } from '../core/errors.js';
import type { InstrumentTable } from '../core/instrument.js';
import type { EventSource } from '../core/source.js';
import { zoneOffsetMs } from '../core/time.js';
import { grown } from '../core/typed-arrays.js';
import { parseClock } from './clock.js';
import type { Feature, FeatureDefinition, Params, StreamState } from './feature.js';
import { num, text } from './feature.js';
import type { FeatureRequest } from './registry.js';
import { runFeatures } from './run.js';
import { SIGNING_RULES, TradeSigner, type SigningRule } from './signing.js';
import { RULE, signRow } from './trades.js';

/**
 * Accumulators per traded price, prices kept sorted ascending (integer price units), `width` values per
 * price. A new price is inserted in place (binary search and a shift): prices are few beside trades.
 */
export class PriceLadder {
  prices = new Float64Array(64);
  values: Float64Array;
  count = 0;

  constructor(readonly width: number) {
    this.values = new Float64Array(64 * width);
  }

  /** The row of `price`, inserted (its values zero) when new. */
  slot(price: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.prices[mid]! < price) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.count && this.prices[lo] === price) return lo;
    if (this.count === this.prices.length) {
      this.prices = grown(this.prices, this.count * 2);
      this.values = grown(this.values, this.count * 2 * this.width);
    }
    const w = this.width;
    this.prices.copyWithin(lo + 1, lo, this.count);
    this.values.copyWithin((lo + 1) * w, lo * w, this.count * w);
    this.prices[lo] = price;
    this.values.fill(0, lo * w, (lo + 1) * w);
    this.count++;
    return lo;
  }

  clear(): void {
    this.count = 0;
  }
}

/** One price level of one footprint bar. The sink gets the same object each time: copy what you keep. */
export interface FootprintLevel {
  /** Instrument index in the source's table. */
  instrument: number;
  /** Bar time, ns after `timeBaseNs` (as for feature bars). */
  ts: number;
  timeBaseNs: bigint;
  /** Trade price, real units. */
  price: number;
  /** Volume of seller-initiated trades at the price (they hit the bid), real size. */
  bidVolume: number;
  /** Volume of buyer-initiated trades at the price (they lift the ask), real size. */
  askVolume: number;
  /** askVolume − bidVolume. */
  delta: number;
  /** Trades at the price, signed or not. */
  trades: number;
}

export type FootprintSink = (level: Readonly<FootprintLevel>) => void;

const BID = 0;
const ASK = 1;
const TRADES = 2;

/** One instrument's footprint: volume by initiator per traded price over the bar, handed to the sink at close. */
class FootprintBars implements Feature {
  private readonly ladder = new PriceLadder(3);
  private readonly signer: TradeSigner;
  private readonly level: FootprintLevel;

  constructor(
    rule: SigningRule,
    instrument: number,
    private readonly state: StreamState,
    private readonly sink: FootprintSink,
  ) {
    this.signer = new TradeSigner(rule);
    this.level = { instrument, ts: 0, timeBaseNs: state.timeBaseNs, price: 0, bidVolume: 0, askVolume: 0, delta: 0, trades: 0 };
  }

  row(batch: EventBatch, i: number, state: StreamState): void {
    const sign = signRow(this.signer, batch, i, state);
    const ladder = this.ladder;
    const at = ladder.slot(batch.price[i]!) * 3;
    if (sign < 0) ladder.values[at + BID]! += batch.size[i]!;
    else if (sign > 0) ladder.values[at + ASK]! += batch.size[i]!;
    ladder.values[at + TRADES]!++;
  }

  close(_out: Float64Array, _offset: number, barTs: number): void {
    const { ladder, level, state } = this;
    level.ts = barTs;
    level.timeBaseNs = state.timeBaseNs;
    for (let k = 0; k < ladder.count; k++) {
      level.price = ladder.prices[k]! / state.priceScale;
      level.bidVolume = ladder.values[3 * k + BID]! / state.sizeScale;
      level.askVolume = ladder.values[3 * k + ASK]! / state.sizeScale;
      level.delta = (ladder.values[3 * k + ASK]! - ladder.values[3 * k + BID]!) / state.sizeScale;
      level.trades = ladder.values[3 * k + TRADES]!;
      this.sink(level);
    }
    ladder.clear();
  }
}

/**
 * The footprint (order-flow trading practice: Bookmap, ATAS, Sierra Chart "numbers bars"): for each bar
 * of the clock and each traded price, the volume of seller-initiated trades (`bid_volume`, they hit the
 * bid) and of buyer-initiated trades (`ask_volume`, they lift the ask), `delta` = ask − bid volume and the
 * trade count, in long format. Trades are signed by `rule` (default: the venue's aggressor, else the tick
 * rule) against the quote before their update; a trade the rule leaves unsigned counts in `trades` only.
 * It runs in the FeatureEngine as a feature with no columns whose bar close hands its rows to the sink,
 * so it shares the clock of any features computed with it.
 *
 * ```ts
 * const collector = new FootprintCollector(source.instruments, (level) => rows.push({ ...level }));
 * await runFeatures(source, [...parseFeatureList('trades'), collector.request], parseClock('1m'), sink);
 * ```
 */
export class FootprintCollector {
  readonly request: FeatureRequest;

  constructor(instruments: InstrumentTable, sink: FootprintSink, rule: SigningRule = 'aggressor') {
    if (!SIGNING_RULES.includes(rule)) throw new UsageError(`--rule ${rule}: expected one of ${SIGNING_RULES.join(', ')}`);
    const definition: FeatureDefinition = {
      name: 'footprint',
      doc: 'bid and ask volume per traded price per bar, trades signed by `rule`',
      params: [RULE],
      rows: 'trades',
      columns: () => [],
      create: (params, state) => new FootprintBars(text(params, 'rule') as SigningRule, instruments.list.indexOf(state.instrument), state, sink),
    };
    this.request = { definition, params: { rule }, columns: [] };
  }
}

/** A footprint as columns: one row per bar and traded price, in bar order then price order. */
export interface FootprintFrame {
  readonly length: number;
  readonly timeBaseNs: bigint;
  readonly ts: Float64Array;
  readonly instrument: Int32Array;
  readonly price: Float64Array;
  readonly bidVolume: Float64Array;
  readonly askVolume: Float64Array;
  readonly delta: Float64Array;
  readonly trades: Float64Array;
}

/**
 * Library entry: the footprint of a source over a clock (`1m`, `tick:100`, … as for features).
 *
 * ```ts
 * const frame = await computeFootprint(await openSource('AMZN_…_message_1.csv'), '1m');
 * frame.price[0]; frame.askVolume[0];
 * ```
 */
export async function computeFootprint(source: EventSource, clock: string, rule: SigningRule = 'aggressor'): Promise<FootprintFrame> {
  let n = 0;
  let ts = new Float64Array(1024);
  let instrument = new Int32Array(1024);
  let values = new Float64Array(5 * 1024);
  const collector = new FootprintCollector(
    source.instruments,
    (level) => {
      if (n === ts.length) {
        ts = grown(ts, 2 * n);
        instrument = grown(instrument, 2 * n);
        values = grown(values, 10 * n);
      }
      ts[n] = level.ts;
      instrument[n] = level.instrument;
      const at = 5 * n;
      values[at] = level.price;
      values[at + 1] = level.bidVolume;
      values[at + 2] = level.askVolume;
      values[at + 3] = level.delta;
      values[at + 4] = level.trades;
      n++;
    },
    rule,
  );
  const { engine } = await runFeatures(source, [collector.request], parseClock(clock), () => {});
  const column = (c: number) => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = values[5 * k + c]!;
    return out;
  };
  return { length: n, timeBaseNs: engine.timeBaseNs, ts: ts.slice(0, n), instrument: instrument.slice(0, n), price: column(0), bidVolume: column(1), askVolume: column(2), delta: column(3), trades: column(4) };
}

/**
 * Epoch ms at which the trading day holding `epochMs` started on `venue`: US equities trade by the New York
 * calendar day (pre-market from 04:00, close 16:00, post-market to 20:00); CME Globex's trading day opens
 * at 17:00 Chicago time the evening before; venues without a calendar (crypto) count UTC days.
 */
export function tradingDayStart(venue: string, epochMs: number): number {
  const [timeZone, startMinute] = TRADING_DAYS[venue.toLowerCase()] ?? ['UTC', 0];
  const startMs = startMinute * 60_000;
  const local = epochMs + zoneOffsetMs(epochMs, timeZone);
  const localStart = Math.floor((local - startMs) / DAY_MS) * DAY_MS + startMs;
  // The offset at the day's start may differ from the one now (a clock change during the day).
  const guess = localStart - zoneOffsetMs(epochMs, timeZone);
  return localStart - zoneOffsetMs(guess, timeZone);
}

/** Time zone and local minute at which a venue's trading day starts. */
const TRADING_DAYS: Record<string, [timeZone: string, startMinute: number]> = {
  nasdaq: ['America/New_York', 0],
  'xnas.itch': ['America/New_York', 0],
  algoseek: ['America/New_York', 0],
  'glbx.mdp3': ['America/Chicago', 17 * 60],
  'glbx-mdp3': ['America/Chicago', 17 * 60],
  cme: ['America/Chicago', 17 * 60],
};

const DAY_MS = 86_400_000;

/**
 * Market profile value area (Steidlmayer; CBOT Market Profile handbook), over the distinct traded prices:
 * the point of control (POC) is the price with the most volume — on a tie the one nearest the middle of
 * the profile's range, then the lower; from it the area grows one price at a time toward the side whose
 * next price has more volume — on a tie both next prices join at once — until it holds `share` of the
 * volume. Writes [POC, VAH, VAL] in price units to `out`; NaN for an empty profile.
 */
export function valueArea(prices: Float64Array, volumes: Float64Array, count: number, share: number, out: Float64Array): void {
  if (count === 0) {
    out.fill(NaN, 0, 3);
    return;
  }
  const centre = (prices[0]! + prices[count - 1]!) / 2;
  let poc = 0;
  let total = 0;
  for (let k = 0; k < count; k++) {
    total += volumes[k]!;
    const v = volumes[k]!;
    const best = volumes[poc]!;
    if (v > best || (v === best && Math.abs(prices[k]! - centre) < Math.abs(prices[poc]! - centre))) poc = k;
  }
  const target = share * total * (1 - 1e-12);
  let lo = poc;
  let hi = poc;
  let inside = volumes[poc]!;
  while (inside < target && (lo > 0 || hi < count - 1)) {
    const up = hi < count - 1 ? volumes[hi + 1]! : -1;
    const down = lo > 0 ? volumes[lo - 1]! : -1;
    if (up >= down) inside += volumes[++hi]!;
    if (down >= up) inside += volumes[--lo]!;
  }
  out[0] = prices[poc]!;
  out[1] = prices[hi]!;
  out[2] = prices[lo]!;
}

/** Volume per traded price over the bar or the trading day so far, reported as POC, VAH, VAL and total volume. */
class VolumeProfile implements Feature {
  private readonly ladder = new PriceLadder(1);
  private readonly area = new Float64Array(3);
  private volume = 0;
  private changed = true;
  private readonly venue: string | null;
  /** End of the current trading day, ns after the time base (session scope). */
  private dayEndNs = -Infinity;

  constructor(
    private readonly share: number,
    session: boolean,
    private readonly state: StreamState,
  ) {
    this.venue = session ? state.instrument.venue : null;
  }

  row(batch: EventBatch, i: number, state: StreamState): void {
    if (state.ts >= this.dayEndNs) this.rollDay(state.ts);
    this.ladder.values[this.ladder.slot(batch.price[i]!)]! += batch.size[i]!;
    this.volume += batch.size[i]!;
    this.changed = true;
  }

  update(state: StreamState): void {
    if (state.ts >= this.dayEndNs) this.rollDay(state.ts);
  }

  close(out: Float64Array, offset: number): void {
    const { ladder, area, state } = this;
    if (this.changed) valueArea(ladder.prices, ladder.values, ladder.count, this.share, area);
    this.changed = false;
    out[offset] = area[0]! / state.priceScale;
    out[offset + 1] = area[1]! / state.priceScale;
    out[offset + 2] = area[2]! / state.priceScale;
    out[offset + 3] = this.volume / state.sizeScale;
    if (this.venue === null) this.reset();
  }

  /** Starts the profile of the trading day holding `ts` (session scope; a no-op for bar scope). */
  private rollDay(ts: number): void {
    if (this.venue === null) {
      this.dayEndNs = Infinity;
      return;
    }
    const baseMs = Number(this.state.timeBaseNs / 1_000_000n);
    const startMs = tradingDayStart(this.venue, baseMs + ts / 1e6);
    // The next day starts at the start of the day holding a time 25 hours on (days last 23 to 25 hours).
    const endMs = tradingDayStart(this.venue, startMs + 25 * 3_600_000);
    this.dayEndNs = (endMs - baseMs) * 1e6 - Number(this.state.timeBaseNs % 1_000_000n);
    this.reset();
  }

  private reset(): void {
    if (this.ladder.count === 0 && this.volume === 0) return;
    this.ladder.clear();
    this.volume = 0;
    this.changed = true;
  }
}

function profileScope(params: Params): 'session' | 'bar' {
  return text(params, 'scope') as 'session' | 'bar';
}

export const volumeProfile: FeatureDefinition = {
  name: 'volume_profile',
  doc: 'market profile of traded volume per price over the bar or the trading day so far: point of control, value area high and low, volume (Steidlmayer; CBOT Market Profile)',
  params: [
    { name: 'value_area', default: 0.7, doc: 'share of the volume the value area holds, in (0, 1]' },
    { name: 'scope', default: 'session', doc: 'session: since the start of the venue’s trading day (UTC day for crypto); bar: the bar’s trades', choices: ['session', 'bar'] },
  ],
  rows: 'trades',
  columns: (params) => {
    const share = num(params, 'value_area');
    if (!(share > 0 && share <= 1)) throw new UsageError(`--features volume_profile: value_area=${share}: expected a share in (0, 1]`);
    const suffix = profileScope(params) === 'bar' ? '_bar' : '';
    return [`poc${suffix}`, `vah${suffix}`, `val${suffix}`, `profile_volume${suffix}`];
  },
  create: (params, state) => new VolumeProfile(num(params, 'value_area'), profileScope(params) === 'session', state),
};
