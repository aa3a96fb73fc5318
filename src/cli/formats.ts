/**
 * Input formats defined outside src/io (io may not import the simulator): a scenario file is a readable
 * input, so `flowmine replay scenarios/mixed.json` runs the simulation and replays its events. (A source
 * decoded in a worker thread, openSourceInWorker, knows io's formats alone.)
 */
import { Command } from 'commander';
import { defineFormat, formats } from '../io/index.js';
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

/** `flowmine formats`: the readable formats, a line each. */
export function formatsCommand(): Command {
  return new Command('formats').description('list the input formats flowmine reads').action(() => {
    for (const format of formats.all()) process.stdout.write(`${format.name.padEnd(18)} ${format.granularity.padEnd(7)} ${format.description}\n`);
  });
}
