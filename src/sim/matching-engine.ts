import type { BatchBuilder } from '../core/batch.js';
import { Action, Flag } from '../core/event.js';
import { grown } from '../core/typed-arrays.js';
import { L3Book } from '../book/l3-book.js';

/** What an agent hears about its orders once the message that caused it is complete. */
export interface FillListener {
  /**
   * `size` of order `orderId` (agent `agent`) executed at `price` (0: the order was deleted by self-trade
   * prevention); `remaining` is what it still has
   * resting (0 when done; an iceberg's refilled display counts); `aggressor` tells which side it was.
   */
  onFill(orderId: number, agent: number, side: number, price: number, size: number, remaining: number, aggressor: boolean, now: number): void;
}

/** Counts of one run, by what the engine did. */
export interface EngineStats {
  /** Incoming messages that changed something (one atomic update each). */
  messages: number;
  adds: number;
  cancels: number;
  deletes: number;
  modifies: number;
  /** Executions (one Trade + Fill pair each). */
  trades: number;
  volume: number;
  /** Executions whose two sides belong to one owner (wash trades), and their volume. */
  selfTrades: number;
  selfTradeVolume: number;
  /** Resting orders deleted by self-trade prevention. */
  selfTradesPrevented: number;
  /** Iceberg displays refilled from reserve. */
  refills: number;
}

/**
 * A price-time-priority matching engine for one instrument. Incoming limit orders execute against the
 * best opposite prices, oldest order first, as far as their limit allows, and the rest joins the back of
 * its level's queue; market orders execute and never rest. Cancels shrink or remove an order; a modify
 * that keeps the price and does not grow the size keeps the queue place, any other modify goes to the
 * back, and one that would cross becomes a delete plus a new incoming order under the same id.
 *
 * Every incoming message is written to the BatchBuilder as normalized L3 rows — `Add`, `Cancel`,
 * `Delete`, `Modify`, and per execution a `Trade` (side = aggressor, orderId = the aggressor's id) then
 * a `Fill` (the resting order) — as one complete update whose last row carries `Flag.Last`. Orders of
 * one owner may trade with each other (wash trading needs it); such executions are counted.
 *
 * Iceberg orders show `display` and hold the rest in reserve: when the display is executed in full it
 * is refilled at once from the reserve — an `Add` of the same id flagged `AfterFill`, at the back of the
 * queue — within the same update, so one aggressor can execute more than was ever displayed.
 */
export class MatchingEngine {
  readonly book = new L3Book();
  readonly stats: EngineStats = { messages: 0, adds: 0, cancels: 0, deletes: 0, modifies: 0, trades: 0, volume: 0, selfTrades: 0, selfTradeVolume: 0, selfTradesPrevented: 0, refills: 0 };
  /** Receives fills after each message; set by the simulation. */
  listener: FillListener | null = null;
  /**
   * Receives executions of resting orders the engine did not give out (real orders, when planting into
   * real data): order id, side, price and size executed.
   */
  onForeignFill: ((orderId: number, side: number, price: number, size: number) => void) | null = null;
  private nextId: number;
  // Per order, indexed by id - firstId.
  private agentOf = new Int32Array(4096).fill(-1);
  /** 1 for ids that appeared in at least one row. */
  private seen = new Uint8Array(4096);
  private sideOf = new Int8Array(4096);
  private priceOf = new Float64Array(4096);
  /** Iceberg orders: [display size, reserve left]. */
  private readonly icebergs = new Map<number, { display: number; reserve: number }>();
  /** Owner index of each agent, for self-trade accounting. */
  private ownerOf: Int32Array = new Int32Array(0);
  /** Per agent: 1 when its incoming orders delete, rather than trade with, its owner's resting orders. */
  private preventSelfTrade: Uint8Array = new Uint8Array(0);
  // Fills of the message in progress, dispatched when it is complete.
  private pendingId = new Float64Array(64);
  private pendingPrice = new Float64Array(64);
  private pendingSize = new Float64Array(64);
  private pendingRemaining = new Float64Array(64);
  private pendingAggressor = new Uint8Array(64);
  private pendingSide = new Int8Array(64);
  private pendingCount = 0;
  private rowsInMessage = 0;
  private now = 0;

