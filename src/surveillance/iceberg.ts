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
  /** A refill kept the order id: the venue refilled a reserve order's display. */
  sameId: boolean;
}

/**
 * Icebergs and hidden liquidity (REFERENCES.md; Frey & Sandås 2017; Christensen & Woodmansey 2013): more
 * is executed at a price than was ever displayed there, with immediate refills.
 *
 * Rule (L3): a refill is an order arriving on the same side and price within `refill_window` seconds after
 * an order there was filled in full, with a displayed size within 10% of it — the same order id again
 * (a venue's reserve refilling the display, as CME does) or a new one (a trader re-posting, as a reserve
 * order on Nasdaq does). A chain of at least `min_refills` refills is an episode when a refill kept the
 * order id, or when the chain executed at least `min_ratio` × its display (market makers re-post filled
 * quotes too, rarely that often). Hidden executions (rows flagged Hidden: LOBSTER type 5) are a second
 * signature: at least `min_hidden` of them at one price within `window` seconds. Score: 50 + up to 30 for
 * executed over displayed (5× = full) + 20 when the venue kept the order id.
 */
class Iceberg implements Detector {
  /** Chains whose current slice is resting, by that slice's order id. */
  private readonly active = new Map<number, Chain>();
  /** Chains whose last slice was filled, waiting for a refill, by level. */
  private readonly waiting = new Map<number, Chain[]>();
  private readonly hidden = new Map<number, { times: number[]; volume: number }>();
  private readonly refillNs: number;
  private readonly minRefills: number;
  private readonly minRatio: number;
  private readonly minHidden: number;
  private readonly windowNs: number;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.refillNs = num(params, 'refill_window') * 1e9;
    this.minRefills = num(params, 'min_refills');
    this.minRatio = num(params, 'min_ratio');
    this.minHidden = num(params, 'min_hidden');
    this.windowNs = num(params, 'window') * 1e9;
  }

  row(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    if (action === Action.Trade && batch.flags[i]! & Flag.Hidden) return this.hiddenTrade(batch.price[i]!, batch.size[i]!);
    if (action !== Action.Add) return;
    const list = this.waiting.get(levelKey(batch.side[i]!, batch.price[i]!));
    if (!list) return;
    const size = batch.size[i]!;
    const id = batch.orderId[i]!;
    const now = this.context.state.ts;
    const k = list.findIndex((chain) => now - chain.lastFill <= this.refillNs && Math.abs(size - chain.display) <= 0.1 * chain.display);
    if (k < 0) return;
    const chain = list.splice(k, 1)[0]!;
    if (chain.ids[chain.ids.length - 1] === id) chain.sameId = true;
    chain.ids.push(id);
    this.active.set(id, chain);
  }

  orderEnded(order: TrackedOrder): void {
    let chain = this.active.get(order.id);
    this.active.delete(order.id);
    if (order.end !== 'filled' || order.modifies > 0 || (chain && order.size > 1.1 * chain.display)) {
      // Cancelled, or modified, or it showed more than the display: a quote being managed, not a slice.
      if (chain) this.close(chain);
      if (order.end !== 'filled' || order.modifies > 0) return;
      chain = undefined;
    }
    chain ??= { side: order.side, price: order.price, display: order.size, executed: 0, ids: [order.id], start: order.addedNs, lastFill: order.endedNs, sameId: false };
    chain.executed += order.filled;
    chain.lastFill = order.endedNs;
    const key = levelKey(order.side, order.price);
    const list = this.waiting.get(key);
    if (list) list.push(chain);
    else this.waiting.set(key, [chain]);
  }

  update(): void {
    const now = this.context.state.ts;
    for (const [key, list] of this.waiting) {
      for (let k = list.length - 1; k >= 0; k--) {
        if (now - list[k]!.lastFill <= this.refillNs) continue;
        this.close(list[k]!);
        list.splice(k, 1);
      }
      if (list.length === 0) this.waiting.delete(key);
    }
  }

  finish(): void {
    for (const list of this.waiting.values()) for (const chain of list) this.close(chain);
    for (const chain of this.active.values()) this.close(chain);
    this.waiting.clear();
    this.active.clear();
  }

  private close(chain: Chain): void {
    const refills = chain.ids.length - 1;
    const ratio = chain.executed / chain.display;
    if (refills < this.minRefills || (!chain.sameId && ratio < this.minRatio)) return;
    const state = this.context.state;
    this.context.emit({
      kind: 'iceberg',
      instrument: state.index,
      startNs: chain.start,
      endNs: chain.lastFill,
      side: chain.side,
      price: chain.price,
      orderIds: [...new Set(chain.ids)],
      score: Math.round(50 + 30 * unit((ratio - 1) / 4) + (chain.sameId ? 20 : 0)),
      explanation:
        `${sizeText(chain.executed, state)} executed on the ${sideName(chain.side)} at ${priceText(chain.price, state)} with never more than ${sizeText(chain.display, state)} displayed ` +
        `(${ratio.toFixed(1)}×): ${refills} refill(s) of the same size right after each slice filled${chain.sameId ? ', the venue keeping the order id (a reserve order)' : ''}, over ${secondsText(chain.lastFill - chain.start)}`,
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
    { name: 'min_ratio', default: 8, doc: 'executed over displayed size needed when the order id changes at each refill' },
    { name: 'min_hidden', default: 3, doc: 'hidden executions at one price' },
    { name: 'window', default: 60, doc: 'seconds for hidden executions' },
  ],
  create: (params, context) => new Iceberg(params, context),
};
