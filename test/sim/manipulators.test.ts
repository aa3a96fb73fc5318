import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Episode, EpisodeKind } from '../../src/core/episode.js';
import { Action, Flag } from '../../src/core/event.js';
import { REPO_ROOT } from '../support/data.js';
import { rowsOf, runScenario, updateBefore, type Stream } from './support.js';

// One run of the mixed scenario (every manipulator at once), shared by the tests below.
const run = runScenario(join(REPO_ROOT, 'scenarios', 'mixed.json'), { duration: '30m' });
const TICK = 100;

async function episodesOf(kind: EpisodeKind): Promise<{ stream: Stream; episodes: Episode[]; owner: (id: number) => string; name: (id: number) => string }> {
  const { source, stream } = await run;
  const truth = source.truth();
  const episodes = truth.episodes.filter((episode) => episode.kind === kind);
  assert.ok(episodes.length >= 2, `${kind}: only ${episodes.length} episodes in 30 minutes`);
  for (const episode of episodes) {
    assert.equal(episode.score, 100);
    assert.ok(episode.endNs >= episode.startNs);
    assert.ok(episode.explanation.length > 20);
  }
  return {
    stream,
    episodes,
    owner: (id) => truth.identities[truth.identityOf(id)]?.owner ?? '',
    name: (id) => truth.identities[truth.identityOf(id)]?.name ?? '',
  };
}

const first = (stream: Stream, rows: number[], action: number) => rows.find((row) => stream.action[row] === action);
const all = (stream: Stream, rows: number[], action: number) => rows.filter((row) => stream.action[row] === action);

test('spoofing: a large order at the touch, never filled, cancelled shortly after a fill on the other side, tilting the imbalance', async () => {
  const { stream, episodes } = await episodesOf('spoofing');
  for (const episode of episodes) {
    const [spoof, ...genuine] = episode.orderIds;
    const rows = rowsOf(stream, episode.orderIds);
    const add = first(stream, rows.get(spoof!)!, Action.Add)!;
    assert.equal(stream.side[add], episode.side);
    assert.equal(stream.price[add], episode.price);
    assert.equal(stream.ts[add], episode.startNs);
    const before = updateBefore(stream, add);
    const touchPrice = episode.side === 1 ? stream.bidPx[before]! : stream.askPx[before]!;
    const touchSize = episode.side === 1 ? stream.bidSz[before]! : stream.askSz[before]!;
    assert.equal(stream.price[add], touchPrice, 'placed at the touch');
    assert.ok(stream.size[add]! >= 5 * touchSize, `spoof ${stream.size[add]} vs touch ${touchSize}`);
    // The visible imbalance moves toward the spoofed side.
    const after = updateBefore(stream, add + 1);
    const qi = (k: number) => (stream.bidSz[k]! - stream.askSz[k]!) / (stream.bidSz[k]! + stream.askSz[k]!);
    assert.ok((qi(after) - qi(before)) * episode.side > 0.2);
    // Never filled; deleted at the end of the episode, after a short life.
    assert.equal(all(stream, rows.get(spoof!)!, Action.Fill).length, 0);
    const cancel = first(stream, rows.get(spoof!)!, Action.Delete)!;
    assert.equal(stream.ts[cancel], episode.endNs);
    assert.ok(episode.endNs - episode.startNs < 5e9, 'short-lived');
    // A genuine order on the other side executed before the cancel, shortly before it (unless the attempt was given up).
    if (episode.explanation.startsWith('attempt given up')) continue;
    const fills = genuine.flatMap((id) => rows.get(id)!.filter((row) => (stream.action[row] === Action.Fill && stream.side[row] === -episode.side) || (stream.action[row] === Action.Trade && stream.side[row] === -episode.side)));
    assert.ok(fills.length > 0, 'an execution on the other side');
    const fillTime = stream.ts[fills[0]!]!;
    assert.ok(fillTime <= episode.endNs && episode.endNs - fillTime <= 0.1e9, `cancel ${(episode.endNs - fillTime) / 1e6} ms after the fill`);
  }
});