  /**
   * `firstOrderId` is the first id given out (above every id of the data when planting into it). Rows
   * carry the message number as `seq` and `sourceRow`, or 0 when `numberRows` is false (planted rows
   * have no source row).
   */
  constructor(
    private readonly builder: BatchBuilder,
    readonly firstOrderId = 1,
    private readonly instrument = 0,
    private readonly numberRows = true,
  ) {
    this.nextId = firstOrderId;
  }

  /**
   * Declares the owner index of each agent index (accounts of one owner share it) and whether the
   * agent uses self-trade prevention. Without it, an owner's orders trade with each other (and count as
   * self-trades): wash traders.
   */
  setOwners(owners: readonly number[], preventSelfTrade: readonly boolean[] = []): void {
    this.ownerOf = Int32Array.from(owners);
    this.preventSelfTrade = Uint8Array.from(owners, (_owner, agent) => (preventSelfTrade[agent] ? 1 : 0));
  }

  /** The id the next order will get. */
  get peekNextId(): number {
    return this.nextId;
  }

  /** Agent index of an order id this engine gave out, else -1. */
  agentOfOrder(orderId: number): number {
    const at = orderId - this.firstOrderId;
    return at >= 0 && at < this.nextId - this.firstOrderId ? this.agentOf[at]! : -1;
  }

  /** Whether an order id appeared in the event stream (an order that met an empty book never does). */
  wasSeen(orderId: number): boolean {
    const at = orderId - this.firstOrderId;
    return at >= 0 && at < this.nextId - this.firstOrderId && this.seen[at] === 1;
  }

  /** Side of an order id this engine gave out. */
  sideOfOrder(orderId: number): number {
    return this.sideOf[orderId - this.firstOrderId]!;
  }

  /** Current (or last) price of an order id this engine gave out. */
  priceOfOrder(orderId: number): number {
    return this.priceOf[orderId - this.firstOrderId]!;
  }

  /** Displayed size still resting, or 0 when the order is not in the book. */
  restingSize(orderId: number): number {
    const size = this.book.orderSize(orderId);
    return size > 0 ? size : 0;
  }

  /** Reserve an iceberg still holds beyond its display (0 for other orders). */
  reserveOf(orderId: number): number {
    return this.icebergs.get(orderId)?.reserve ?? 0;
  }

  /**
   * A limit order of `size` at `price` (integer units); `display` > 0 makes it an iceberg showing that
   * much. Returns its id (it may have executed in full and never rest).
   */
  limit(now: number, agent: number, side: number, price: number, size: number, display = 0): number {
    const id = this.newId(agent, side, price);
    this.begin(now);
    this.incoming(id, agent, side, price, size, display);
    this.end();
    return id;
  }

  /** A market order: executes against the best prices as far as the book allows, never rests. */
  market(now: number, agent: number, side: number, size: number): number {
    const id = this.newId(agent, side, side * Infinity);
    this.begin(now);
    this.incoming(id, agent, side, side * Infinity, size, 0);
    this.end();
    return id;
  }

  /** Cancels `size` of a resting order (a partial cancel), or all of it when size is omitted or covers it. */
  cancel(now: number, orderId: number, size = Infinity): boolean {
    const resting = this.book.orderSize(orderId);
    if (!(resting > 0)) return false;
    const side = this.sideOfOrder(orderId);
    const price = this.priceOfOrder(orderId);
    this.begin(now);
    if (size >= resting) {
      this.push(Action.Delete, side, price, resting, orderId, 0);
      this.book.delete(orderId, side, price, resting);
      this.icebergs.delete(orderId);
      this.stats.deletes++;
    } else {
      this.push(Action.Cancel, side, price, size, orderId, 0);
      this.book.cancel(orderId, side, price, size);
      this.stats.cancels++;
    }
    this.end();
    return true;
  }

