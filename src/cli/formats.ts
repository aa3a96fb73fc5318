/**
 * Input formats defined outside src/io (io may not import the simulator): a scenario file is a readable
 * input, so `flowmine replay scenarios/mixed.json` runs the simulation and replays its events. Such
 * formats open in the main thread only (the decoding worker knows io's formats alone).
 */
import { defineFormat, formats, sniffFormat } from '../io/index.js';
import { openScenario, SCENARIO_FORMAT } from '../sim/source.js';

if (!formats.has(SCENARIO_FORMAT)) {
  defineFormat({
    name: SCENARIO_FORMAT,
    description: 'flowmine simulator scenario (JSON): the simulated market, L3, venue sim',
    granularity: 'L3',
    sniff: (head, fileName) => fileName.endsWith('.json') && /^\s*\{/.test(head) && /"agents"\s*:/.test(head) && /"instrument"\s*:/.test(head),
    open: (path, options) => openScenario(path, options),
  });
}

/** Formats that cannot be decoded in the worker thread. */
const MAIN_THREAD_FORMATS = new Set([SCENARIO_FORMAT]);

/** True when the input (named format, else sniffed) must be opened in the main thread. */
export async function opensInMainThread(input: string, format?: string): Promise<boolean> {
  return MAIN_THREAD_FORMATS.has(format ?? (await sniffFormat(input)).name);
}
