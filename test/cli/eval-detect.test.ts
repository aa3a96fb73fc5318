import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DetectorScore } from '../../src/surveillance/evaluate.js';
import { flowmine } from '../support/cli.js';
import { fixture, needs } from '../support/data.js';
import { tempDir } from '../support/temp.js';

const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const TARGETS = ['spoofing', 'layering', 'quote_stuffing', 'wash_trading'];

test('eval-detect on AMZN with planted episodes: the input’s own alerts are counted as background, and the four target detectors find ≥ 90% of the episodes with ≥ 90% of the rest right', needs(AMZN), () => {
  const json = join(tempDir('flowmine-eval-'), 'eval.json');
  const run = flowmine('eval-detect', fixture(AMZN), '--plant', TARGETS.join(','), '--count', '5', '--seeds', '1,2,3,4', '--detectors', TARGETS.join(','), '--json', json);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^detector +labelled +detected +precision +recall +F1 +attempts +precision with attempts +background +precision beyond background\n/);
  const { totals, runs } = JSON.parse(readFileSync(json, 'utf8')) as { totals: DetectorScore[]; runs: { scores: DetectorScore[] }[] };
  // The same input without plants (docs/SURVEILLANCE.md, alerts per hour): 3 spoofing and 3 layering alerts,
  // found again in each planted run.
  const alone = flowmine('detect', fixture(AMZN), '--detectors', TARGETS.join(','), '--out', json.replace('.json', '.csv'));
  assert.equal(alone.status, 0, alone.stderr);
  const own = readFileSync(json.replace('.json', '.csv'), 'utf8').trim().split('\n').slice(1);
  for (const kind of ['spoofing', 'layering']) {
    const count = own.filter((line) => line.startsWith(`${kind},`)).length;
    assert.equal(count, 3, kind);
    for (const { scores } of runs) assert.equal(scores.find((score) => score.kind === kind)!.background, count, kind);
  }
  for (const kind of TARGETS) {
    const score = totals.find((total) => total.kind === kind)!;
    assert.ok(score.truth >= 18, `${kind}: ${score.truth} planted`);
    assert.ok(score.recall >= 0.9 && score.precisionBeyondBackground >= 0.9, `${kind}: recall ${score.recall}, precision beyond background ${score.precisionBeyondBackground}`);
    assert.equal(score.precision, score.truePositives / score.detected);
    assert.ok(score.precision < score.precisionBeyondBackground, `${kind}: the background counts as false in the strict precision`);
  }
});