  /**
   * Gives a resting order a new price and size. Crossing the opposite best makes it a delete plus a new
   * incoming order with the same id (it executes, then rests). Returns false if it is not resting.
   */
  modify(now: number, orderId: number, price: number, size: number): boolean {
    const resting = this.book.orderSize(orderId);
    if (!(resting > 0) || !(size > 0)) return false;
    const side = this.sideOfOrder(orderId);
    const oldPrice = this.priceOfOrder(orderId);
    if (price === oldPrice && size === resting) return true;
    const opposite = side === 1 ? this.book.bestAskPrice() : this.book.bestBidPrice();
    const crosses = !Number.isNaN(opposite) && (side === 1 ? price >= opposite : price <= opposite);
    this.begin(now);
    this.priceOf[orderId - this.firstOrderId] = price;
    if (crosses) {
      this.push(Action.Delete, side, oldPrice, resting, orderId, 0);
      this.book.delete(orderId, side, oldPrice, resting);
      this.stats.deletes++;
      this.incoming(orderId, this.agentOfOrder(orderId), side, price, size, 0);
    } else {
      this.push(Action.Modify, side, price, size, orderId, 0);
      this.book.modify(orderId, side, price, size, now);
      this.stats.modifies++;
    }
    this.end();
    return true;
  }

  /**
   * Executes `size` of a resting order against an aggressor the engine does not see (real flow, when
   * planting into real data): a Trade by `aggressorSide` (order id 0) and the order's Fill, one update.
   * Returns the size executed.
   */
  execute(now: number, orderId: number, size: number, aggressorSide: number): number {
    const resting = this.book.orderSize(orderId);
    if (!(resting > 0) || !(size > 0) || orderId < this.firstOrderId) return 0;
    const side = this.sideOfOrder(orderId);
    const price = this.priceOfOrder(orderId);
    const take = Math.min(size, resting);
    this.begin(now);
    this.push(Action.Trade, aggressorSide, price, take, 0, 0);
    this.push(Action.Fill, side, price, take, orderId, 0);
    this.book.fill(orderId, side, price, take);
    this.stats.trades++;
    this.stats.volume += take;
    let left = resting - take;
    if (left === 0) left = this.refill(orderId, side, price);
    this.note(orderId, side, price, take, left, false);
    this.end();
    return take;
  }

  private newId(agent: number, side: number, price: number): number {
    const id = this.nextId++;
    const at = id - this.firstOrderId;
    if (at >= this.agentOf.length) {
      const capacity = this.agentOf.length * 2;
      const agents = new Int32Array(capacity).fill(-1);
      agents.set(this.agentOf);
      this.agentOf = agents;
      this.seen = grown(this.seen, capacity);
      this.sideOf = grown(this.sideOf, capacity);
      this.priceOf = grown(this.priceOf, capacity);
    }
    this.agentOf[at] = agent;
    this.sideOf[at] = side;
    this.priceOf[at] = price;
    return id;
  }

  private begin(now: number): void {
    this.now = now;
    this.book.nowNs = now;
    this.rowsInMessage = 0;
    this.pendingCount = 0;
  }

  /** Ends the message: marks its last row and tells the agents about their fills. */
  private end(): void {
    if (this.rowsInMessage === 0) return;
    this.builder.endUpdate();
    this.stats.messages++;
    const listener = this.listener;
    // Listeners only note fills and set wake-ups; they never send orders from here.
    for (let k = 0; k < this.pendingCount; k++) {
      const id = this.pendingId[k]!;
      const agent = this.agentOfOrder(id);
      if (agent < 0) this.onForeignFill?.(id, this.pendingSide[k]!, this.pendingPrice[k]!, this.pendingSize[k]!);
      else listener?.onFill(id, agent, this.pendingSide[k]!, this.pendingPrice[k]!, this.pendingSize[k]!, this.pendingRemaining[k]!, this.pendingAggressor[k] === 1, this.now);
    }
  }

