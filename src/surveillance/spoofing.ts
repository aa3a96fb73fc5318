import type { EventBatch } from '../core/batch.js';
import { Action } from '../core/event.js';
import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { priceText, secondsText, sideName, sizeText, unit } from './detector.js';
import type { TrackedOrder } from './order-tracker.js';

/**
 * Spoofing (REFERENCES.md; the CFTC/FCA pattern as in Lee, Eom & Park 2013): a large order at or near the
 * touch, short-lived, cancelled unfilled, while the opposite side trades — the spoofer sells into the
 * demand the fake bid displays (or buys under a fake ask) — and its arrival shifts the visible imbalance.
 *
 * Rule (L3): an order that ends cancelled with nothing filled, lived at most `max_life` seconds, was at
 * least `size_multiple` × the typical arriving order size, arrived within `near_ticks` of its side's best
 * (or improved it), and saw a fill of resting orders on the opposite side between its arrival and its
 * cancel. Score: 50 + up to 20 for size (×2 the threshold = full), 10 for a short life, 10 for the
 * imbalance shift at arrival, 10 when the opposite fill came in the last quarter of its life.
 */
class Spoofing implements Detector {
  private readonly maxLifeNs: number;
  private readonly sizeMultiple: number;
  private readonly nearTicks: number;
  // Fills on the opposite side: per side slot, times and sizes of fills of resting orders (recent window).
  private readonly fills: [number[], number[]][] = [
    [[], []],
    [[], []],
  ];

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.maxLifeNs = num(params, 'max_life') * 1e9;
    this.sizeMultiple = num(params, 'size_multiple');
    this.nearTicks = num(params, 'near_ticks');
  }

  row(batch: EventBatch, i: number): void {
    if (batch.action[i] !== Action.Fill) return;
    const slot = batch.side[i]! > 0 ? 0 : 1;
    const [times, sizes] = this.fills[slot]!;
    times.push(this.context.state.ts);
    sizes.push(batch.size[i]!);
    // Keep only fills that can still fall inside a live order's life.
    while (times.length > 0 && times[0]! < this.context.state.ts - this.maxLifeNs) {
      times.shift();
      sizes.shift();
    }
  }

  orderEnded(order: TrackedOrder): void {
    if (order.end !== 'cancelled' || order.filled > 0) return;
    const life = order.endedNs - order.addedNs;
    if (!(life <= this.maxLifeNs) || !(order.ticksFromBest <= this.nearTicks)) return;
    const ratio = order.size / order.typicalSize;
    if (!(ratio >= this.sizeMultiple)) return;
    const [times, sizes] = this.fills[order.side > 0 ? 1 : 0]!;
    let count = 0;
    let volume = 0;
    let last = NaN;
    for (let k = 0; k < times.length; k++) {
      if (times[k]! < order.addedNs || times[k]! > order.endedNs) continue;
      count++;
      volume += sizes[k]!;
      last = times[k]!;
    }
    if (count === 0) return;
    const state = this.context.state;
    const shift = Math.abs(order.imbalanceAfter - order.imbalanceBefore);
    const score =
      50 +
      20 * unit((ratio - this.sizeMultiple) / this.sizeMultiple) +
      10 * unit(1 - life / this.maxLifeNs) +
      10 * unit(shift / 0.5) +
      (order.endedNs - last <= life / 4 ? 10 : 0);
    const where = order.ticksFromBest <= 0 ? (order.ticksFromBest < 0 ? 'improving the best' : 'at the best') : `${order.ticksFromBest} tick(s) behind the best`;
    this.context.emit({
      kind: 'spoofing',
      instrument: state.index,
      startNs: order.addedNs,
      endNs: order.endedNs,
      side: order.side,
      price: order.price,
      orderIds: [order.id],
      score: Math.round(score),
      explanation:
        `${sideName(order.side)} order ${order.id} of ${sizeText(order.size, state)} (${ratio.toFixed(1)}× the typical ${sizeText(order.typicalSize, state)}) at ${priceText(order.price, state)}, ${where}; ` +
        `queue imbalance ${order.imbalanceBefore.toFixed(2)} → ${order.imbalanceAfter.toFixed(2)} on arrival; cancelled unfilled after ${secondsText(life)}; ` +
        `${count} opposite-side fill(s) of ${sizeText(volume, state)} while it rested, the last ${secondsText(order.endedNs - last)} before the cancel`,
    });
  }
}

export const spoofing: DetectorDefinition = {
  name: 'spoofing',
  doc: 'large order near the touch, cancelled unfilled within max_life while the opposite side trades; shifts the visible imbalance',
  l2: 'needs order ids (L3); on L2 data it reports nothing — see layering/quote_stuffing for level-based patterns',
  params: [
    { name: 'max_life', default: 5, doc: 'longest life of a spoof order, seconds' },
    { name: 'size_multiple', default: 4, doc: 'minimum size as a multiple of the typical arriving order' },
    { name: 'near_ticks', default: 2, doc: 'farthest distance behind its side’s best at arrival, ticks' },
  ],
  create: (params, context) => new Spoofing(params, context),
};
