import type { EpisodeKind } from '../../core/episode.js';
import type { AgentKind, Market } from '../market.js';
import type { Random } from '../random.js';
import { Manipulator } from './manipulator.js';
import { pickSide } from './params.js';

/** Parameters shared by spoofers and layerers. */
export interface PressureParams {
  everySeconds: number;
  /** Side the pressure orders go on: "bid", "ask" or "random" per episode. */
  side: string;
  /** Size of the genuine order on the other side. */
  genuineSize: number;
  /** How long the genuine order waits passively before the trader executes it against the book, seconds. */
  waitSeconds: number;
  /** The pressure is "approached" when less than this many shares queue ahead of it at the touch. */
  approachSize: number;
  /** Delay between the genuine fill and the cancel of the pressure orders, seconds. */
  cancelDelaySeconds: number;
  /** Interval of the trader's checks during an episode, seconds. */
  checkSeconds: number;
}

/**
 * The common course of spoofing and layering: pressure orders on one side (placed by the subclass), a
 * genuine order at the other side's touch; once the genuine order has executed — passively, or taken
 * against the book when its wait ends or the market approaches the pressure — the pressure is cancelled
 * unfilled. That is the signature of REFERENCES.md: big or many orders near the touch, short-lived, no
 * fill, an opposite-side fill shortly before the cancel.
 *
 * Spoofing is a matter of intent at placement: every pressure order here is placed to be cancelled. So an
 * attempt given up after its pressure was displayed (the genuine order found nothing to execute) is still
 * labelled — its explanation says it was given up and why. Only an attempt whose pressure order executed
 * or disappeared (it traded: the order was bona fide in effect) stays unlabelled.
 */
export abstract class PressureManipulator extends Manipulator {
  protected pressureSide = 1;
  protected pressureIds: number[] = [];
  protected pressureSizes: number[] = [];
  protected pressurePrices: number[] = [];
  protected touchBefore = 0;
  private genuineIds: number[] = [];
  private startNs = 0;
  private deadline = 0;
  private fillNs = NaN;
  private fillSize = 0;
  private fillPrice = 0;
  private fillPassive = true;
  private pressureHit = false;

  constructor(
    name: string,
    kind: AgentKind,
    owner: string,
    random: Random,
    private readonly pp: PressureParams,
    private readonly episodeKind: EpisodeKind,
  ) {
    super(name, kind, owner, random, pp.everySeconds);
  }

  /** Places the pressure orders on `pressureSide` (filling pressureIds/Sizes/Prices). */
  protected abstract placePressure(market: Market): void;
  /** Words for the pressure, for the episode's explanation. */
  protected abstract describePressure(market: Market): string;

  protected begin(market: Market): void {
    this.pressureSide = pickSide(this.pp.side, this.random.uniform());
    this.pressureIds = [];
    this.pressureSizes = [];
    this.pressurePrices = [];
    this.genuineIds = [];
    this.fillNs = NaN;
    this.pressureHit = false;
    this.startNs = market.now;
    this.touchBefore = market.touchSize(this.pressureSide);
    this.placePressure(market);
    const genuine = market.limit(this.id, -this.pressureSide, market.best(-this.pressureSide), this.pp.genuineSize);
    this.genuineIds.push(genuine);
    this.deadline = market.now + this.pp.waitSeconds * 1e9;
    market.wakeIn(this, this.pp.checkSeconds);
  }

  protected step(market: Market): void {
    const side = this.pressureSide;
    if (this.pressureHit) return this.abandon(market, 'pressure order executed');
    if (this.pressureIds.some((id) => market.resting(id) === 0)) return this.abandon(market, 'pressure order gone');
    if (!Number.isNaN(this.fillNs)) return this.complete(market);
    const nearest = this.nearestPressure();
    const atTouch = this.pressurePrices[nearest] === market.best(side);
    const ahead = atTouch ? market.queueAhead(this.pressureIds[nearest]!) : market.touchSize(side);
    if (market.now >= this.deadline || (atTouch && ahead < this.pp.approachSize)) {
      // Execute the genuine order against the book, never reaching the trader's own pressure.
      const size = Math.min(this.pp.genuineSize, ahead);
      if (!(size >= 1)) return this.abandon(market, 'nothing queued ahead of the pressure');
      for (const id of this.genuineIds) market.cancel(id);
      this.genuineIds.push(market.limit(this.id, -side, market.best(side), size));
      if (Number.isNaN(this.fillNs)) return this.abandon(market, 'genuine order found nothing to execute');
      return market.wakeIn(this, this.pp.cancelDelaySeconds);
    }
    market.wakeIn(this, this.pp.checkSeconds);
  }

  private nearestPressure(): number {
    let best = 0;
    for (let k = 1; k < this.pressurePrices.length; k++) if ((this.pressurePrices[k]! - this.pressurePrices[best]!) * this.pressureSide > 0) best = k;
    return best;
  }

  private complete(market: Market): void {
    const side = this.pressureSide;
    const lived = (market.now - this.startNs) / 1e6;
    this.label(
      market,
      `${this.describePressure(market)}; the ${side === 1 ? 'sell' : 'buy'} of ${this.fillSize} at ${market.priceText(this.fillPrice)} ` +
        `executed ${this.fillPassive ? 'passively' : 'against the book'} ${((this.fillNs - this.startNs) / 1e6).toFixed(1)} ms after placement, ` +
        `and the ${this.pressureWord()} cancelled unfilled ${((market.now - this.fillNs) / 1e6).toFixed(1)} ms later (${lived.toFixed(1)} ms after placement)`,
    );
  }

  private abandon(market: Market, reason: string): void {
    // A pressure that traded was bona fide in effect; one still displayed is cancelled as intended all along.
    if (this.pressureHit || reason === 'pressure order gone') {
      this.giveUp(reason);
      this.cancelAll(market);
      return this.finish(market);
    }
    const lived = (market.now - this.startNs) / 1e6;
    this.label(market, `attempt given up (${reason}): ${this.describePressure(market)}; the ${this.pressureWord()} cancelled unfilled ${lived.toFixed(1)} ms after placement`);
  }

  /** Cancels the episode's orders and labels it with `explanation`. */
  private label(market: Market, explanation: string): void {
    this.cancelAll(market);
    const price = this.pressurePrices[this.nearestPressure()]!;
    market.record(this.episodeKind, this, this.startNs, market.now, this.pressureSide, price, [...this.pressureIds, ...this.genuineIds], explanation);
    this.labelled++;
    this.finish(market);
  }

  private cancelAll(market: Market): void {
    for (const id of this.pressureIds) market.cancel(id);
    for (const id of this.genuineIds) market.cancel(id);
  }

  private pressureWord(): string {
    return `${this.pressureSide === 1 ? 'bid' : 'ask'}${this.pressureIds.length > 1 ? 's were' : ' was'}`;
  }

  override onFill(market: Market, orderId: number, _side: number, price: number, size: number, _remaining: number, aggressor: boolean): void {
    if (!this.active) return;
    if (this.pressureIds.includes(orderId)) {
      this.pressureHit = true;
      market.wakeIn(this, 1e-6);
      return;
    }
    // Any other order of the episode is genuine (an aggressive one reports before its id is known).
    if (size > 0 && Number.isNaN(this.fillNs)) {
      this.fillNs = market.now;
      this.fillSize = size;
      this.fillPrice = price;
      this.fillPassive = !aggressor;
      market.wakeIn(this, this.pp.cancelDelaySeconds);
    }
  }
}
