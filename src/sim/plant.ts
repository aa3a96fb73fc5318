import { BatchBuilder, type EventBatch } from '../core/batch.js';
import type { Episode, EpisodeKind } from '../core/episode.js';
import { UsageError } from '../core/errors.js';
import { Action, Flag } from '../core/event.js';
import { InstrumentTable, type Instrument } from '../core/instrument.js';
import { Integrity, IntegrityReport } from '../core/integrity.js';
import type { EventSource } from '../core/source.js';
import { Growing } from './growing.js';
import { Market, type AgentKind } from './market.js';
import { MatchingEngine } from './matching-engine.js';
import { Random } from './random.js';
import { Scheduler } from './scheduler.js';
import { AGENT_DEFAULTS } from './scenario.js';
import { createAgent, truthOf, type SimulationTruth } from './simulation.js';
import type { Manipulator } from './agents/manipulator.js';
import { readParams, type ParamValues } from './agents/params.js';
import { LAYERER_DEFAULTS } from './agents/layerer.js';
import { SPOOFER_DEFAULTS } from './agents/spoofer.js';
import { OrderSet } from './agents/order-set.js';

/** The episode kinds that can be planted, and the agent that plays each. */
export const PLANTABLE_KINDS: Partial<Record<EpisodeKind, AgentKind>> = {
  spoofing: 'spoofer',
  layering: 'layerer',
  quote_stuffing: 'quote_stuffer',
  momentum_ignition: 'momentum_igniter',
  wash_trading: 'wash_trader',
  pinging: 'pinger',
  iceberg: 'iceberg',
};

/** What to plant. */
export interface PlantOptions {
  kinds: EpisodeKind[];
  /** Episodes per kind (default 3), spread over the input's activity. */
  count?: number;
  seed?: number;
  /** Instrument index to plant into; default: the one with the most order adds. */
  instrument?: number;
  /** Parameter overrides per agent kind (defaults are scaled to the input's typical order size). */
  params?: Partial<Record<AgentKind, Record<string, unknown>>>;
}

/** What the first pass over the input found. */
interface InputProfile {
  instrument: number;
  /** The instrument's description (a worker source lists its instruments only as batches arrive). */
  description: Instrument;
  maxOrderId: number;
  /** Times (ns after the input's first time base) of the instrument's complete updates. */
  updateTimes: Float64Array;
  /** Median size of the instrument's order adds. */
  typicalSize: number;
  /** Finest price step between add prices, and the first add price. */
  tick: number;
  firstPrice: number;
  timeBaseNs: bigint;
  windowLevels: number | undefined;
}

/**
 * Plants labelled manipulation episodes into a real L3 stream. The input is read twice: once to learn
 * its order ids, its activity over time and its typical order size; then again while the manipulators —
 * the simulator's own agents, with sizes scaled to the input — act on the real book as it is at each
 * moment. Their orders get fresh ids above every id of the input and are merged into the stream by
 * time, so the output is the input plus the planted messages, one instrument, as an L3 EventSource.
 *
 * How the planted orders meet real flow (what can be modelled without knowing how real traders would
 * have reacted):
 *  - planted orders rest in the real book's queues, behind the orders already there;
 *  - a real execution at a price worse than a planted order (from the aggressor's view), or at its
 *    price against an order that joined the queue after it, first fills the planted order: a planted
 *    Trade + Fill before the real update (the real executions still happen as recorded);
 *  - a real order that would lock or cross a planted order makes the planted order leave first (pulled);
 *  - a planted order that executes against real resting orders consumes them: later real cancels and
 *    fills of those orders are clipped to what is left (dropped once nothing is), their trade prints stay;
 *  - planted orders never take liquidity the data shows without an order id (level-limited sources);
 *  - levels a snapshot of the input restates keep the planted orders resting in them.
 * The integrity notes count each of these (`planted_*`, `real_rows_*`).
 */
export async function plantEpisodes(open: () => Promise<EventSource>, options: PlantOptions): Promise<PlantedSource> {
  if (options.kinds.length === 0) throw new UsageError('--episodes: name at least one kind');
  for (const kind of options.kinds) {
    if (!PLANTABLE_KINDS[kind]) throw new UsageError(`--episodes: "${kind}" cannot be planted (plantable: ${Object.keys(PLANTABLE_KINDS).join(', ')})`);
  }
  const profile = await profileInput(await open(), options.instrument);
  return new PlantedSource(await open(), profile, options);
}

