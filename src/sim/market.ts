import type { Episode, EpisodeKind } from '../core/episode.js';
import type { FundamentalValue } from './fundamental.js';
import type { FillListener, MatchingEngine } from './matching-engine.js';
import type { Random } from './random.js';
import type { Scheduler } from './scheduler.js';

/** The kinds of simulated traders; the manipulators' episodes are labelled ground truth. */
export const AGENT_KINDS = [
  'noise',
  'market_maker',
  'momentum',
  'informed',
  'spoofer',
  'layerer',
  'quote_stuffer',
  'momentum_igniter',
  'wash_trader',
  'pinger',
  'iceberg',
] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** One trading identity (an account): every order belongs to one. Accounts of one owner share `owner`. */
export interface Identity {
  name: string;
  kind: AgentKind;
  owner: string;
  /** Index of the owner among all owners (self-trade accounting). */
  ownerIndex: number;
  controller: Agent;
}

/**
 * A simulated trader. The simulation wakes it at the times it asks for (`market.wakeAt`), fires the
 * timers it sets (`market.timer`), and tells it about its fills after each message. It trades through
 * the market under its identity `id` (and any further accounts it opens).
 */
export abstract class Agent {
  /** Index of the agent's main identity, set when the market registers it. */
  id = -1;
  /** Index in the scheduler, set when the market registers it. */
  slot = -1;

  constructor(
    readonly name: string,
    readonly kind: AgentKind,
    readonly owner: string,
    protected readonly random: Random,
  ) {}

  /** Sets the first wake-up. */
  abstract start(market: Market): void;
  /** Acts at a wake-up it asked for. */
  abstract wake(market: Market): void;
  /** A timer it set fired; `payload` is what it set (an order id, a step). */
  onTimer(_market: Market, _payload: number): void {}
  /** One of its orders executed; it must not send orders from here (set a wake-up instead). */
  onFill(_market: Market, _orderId: number, _side: number, _price: number, _size: number, _remaining: number, _aggressor: boolean): void {}
}

/**
 * What agents see and do: the book, the clock, order entry, and the ground-truth recorder. Prices are
 * integer units; `tick` is the minimum step.
 */
export class Market implements FillListener {
  readonly identities: Identity[] = [];
  readonly agents: Agent[] = [];
  readonly episodes: Episode[] = [];
  private readonly owners = new Map<string, number>();
  now = 0;
  private lastMid: number;
  /** Decimals of a price unit, for explanations. */
  priceDecimals = 0;

  constructor(
    readonly engine: MatchingEngine,
    readonly scheduler: Scheduler,
    readonly tick: number,
    readonly startPrice: number,
    readonly fundamental: FundamentalValue | null,
    readonly instrument = 0,
  ) {
    this.lastMid = startPrice;
    engine.listener = this;
  }

  /** Adds an agent: gives it its main identity and its scheduler slot. */
  register(agent: Agent): void {
    agent.slot = this.agents.length;
    this.agents.push(agent);
    agent.id = this.addIdentity(agent.name, agent.kind, agent.owner, agent);
  }

  /** Opens a further account for an agent, under the same owner (wash trading needs two). */
  account(agent: Agent, name: string): number {
    return this.addIdentity(name, agent.kind, agent.owner, agent);
  }

  private addIdentity(name: string, kind: AgentKind, owner: string, controller: Agent): number {
    let ownerIndex = this.owners.get(owner);
    if (ownerIndex === undefined) this.owners.set(owner, (ownerIndex = this.owners.size));
    this.identities.push({ name, kind, owner, ownerIndex, controller });
    this.engine.setOwners(
      this.identities.map((identity) => identity.ownerIndex),
      this.identities.map((identity) => identity.kind !== 'wash_trader'),
    );
    return this.identities.length - 1;
  }

  // ---- clock ----

  /** Wakes the agent at `timeNs` (replacing its pending wake-up). */
  wakeAt(agent: Agent, timeNs: number): void {
    this.scheduler.wake(agent.slot, Math.max(this.now, Math.round(timeNs)));
  }

  /** Wakes the agent `seconds` from now. */
  wakeIn(agent: Agent, seconds: number): void {
    this.wakeAt(agent, this.now + Math.max(1, Math.round(seconds * 1e9)));
  }

