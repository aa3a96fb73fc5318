import { readFileSync } from 'node:fs';
import { parseIntervalNs } from '../book/emit.js';
import { UsageError } from '../core/errors.js';
import { parseIsoDate } from '../core/time.js';
import { DEFAULT_FUNDAMENTAL, type FundamentalParams } from './fundamental.js';
import { AGENT_KINDS, type AgentKind } from './market.js';
import { checkRange, readParams, type ParamValues } from './agents/params.js';
import { NOISE_DEFAULTS } from './agents/noise.js';
import { MARKET_MAKER_DEFAULTS } from './agents/market-maker.js';
import { MOMENTUM_DEFAULTS } from './agents/momentum.js';
import { INFORMED_DEFAULTS } from './agents/informed.js';
import { SPOOFER_DEFAULTS } from './agents/spoofer.js';
import { LAYERER_DEFAULTS } from './agents/layerer.js';
import { QUOTE_STUFFER_DEFAULTS } from './agents/quote-stuffer.js';
import { MOMENTUM_IGNITER_DEFAULTS } from './agents/momentum-igniter.js';
import { WASH_TRADER_DEFAULTS } from './agents/wash-trader.js';
import { PINGER_DEFAULTS } from './agents/pinger.js';
import { ICEBERG_DEFAULTS } from './agents/iceberg.js';

/** The simulated instrument: integer price and size units as flowmine's Instrument has them. */
export interface ScenarioInstrument {
  symbol: string;
  priceDecimals: number;
  sizeDecimals: number;
  /** Minimum price step in price units (priceDecimals 4, tickUnits 100: $0.01). */
  tickUnits: number;
  /** Price the market opens around, in price units (a multiple of tickUnits). */
  startPrice: number;
}

/** One entry of `agents`: a kind, a name, how many, and the kind's parameters. */
export interface AgentSpec {
  kind: AgentKind;
  name: string;
  count: number;
  params: ParamValues;
}

/** A parsed, checked scenario. See docs/SIMULATOR.md for the JSON schema. */
export interface Scenario {
  name: string;
  description: string;
  seed: number;
  /** Trading date (YYYY-MM-DD); times are after its midnight in New York, as LOBSTER's are. */
  date: string;
  /** Start of the simulation, ns after that midnight. */
  startNs: number;
  /** Length of the run in ns, or Infinity when it ends by message count. */
  durationNs: number;
  /** Messages after which the run ends (Infinity when it ends by duration). */
  messages: number;
  instrument: ScenarioInstrument;
  fundamental: FundamentalParams | null;
  agents: AgentSpec[];
}

/** Default parameters of every agent kind (the scenario overrides them per entry). */
export const AGENT_DEFAULTS: Record<AgentKind, ParamValues> = {
  noise: NOISE_DEFAULTS,
  market_maker: MARKET_MAKER_DEFAULTS,
  momentum: MOMENTUM_DEFAULTS,
  informed: INFORMED_DEFAULTS,
  spoofer: SPOOFER_DEFAULTS,
  layerer: LAYERER_DEFAULTS,
  quote_stuffer: QUOTE_STUFFER_DEFAULTS,
  momentum_igniter: MOMENTUM_IGNITER_DEFAULTS,
  wash_trader: WASH_TRADER_DEFAULTS,
  pinger: PINGER_DEFAULTS,
  iceberg: ICEBERG_DEFAULTS,
};

const SIDE_CHOICES = ['random', 'bid', 'ask'];
const ENUMS: Partial<Record<AgentKind, Record<string, readonly string[]>>> = {
  spoofer: { side: SIDE_CHOICES },
  layerer: { side: SIDE_CHOICES },
  momentum_igniter: { side: ['random', 'buy', 'sell'] },
  pinger: { side: ['random', 'buy', 'sell'] },
  iceberg: { side: SIDE_CHOICES },
};

const TOP_KEYS = ['name', 'description', 'seed', 'date', 'start', 'duration', 'messages', 'instrument', 'fundamental', 'agents'];
const INSTRUMENT_KEYS = ['symbol', 'priceDecimals', 'sizeDecimals', 'tickUnits', 'startPrice'];

