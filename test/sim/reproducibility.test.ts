import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HawkesClock } from '../../src/sim/hawkes.js';
import { Random } from '../../src/sim/random.js';
import { Scheduler } from '../../src/sim/scheduler.js';
import { openScenario } from '../../src/sim/source.js';
import { writeScenarioRun } from '../../src/sim/write-run.js';
import { REPO_ROOT } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const MIXED = join(REPO_ROOT, 'scenarios', 'mixed.json');

test('xoshiro128**: the reference sequence from state (1, 2, 3, 4), worked by hand', () => {
  // result = rotl(s1 * 5, 7) * 9: s1 = 2 gives 11520; the first step leaves s1 = 0 (0); the second s1 = 1029 (5927040).
  const random = Random.fromState(1, 2, 3, 4);
  assert.deepEqual([random.nextUint32(), random.nextUint32(), random.nextUint32()], [11520, 0, 5927040]);
  // Streams of one seed differ from each other and repeat exactly.
  const a = Random.stream(42, 1);
  const b = Random.stream(42, 2);
  const again = Random.stream(42, 1);
  const first = [a.uniform(), a.uniform(), a.uniform()];
  assert.deepEqual(first, [again.uniform(), again.uniform(), again.uniform()]);
  assert.notDeepEqual(first, [b.uniform(), b.uniform(), b.uniform()]);
});

test('the random variates have their textbook moments', () => {
  const random = new Random(7);
  const n = 200_000;
  let sum = 0;
  let squares = 0;
  let exp = 0;
  for (let i = 0; i < n; i++) {
    const x = random.normal();
    sum += x;
    squares += x * x;
    exp += random.exponential(2);
  }
  assert.ok(Math.abs(sum / n) < 0.01, `normal mean ${sum / n}`);
  assert.ok(Math.abs(squares / n - 1) < 0.02, `normal variance ${squares / n}`);
  assert.ok(Math.abs(exp / n - 2) < 0.03, `exponential mean ${exp / n}`);
  // Pareto(1, 2): P(X > 4) = 1/16.
  let tail = 0;
  for (let i = 0; i < n; i++) if (random.pareto(1, 2) > 4) tail++;
  assert.ok(Math.abs(tail / n - 1 / 16) < 0.003, `Pareto tail ${tail / n}`);
});

test('Hawkes thinning: the long-run rate is μ/(1 − α/β), and events cluster (counts over-dispersed)', () => {
  const clock = new HawkesClock(1, 0.8, 2);
  const random = new Random(11);
  const horizon = 20_000;
  const counts = new Float64Array(horizon / 10);
  let t = 0;
  let events = 0;
  for (;;) {
    t = clock.next(t, random);
    if (t >= horizon) break;
    events++;
    counts[Math.floor(t / 10)]++;
  }
  const rate = events / horizon;
  assert.ok(Math.abs(rate - clock.meanRate) / clock.meanRate < 0.08, `rate ${rate} vs ${clock.meanRate}`);
  let mean = 0;
  for (const c of counts) mean += c;
  mean /= counts.length;
  let variance = 0;
  for (const c of counts) variance += (c - mean) ** 2;
  variance /= counts.length;
  // A Poisson process has variance = mean; clustering makes it several times larger.
  assert.ok(variance / mean > 3, `dispersion ${variance / mean}`);
});

test('the scheduler runs entries by time, ties in the order set, and skips wake-ups that were replaced', () => {
  const scheduler = new Scheduler();
  scheduler.wake(0, 50);
  scheduler.wake(1, 20);
  scheduler.timer(2, 20, 7);
  scheduler.wake(0, 10); // replaces agent 0's wake-up at 50
  scheduler.timer(0, 30, 9);
  scheduler.wake(3, Infinity); // none
  const seen: string[] = [];
  while (scheduler.pop()) seen.push(`${scheduler.now}:${scheduler.poppedAgent}:${scheduler.poppedPayload}`);
  assert.deepEqual(seen, ['10:0:0', '20:1:0', '20:2:7', '30:0:9']);
  // Many entries come out sorted.
  const random = new Random(3);
  for (let i = 0; i < 5000; i++) scheduler.timer(i % 10, 100 + Math.floor(random.uniform() * 1e6), i + 1);
  let last = -Infinity;
  let popped = 0;
  while (scheduler.pop()) {
    assert.ok(scheduler.now >= last);
    last = scheduler.now;
    popped++;
  }
  assert.equal(popped, 5000);
});

test('a run is reproducible from its seed: the same scenario gives byte-identical files, another seed does not', async () => {
  const run = async (seed?: number) => {
    const dir = tempDir('flowmine-sim-');
    const files = await writeScenarioRun(openScenario(MIXED, { duration: '3m', ...(seed !== undefined && { seed }) }), dir);
    return [files.messagePath, files.orderbookPath, files.truthOrdersPath, files.truthEpisodesPath].map((path) => readFileSync(path));
  };
  const first = await run();
  const second = await run();
  assert.ok(first[0]!.length > 100_000);
  for (let k = 0; k < first.length; k++) assert.ok(first[k]!.equals(second[k]!), `file ${k} differs between two runs of one seed`);
  const other = await run(7);
  assert.ok(!first[0]!.equals(other[0]!));
});