  /** Fires `agent.onTimer(payload)` `seconds` from now (payload non-zero). */
  timerIn(agent: Agent, seconds: number, payload: number): void {
    this.scheduler.timer(agent.slot, this.now + Math.max(1, Math.round(seconds * 1e9)), payload);
  }

  // ---- book ----

  bestBid(): number {
    return this.engine.book.bestBidPrice();
  }
  bestAsk(): number {
    return this.engine.book.bestAskPrice();
  }
  /** Best price of a side (NaN when empty). */
  best(side: number): number {
    return side === 1 ? this.engine.book.bestBidPrice() : this.engine.book.bestAskPrice();
  }
  /** Size at the best price of a side (0 when empty). */
  touchSize(side: number): number {
    return side === 1 ? this.engine.book.bestBidSize() : this.engine.book.bestAskSize();
  }
  /** Mid price; when a side is empty, the last mid seen with both. */
  mid(): number {
    const bid = this.engine.book.bestBidPrice();
    const ask = this.engine.book.bestAskPrice();
    if (!Number.isNaN(bid) && !Number.isNaN(ask)) this.lastMid = (bid + ask) / 2;
    return this.lastMid;
  }
  /** Spread in ticks, or NaN when a side is empty. */
  spreadTicks(): number {
    return (this.engine.book.bestAskPrice() - this.engine.book.bestBidPrice()) / this.tick;
  }
  /** Queue imbalance at the touch, (bid − ask)/(bid + ask), 0 when both are empty. */
  imbalance(): number {
    const bid = this.engine.book.bestBidSize();
    const ask = this.engine.book.bestAskSize();
    return bid + ask > 0 ? (bid - ask) / (bid + ask) : 0;
  }
  /** A reference price for `side`'s quotes: its best, else one tick behind the opposite best, else the last mid. */
  reference(side: number): number {
    const own = this.best(side);
    if (!Number.isNaN(own)) return own;
    const opposite = this.best(-side);
    if (!Number.isNaN(opposite)) return opposite - side * this.tick;
    return this.roundToTick(this.lastMid);
  }
  /** Nearest tick multiple, at least one tick. */
  roundToTick(price: number): number {
    return Math.max(this.tick, Math.round(price / this.tick) * this.tick);
  }
  /** Size queued ahead of an order at its price. */
  queueAhead(orderId: number): number {
    return this.engine.book.queueAhead(orderId);
  }
  /** Displayed size an order still rests with, 0 when it is gone. */
  resting(orderId: number): number {
    return this.engine.restingSize(orderId);
  }

  // ---- orders (at the current time) ----

  /** A limit order; prices below one tick are raised to one tick. Returns its id. */
  limit(identity: number, side: number, price: number, size: number, display = 0): number {
    return this.engine.limit(this.now, identity, side, Math.max(this.tick, price), Math.max(1, Math.round(size)), display);
  }
  market(identity: number, side: number, size: number): number {
    return this.engine.market(this.now, identity, side, Math.max(1, Math.round(size)));
  }
  cancel(orderId: number, size?: number): boolean {
    return this.engine.cancel(this.now, orderId, size);
  }
  modify(orderId: number, price: number, size: number): boolean {
    return this.engine.modify(this.now, orderId, Math.max(this.tick, price), Math.max(1, Math.round(size)));
  }

  // ---- ground truth ----

  /** Records a labelled episode (score 100). */
  record(kind: EpisodeKind, actor: Agent, startNs: number, endNs: number, side: number, price: number, orderIds: number[], explanation: string): void {
    // Orders that met nothing (a market order into an empty side) never appeared in the stream.
    const seen = orderIds.filter((id) => this.engine.wasSeen(id));
    this.episodes.push({ kind, instrument: this.instrument, startNs, endNs, side, price, orderIds: seen, score: 100, explanation, actor: actor.owner });
  }

  /** Real-unit text of a price for explanations, at least two decimals, trailing zeros dropped (100.06, 4810.25). */
  priceText(price: number, decimals = this.priceDecimals): string {
    const text = (price / 10 ** decimals).toFixed(decimals);
    return decimals <= 2 ? text : text.replace(/(\.\d\d\d*?)0+$/, '$1');
  }

  onFill(orderId: number, identity: number, side: number, price: number, size: number, remaining: number, aggressor: boolean): void {
    const owner = this.identities[identity];
    if (owner) owner.controller.onFill(this, orderId, side, price, size, remaining, aggressor);
  }
}
