import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Action } from '../../src/core/event.js';
import { REPO_ROOT } from '../support/data.js';
import { runScenario } from './support.js';

function correlation(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

test('informed traders: their order flow predicts the mid over their horizon, noise flow does not; the mid follows the published value', async () => {
  const { source, stream } = await runScenario(join(REPO_ROOT, 'scenarios', 'informed.json'), { duration: '1h' });
  const truth = source.truth();
  const step = 5e9;
  const horizon = 30e9; // the informed traders' horizonSeconds
  const t0 = stream.ts[0]!;
  const bins = Math.floor((stream.ts[stream.length - 1]! - t0) / step);
  // Signed aggressive volume per 5-s bin, by the aggressor's kind.
  const flow: Record<string, Float64Array> = { informed: new Float64Array(bins), noise: new Float64Array(bins) };
  for (let i = 0; i < stream.length; i++) {
    if (stream.action[i] !== Action.Trade) continue;
    const kind = truth.identities[truth.identityOf(stream.id[i]!)]!.kind;
    const bin = Math.floor((stream.ts[i]! - t0) / step);
    if (flow[kind] && bin < bins) flow[kind]![bin] += stream.side[i]! * stream.size[i]!;
  }
  const mids = new Float64Array(bins + 1);
  for (let b = 0, u = 0; b <= bins; b++) {
    while (u + 1 < stream.updateEnd.length && stream.ts[stream.updateEnd[u + 1]!]! <= t0 + b * step) u++;
    mids[b] = (stream.bidPx[u]! + stream.askPx[u]!) / 2;
  }
  const window = 6; // 30 s of flow
  const ahead = horizon / step;
  const predictive = (kind: string) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let b = window; b + ahead <= bins; b++) {
      if (Number.isNaN(mids[b]!) || Number.isNaN(mids[b + ahead]!)) continue;
      let sum = 0;
      for (let j = b - window; j < b; j++) sum += flow[kind]![j]!;
      x.push(sum);
      y.push(mids[b + ahead]! - mids[b]!);
    }
    return correlation(x, y);
  };
  const informed = predictive('informed');
  const noise = predictive('noise');
  assert.ok(informed > 0.15, `informed flow vs the next 30 s: ${informed.toFixed(3)}`);
  assert.ok(noise < informed - 0.2, `noise flow vs the next 30 s: ${noise.toFixed(3)}`);
  // The mid follows the fundamental value the informed traders know 30 s ahead.
  const value = source.simulation.market.fundamental!;
  const gap: number[] = [];
  const move: number[] = [];
  for (let b = 0; b + ahead <= bins; b++) {
    if (Number.isNaN(mids[b]!) || Number.isNaN(mids[b + ahead]!)) continue;
    gap.push(value.at(t0 + b * step + horizon) - mids[b]!);
    move.push(mids[b + ahead]! - mids[b]!);
  }
  assert.ok(correlation(gap, move) > 0.3, `value gap vs the next 30 s: ${correlation(gap, move).toFixed(3)}`);
  // The value is published as it happens and the makers anchor on it: the mid stays near the value as published
  // (unanchored makers leave it about 2.5 ticks away at the median), so what the informed traders know is news.
  const distance: number[] = [];
  for (let b = 0; b <= bins; b++) if (!Number.isNaN(mids[b]!)) distance.push(Math.abs(mids[b]! - value.at(t0 + b * step)) / source.scenario.instrument.tickUnits);
  distance.sort((a, b) => a - b);
  const median = distance[distance.length >> 1]!;
  assert.ok(median < 2, `median |mid − published value|: ${median.toFixed(2)} ticks`);
});
