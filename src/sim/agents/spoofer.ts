import type { Market } from '../market.js';
import type { Random } from '../random.js';
import { PressureManipulator } from './pressure.js';

export const SPOOFER_DEFAULTS = {
  everySeconds: 120,
  side: 'random',
  /** The spoof is this many times the size resting at its touch (at least minSpoofSize), in round lots of lotSize. */
  spoofMultiple: 6,
  lotSize: 100,
  minSpoofSize: 1000,
  genuineSize: 100,
  waitSeconds: 3,
  approachSize: 200,
  cancelDelaySeconds: 0.02,
  checkSeconds: 0.05,
};
export type SpooferParams = typeof SPOOFER_DEFAULTS;

/** A spoofer: one large order at its side's touch to tilt the visible imbalance, cancelled once its small order on the other side has executed. */
export class Spoofer extends PressureManipulator {
  constructor(name: string, owner: string, random: Random, private readonly p: SpooferParams) {
    super(name, 'spoofer', owner, random, p, 'spoofing');
  }

  protected placePressure(market: Market): void {
    const side = this.pressureSide;
    const size = Math.max(this.p.minSpoofSize, Math.round((this.p.spoofMultiple * this.touchBefore) / this.p.lotSize) * this.p.lotSize);
    const price = market.best(side);
    this.pressureIds.push(market.limit(this.id, side, price, size));
    this.pressureSizes.push(size);
    this.pressurePrices.push(price);
  }

  protected describePressure(market: Market): string {
    const size = this.pressureSizes[0]!;
    return `spoof ${this.pressureSide === 1 ? 'bid' : 'ask'} of ${size} at ${market.priceText(this.pressurePrices[0]!)} (${(size / Math.max(1, this.touchBefore)).toFixed(1)}× the ${this.touchBefore} resting at the touch)`;
  }
}
