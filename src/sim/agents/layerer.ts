import type { Market } from '../market.js';
import type { Random } from '../random.js';
import { PressureManipulator } from './pressure.js';

export const LAYERER_DEFAULTS = {
  everySeconds: 120,
  side: 'random',
  /** Number of layers, one per price level, the first `firstLayerTicks` behind the touch. */
  layers: 4,
  firstLayerTicks: 0,
  /** Each layer is this many times the touch size (at least minLayerSize), in round lots of lotSize. */
  layerMultiple: 2,
  lotSize: 100,
  minLayerSize: 500,
  genuineSize: 200,
  waitSeconds: 3,
  approachSize: 200,
  cancelDelaySeconds: 0.02,
  checkSeconds: 0.05,
};
export type LayererParams = typeof LAYERER_DEFAULTS;

/** A layerer: several same-side orders over consecutive levels, placed together and cancelled together around an execution on the other side. */
export class Layerer extends PressureManipulator {
  constructor(name: string, owner: string, random: Random, private readonly p: LayererParams) {
    super(name, 'layerer', owner, random, p, 'layering');
  }

  protected placePressure(market: Market): void {
    const side = this.pressureSide;
    const size = Math.max(this.p.minLayerSize, Math.round((this.p.layerMultiple * this.touchBefore) / this.p.lotSize) * this.p.lotSize);
    const touch = market.best(side);
    for (let k = 0; k < this.p.layers; k++) {
      const price = touch - side * (this.p.firstLayerTicks + k) * market.tick;
      if (price < market.tick) break;
      this.pressureIds.push(market.limit(this.id, side, price, size));
      this.pressureSizes.push(size);
      this.pressurePrices.push(price);
    }
  }

  protected describePressure(market: Market): string {
    const n = this.pressureIds.length;
    const total = this.pressureSizes.reduce((sum, size) => sum + size, 0);
    const prices = this.pressurePrices.map((price) => market.priceText(price));
    return `${n} ${this.pressureSide === 1 ? 'bids' : 'asks'} of ${this.pressureSizes[0]} (${total} in all, ${(total / Math.max(1, this.touchBefore)).toFixed(1)}× the touch) at ${prices.join(', ')}, placed together`;
  }
}
