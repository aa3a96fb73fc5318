import type { EventBatch } from '../core/batch.js';
import { LobsterWriter, type LobsterWriteResult } from './lobster-writer.js';
import type { ScenarioSource } from './source.js';
import { writeTruth } from './truth-files.js';

/** The files of a written run. */
export interface RunFiles extends LobsterWriteResult {
  truthOrdersPath: string;
  truthEpisodesPath: string;
  /** Wall time of the run, simulation and writing together. */
  seconds: number;
}

/**
 * Runs a scenario and writes it into `dir`: `<SYMBOL>_<date>_<startMs>_<endMs>_message_<levels>.csv`
 * and its orderbook file (the scenario's window in the name when it runs by duration), then
 * truth_orders.csv and truth_episodes.csv. `onBatch` sees every batch too (stylized facts, progress).
 */
export async function writeScenarioRun(source: ScenarioSource, dir: string, options: { levels?: number; onBatch?: (batch: EventBatch) => void } = {}): Promise<RunFiles> {
  const scenario = source.scenario;
  const window: [number, number] | undefined = Number.isFinite(scenario.durationNs) ? [scenario.startNs / 1e6, (scenario.startNs + scenario.durationNs) / 1e6] : undefined;
  const writer = new LobsterWriter(dir, source.instruments.get(0), 0, { levels: options.levels ?? 10, date: scenario.date, ...(window && { windowMs: window }) });
  const started = performance.now();
  for await (const batch of source.batches()) {
    writer.push(batch);
    options.onBatch?.(batch);
  }
  const files = writer.close();
  const truth = writeTruth(dir, source.truth(), source.instruments.get(0), source.simulation.timeBaseNs);
  return { ...files, truthOrdersPath: truth.orders, truthEpisodesPath: truth.episodes, seconds: (performance.now() - started) / 1000 };
}
