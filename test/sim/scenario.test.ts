import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import '../../src/cli/formats.js';
import { openSource } from '../../src/io/index.js';
import { loadScenario, parseScenario } from '../../src/sim/scenario.js';
import { openScenario } from '../../src/sim/source.js';
import { REPO_ROOT } from '../support/data.js';

const SCENARIOS = join(REPO_ROOT, 'scenarios');
const MANIPULATORS: Record<string, string> = {
  'spoofing.json': 'spoofer',
  'layering.json': 'layerer',
  'quote-stuffing.json': 'quote_stuffer',
  'momentum-ignition.json': 'momentum_igniter',
  'wash-trading.json': 'wash_trader',
  'pinging.json': 'pinger',
  'iceberg.json': 'iceberg',
};
const MANIPULATOR_KINDS = Object.values(MANIPULATORS);

test('the shipped scenarios parse: a baseline without manipulators, one per manipulator, a mixed one with all, an informed one', () => {
  const files = readdirSync(SCENARIOS).filter((name) => name.endsWith('.json')).sort();
  assert.deepEqual(files, ['baseline.json', 'iceberg.json', 'informed.json', 'layering.json', 'mixed.json', 'momentum-ignition.json', 'pinging.json', 'quote-stuffing.json', 'spoofing.json', 'wash-trading.json']);
  const kinds = (file: string) => new Set<string>(loadScenario(join(SCENARIOS, file)).agents.map((agent) => agent.kind));
  for (const kind of MANIPULATOR_KINDS) assert.ok(!kinds('baseline.json').has(kind));
  for (const [file, kind] of Object.entries(MANIPULATORS)) {
    const present = MANIPULATOR_KINDS.filter((other) => kinds(file).has(other));
    assert.deepEqual(present, [kind], file);
  }
  for (const kind of [...MANIPULATOR_KINDS, 'informed']) assert.ok(kinds('mixed.json').has(kind), kind);
  assert.ok(kinds('informed.json').has('informed'));
  assert.notEqual(loadScenario(join(SCENARIOS, 'informed.json')).fundamental, null);
});

test('scenario mistakes are one-line errors naming the field', () => {
  const base = { instrument: { symbol: 'SIM' }, agents: [{ kind: 'noise' }] };
  const error = (json: unknown) => {
    try {
      parseScenario(JSON.stringify(json), 'x.json');
    } catch (caught) {
      return (caught as Error).message;
    }
    return 'no error';
  };
  assert.equal(error({ ...base, colour: 1 }), 'x.json: unknown field "colour" (known: name, description, seed, date, start, duration, messages, instrument, fundamental, agents)');
  assert.match(error({ ...base, agents: [{ kind: 'noise', speed: 3 }] }), /^x\.json: agents\[0\] \(noise\): unknown parameter "speed" \(known: .*baseRate.*\)$/);
  assert.equal(error({ ...base, agents: [{ kind: 'noise', baseRate: '3' }] }), 'x.json: agents[0] (noise): parameter "baseRate" must be a finite number, was "3"');
  assert.equal(error({ ...base, agents: [{ kind: 'noise', branching: 1.2 }] }), 'x.json: agents[0] (noise): parameter "branching" must be between 0 and 0.99, was 1.2');
  assert.match(error({ ...base, agents: [{ kind: 'whale' }] }), /^x\.json: agents\[0\]: "kind" must be one of noise, market_maker, .*, iceberg, was "whale"$/);
  assert.equal(error({ ...base, duration: '1h', messages: 10 }), 'x.json: give "duration" or "messages", not both');
  assert.equal(error({ ...base, date: '2024-02-30' }), 'x.json: "date" must be YYYY-MM-DD, was "2024-02-30"');
  assert.equal(error({ ...base, duration: 'an hour' }), 'x.json: "duration" must be like 30m, 2h, 90s or 1h30m, was "an hour"');
  assert.equal(error({ ...base, agents: [{ kind: 'spoofer', side: 'up' }] }), 'x.json: agents[0] (spoofer): parameter "side" must be one of random, bid, ask, was "up"');
  assert.equal(error({ ...base, agents: [{ kind: 'noise' }, { kind: 'noise' }] }), 'x.json: agents[1]: the name "noise" is used twice');
  assert.equal(error({ ...base, instrument: { symbol: 'SIM', startPrice: 1050, tickUnits: 100 } }), 'x.json: instrument: "startPrice" must be a multiple of tickUnits and at least ten ticks, was 1050');
  assert.equal(error('['), 'x.json: a scenario is a JSON object');
});

test('a run can end by message count, and the scenario is a readable input like any file (sniffed as sim-scenario)', async () => {
  const source = openScenario(join(SCENARIOS, 'baseline.json'), { messages: 5000 });
  let rows = 0;
  for await (const batch of source.batches()) rows += batch.length;
  const messages = source.simulation.engine.stats.messages;
  assert.ok(messages >= 5000 && messages < 5010, `${messages} messages`);
  assert.ok(rows > messages);
  const opened = await openSource(join(SCENARIOS, 'baseline.json'));
  assert.equal(opened.format, 'sim-scenario');
  assert.equal(opened.granularity, 'L3');
  assert.equal(opened.instruments.get(0).venue, 'sim');
});