test('layering: several same-side orders on consecutive levels, placed together and cancelled together around an opposite execution', async () => {
  const { stream, episodes } = await episodesOf('layering');
  for (const episode of episodes) {
    const rows = rowsOf(stream, episode.orderIds);
    const layers = episode.orderIds.filter((id) => stream.side[first(stream, rows.get(id)!, Action.Add) ?? all(stream, rows.get(id)!, Action.Trade)[0]!] === episode.side);
    assert.ok(layers.length >= 2, `${layers.length} layers`);
    const adds = layers.map((id) => first(stream, rows.get(id)!, Action.Add)!);
    const deletes = layers.map((id) => first(stream, rows.get(id)!, Action.Delete)!);
    assert.equal(new Set(adds.map((row) => stream.ts[row])).size, 1, 'placed together');
    assert.equal(new Set(deletes.map((row) => stream.ts[row])).size, 1, 'cancelled together');
    assert.equal(stream.ts[deletes[0]!], episode.endNs);
    const prices = adds.map((row) => stream.price[row]!).sort((a, b) => a - b);
    for (let k = 1; k < prices.length; k++) assert.equal(prices[k]! - prices[k - 1]!, TICK, 'one layer per level');
    for (const id of layers) assert.equal(all(stream, rows.get(id)!, Action.Fill).length, 0);
    if (episode.explanation.startsWith('attempt given up')) continue;
    const genuine = episode.orderIds.filter((id) => !layers.includes(id));
    const executions = genuine.flatMap((id) => rows.get(id)!.filter((row) => stream.action[row] === Action.Fill || stream.action[row] === Action.Trade));
    assert.ok(executions.length > 0);
    const executed = stream.ts[executions[0]!]!;
    assert.ok(executed >= stream.ts[adds[0]!]! && executed <= episode.endNs, 'the execution falls between placement and cancel');
  }
});

test('quote stuffing: bursts far above the message rate, orders living microseconds, no fills', async () => {
  const { stream, episodes } = await episodesOf('quote_stuffing');
  const overallRate = stream.updateEnd.length / ((stream.ts[stream.length - 1]! - stream.ts[0]!) / 1e9);
  for (const episode of episodes) {
    const rows = rowsOf(stream, episode.orderIds);
    let messages = 0;
    for (const id of episode.orderIds) {
      const own = rows.get(id)!;
      assert.equal(all(stream, own, Action.Fill).length, 0);
      const add = first(stream, own, Action.Add)!;
      const cancel = first(stream, own, Action.Delete)!;
      assert.ok(stream.ts[cancel]! - stream.ts[add]! <= 1e6, 'lives at most a millisecond');
      messages += own.length;
    }
    const seconds = (episode.endNs - episode.startNs) / 1e9;
    assert.ok(messages / seconds > 20 * overallRate, `${(messages / seconds).toFixed(0)}/s against ${overallRate.toFixed(0)}/s`);
  }
});

test('momentum ignition: same-side aggressive trades move the mid, then the actor unwinds passively on the other side', async () => {
  const { stream, episodes } = await episodesOf('momentum_ignition');
  let bigMoves = 0;
  let unwound = 0;
  for (const episode of episodes) {
    const rows = rowsOf(stream, episode.orderIds);
    const aggressive = episode.orderIds.flatMap((id) => all(stream, rows.get(id)!, Action.Trade)).sort((a, b) => a - b);
    assert.ok(aggressive.length >= 2);
    for (const row of aggressive) assert.equal(stream.side[row], episode.side);
    const burstEnd = aggressive[aggressive.length - 1]!;
    const mid = (k: number) => (stream.bidPx[k]! + stream.askPx[k]!) / 2;
    const start = updateBefore(stream, aggressive[0]!);
    let peak = 0;
    for (let k = start; k <= updateBefore(stream, burstEnd + 1); k++) peak = Math.max(peak, (episode.side * (mid(k) - mid(start))) / TICK);
    assert.ok(peak >= 1, `moved ${peak} ticks`);
    if (peak >= 4) bigMoves++;
    const passive = episode.orderIds.flatMap((id) => all(stream, rows.get(id)!, Action.Fill)).filter((row) => stream.side[row] === -episode.side && row > burstEnd);
    if (passive.length > 0) unwound++;
  }
  assert.ok(bigMoves >= episodes.length * 0.6, `${bigMoves} of ${episodes.length} moved 4 ticks or more`);
  assert.ok(unwound >= episodes.length * 0.6, `${unwound} of ${episodes.length} unwound passively`);
});

test('wash trading: round-size trades between two accounts of one owner, back and forth, leaving the book unchanged', async () => {
  const { stream, episodes, owner, name } = await episodesOf('wash_trading');
  for (const episode of episodes) {
    const ids = new Set(episode.orderIds);
    const trades: number[] = [];
    for (let i = 0; i < stream.length; i++) if (stream.action[i] === Action.Trade && ids.has(stream.id[i]!)) trades.push(i);
    assert.ok(trades.length >= 2);
    const sellers: string[] = [];
    for (const row of trades) {
      const fill = row + 1;
      assert.equal(stream.action[fill], Action.Fill);
      assert.ok(ids.has(stream.id[fill]!), 'both sides are the episode’s orders');
      assert.equal(owner(stream.id[row]!), owner(stream.id[fill]!));
      assert.notEqual(name(stream.id[row]!), name(stream.id[fill]!), 'two accounts');
      assert.equal(stream.size[row]! % 100, 0, 'a round size');
      sellers.push(stream.side[row] === -1 ? name(stream.id[row]!) : name(stream.id[fill]!));
      // The passive order's Add is the update just before: the book after the trade equals the book before that Add.
      const add = fill - 2;
      assert.equal(stream.action[add], Action.Add);
      const before = updateBefore(stream, add);
      const after = updateBefore(stream, fill + 1);
      assert.deepEqual([stream.bidPx[after], stream.bidSz[after], stream.askPx[after], stream.askSz[after]], [stream.bidPx[before], stream.bidSz[before], stream.askPx[before], stream.askSz[before]]);
      assert.ok(stream.price[row]! > stream.bidPx[before]! && stream.price[row]! < stream.askPx[before]!, 'inside the spread');
    }
    for (let k = 1; k < sellers.length; k++) assert.notEqual(sellers[k], sellers[k - 1], 'the seller alternates');
  }
});

