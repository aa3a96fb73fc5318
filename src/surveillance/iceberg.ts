import type { EventBatch } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import { num } from '../features/feature.js';
import type { Detector, DetectorContext, DetectorDefinition } from './detector.js';
import { actionMask, priceText, secondsText, sideName, sizeText, unit } from './detector.js';
import type { TrackedOrder } from './order-tracker.js';
import { OrderedNumberMap } from './ordered-number-map.js';

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

/** L2: what one level showed and what traded at it while it was its side's best. */
interface LevelRun {
  side: number;
  price: number;
  /** Times of the first and the last trade that hit it. */
  start: number;
  last: number;
  /** Volume traded at it against its side. */
  executed: number;
  /** The largest size it showed while at the touch, and the size its side's best usually showed to trades before the run (NaN: no trade yet). */
  displayed: number;
  usual: number;
  /** Size that arrived in the messages of the trades: traded minus the visible decrease, at most what traded. */
  arrived: number;
  /** Refills: messages where it shrank less than was traded at it; messages where it came back after being hit. */
  inMessage: number;
  cameBack: number;
  /** Messages with trades at it. */
  hits: number;
  /** Size traded off it that has not come back yet (a later growth up to this much is a refill). */
  owed: number;
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
 *
 * Rule (L2, no order ids; what Bookmap and ATAS call iceberg detection): a side's best level is followed
 * from the first message in which trades hit it — the volume traded at its price against its side since
 * the previous book message, whose fills that message shows (a venue that conflates its diffs shows them
 * up to an interval after the trades) — for as long as it is hit again within `level_gap` seconds and still
 * stands. Each book message may show a refill: in the message of the trades, the level shrank by less than
 * was traded at it (what arrived, traded minus the visible decrease, capped at the traded volume; on a
 * stream conflated per 100 ms the arrival may also be other orders joining); or, within `refill_window`
 * seconds of a hit, the level grew back without a trade while it owed size traded off it. A run with at
 * least `min_refills` refills is an episode when it executed at least `level_ratio` × the larger of the most
 * the level showed at the touch and the size that side's best usually showed to trades before the run
 * (exponential average over messages with trades, span ~200): a thin level traded through a few times, as
 * orders join it, is ordinary. Score: 50 + up to 30 for that ratio (5× = full) + up to 20 for the share of
 * the executed volume that arrived in the messages of the trades (all = full).
 */
class Iceberg implements Detector {
  /** Chains whose current slice is resting, by that slice's order id. */
  private readonly active = new OrderedNumberMap<Chain>();
  /** Chains whose last slice was filled, waiting for a refill, by level. */
  private readonly waiting = new OrderedNumberMap<Chain[]>();
  /**
   * At most the earliest last fill of a waiting chain: until refill_window after it none is due to close,
   * and unless a refill emptied a level's list (dropped at the end of the update) `update` has nothing to do.
   */
  private waitingSince = Infinity;
  private emptied = false;
  /** Closed chains and emptied waiting lists, reused: nearly every filled order starts a chain, and most close as they began. */
  private readonly spareChains: Chain[] = [];
  private readonly spareLists: Chain[][] = [];
  /** Hidden executions by price since the last episode there: the first one's time, how many, their volume (count 0: none). */
  private readonly hidden = new OrderedNumberMap<{ first: number; count: number; volume: number }>();
  private readonly refillNs: number;
  private readonly minRefills: number;
  private readonly minRatio: number;
  private readonly minHidden: number;
  private readonly windowNs: number;
  private readonly levelRatio: number;
  private readonly levelGapNs: number;
  /** The stream is L2: refills are read from levels (the rows' orders, if any, are inferred). */
  private readonly l2: boolean;
  /** L2: level changes and trades; else adds (refills) and trades (hidden executions). */
  readonly rowActions: number;
  /**
   * L2 only: open runs by level; per side [bid, ask] the volume traded at its best since the last book
   * message with the times of its first and last trade, and the size its best usually showed to trades
   * (exponential average, span ~200 messages with trades); whether the update changed the book.
   */
  private readonly runs = new Map<number, LevelRun>();
  private readonly traded = [0, 0];
  private readonly firstTradeNs = [NaN, NaN];
  private readonly lastTradeNs = [NaN, NaN];
  private readonly usual = [NaN, NaN];
  private bookChanged = false;

