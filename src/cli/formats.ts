/**
 * Input formats defined outside src/io (io may not import the simulator): a scenario file is a readable
 * input, so `flowmine replay scenarios/mixed.json` runs the simulation and replays its events. Such
 * formats open in the main thread only (the decoding worker knows io's formats alone).
 */
import { Command } from 'commander';
import { defineFormat, formats, sniffFormat } from '../io/index.js';
import { SCENARIO_FORMAT } from '../sim/scenario-format.js';

if (!formats.has(SCENARIO_FORMAT)) {
  defineFormat({
    name: SCENARIO_FORMAT,
    description: 'flowmine simulator scenario (JSON): the simulated market, L3, venue sim',
    granularity: 'L3',
    sniff: (head, fileName) => fileName.endsWith('.json') && /^\s*\{/.test(head) && /"agents"\s*:/.test(head) && /"instrument"\s*:/.test(head),
    open: async (path, options) => (await import('../sim/source.js')).openScenario(path, options),
  });
}

/** Formats that cannot be decoded in the worker thread. */
const MAIN_THREAD_FORMATS = new Set([SCENARIO_FORMAT]);

/** True when the input (named format, else sniffed) must be opened in the main thread. */
export async function opensInMainThread(input: string, format?: string): Promise<boolean> {
  return MAIN_THREAD_FORMATS.has(format ?? (await sniffFormat(input)).name);
}

/** `flowmine formats`: the readable formats, a line each. */
export function formatsCommand(): Command {
  return new Command('formats').description('list the input formats flowmine reads').action(() => {
    for (const format of formats.all()) process.stdout.write(`${format.name.padEnd(18)} ${format.granularity.padEnd(7)} ${format.description}\n`);
  });
}
