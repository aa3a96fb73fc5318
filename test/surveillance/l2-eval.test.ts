import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openL2View } from '../../src/book/l2-view.js';
import { openScenario } from '../../src/sim/source.js';
import { scoreDetections } from '../../src/surveillance/evaluate.js';
import { detect, parseDetectorList } from '../../src/surveillance/index.js';

/** Pooled counts of one detector over runs. */
interface Total {
  truth: number;
  detected: number;
  truePositives: number;
  found: number;
}

/**
 * Runs the detectors on the L2 view (every update, or conflated per `intervalNs`) of scenarios/mixed.json
 * for each seed and pools the scores. Detections on L2 name no orders: they match a labelled episode by
 * kind and time alone.
 */
async function scoreOnL2(kinds: string[], seeds: number[], intervalNs: number): Promise<Map<string, Total>> {
  const totals = new Map<string, Total>(kinds.map((kind) => [kind, { truth: 0, detected: 0, truePositives: 0, found: 0 }]));
  for (const seed of seeds) {
    const source = openScenario('scenarios/mixed.json', { seed });
    const { episodes } = await detect(openL2View(source, { intervalNs }), parseDetectorList(kinds.join(',')));
    assert.ok(episodes.every((episode) => episode.orderIds.length === 0), 'an L2 view publishes no order ids');
    for (const score of scoreDetections(episodes, source.truth().episodes, kinds)) {
      const total = totals.get(score.kind)!;
      total.truth += score.truth;
      total.detected += score.detected;
      total.truePositives += score.truePositives;
      total.found += score.found;
    }
  }
  return totals;
}

/** Asserts precision and recall of each named detector at least the given values. */
function assertQuality(totals: Map<string, Total>, floors: Record<string, [number, number]>, label: string): void {
  for (const [kind, [precision, recall]] of Object.entries(floors)) {
    const total = totals.get(kind)!;
    assert.ok(total.truth >= 10, `${label} ${kind}: ${total.truth} labelled episodes`);
    assert.ok(total.truePositives / total.detected >= precision, `${label} ${kind}: precision ${total.truePositives}/${total.detected} < ${precision}`);
    assert.ok(total.found / total.truth >= recall, `${label} ${kind}: recall ${total.found}/${total.truth} < ${recall}`);
  }
}

// Floors from the held-out seeds 11 and 12 (the L2 inference and the L2 iceberg rule were tuned on seeds
// 1–3); measured there, every update: spoofing 0.98 / 0.98 (41 labelled), quote stuffing 1.00 / 1.00 (32),
// wash trading 1.00 / 1.00 (31), pinging 0.99 / 0.98 (43), momentum ignition 0.76 / 0.90 (21), iceberg
// 0.75 / 0.27 (11: 3 found, 1 of 4 detections an iceberg the run ended before it was labelled); conflated
// per 100 ms: spoofing 0.75 / 0.51, momentum ignition 0.88 / 1.00, iceberg 0.75 / 0.27 (docs/SURVEILLANCE.md,
// "On L2").
const KINDS = ['spoofing', 'quote_stuffing', 'wash_trading', 'pinging', 'momentum_ignition', 'iceberg'];

test('on the L2 view of simulated manipulators (held-out seeds), every update: spoofing, quote stuffing, wash trading and pinging reach 0.9 precision and recall; iceberg 0.7 precision, finding the quarter of icebergs that traded several times their level', async () => {
  const totals = await scoreOnL2(KINDS, [11, 12], 0);
  assertQuality(totals, { spoofing: [0.9, 0.9], quote_stuffing: [0.9, 0.9], wash_trading: [0.9, 0.9], pinging: [0.9, 0.9], momentum_ignition: [0.7, 0.85], iceberg: [0.7, 0.25] }, 'L2');
});

test('on the L2 view conflated per 100 ms (held-out seeds): spoofing keeps most of its precision and half its recall, momentum ignition all of both, iceberg as every update', async () => {
  const totals = await scoreOnL2(KINDS, [11, 12], 100e6);
  assertQuality(totals, { spoofing: [0.65, 0.4], momentum_ignition: [0.8, 0.9], iceberg: [0.7, 0.25] }, 'L2 100 ms');
});