  private incoming(id: number, agent: number, side: number, limit: number, size: number, display: number): void {
    const book = this.book;
    let remaining = size;
    for (;;) {
      if (remaining <= 0) break;
      const best = side === 1 ? book.bestAskPrice() : book.bestBidPrice();
      if (Number.isNaN(best) || (side === 1 ? best > limit : best < limit)) break;
      const passive = book.frontOrderId(-side, best);
      // Liquidity without an order id (planting into level-limited data) queues first and is never taken.
      if (Number.isNaN(passive) || book.queueAhead(passive) > 0) break;
      const passiveAgent = this.agentOfOrder(passive);
      const sameOwner = passiveAgent >= 0 && agent >= 0 && this.ownerOf[passiveAgent] === this.ownerOf[agent] && passiveAgent < this.ownerOf.length;
      if (sameOwner && this.preventSelfTrade[agent] === 1) {
        // Self-trade prevention, "cancel resting" (Nasdaq, CME): the owner's resting order is deleted.
        const resting = book.orderSize(passive);
        this.push(Action.Delete, -side, best, resting, passive, 0);
        book.delete(passive, -side, best, resting);
        this.icebergs.delete(passive);
        this.stats.deletes++;
        this.stats.selfTradesPrevented++;
        this.note(passive, -side, best, 0, 0, false);
        continue;
      }
      const available = book.orderSize(passive);
      const take = remaining < available ? remaining : available;
      this.push(Action.Trade, side, best, take, id, 0);
      this.push(Action.Fill, -side, best, take, passive, 0);
      book.fill(passive, -side, best, take);
      remaining -= take;
      this.stats.trades++;
      this.stats.volume += take;
      if (sameOwner) {
        this.stats.selfTrades++;
        this.stats.selfTradeVolume += take;
      }
      let passiveLeft = available - take;
      if (passiveLeft === 0) passiveLeft = this.refill(passive, -side, best);
      this.note(passive, -side, best, take, passiveLeft, false);
      this.note(id, side, best, take, limit === side * Infinity ? 0 : remaining, true);
    }
    // A rest that would lock or cross the book (liquidity it could not take) is cancelled instead.
    const opposite = side === 1 ? book.bestAskPrice() : book.bestBidPrice();
    if (remaining > 0 && Number.isFinite(limit) && (Number.isNaN(opposite) || (side === 1 ? limit < opposite : limit > opposite))) {
      let shown = remaining;
      if (display > 0 && display < remaining) {
        shown = display;
        this.icebergs.set(id, { display, reserve: remaining - display });
      }
      this.push(Action.Add, side, limit, shown, id, 0);
      book.add(id, side, limit, shown, this.now);
      this.stats.adds++;
    }
  }

  /** An iceberg whose display was executed in full shows a new one from its reserve; returns what it shows. */
  private refill(orderId: number, side: number, price: number): number {
    const iceberg = this.icebergs.get(orderId);
    if (iceberg === undefined) return 0;
    const shown = Math.min(iceberg.display, iceberg.reserve);
    iceberg.reserve -= shown;
    if (iceberg.reserve === 0) this.icebergs.delete(orderId);
    this.push(Action.Add, side, price, shown, orderId, Flag.AfterFill);
    this.book.add(orderId, side, price, shown, this.now);
    this.stats.refills++;
    return shown;
  }

  private note(orderId: number, side: number, price: number, size: number, remaining: number, aggressor: boolean): void {
    if (this.pendingCount === this.pendingId.length) {
      const capacity = this.pendingCount * 2;
      this.pendingId = grown(this.pendingId, capacity);
      this.pendingPrice = grown(this.pendingPrice, capacity);
      this.pendingSize = grown(this.pendingSize, capacity);
      this.pendingRemaining = grown(this.pendingRemaining, capacity);
      this.pendingAggressor = grown(this.pendingAggressor, capacity);
      this.pendingSide = grown(this.pendingSide, capacity);
    }
    const k = this.pendingCount++;
    this.pendingId[k] = orderId;
    this.pendingPrice[k] = price;
    this.pendingSize[k] = size;
    this.pendingRemaining[k] = remaining;
    this.pendingAggressor[k] = aggressor ? 1 : 0;
    this.pendingSide[k] = side;
  }

  private push(action: number, side: number, price: number, size: number, orderId: number, flags: number): void {
    const message = this.numberRows ? this.stats.messages + 1 : 0;
    this.builder.push(this.now, NaN, this.instrument, action, side, price, size, orderId, message, flags, message);
    if (orderId >= this.firstOrderId) this.seen[orderId - this.firstOrderId] = 1;
    this.rowsInMessage++;
  }
}