async function profileInput(source: EventSource, wanted?: number): Promise<InputProfile> {
  if (source.granularity !== 'L3') throw new UsageError(`${source.path}: planting needs order-by-order (L3) data; this input is ${source.granularity}`);
  let maxOrderId = 0;
  const adds: number[] = [];
  const sizes: number[][] = [];
  const prices: number[][] = [];
  const times: Growing[] = [];
  let timeBaseNs: bigint | null = null;
  for await (const batch of source.batches()) {
    timeBaseNs ??= batch.timeBaseNs;
    const shift = Number(batch.timeBaseNs - timeBaseNs);
    const { action, orderId, instrument, flags, size, price, tsEvent } = batch;
    for (let i = 0; i < batch.length; i++) {
      const inst = instrument[i]!;
      if (orderId[i]! > maxOrderId) maxOrderId = orderId[i]!;
      if (action[i] === Action.Add && !(flags[i]! & Flag.Snapshot)) {
        adds[inst] = (adds[inst] ?? 0) + 1;
        (sizes[inst] ??= []).push(size[i]!);
        if ((prices[inst] ??= []).length < 100_000) prices[inst]!.push(price[i]!);
      }
      if (flags[i]! & Flag.Last && !(flags[i]! & Flag.Snapshot)) (times[inst] ??= new Growing()).push(tsEvent[i]! + shift);
    }
  }
  let instrument = wanted ?? -1;
  if (instrument < 0) for (let k = 0; k < adds.length; k++) if ((adds[k] ?? 0) > (adds[instrument] ?? 0)) instrument = k;
  if (instrument < 0 || !sizes[instrument] || !times[instrument]) throw new UsageError(`${source.path}: no orders to plant among`);
  const sorted = sizes[instrument]!.sort((a, b) => a - b);
  const instrumentPrices = prices[instrument]!;
  let step = 0;
  for (const price of instrumentPrices) step = gcd(step, Math.abs(price - instrumentPrices[0]!));
  const description = source.instruments.get(instrument);
  const declared = description.tickUnits;
  return {
    instrument,
    description,
    maxOrderId,
    updateTimes: times[instrument]!.values(),
    typicalSize: Math.max(1, sorted[Math.floor(sorted.length / 2)]!),
    tick: declared > 1 ? declared : step > 0 ? step : 1,
    firstPrice: instrumentPrices[0]!,
    timeBaseNs: timeBaseNs!,
    windowLevels: source.windowLevels,
  };
}

/**
 * The median size of an order added in the shipped scenarios (`mixed.json`, seed 1: 100 shares): the
 * typical order the simulator's defaults are set against.
 */
const SIMULATED_TYPICAL_SIZE = 100;

/** Default parameters of each planted agent, scaled to the input's typical order size. */
function scaledParams(kind: AgentKind, typical: number): ParamValues {
  const lot = typical >= 100 ? 100 : 1;
  const round = (x: number) => Math.max(lot, Math.round(x / lot) * lot);
  // The pressure traders' sizes keep their simulated proportion to the typical order: at the simulator's
  // own typical size they are its defaults.
  const scale = typical / SIMULATED_TYPICAL_SIZE;
  switch (kind) {
    case 'spoofer': {
      const d = SPOOFER_DEFAULTS;
      return { genuineSize: round(d.genuineSize * scale), minSpoofSize: round(d.minSpoofSize * scale), approachSize: d.approachSize * scale, lotSize: lot };
    }
    case 'layerer': {
      const d = LAYERER_DEFAULTS;
      return { genuineSize: round(d.genuineSize * scale), minLayerSize: round(d.minLayerSize * scale), approachSize: d.approachSize * scale, lotSize: lot };
    }
    case 'quote_stuffer':
      return { size: typical };
    case 'momentum_igniter':
      return { orderSize: 3 * typical };
    case 'wash_trader':
      return { size: round(10 * typical) };
    case 'pinger':
      return { size: 1 };
    case 'iceberg':
      // Real flow reaches a planted order only by trading through its price: the iceberg improves the touch.
      return { displaySize: 2 * typical, totalSize: 40 * typical, improveTicks: 1 };
    default:
      return {};
  }
}

