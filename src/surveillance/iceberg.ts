import type { EventBatch } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { priceText, secondsText, sideName, sizeText, unit } from './detector.js';
import type { TrackedOrder } from './order-tracker.js';

/** One number per (side, price): prices are integers far below 2^52. */
function levelKey(side: number, price: number): number {
  return side > 0 ? price * 2 + 1 : price * 2;
}

interface Chain {
  side: number;
  price: number;
  display: number;
  executed: number;
  ids: number[];
  start: number;
  lastFill: number;
}

/**
 * Icebergs and hidden liquidity (REFERENCES.md; Frey & Sandås 2017; Christensen & Woodmansey 2013): more
 * is executed at a price than was ever displayed there, with immediate refills.
 *
 * Rule (L3): a refill is an order arriving on the same side and price within `refill_window` seconds after
 * an order there was filled in full, with a displayed size within 10% of it. A chain of at least
 * `min_refills` refills is an episode: executed size over the displayed slice. Hidden executions (rows
 * flagged Hidden: LOBSTER type 5) are a second signature: at least `min_hidden` of them at one price within
 * `window` seconds. Score: 50 + up to 40 for executed over displayed (5× = full) + 10 when the refills
 * are within a tenth of the window.
 */
class Iceberg implements Detector {
  private readonly chains = new Map<number, Chain>();
  private readonly awaiting = new Map<number, Chain>();
  private readonly hidden = new Map<number, { times: number[]; volume: number }>();
  private readonly refillNs: number;
  private readonly minRefills: number;
  private readonly minHidden: number;
  private readonly windowNs: number;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.refillNs = num(params, 'refill_window') * 1e9;
    this.minRefills = num(params, 'min_refills');
    this.minHidden = num(params, 'min_hidden');
    this.windowNs = num(params, 'window') * 1e9;
  }

  row(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    const state = this.context.state;
    if (action === Action.Trade && batch.flags[i]! & Flag.Hidden) return this.hiddenTrade(batch.price[i]!, batch.size[i]!);
    if (action !== Action.Add) return;
    const key = levelKey(batch.side[i]!, batch.price[i]!);
    const chain = this.awaiting.get(key);
    if (!chain) return;
    this.awaiting.delete(key);
    const size = batch.size[i]!;
    if (state.ts - chain.lastFill > this.refillNs || Math.abs(size - chain.display) > 0.1 * chain.display) return this.close(chain);
    chain.ids.push(batch.orderId[i]!);
    this.chains.set(key, chain);
  }

  orderEnded(order: TrackedOrder): void {
    const key = levelKey(order.side, order.price);
    if (order.end !== 'filled') {
      const chain = this.chains.get(key);
      if (chain && chain.ids.includes(order.id)) {
        this.chains.delete(key);
        this.close(chain);
      }
      return;
    }
    let chain = this.chains.get(key);
    if (!chain || !chain.ids.includes(order.id)) {
      chain = { side: order.side, price: order.price, display: order.size, executed: 0, ids: [order.id], start: order.addedNs, lastFill: order.endedNs };
    }
    chain.executed += order.filled;
    chain.lastFill = order.endedNs;
    this.chains.delete(key);
    this.awaiting.set(key, chain);
  }

  update(): void {
    const now = this.context.state.ts;
    for (const [key, chain] of this.awaiting) {
      if (now - chain.lastFill > this.refillNs) {
        this.awaiting.delete(key);
        this.close(chain);
      }
    }
  }

  finish(): void {
    for (const chain of [...this.awaiting.values(), ...this.chains.values()]) this.close(chain);
    this.awaiting.clear();
    this.chains.clear();
  }

  private close(chain: Chain): void {
    const refills = chain.ids.length - 1;
    if (refills < this.minRefills) return;
    const state = this.context.state;
    const ratio = chain.executed / chain.display;
    const pace = (chain.lastFill - chain.start) / Math.max(1, refills);
    this.context.emit({
      kind: 'iceberg',
      instrument: state.index,
      startNs: chain.start,
      endNs: chain.lastFill,
      side: chain.side,
      price: chain.price,
      orderIds: chain.ids,
      score: Math.round(50 + 40 * unit((ratio - 1) / 4) + (pace <= this.refillNs / 10 ? 10 : 0)),
      explanation:
        `${sizeText(chain.executed, state)} executed on the ${sideName(chain.side)} at ${priceText(chain.price, state)} with never more than ${sizeText(chain.display, state)} displayed ` +
        `(${ratio.toFixed(1)}×): ${refills} refill(s) of the same size, each right after the previous slice filled, over ${secondsText(chain.lastFill - chain.start)}`,
    });
  }

  private hiddenTrade(price: number, size: number): void {
    const now = this.context.state.ts;
    let entry = this.hidden.get(price);
    if (!entry) this.hidden.set(price, (entry = { times: [], volume: 0 }));
    if (entry.times.length > 0 && entry.times[0]! < now - this.windowNs) {
      entry.times.length = 0;
      entry.volume = 0;
    }
    entry.times.push(now);
    entry.volume += size;
    if (entry.times.length < this.minHidden) return;
    const state = this.context.state;
    this.context.emit({
      kind: 'iceberg',
      instrument: state.index,
      startNs: entry.times[0]!,
      endNs: now,
      side: 0,
      price,
      orderIds: [],
      score: Math.round(50 + 40 * unit(entry.times.length / (4 * this.minHidden))),
      explanation: `${entry.times.length} executions against hidden liquidity at ${priceText(price, state)} (${sizeText(entry.volume, state)}) within ${secondsText(now - entry.times[0]!)}: non-displayed size rests there`,
    });
    this.hidden.delete(price);
  }
}

export const iceberg: DetectorDefinition = {
  name: 'iceberg',
  doc: 'more executed at a price than ever displayed: same-size refills right after each slice fills, or repeated hidden executions',
  l2: 'needs order ids (L3) for refills; hidden executions need a venue that flags them (LOBSTER type 5)',
  params: [
    { name: 'refill_window', default: 1, doc: 'seconds between a slice’s fill and its refill' },
    { name: 'min_refills', default: 2, doc: 'refills in a chain' },
    { name: 'min_hidden', default: 3, doc: 'hidden executions at one price' },
    { name: 'window', default: 60, doc: 'seconds for hidden executions' },
  ],
  create: (params, context) => new Iceberg(params, context),
};