  constructor(params: Record<string, number | string>, private readonly context: DetectorContext) {
    this.refillNs = num(params, 'refill_window') * 1e9;
    this.minRefills = num(params, 'min_refills');
    this.minRatio = num(params, 'min_ratio');
    this.minHidden = num(params, 'min_hidden');
    this.windowNs = num(params, 'window') * 1e9;
    this.levelRatio = num(params, 'level_ratio');
    this.levelGapNs = num(params, 'level_gap') * 1e9;
    this.l2 = context.state.granularity === 'L2';
    this.rowActions = this.l2 ? actionMask(Action.LevelSet, Action.LevelDelete, Action.Trade) : actionMask(Action.Add, Action.Trade);
  }

  row(batch: EventBatch, i: number): void {
    if (this.l2) return this.rowL2(batch, i);
    const action = batch.action[i]!;
    if (action === Action.Trade && batch.flags[i]! & Flag.Hidden) return this.hiddenTrade(batch.price[i]!, batch.size[i]!);
    if (action !== Action.Add) return;
    const list = this.waiting.get(levelKey(batch.side[i]!, batch.price[i]!));
    if (!list) return;
    const size = batch.size[i]!;
    const id = batch.orderId[i]!;
    const now = this.context.state.ts;
    let k = 0;
    while (k < list.length && !(now - list[k]!.lastFill <= this.refillNs && Math.abs(size - list[k]!.display) <= 0.1 * list[k]!.display)) k++;
    if (k === list.length) return;
    const chain = list[k]!;
    for (; k < list.length - 1; k++) list[k] = list[k + 1]!;
    list.pop();
    if (list.length === 0) this.emptied = true;
    if (chain.ids[chain.ids.length - 1] === id) chain.sameId = true;
    chain.ids.push(id);
    this.active.set(id, chain);
  }

  orderEnded(order: TrackedOrder): void {
    // On L2 the tracker's orders are inferred: no id to keep, and refills are read from the levels instead.
    if (this.l2) return;
    let chain = this.active.get(order.id);
    if (chain) this.active.delete(order.id);
    if (order.end !== 'filled' || order.modifies > 0 || (chain && order.size > 1.1 * chain.display)) {
      // Cancelled, or modified, or it showed more than the display: a quote being managed, not a slice.
      if (chain) this.retire(chain);
      if (order.end !== 'filled' || order.modifies > 0) return;
      chain = undefined;
    }
    chain ??= this.startChain(order);
    chain.executed += order.filled;
    chain.lastFill = order.endedNs;
    this.waitingSince = Math.min(this.waitingSince, chain.lastFill);
    const key = levelKey(order.side, order.price);
    const list = this.waiting.get(key);
    if (list) list.push(chain);
    else {
      const fresh = this.spareLists.pop() ?? [];
      fresh.push(chain);
      this.waiting.set(key, fresh);
    }
  }

  /** A chain whose first slice is `order`. */
  private startChain(order: TrackedOrder): Chain {
    const chain = this.spareChains.pop();
    if (!chain) return { side: order.side, price: order.price, display: order.size, executed: 0, ids: [order.id], start: order.addedNs, lastFill: order.endedNs, sameId: false };
    chain.side = order.side;
    chain.price = order.price;
    chain.display = order.size;
    chain.executed = 0;
    chain.ids.length = 1;
    chain.ids[0] = order.id;
    chain.start = order.addedNs;
    chain.lastFill = order.endedNs;
    chain.sameId = false;
    return chain;
  }

  /** Closes a chain that is no longer in `active` or a waiting list, and keeps it for reuse. */
  private retire(chain: Chain): void {
    this.close(chain);
    this.spareChains.push(chain);
  }