/**
 * The input stream with the planted episodes merged in: an L3 EventSource of the planted instrument.
 * `truth()` gives the planted orders and the labelled episodes once the batches were read to the end.
 */
export class PlantedSource implements EventSource {
  readonly format: string;
  readonly path: string;
  readonly granularity = 'L3' as const;
  readonly instruments = new InstrumentTable();
  readonly integrity: Integrity;
  readonly windowLevels: number | undefined;
  private readonly builder: BatchBuilder;
  readonly engine: MatchingEngine;
  readonly market: Market;
  private readonly scheduler = new Scheduler();
  private readonly agents: Manipulator[] = [];
  /** Planted orders that may be resting (pruned lazily). */
  private readonly live = new OrderSet();
  private scannedUpTo: number;
  /** Real orders partly executed by planted orders: size the real stream does not know is gone. */
  private readonly owed = new Map<number, number>();
  /** Real orders planted orders executed in full: their later rows are dropped. */
  private readonly gone = new Set<number>();
  private readonly notes = new Map<string, number>();
  // Snapshot state of the merged book, and a snapshot block being buffered.
  private inSnapshot = false;
  private snapshotDepthSide = 0;
  private snapshotDepth = 0;
  private readonly snapshotRows: number[][] = [];
  private readonly kinds: EpisodeKind[];
  private readonly count: number;

  constructor(
    private readonly input: EventSource,
    private readonly profile: InputProfile,
    options: PlantOptions,
  ) {
    this.format = `planted(${input.format})`;
    this.path = input.path;
    this.windowLevels = input.windowLevels;
    this.integrity = new Integrity('strict', new IntegrityReport(input.path, this.format));
    const original = profile.description;
    this.instruments.intern({ ...original, tickUnits: profile.tick });
    this.builder = new BatchBuilder(this.instruments, profile.timeBaseNs);
    this.engine = new MatchingEngine(this.builder, profile.maxOrderId + 1, 0, false);
    this.engine.book.levelTotalsFollowVenue = input.windowLevels !== undefined;
    this.scannedUpTo = this.engine.firstOrderId;
    this.market = new Market(this.engine, this.scheduler, profile.tick, profile.firstPrice, null);
    this.market.priceDecimals = original.priceDecimals;
    this.engine.onForeignFill = (orderId, _side, _price, size) => this.consumed(orderId, size);

    const seed = options.seed ?? 1;
    const count = options.count ?? 3;
    this.kinds = options.kinds;
    this.count = count;
    const times = profile.updateTimes;
    const kinds = options.kinds;
    kinds.forEach((kind, k) => {
      const agentKind = PLANTABLE_KINDS[kind]!;
      const given = options.params?.[agentKind] ?? {};
      const params = readParams({ ...AGENT_DEFAULTS[agentKind], ...scaledParams(agentKind, profile.typicalSize) }, given, `plant ${kind}`);
      const random = Random.stream(seed, k + 1);
      const agent = createAgent({ kind: agentKind, name: `planted-${agentKind.replace(/_/g, '-')}`, count: 1, params }, 0, random, times[0]!) as Manipulator;
      agent.plannedOnly = true;
      // Episode e of kind k starts at the activity quantile (e + (k + 1)/(K + 1)) / count, jittered a little.
      for (let e = 0; e < count; e++) {
        const quantile = (e + (k + 1) / (kinds.length + 1) + (random.uniform() - 0.5) * 0.2 / (kinds.length + 1)) / count;
        agent.planned.push(times[Math.min(times.length - 1, Math.max(0, Math.floor(quantile * times.length)))]!);
      }
      agent.planned.sort((a, b) => a - b);
      this.agents.push(agent);
      this.market.register(agent);
    });
  }

  /** The planted orders (by identity) and the labelled episodes; complete after the batches were read. */
  truth(): SimulationTruth {
    return truthOf(this.market, this.engine);
  }


  /**
   * Per kind: episodes planned, begun, labelled, and why the others were given up (an episode not begun
   * by the end of the input waited for a book it could start in: a spread wide enough, both sides).
   */
  outcomes(): { kind: EpisodeKind; planned: number; begun: number; labelled: number; abandoned: Record<string, number> }[] {
    return this.agents.map((agent, k) => ({ kind: this.kinds[k]!, planned: this.count, begun: agent.attempts, labelled: agent.labelled, abandoned: { ...agent.abandoned } }));
  }

