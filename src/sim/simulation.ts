import { BatchBuilder, type EventBatch } from '../core/batch.js';
import type { Episode } from '../core/episode.js';
import { InstrumentTable } from '../core/instrument.js';
import { zonedMidnightNs } from '../core/time.js';
import { FundamentalValue } from './fundamental.js';
import { Market, type Agent, type AgentKind } from './market.js';
import { MatchingEngine, type EngineStats } from './matching-engine.js';
import { Random } from './random.js';
import { Scheduler } from './scheduler.js';
import type { AgentSpec, Scenario } from './scenario.js';
import { NoiseTrader, type NoiseParams } from './agents/noise.js';
import { MarketMaker, type MarketMakerParams } from './agents/market-maker.js';
import { MomentumTrader, type MomentumParams } from './agents/momentum.js';
import { InformedTrader, type InformedParams } from './agents/informed.js';
import { Spoofer, type SpooferParams } from './agents/spoofer.js';
import { Layerer, type LayererParams } from './agents/layerer.js';
import { QuoteStuffer, type QuoteStufferParams } from './agents/quote-stuffer.js';
import { MomentumIgniter, type MomentumIgniterParams } from './agents/momentum-igniter.js';
import { WashTrader, type WashTraderParams } from './agents/wash-trader.js';
import { Pinger, type PingerParams } from './agents/pinger.js';
import { IcebergUser, type IcebergParams } from './agents/iceberg.js';

/** New York, where LOBSTER counts its times from: simulated times are after its midnight too. */
export const SIM_TIME_ZONE = 'America/New_York';
/** The venue name of simulated instruments. */
export const SIM_VENUE = 'sim';

/** Who placed every order, and the labelled episodes: the ground truth of a run. */
export interface SimulationTruth {
  /** Accounts by identity index: name, kind and owner (accounts of one owner trade with each other in wash trades). */
  identities: { name: string; kind: AgentKind; owner: string }[];
  /** Calls `visit` for every order id that appeared in the stream, in id order, with its identity index. */
  forEachOrder(visit: (orderId: number, identity: number) => void): void;
  /** Identity index of an order id, -1 if the run never gave it out. */
  identityOf(orderId: number): number;
  episodes: Episode[];
  stats: EngineStats;
}

/** Creates the agent for one scenario entry (the `index`-th of its `count`). */
export function createAgent(spec: AgentSpec, index: number, random: Random, startNs: number): Agent {
  const name = spec.count > 1 ? `${spec.name}-${index + 1}` : spec.name;
  const params = spec.params as never;
  switch (spec.kind) {
    case 'noise':
      return new NoiseTrader(name, name, random, params as NoiseParams, startNs);
    case 'market_maker':
      return new MarketMaker(name, name, random, params as MarketMakerParams, startNs);
    case 'momentum':
      return new MomentumTrader(name, name, random, params as MomentumParams, startNs);
    case 'informed':
      return new InformedTrader(name, name, random, params as InformedParams, startNs);
    case 'spoofer':
      return new Spoofer(name, name, random, params as SpooferParams);
    case 'layerer':
      return new Layerer(name, name, random, params as LayererParams);
    case 'quote_stuffer':
      return new QuoteStuffer(name, name, random, params as QuoteStufferParams);
    case 'momentum_igniter':
      return new MomentumIgniter(name, name, random, params as MomentumIgniterParams);
    case 'wash_trader':
      return new WashTrader(`${name}-a`, name, random, params as WashTraderParams, `${name}-b`);
    case 'pinger':
      return new Pinger(name, name, random, params as PingerParams);
    case 'iceberg':
      return new IcebergUser(name, name, random, params as IcebergParams);
  }
}

/**
 * One run of a scenario: the agents, the scheduler that wakes them, the matching engine that turns
 * their orders into normalized L3 events. `batches()` runs it to the end (by time or message count)
 * and yields the events; the truth is complete once it has.
 *
 * ```ts
 * const run = new Simulation(loadScenario('scenarios/mixed.json'));
 * for (const batch of run.batches()) consume(batch);
 * run.truth().episodes; // the labelled manipulation episodes
 * ```
 */
export class Simulation {
  readonly instruments = new InstrumentTable();
  /** Epoch ns of the date's New York midnight: event times are ns after it. */
  readonly timeBaseNs: bigint;
  readonly startNs: number;
  readonly endNs: number;
  readonly maxMessages: number;
  readonly engine: MatchingEngine;
  readonly market: Market;
  readonly scheduler = new Scheduler();
  private readonly builder: BatchBuilder;
  private started = false;

  constructor(
    readonly scenario: Scenario,
    options: { batchRows?: number } = {},
  ) {
    const instrument = scenario.instrument;
    this.instruments.intern({
      venue: SIM_VENUE,
      symbol: instrument.symbol,
      venueId: -1,
      priceDecimals: instrument.priceDecimals,
      sizeDecimals: instrument.sizeDecimals,
      tickUnits: instrument.tickUnits,
    });
    this.timeBaseNs = zonedMidnightNs(scenario.date, SIM_TIME_ZONE);
    this.startNs = scenario.startNs;
    this.endNs = scenario.startNs + scenario.durationNs;
    this.maxMessages = scenario.messages;
    this.builder = new BatchBuilder(this.instruments, this.timeBaseNs, options.batchRows ?? 8192);
    this.engine = new MatchingEngine(this.builder, 1);
    const fundamental = scenario.fundamental ? new FundamentalValue(scenario.fundamental, scenario.startNs, instrument.startPrice, instrument.tickUnits, Random.stream(scenario.seed, 0)) : null;
    this.market = new Market(this.engine, this.scheduler, instrument.tickUnits, instrument.startPrice, fundamental);
    this.market.priceDecimals = instrument.priceDecimals;
    this.market.now = scenario.startNs;
    this.scheduler.now = scenario.startNs;
    let stream = 1;
    for (const spec of scenario.agents) {
      for (let k = 0; k < spec.count; k++) this.market.register(createAgent(spec, k, Random.stream(scenario.seed, stream++), scenario.startNs));
    }
  }

  /** Runs the scenario to its end, yielding complete batches as they fill. Iterate once. */
  *batches(): Generator<EventBatch> {
    if (this.started) throw new Error('a simulation runs once');
    this.started = true;
    const { market, scheduler, engine, builder } = this;
    for (const agent of market.agents) agent.start(market);
    const agents = market.agents;
    while (engine.stats.messages < this.maxMessages) {
      if (!(scheduler.peekTime() <= this.endNs) || !scheduler.pop()) break;
      market.now = scheduler.now;
      const agent = agents[scheduler.poppedAgent]!;
      if (scheduler.poppedPayload === 0) agent.wake(market);
      else agent.onTimer(market, scheduler.poppedPayload);
      for (let batch = builder.take(); batch; batch = builder.take()) yield batch;
    }
    const last = builder.flush();
    if (last) yield last;
  }

  /** The ground truth: complete once `batches()` has run to the end. */
  truth(): SimulationTruth {
    return truthOf(this.market, this.engine);
  }
}

/** The ground truth a market and its engine hold: who placed every order, and the labelled episodes. */
export function truthOf(market: Market, engine: MatchingEngine): SimulationTruth {
  return {
    identities: market.identities.map(({ name, kind, owner }) => ({ name, kind, owner })),
    forEachOrder(visit) {
      for (let id = engine.firstOrderId; id < engine.peekNextId; id++) if (engine.wasSeen(id)) visit(id, engine.agentOfOrder(id));
    },
    identityOf: (orderId) => engine.agentOfOrder(orderId),
    episodes: market.episodes,
    stats: engine.stats,
  };
}