test('pinging: tiny orders walking the price levels, cancelled within microseconds unless executed, few executions', async () => {
  const { stream, episodes } = await episodesOf('pinging');
  let pings = 0;
  let executed = 0;
  for (const episode of episodes) {
    const rows = rowsOf(stream, episode.orderIds);
    const prices: number[] = [];
    for (const id of episode.orderIds) {
      const own = rows.get(id)!;
      const entry = first(stream, own, Action.Add) ?? first(stream, own, Action.Trade)!;
      assert.equal(stream.size[entry], 1);
      assert.equal(stream.side[entry], episode.side);
      prices.push(stream.action[entry] === Action.Add ? stream.price[entry]! : NaN);
      const add = first(stream, own, Action.Add);
      const cancel = first(stream, own, Action.Delete);
      if (add !== undefined && cancel !== undefined) assert.ok(stream.ts[cancel]! - stream.ts[add]! <= 0.5e6);
      if (own.some((row) => stream.action[row] === Action.Trade || stream.action[row] === Action.Fill)) executed++;
      pings++;
    }
    // Each resting ping is one tick further than the one before, or the walk starts again (the ping
    // between them reached the opposite touch and executed).
    let steps = 0;
    for (let k = 1; k < prices.length; k++) {
      if (Number.isNaN(prices[k]!) || Number.isNaN(prices[k - 1]!)) continue;
      const step = (prices[k]! - prices[k - 1]!) * episode.side;
      if (step === TICK) steps++;
      else assert.ok(step <= 0, `a jump of ${step / TICK} ticks`);
    }
    assert.ok(steps >= prices.length / 4, `${steps} one-tick steps in ${prices.length} pings`);
  }
  assert.ok(executed / pings < 0.5, `${executed} of ${pings} executed`);
});

test('iceberg: more executes at its price than it ever shows, with the display refilled right after each execution', async () => {
  const { stream, episodes } = await episodesOf('iceberg');
  for (const episode of episodes) {
    assert.equal(episode.orderIds.length, 1);
    const own = rowsOf(stream, episode.orderIds).get(episode.orderIds[0]!)!;
    const adds = all(stream, own, Action.Add);
    const shown = Math.max(...adds.map((row) => stream.size[row]!));
    const fills = all(stream, own, Action.Fill);
    const executed = fills.reduce((sum, row) => sum + stream.size[row]!, 0);
    assert.ok(executed > shown, `executed ${executed}, displayed ${shown}`);
    for (const row of fills) assert.equal(stream.price[row], episode.price);
    const refills = adds.filter((row) => stream.flags[row]! & Flag.AfterFill);
    assert.ok(refills.length >= 1);
    // Each refill comes in the same update as the fill that emptied the display.
    for (const row of refills) {
      assert.equal(stream.action[row - 1], Action.Fill);
      assert.equal(stream.id[row - 1], episode.orderIds[0]);
      assert.equal(stream.ts[row], stream.ts[row - 1]);
    }
  }
});

test('the manipulators run in the market without breaking it: the replay has no findings and the book never crosses', async () => {
  const { source, stream } = await run;
  assert.equal(source.integrity.report.issues.size, 0);
  for (let k = 0; k < stream.updateEnd.length; k++) if (stream.bidPx[k]! >= stream.askPx[k]!) assert.fail(`crossed after update ${k}`);
  const truth = source.truth();
  const kinds = new Set(truth.episodes.map((episode) => episode.kind));
  assert.deepEqual([...kinds].sort(), ['iceberg', 'layering', 'momentum_ignition', 'pinging', 'quote_stuffing', 'spoofing', 'wash_trading']);
  // Every order id in the stream has a known account; wash trades are the only self-trades.
  for (let i = 0; i < stream.length; i++) if (stream.id[i]! > 0) assert.ok(truth.identityOf(stream.id[i]!) >= 0);
  const washTrades = truth.episodes.filter((episode) => episode.kind === 'wash_trading').reduce((sum, episode) => sum + episode.orderIds.length / 2, 0);
  assert.equal(truth.stats.selfTrades, washTrades);
});