  /** Epoch ns the merged stream's times count from. */
  get timeBaseNs(): bigint {
    return this.profile.timeBaseNs;
  }

  get episodes(): Episode[] {
    return this.market.episodes;
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const { builder, scheduler, market } = this;
    const inst = this.profile.instrument;
    let started = false;
    let lastTime = NaN;
    for await (const batch of this.input.batches()) {
      const shift = Number(batch.timeBaseNs - this.profile.timeBaseNs);
      let start = 0;
      for (let i = 0; i < batch.length; i++) {
        if (!(batch.flags[i]! & Flag.Last)) continue;
        // Rows [start, i] are one update of some instrument(s); keep the planted instrument's.
        const time = firstTime(batch, start, i, inst) + shift;
        if (!Number.isNaN(time)) {
          if (!started) {
            started = true;
            scheduler.now = market.now = time;
            for (const agent of this.agents) agent.start(market);
          }
          // Planted actions strictly before this update happen first.
          while (scheduler.peekTime() < time && scheduler.pop()) this.dispatch();
          // The clock moves to the real update: reactions to it happen from here on.
          scheduler.now = market.now = time;
          this.realUpdate(batch, start, i, shift, time);
          lastTime = time;
        } else this.note('rows_of_other_instruments_dropped', i - start + 1);
        start = i + 1;
      }
      for (let out = builder.take(); out; out = builder.take()) yield out;
    }
    // Planted actions up to the last real time; episodes still open then are not labelled.
    while (scheduler.peekTime() <= lastTime && scheduler.pop()) this.dispatch();
    const last = builder.flush();
    if (last) yield last;
    const report = this.integrity.report;
    report.rowsRead = this.input.integrity.report.rowsRead;
    for (const [kind, n] of this.notes) report.note(kind, n);
    report.note('planted_messages', this.engine.stats.messages);
    for (const episode of this.market.episodes) report.note(`planted_episodes_${episode.kind}`);
  }

  private dispatch(): void {
    const { scheduler, market } = this;
    market.now = scheduler.now;
    const agent = market.agents[scheduler.poppedAgent]!;
    if (scheduler.poppedPayload === 0) agent.wake(market);
    else agent.onTimer(market, scheduler.poppedPayload);
    this.scan();
  }

  /** Adds the planted orders given out since the last scan to the live set. */
  private scan(): void {
    const engine = this.engine;
    for (; this.scannedUpTo < engine.peekNextId; this.scannedUpTo++) if (engine.restingSize(this.scannedUpTo) > 0) this.live.add(this.scannedUpTo);
  }

  /** Planted orders resting now on `side` (pruning the ones gone). */
  private resting(side: number): number[] {
    const ids: number[] = [];
    for (let k = this.live.size - 1; k >= 0; k--) {
      const id = this.live.get(k);
      if (this.engine.restingSize(id) === 0) this.live.remove(id);
      else if (this.engine.sideOfOrder(id) === side) ids.push(id);
    }
    return ids;
  }

  /** Size of planted orders resting at a price. */
  private plantedAt(side: number, price: number): number {
    let size = 0;
    for (const id of this.resting(side)) if (this.engine.priceOfOrder(id) === price) size += this.engine.restingSize(id);
    return size;
  }

  private consumed(orderId: number, size: number): void {
    this.note('planted_fills_of_real_orders');
    if (!(this.engine.book.orderSize(orderId) > 0)) {
      this.owed.delete(orderId);
      this.gone.add(orderId);
      return;
    }
    this.owed.set(orderId, (this.owed.get(orderId) ?? 0) + size);
  }

