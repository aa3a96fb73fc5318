import { Agent, type AgentKind, type Market } from '../market.js';
import type { Random } from '../random.js';

/**
 * A trader that runs labelled episodes one at a time. Between episodes it waits an exponential time
 * with mean `everySeconds` (or, when planting into real data, until the next planned start); an episode
 * starts only when both sides of the book are present and not crossed, else it retries shortly.
 * Attempts that end without their pattern's signature (the book moved through a spoof, an iceberg never
 * executed beyond its display) are not labelled as episodes; their orders stay in the order truth.
 */
export abstract class Manipulator extends Agent {
  /** Planned start times (ns), earliest first, used when `plannedOnly` is set. */
  planned: number[] = [];
  protected active = false;
  /** Episodes begun and labelled, and attempts given up by reason. */
  attempts = 0;
  labelled = 0;
  readonly abandoned: Record<string, number> = {};

  constructor(
    name: string,
    kind: AgentKind,
    owner: string,
    random: Random,
    protected readonly everySeconds: number,
  ) {
    super(name, kind, owner, random);
  }

  start(market: Market): void {
    this.scheduleNext(market);
  }

  wake(market: Market): void {
    if (this.active) return this.step(market);
    if (!this.ready(market)) return market.wakeIn(this, 0.5);
    this.active = true;
    this.attempts++;
    this.begin(market);
  }

  /** Whether an episode can start now: both sides present and the book not crossed. */
  protected ready(market: Market): boolean {
    const spread = market.spreadTicks();
    return spread >= 1;
  }

  /** Starts an episode (the first orders go in here). */
  protected abstract begin(market: Market): void;
  /** A wake-up during an episode. */
  protected abstract step(market: Market): void;

  /** Counts an attempt given up without its signature. */
  protected giveUp(reason: string): void {
    this.abandoned[reason] = (this.abandoned[reason] ?? 0) + 1;
  }

  /** Ends the episode and waits for the next one. */
  protected finish(market: Market): void {
    this.active = false;
    this.scheduleNext(market);
  }

  private scheduleNext(market: Market): void {
    if (this.plannedOnly) {
      if (this.planned.length > 0) market.wakeAt(this, this.planned.shift()!);
      return;
    }
    market.wakeIn(this, this.random.exponential(this.everySeconds));
  }

  /** Set when planting: the episodes start at `planned` times only. */
  plannedOnly = false;
}