/** Reads and checks a scenario file; every problem is one line naming the file and the field. */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read the scenario: ${(error as Error).message}`);
  }
  return parseScenario(text, path);
}

/** Parses a scenario from JSON text (`where` names it in messages). */
export function parseScenario(text: string, where = 'scenario'): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where}: not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new UsageError(`${where}: a scenario is a JSON object`);
  for (const key of Object.keys(json)) if (!TOP_KEYS.includes(key)) throw new UsageError(`${where}: unknown field "${key}" (known: ${TOP_KEYS.join(', ')})`);

  const name = textField(json, 'name', where, 'scenario');
  const description = textField(json, 'description', where, '');
  const seed = integer(json, 'seed', where, 1);
  const date = textField(json, 'date', where, '2024-01-02');
  if (!parseIsoDate(date)) throw new UsageError(`${where}: "date" must be YYYY-MM-DD, was "${date}"`);
  const start = textField(json, 'start', where, '09:30:00');
  const startMatch = /^(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/.exec(start);
  if (!startMatch) throw new UsageError(`${where}: "start" must be HH:MM:SS[.fraction] after midnight New York, was "${start}"`);
  const startNs = (Number(startMatch[1]) * 3600 + Number(startMatch[2]) * 60 + Number(startMatch[3])) * 1e9 + Math.round(Number(`0${startMatch[4] ?? ''}`) * 1e9);
  if (json.duration !== undefined && json.messages !== undefined) throw new UsageError(`${where}: give "duration" or "messages", not both`);
  let durationNs = Infinity;
  let messages = Infinity;
  if (json.messages !== undefined) {
    messages = integer(json, 'messages', where, 0);
    if (messages < 1) throw new UsageError(`${where}: "messages" must be a positive whole number`);
  } else {
    const duration = json.duration ?? '30m';
    if (typeof duration !== 'string') throw new UsageError(`${where}: "duration" must be text like "30m" or "2h"`);
    durationNs = parseDuration(duration, where);
  }

  if (!isObject(json.instrument)) throw new UsageError(`${where}: "instrument" must be an object with ${INSTRUMENT_KEYS.join(', ')}`);
  const raw = json.instrument;
  for (const key of Object.keys(raw)) if (!INSTRUMENT_KEYS.includes(key)) throw new UsageError(`${where}: instrument: unknown field "${key}" (known: ${INSTRUMENT_KEYS.join(', ')})`);
  const instrument: ScenarioInstrument = {
    symbol: textField(raw, 'symbol', `${where}: instrument`, 'SIM'),
    priceDecimals: integer(raw, 'priceDecimals', `${where}: instrument`, 4),
    sizeDecimals: integer(raw, 'sizeDecimals', `${where}: instrument`, 0),
    tickUnits: integer(raw, 'tickUnits', `${where}: instrument`, 100),
    startPrice: integer(raw, 'startPrice', `${where}: instrument`, 1_000_000),
  };
  if (!/^[A-Z][A-Z0-9.]*$/.test(instrument.symbol)) throw new UsageError(`${where}: instrument: "symbol" must be upper-case letters and digits (it names the LOBSTER files), was "${instrument.symbol}"`);
  if (instrument.tickUnits < 1) throw new UsageError(`${where}: instrument: "tickUnits" must be at least 1`);
  if (instrument.startPrice < 10 * instrument.tickUnits || instrument.startPrice % instrument.tickUnits !== 0) {
    throw new UsageError(`${where}: instrument: "startPrice" must be a multiple of tickUnits and at least ten ticks, was ${instrument.startPrice}`);
  }

  let fundamental: FundamentalParams | null = null;
  if (json.fundamental !== undefined) {
    if (!isObject(json.fundamental)) throw new UsageError(`${where}: "fundamental" must be an object`);
    fundamental = readParams({ ...DEFAULT_FUNDAMENTAL }, json.fundamental, `${where}: fundamental`);
    checkRange(`${where}: fundamental`, 'stepSeconds', fundamental.stepSeconds, 0.001);
  }

  if (!Array.isArray(json.agents) || json.agents.length === 0) throw new UsageError(`${where}: "agents" must be a non-empty list`);
  const agents: AgentSpec[] = [];
  const names = new Set<string>();
  json.agents.forEach((entry: unknown, index: number) => {
    const at = `${where}: agents[${index}]`;
    if (!isObject(entry)) throw new UsageError(`${at}: an agent is an object with "kind"`);
    const { kind, name, count, ...rest } = entry;
    if (typeof kind !== 'string' || !(AGENT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`${at}: "kind" must be one of ${AGENT_KINDS.join(', ')}, was ${JSON.stringify(kind)}`);
    const agentKind = kind as AgentKind;
    const agentName = name === undefined ? kind.replace(/_/g, '-') : name;
    if (typeof agentName !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(agentName)) throw new UsageError(`${at}: "name" must be lower-case letters, digits and dashes, was ${JSON.stringify(name)}`);
    const n = count === undefined ? 1 : count;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`${at}: "count" must be a whole number from 1 to 1000, was ${JSON.stringify(count)}`);
    if (names.has(agentName)) throw new UsageError(`${at}: the name "${agentName}" is used twice`);
    names.add(agentName);
    const params = readParams(AGENT_DEFAULTS[agentKind], rest, `${at} (${kind})`, ENUMS[agentKind] ?? {});
    checkParams(agentKind, params, `${at} (${kind})`);
    // Informed traders read the value ahead; anchored makers read it as published.
    if ((agentKind === 'informed' || (agentKind === 'market_maker' && (params.anchor as number) > 0)) && fundamental === null) fundamental = { ...DEFAULT_FUNDAMENTAL };
    agents.push({ kind: agentKind, name: agentName, count: n, params });
  });
  return { name, description, seed, date, startNs, durationNs, messages, instrument, fundamental, agents };
}

/** `30m`, `2h`, `90s`, `1h30m`: a positive duration, in ns. */
export function parseDuration(text: string, where: string): number {
  const parts = text.match(/\d+(?:\.\d+)?(?:ns|us|ms|s|m|h)/g);
  if (!parts || parts.join('') !== text) throw new UsageError(`${where}: "duration" must be like 30m, 2h, 90s or 1h30m, was "${text}"`);
  return parts.reduce((sum, part) => sum + parseIntervalNs(part), 0);
}

/** Ranges the simulator relies on, per kind. */
function checkParams(kind: AgentKind, p: ParamValues, where: string): void {
  const positive = (name: string) => checkRange(where, name, p[name] as number, Number.MIN_VALUE);
  const atLeast = (name: string, min: number, max = Infinity) => checkRange(where, name, p[name] as number, min, max);
  // Every number is a size, a time, a rate, a share or a count: none is negative, save a sensitivity.
  for (const [name, value] of Object.entries(p)) if (typeof value === 'number' && name !== 'imbalanceSensitivity') atLeast(name, 0);
  switch (kind) {
    case 'noise':
      positive('baseRate');
      atLeast('branching', 0, 0.99);
      positive('decaySeconds');
      atLeast('marketShare', 0, 1);
      atLeast('improveShare', 0, 1);
      atLeast('maxTicks', 1);
      atLeast('imbalanceSensitivity', -1, 1);
      positive('sizeMedian');
      positive('marketSizeMin');
      positive('marketTailAlpha');
      positive('lifetimeMedianSeconds');
      atLeast('fleetingShare', 0, 1);
      positive('fleetingMillis');
      break;
    case 'market_maker':
      atLeast('quoteSize', 1);
      atLeast('halfSpreadTicks', 0.5);
      positive('requoteSeconds');
      atLeast('anchor', 0, 1);
      break;
    case 'momentum':
      positive('lookbackSeconds');
      positive('wakeSeconds');
      atLeast('size', 1);
      break;
    case 'informed':
      positive('wakeSeconds');
      atLeast('size', 1);
      atLeast('aggressiveShare', 0, 1);
      break;
    case 'spoofer':
      atLeast('lotSize', 1);
      break;
    case 'layerer':
      atLeast('layers', 2, 50);
      atLeast('lotSize', 1);
      break;
    case 'quote_stuffer':
      atLeast('orders', 1);
      positive('burstSeconds');
      atLeast('rangeTicks', 1);
      atLeast('minDistanceTicks', 1);
      break;
    case 'momentum_igniter':
      positive('sampleSeconds');
      atLeast('maxOrders', 1);
      atLeast('orderSize', 1);
      break;
    case 'wash_trader':
      atLeast('trades', 2);
      atLeast('size', 1);
      break;
    case 'pinger':
      atLeast('pings', 1);
      atLeast('minSpreadTicks', 2);
      break;
    case 'iceberg':
      atLeast('displaySize', 1);
      checkRange(where, 'totalSize', p.totalSize as number, (p.displaySize as number) + 1);
      break;
  }
  if ('everySeconds' in p) positive('everySeconds');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textField(object: Record<string, unknown>, key: string, where: string, fallback: string): string {
  const value = object[key] ?? fallback;
  if (typeof value !== 'string') throw new UsageError(`${where}: "${key}" must be text, was ${JSON.stringify(value)}`);
  return value;
}

function integer(object: Record<string, unknown>, key: string, where: string, fallback: number): number {
  const value = object[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new UsageError(`${where}: "${key}" must be a whole number, was ${JSON.stringify(value)}`);
  return value;
}