  /** One real update: planted reactions first, then its rows, adjusted, into the merged stream. */
  private realUpdate(batch: EventBatch, start: number, end: number, shift: number, time: number): void {
    const inst = this.profile.instrument;
    const { action, side, price, size, orderId, flags } = batch;
    const engine = this.engine;
    const book = engine.book;
    if (this.live.size > 0) {
      for (let i = start; i <= end; i++) {
        if (batch.instrument[i] !== inst) continue;
        const a = action[i]!;
        const snapshot = (flags[i]! & Flag.Snapshot) !== 0;
        if (a === Action.Fill && !snapshot && (side[i] === 1 || side[i] === -1)) this.tradeThrough(side[i]!, price[i]!, size[i]!, orderId[i]!, time);
        else if ((a === Action.Add && !snapshot) || a === Action.Modify || a === Action.LevelSet) {
          // A real order (or level) at or through a planted order on the other side: the planted one leaves first.
          for (const id of this.resting(-side[i]!)) {
            if ((price[i]! - engine.priceOfOrder(id)) * side[i]! >= 0 && engine.cancel(time, id)) this.note('planted_orders_pulled');
          }
        }
      }
    }
    const builder = this.builder;
    for (let i = start; i <= end; i++) {
      if (batch.instrument[i] !== inst) continue;
      const a = action[i]!;
      const t = batch.tsEvent[i]! + shift;
      const f = flags[i]! & ~Flag.Last;
      const s = side[i]!;
      const p = price[i]!;
      const id = orderId[i]!;
      let q = size[i]!;
      book.nowNs = t;
      if (this.inSnapshot) {
        this.snapshotRows.push([t, a, s, p, q, id, batch.seq[i]!, f, batch.sourceRow[i]!]);
        if (a === Action.SnapshotEnd) this.endSnapshot();
        continue;
      }
      let out = a;
      if ((a === Action.Cancel || a === Action.Delete || a === Action.Fill || a === Action.Modify) && (this.gone.has(id) || this.owed.has(id))) {
        const adjusted = this.adjustReal(a, id, q);
        if (adjusted === null) continue;
        [out, q] = adjusted;
      }
      switch (out) {
        case Action.Add:
          book.add(id, s, p, q, t);
          break;
        case Action.Cancel:
          book.cancel(id, s, p, q);
          break;
        case Action.Delete:
          book.delete(id, s, p, q);
          break;
        case Action.Fill:
          book.fill(id, s, p, q);
          break;
        case Action.Modify:
          book.modify(id, s, p, q, t);
          break;
        case Action.Clear:
          book.clear();
          break;
        case Action.SnapshotBegin:
          this.inSnapshot = true;
          this.snapshotDepthSide = s;
          this.snapshotDepth = q;
          this.snapshotRows.length = 0;
          this.snapshotRows.push([t, a, s, p, q, id, batch.seq[i]!, f, batch.sourceRow[i]!]);
          continue;
        case Action.LevelSet:
          q += this.plantedAt(s, p);
          book.setLevel(s, p, q);
          break;
        case Action.LevelDelete: {
          const planted = this.plantedAt(s, p);
          if (planted > 0) {
            out = Action.LevelSet;
            q = planted;
            book.setLevel(s, p, q);
            this.note('real_level_deletes_kept_for_planted_orders');
          } else book.deleteLevel(s, p);
          break;
        }
      }
      builder.push(t, batch.tsRecv[i]! + shift, 0, out, s, p, q, id, batch.seq[i]!, f, batch.sourceRow[i]!);
    }
    builder.endUpdate();
  }

  /**
   * A real execution of `size` at `price` against a resting order on `restingSide`: planted orders on
   * that side at a better price, or at that price ahead of the real order in the queue, fill first.
   */
  private tradeThrough(restingSide: number, price: number, size: number, realId: number, time: number): void {
    const engine = this.engine;
    const realAdded = engine.book.orderAddedNs(realId);
    const candidates = this.resting(restingSide).filter((id) => {
      const planted = engine.priceOfOrder(id);
      if ((planted - price) * restingSide > 0) return true;
      return planted === price && !Number.isNaN(realAdded) && engine.book.orderAddedNs(id) < realAdded;
    });
    candidates.sort((a, b) => (engine.priceOfOrder(b) - engine.priceOfOrder(a)) * restingSide || a - b);
    let left = size;
    for (const id of candidates) {
      if (left <= 0) break;
      const done = engine.execute(time, id, left, -restingSide);
      if (done > 0) this.note('planted_orders_filled_by_real_flow');
      left -= done;
    }
  }

