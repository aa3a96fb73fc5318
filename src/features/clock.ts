import { UsageError } from '../core/errors.js';

/**
 * When a bar closes. `event`: after every complete update. `time`: at every multiple of `ns` since the
 * epoch (empty intervals still give a row). The others count trades (rows with Action.Trade) and close
 * after the update in which the count reaches the threshold; a trade is never split across bars.
 * `imbalance` and `run` are López de Prado's tick imbalance and tick run bars with an expected bar length
 * that starts at `trades` and then follows an exponential average over `span` bars.
 */
export type ClockSpec =
  | { kind: 'event' }
  | { kind: 'time'; ns: number }
  | { kind: 'tick'; trades: number }
  | { kind: 'volume'; volume: number }
  | { kind: 'dollar'; value: number }
  | { kind: 'imbalance'; trades: number; span: number }
  | { kind: 'run'; trades: number; span: number };

const UNITS_NS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Parses `event`, `100ms` / `1s` / `10s` / `1m`, `tick:N`, `volume:V`, `dollar:D`, `imbalance:N`, `run:N` (span `:S`, default 20). */
export function parseClock(text: string): ClockSpec {
  if (text === 'event') return { kind: 'event' };
  const time = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(text);
  if (time) {
    const ns = Math.round(Number(time[1]) * UNITS_NS[time[2]!]!);
    if (ns >= 1) return { kind: 'time', ns };
  }
  const counted = /^(tick|volume|dollar|imbalance|run):(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(text);
  const value = counted ? Number(counted[2]) : NaN;
  if (counted && value > 0) {
    const kind = counted[1]!;
    const span = counted[3] === undefined ? 20 : Number(counted[3]);
    if (kind === 'tick' && Number.isInteger(value)) return { kind, trades: value };
    if (kind === 'volume') return { kind, volume: value };
    if (kind === 'dollar') return { kind, value };
    if ((kind === 'imbalance' || kind === 'run') && Number.isInteger(value) && span >= 1) return { kind, trades: value, span };
  }
  throw new UsageError(`--clock ${text}: expected event, an interval (100ms, 1s, 10s, 1m), tick:N, volume:V, dollar:D, imbalance:N[:span] or run:N[:span]`);
}

/** A clock that counts trades: told of every trade, asked after every update whether the bar closes. */
export interface TradeClock {
  /** A trade of `size` at `price` (real units); `sign` +1 buy, -1 sell (aggressor, else tick rule). */
  trade(price: number, size: number, sign: number): void;
  /** True when the bar closes with the update just processed; the clock then starts a new bar. */
  closes(): boolean;
}

/** The trade-counting clock for a spec, or null for event and time clocks (the engine handles those). */
export function tradeClock(spec: ClockSpec): TradeClock | null {
  switch (spec.kind) {
    case 'tick':
      return new ThresholdClock(spec.trades, (_price, _size) => 1);
    case 'volume':
      return new ThresholdClock(spec.volume, (_price, size) => size);
    case 'dollar':
      return new ThresholdClock(spec.value, (price, size) => price * size);
    case 'imbalance':
      return new ExpectedLengthClock(spec.trades, spec.span, (buys, sells, p) => ({ reached: Math.abs(buys - sells), needed: Math.abs(2 * p - 1) }));
    case 'run':
      return new ExpectedLengthClock(spec.trades, spec.span, (buys, sells, p) => ({ reached: Math.max(buys, sells), needed: Math.max(p, 1 - p) }));
    default:
      return null;
  }
}

/** Closes once the summed measure of the bar's trades reaches the threshold. */
class ThresholdClock implements TradeClock {
  private sum = 0;
  constructor(
    private readonly threshold: number,
    private readonly measure: (price: number, size: number) => number,
  ) {}
  trade(price: number, size: number): void {
    this.sum += this.measure(price, size);
  }
  closes(): boolean {
    if (this.sum < this.threshold) return false;
    this.sum = 0;
    return true;
  }
}

/**
 * Tick imbalance / run bars: the bar closes when the rule's statistic of its signed trades reaches
 * E[T] × (the rule's function of P[buy]), both expectations being exponential averages over past bars
 * (E[T] of bar lengths in trades, P[buy] of each bar's buy share). The first bar is `initial` trades long.
 */
class ExpectedLengthClock implements TradeClock {
  private buys = 0;
  private sells = 0;
  private expectedTrades: number;
  private buyShare = NaN;
  private readonly alpha: number;

  constructor(
    initial: number,
    span: number,
    private readonly rule: (buys: number, sells: number, buyShare: number) => { reached: number; needed: number },
  ) {
    this.expectedTrades = initial;
    this.alpha = 2 / (span + 1);
  }

  trade(_price: number, _size: number, sign: number): void {
    if (sign > 0) this.buys++;
    else if (sign < 0) this.sells++;
  }

  closes(): boolean {
    const trades = this.buys + this.sells;
    if (trades === 0) return false;
    if (Number.isNaN(this.buyShare)) {
      if (trades < this.expectedTrades) return false;
    } else {
      const { reached, needed } = this.rule(this.buys, this.sells, this.buyShare);
      // At least one trade per bar even when the expected imbalance is zero.
      if (reached < Math.max(1, this.expectedTrades * needed)) return false;
    }
    const share = this.buys / trades;
    this.buyShare = Number.isNaN(this.buyShare) ? share : this.buyShare + this.alpha * (share - this.buyShare);
    this.expectedTrades += this.alpha * (trades - this.expectedTrades);
    this.buys = 0;
    this.sells = 0;
    return true;
  }
}
