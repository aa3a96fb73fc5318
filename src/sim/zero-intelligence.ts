import { L3Book } from '../book/l3-book.js';

/**
 * A zero-intelligence order flow (Smith, Farmer, Gillemot & Krishnamurthy 2003, "Statistical theory of
 * the continuous double auction"): limit orders arrive uniformly within `depthTicks` of the opposite best,
 * market orders and cancellations of random resting orders arrive at fixed rates, all as a Poisson
 * stream. A price-time-priority matching engine executes them. Every message is reported as LOBSTER
 * writes it (types 1, 3, 4), with the engine's true book after it: ground truth for book rebuilding.
 */
export interface ZeroIntelligenceParams {
  seed: number;
  messages: number;
  /** Mean time between orders, in ns. */
  meanGapNs: number;
  /** Probabilities of the order kinds; the rest are limit orders. */
  marketShare: number;
  cancelShare: number;
  /** Limit prices fall within this many ticks behind the opposite best. */
  depthTicks: number;
  tickUnits: number;
  startPriceUnits: number;
  /** Start time, ns after midnight. */
  startNs: number;
}

export const DEFAULT_ZI: ZeroIntelligenceParams = {
  seed: 42,
  messages: 200_000,
  meanGapNs: 20_000_000,
  marketShare: 0.06,
  cancelShare: 0.44,
  depthTicks: 25,
  tickUnits: 100,
  startPriceUnits: 1_000_000,
  startNs: 34_200 * 1e9,
};

/** One LOBSTER message: time (ns after midnight), type, order id, size, price, direction. */
export interface LobsterMessage {
  timeNs: number;
  type: 1 | 3 | 4;
  orderId: number;
  size: number;
  price: number;
  direction: 1 | -1;
}

/** Runs the flow; calls `emit` for every message with the engine's book right after it. */
export function runZeroIntelligence(params: ZeroIntelligenceParams, emit: (message: LobsterMessage, book: L3Book) => void): void {
  const book = new L3Book();
  const random = mulberry32(params.seed);
  // Live order ids for picking cancels at random, and where each rests (LOBSTER wants price and side).
  const live: number[] = [];
  const livePos = new Map<number, number>();
  const orderPrice = new Map<number, number>();
  const orderSide = new Map<number, 1 | -1>();
  const forget = (id: number) => {
    orderPrice.delete(id);
    orderSide.delete(id);
    const at = livePos.get(id)!;
    const last = live.pop()!;
    if (last !== id) {
      live[at] = last;
      livePos.set(last, at);
    }
    livePos.delete(id);
  };
  let nextId = 1_000_000;
  let timeNs = params.startNs;
  let emitted = 0;
  const send = (message: LobsterMessage) => {
    emitted++;
    emit(message, book);
  };

  while (emitted < params.messages) {
    timeNs += Math.max(1, Math.round(-Math.log(1 - random()) * params.meanGapNs));
    const roll = random();
    const side: 1 | -1 = random() < 0.5 ? 1 : -1;
    const size = 1 + Math.floor(-Math.log(1 - random()) * 100);
    if (roll < params.cancelShare && live.length > 0) {
      const id = live[Math.floor(random() * live.length)]!;
      const message: LobsterMessage = { timeNs, type: 3, orderId: id, size: book.orderSize(id), price: orderPrice.get(id)!, direction: orderSide.get(id)! };
      book.delete(id, message.direction, message.price, message.size);
      forget(id);
      send(message);
      continue;
    }
    const isMarket = roll < params.cancelShare + params.marketShare;
    const oppositeBest = side === 1 ? book.bestAskPrice() : book.bestBidPrice();
    const ownBest = side === 1 ? book.bestBidPrice() : book.bestAskPrice();
    const reference = !Number.isNaN(oppositeBest) ? oppositeBest : !Number.isNaN(ownBest) ? ownBest + side * params.tickUnits : params.startPriceUnits;
    // A limit order lands 0..depthTicks ticks behind the opposite best: at 0 it is marketable.
    const limit = isMarket ? side * Infinity : reference - side * params.tickUnits * Math.floor(random() * (params.depthTicks + 1));
    let remaining = size;
    // Match against the opposite side, best price first, oldest order first.
    for (let best = side === 1 ? book.bestAskPrice() : book.bestBidPrice(); remaining > 0 && !Number.isNaN(best) && (side === 1 ? best <= limit : best >= limit); best = side === 1 ? book.bestAskPrice() : book.bestBidPrice()) {
      const passive = book.frontOrderId(-side, best);
      const take = Math.min(remaining, book.orderSize(passive));
      book.fill(passive, -side, best, take);
      if (Number.isNaN(book.orderSize(passive))) forget(passive);
      remaining -= take;
      send({ timeNs, type: 4, orderId: passive, size: take, price: best, direction: -side as 1 | -1 });
      if (emitted >= params.messages) return;
    }
    if (isMarket || remaining === 0) continue;
    const id = nextId++;
    book.add(id, side, limit, remaining, timeNs);
    live.push(id);
    livePos.set(id, live.length - 1);
    orderPrice.set(id, limit);
    orderSide.set(id, side);
    send({ timeNs, type: 1, orderId: id, size: remaining, price: limit, direction: side });
  }
}

/** A small, fast, seedable generator (public-domain mulberry32). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