  /** A real row of an order planted flow executed: clipped to what is left, or dropped (null). */
  private adjustReal(action: number, id: number, size: number): [number, number] | null {
    const book = this.engine.book;
    if (this.gone.has(id)) {
      // Planted flow executed it in full: the real stream's later rows describe an order that is gone.
      if (action === Action.Delete) this.gone.delete(id);
      this.note('real_rows_dropped');
      return null;
    }
    const owed = this.owed.get(id)!;
    const merged = book.orderSize(id);
    if (!(merged > 0)) {
      this.owed.delete(id);
      this.note('real_rows_dropped');
      return null;
    }
    switch (action) {
      case Action.Delete:
        this.owed.delete(id);
        if (merged !== size) this.note('real_rows_clipped');
        return [Action.Delete, merged];
      case Action.Cancel:
      case Action.Fill:
        if (size < merged) return [action, size];
        this.owed.delete(id);
        this.gone.add(id);
        this.note('real_rows_clipped');
        return [action, merged];
      default: {
        // Modify to a new size: the part planted flow took stays gone.
        const next = size - owed;
        this.note('real_rows_clipped');
        if (next > 0) return [Action.Modify, next];
        this.owed.delete(id);
        this.gone.add(id);
        return [Action.Delete, merged];
      }
    }
  }

  /**
   * A buffered snapshot block of the input: listed levels keep the planted orders resting in them, and
   * planted levels the block would remove are listed too (the block's depth grows by as many).
   */
  private endSnapshot(): void {
    this.inSnapshot = false;
    const rows = this.snapshotRows;
    const book = this.engine.book;
    const builder = this.builder;
    const sides = this.snapshotDepthSide === 0 ? [1, -1] : [this.snapshotDepthSide];
    const extra: number[][] = [];
    const end = rows[rows.length - 1]!;
    if (this.snapshotDepth > 0) {
      for (const side of sides) {
        const listed = rows.filter((row) => row[1] === Action.LevelSet && row[2] === side).map((row) => row[3]!);
        const worst = listed.length ? (side === 1 ? Math.min(...listed) : Math.max(...listed)) : NaN;
        const levels = new Map<number, number>();
        for (const id of this.resting(side)) {
          const price = this.engine.priceOfOrder(id);
          if (listed.includes(price)) continue;
          if (listed.length >= this.snapshotDepth && (price - worst) * side < 0) continue;
          levels.set(price, (levels.get(price) ?? 0) + this.engine.restingSize(id));
        }
        for (const [price, size] of levels) extra.push([end[0]!, Action.LevelSet, side, price, size, 0, end[6]!, end[7]!, end[8]!]);
      }
    } else this.note('planted_orders_cleared_by_full_snapshots', this.live.size);
    const depth = this.snapshotDepth > 0 ? this.snapshotDepth + extra.length : 0;
    if (extra.length > 0) this.note('planted_levels_kept_through_snapshots', extra.length);
    const emit = (row: number[], plantedOnly: boolean) => {
      const [t, a, s, p, q0, id, seq, f, sourceRow] = row as [number, number, number, number, number, number, number, number, number];
      let q = q0;
      switch (a) {
        case Action.SnapshotBegin:
          q = depth;
          book.beginSnapshot(s, q);
          break;
        case Action.LevelSet:
          if (!plantedOnly) q += this.plantedAt(s, p);
          book.snapshotLevel(s, p, q);
          break;
        case Action.SnapshotEnd:
          book.endSnapshot();
          break;
        case Action.Add:
          book.add(id, s, p, q, t);
          break;
        case Action.Clear:
          book.clear();
          break;
      }
      builder.push(t, NaN, 0, a, s, p, q, id, seq, f, sourceRow);
    };
    for (let k = 0; k < rows.length - 1; k++) emit(rows[k]!, false);
    for (const row of extra) emit(row, true);
    emit(end, false);
  }

  private note(kind: string, n = 1): void {
    this.notes.set(kind, (this.notes.get(kind) ?? 0) + n);
  }
}

/** Time of the first row of `instrument` in rows [start, end], NaN when there is none. */
function firstTime(batch: EventBatch, start: number, end: number, instrument: number): number {
  for (let i = start; i <= end; i++) if (batch.instrument[i] === instrument) return batch.tsEvent[i]!;
  return NaN;
}

function gcd(a: number, b: number): number {
  while (b > 0) [a, b] = [b, a % b];
  return a;
}
