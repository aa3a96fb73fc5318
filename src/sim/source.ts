import type { EventBatch } from '../core/batch.js';
import { Integrity, IntegrityReport } from '../core/integrity.js';
import type { EventSource, OpenOptions } from '../core/source.js';
import { loadScenario, parseDuration, type Scenario } from './scenario.js';
import { SCENARIO_FORMAT } from './scenario-format.js';
import { Simulation, type SimulationTruth } from './simulation.js';

export { SCENARIO_FORMAT };

/** What may change a scenario when it is opened: the seed, and the length by time or messages. */
export interface ScenarioOverrides {
  seed?: number;
  messages?: number;
  /** A duration like 30m, 2h. */
  duration?: string;
}

/** Applies overrides to a scenario (a length given replaces the other kind of length). */
export function withOverrides(scenario: Scenario, overrides: ScenarioOverrides, where: string): Scenario {
  const next = { ...scenario };
  if (overrides.seed !== undefined) next.seed = overrides.seed;
  if (overrides.messages !== undefined) {
    next.messages = overrides.messages;
    next.durationNs = Infinity;
  }
  if (overrides.duration !== undefined) {
    next.durationNs = parseDuration(overrides.duration, where);
    next.messages = Infinity;
  }
  return next;
}

/**
 * A scenario as an input like any other: an L3 EventSource (venue `sim`) whose batches are the
 * simulation's events, produced as they are read. `truth()` gives who placed every order and the
 * labelled episodes once the batches have been read to the end.
 *
 * ```ts
 * const source = openScenario('scenarios/mixed.json');
 * await replay(source);
 * source.truth().episodes;
 * ```
 */
export class ScenarioSource implements EventSource {
  readonly format = SCENARIO_FORMAT;
  readonly granularity = 'L3' as const;
  readonly integrity: Integrity;
  readonly simulation: Simulation;
  private finished = false;

  constructor(
    readonly path: string,
    readonly scenario: Scenario,
    options: OpenOptions = {},
  ) {
    this.integrity = new Integrity(options.policy ?? 'strict', new IntegrityReport(path, SCENARIO_FORMAT), options.quarantine);
    this.simulation = new Simulation(scenario, options.batchRows === undefined ? {} : { batchRows: options.batchRows });
  }

  get instruments() {
    return this.simulation.instruments;
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const report = this.integrity.report;
    for (const batch of this.simulation.batches()) {
      report.rowsRead += batch.length;
      yield batch;
    }
    const stats = this.simulation.engine.stats;
    report.note('sim_messages', stats.messages);
    report.note('sim_trades', stats.trades);
    report.note('sim_self_trades', stats.selfTrades);
    report.note('sim_iceberg_refills', stats.refills);
    for (const episode of this.simulation.market.episodes) report.note(`sim_episodes_${episode.kind}`);
    this.finished = true;
  }

  /** The ground truth; the episodes are complete once the batches were read to the end. */
  truth(): SimulationTruth {
    return this.simulation.truth();
  }

  /** True once the batches were read to the end. */
  get complete(): boolean {
    return this.finished;
  }
}

/** Opens a scenario file as an EventSource. */
export function openScenario(path: string, options: OpenOptions & ScenarioOverrides = {}): ScenarioSource {
  return new ScenarioSource(path, withOverrides(loadScenario(path), options, path), options);
}