  update(): void {
    if (this.l2) return this.updateL2();
    const now = this.context.state.ts;
    if (!this.emptied && now - this.waitingSince <= this.refillNs) return;
    this.emptied = false;
    let since = Infinity;
    const waiting = this.waiting;
    for (let slot = 0; slot < waiting.end; slot++) {
      const list = waiting.at(slot);
      if (!list) continue;
      for (let k = list.length - 1; k >= 0; k--) {
        if (now - list[k]!.lastFill <= this.refillNs) {
          since = Math.min(since, list[k]!.lastFill);
          continue;
        }
        const chain = list[k]!;
        // Taken out in place (splice would allocate the array of what it removes).
        for (let j = k; j < list.length - 1; j++) list[j] = list[j + 1]!;
        list.pop();
        this.retire(chain);
      }
      if (list.length === 0) {
        waiting.delete(waiting.keyAt(slot));
        this.spareLists.push(list);
      }
    }
    this.waitingSince = since;
  }

  finish(): void {
    for (const run of this.runs.values()) this.closeRun(run);
    this.runs.clear();
    for (let slot = 0; slot < this.waiting.end; slot++) for (const chain of this.waiting.at(slot) ?? []) this.close(chain);
    for (let slot = 0; slot < this.active.end; slot++) {
      const chain = this.active.at(slot);
      if (chain) this.close(chain);
    }
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

  /** L2 rows: trades into either side's best are summed until the next book message; venue-flagged hidden executions keep their own rule. */
  private rowL2(batch: EventBatch, i: number): void {
    const action = batch.action[i]!;
    if (action === Action.LevelSet || action === Action.LevelDelete) {
      this.bookChanged = true;
      return;
    }
    if (action !== Action.Trade) return;
    const price = batch.price[i]!;
    const size = batch.size[i]!;
    if (batch.flags[i]! & Flag.Hidden) return this.hiddenTrade(price, size);
    const state = this.context.state;
    // The aggressor names the side hit; without one, the price does.
    const aggressor = batch.side[i]!;
    const slot = aggressor <= 0 && price === state.prevBidPrice ? 0 : aggressor >= 0 && price === state.prevAskPrice ? 1 : -1;
    if (slot < 0) return;
    if (this.traded[slot] === 0) this.firstTradeNs[slot] = state.ts;
    this.traded[slot]! += size;
    this.lastTradeNs[slot] = state.ts;
  }

  /** L2, after each update: a book message settles the trades since the previous one against each side's best. */
  private updateL2(): void {
    const state = this.context.state;
    if (state.snapshot) {
      // A resync restates the book (its rows never reach row()): not flow, and what traded before it cannot be matched.
      this.traded[0] = 0;
      this.traded[1] = 0;
      this.bookChanged = false;
      return;
    }
    if (!this.bookChanged) return;
    this.bookChanged = false;
    const now = state.ts;
    const book = state.book;
    if (!Number.isNaN(state.prevBidPrice)) this.settle(1, state.prevBidPrice, state.prevBidSize, book.sizeAtPrice(1, state.prevBidPrice), now);
    if (!Number.isNaN(state.prevAskPrice)) this.settle(-1, state.prevAskPrice, state.prevAskSize, book.sizeAtPrice(-1, state.prevAskPrice), now);
    this.traded[0] = 0;
    this.traded[1] = 0;
    // Runs end when their level is gone or has not been hit for level_gap; few are open at a time.
    for (const [key, run] of this.runs) {
      if (now - run.last <= this.levelGapNs && book.sizeAtPrice(run.side, run.price) > 0) continue;
      this.closeRun(run);
      this.runs.delete(key);
    }
  }

  /** One side's best before a book message (`price`, `before`) and its size after it, against what traded there since the previous one. */
  private settle(side: number, price: number, before: number, after: number, now: number): void {
    const key = levelKey(side, price);
    const slot = side > 0 ? 0 : 1;
    const traded = this.traded[slot]!;
    let run = this.runs.get(key);
    if (traded > 0) {
      if (!run) {
        run = { side, price, start: this.firstTradeNs[slot]!, last: NaN, executed: 0, displayed: before, usual: this.usual[slot]!, arrived: 0, inMessage: 0, cameBack: 0, hits: 0, owed: 0 };
        this.runs.set(key, run);
      }
      const usual = this.usual[slot]!;
      this.usual[slot] = Number.isNaN(usual) ? before : usual + (2 / 201) * (before - usual);
      run.executed += traded;
      run.hits++;
      run.last = this.lastTradeNs[slot]!;
      run.displayed = Math.max(run.displayed, before, after);
      const shrink = before - after;
      if (traded > shrink) {
        run.arrived += Math.min(traded, traded - shrink);
        run.inMessage++;
      }
      run.owed += Math.max(0, Math.min(traded, shrink));
      return;
    }
    if (!run) return;
    run.displayed = Math.max(run.displayed, before, after);
    const growth = after - before;
    if (growth > 0 && run.owed > 0 && now - run.last <= this.refillNs) {
      run.cameBack++;
      run.owed = Math.max(0, run.owed - growth);
    }
  }

  private closeRun(run: LevelRun): void {
    const refills = run.inMessage + run.cameBack;
    // A thin level traded through a few times is ordinary: measured against what the touch usually shows too.
    const ratio = run.executed / (run.usual > run.displayed ? run.usual : run.displayed);
    if (refills < this.minRefills || !(ratio >= this.levelRatio)) return;
    const state = this.context.state;
    const share = run.arrived / run.executed;
    this.context.emit({
      kind: 'iceberg',
      instrument: state.index,
      startNs: run.start,
      endNs: run.last,
      side: run.side,
      price: run.price,
      orderIds: [],
      score: Math.round(50 + 30 * unit((ratio - 1) / 4) + 20 * unit(share)),
      explanation:
        `${sizeText(run.executed, state)} executed on the ${sideName(run.side)} at ${priceText(run.price, state)} with never more than ${sizeText(run.displayed, state)} displayed at the touch ` +
        `(${ratio.toFixed(1)}×${run.usual > run.displayed ? ` the ${sizeText(Math.round(run.usual), state)} its best usually shows` : ''}, read from level changes): ${run.inMessage} refill(s) in the message of the trades (${sizeText(run.arrived, state)} arrived while it was hit), ${run.cameBack} after being hit; ` +
        `${run.hits} message(s) with trades over ${secondsText(run.last - run.start)}`,
    });
  }

  private hiddenTrade(price: number, size: number): void {
    const now = this.context.state.ts;
    let entry = this.hidden.get(price);
    if (!entry) this.hidden.set(price, (entry = { first: NaN, count: 0, volume: 0 }));
    if (entry.count > 0 && entry.first < now - this.windowNs) {
      entry.count = 0;
      entry.volume = 0;
    }
    if (entry.count === 0) entry.first = now;
    entry.count++;
    entry.volume += size;
    if (entry.count < this.minHidden) return;
    const state = this.context.state;
    this.context.emit({
      kind: 'iceberg',
      instrument: state.index,
      startNs: entry.first,
      endNs: now,
      side: 0,
      price,
      orderIds: [],
      score: Math.round(50 + 40 * unit(entry.count / (4 * this.minHidden))),
      explanation: `${entry.count} executions against hidden liquidity at ${priceText(price, state)} (${sizeText(entry.volume, state)}) within ${secondsText(now - entry.first)}: non-displayed size rests there`,
    });
    entry.count = 0;
    entry.volume = 0;
  }
}

export const iceberg: DetectorDefinition = {
  name: 'iceberg',
  doc: 'more executed at a price than ever displayed: same-size refills right after each slice fills, or repeated hidden executions',
  l2: 'on L2 reads a best level hit by trades: refills are messages in which it shrank less than was traded at it (on a conflated stream, also other orders joining) and growths soon after a hit; an episode once level_ratio × the larger of the most it showed and the size its side’s best usually shows has traded there; episodes name no order ids; hidden executions need a venue that flags them (LOBSTER type 5)',
  params: [
    { name: 'refill_window', default: 1, doc: 'seconds between a slice’s fill and its refill' },
    { name: 'min_refills', default: 2, doc: 'refills in a chain' },
    { name: 'min_ratio', default: 8, doc: 'executed over displayed size needed when the order id changes at each refill' },
    { name: 'min_hidden', default: 3, doc: 'hidden executions at one price' },
    { name: 'window', default: 60, doc: 'seconds for hidden executions' },
    { name: 'level_ratio', default: 3, doc: 'L2: executed over the larger of the most the level showed at the touch and the size its side’s best usually shows to trades' },
    { name: 'level_gap', default: 10, doc: 'L2: seconds without a trade at the level that end its run' },
  ],
  create: (params, context) => new Iceberg(params, context),
};
