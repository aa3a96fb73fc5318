import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MINE_FEATURES, withRequired } from '../../src/cli/mine.js';
import { computeFeatures } from '../../src/features/index.js';
import { openSource } from '../../src/io/index.js';
import { reportData, type Headline } from '../../src/mining/report/data.js';
import { mineFrame } from '../../src/mining/run.js';
import { fixture, needs } from '../support/data.js';

/**
 * The real runs whose headline numbers docs/MINING.md quotes: `flowmine mine` with its defaults (the Binance
 * capture on 100 ms bars), through the library. Numbers are asserted to the precision the document gives.
 */
const AMZN = 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv';
const BINANCE = 'hftbacktest_binance-usdm_BTCUSDT_2024-08-08T2354Z_raw_ws.jsonl.gz';

async function headline(name: string, clock: string): Promise<{ h: Headline; models: Record<string, { auc: number; macroF1: number; accuracy: number; pnlBps: number }>; k: number }> {
  const frame = await computeFeatures(await openSource(fixture(name)), withRequired(MINE_FEATURES), clock);
  const result = mineFrame(frame, { horizonsNs: [1e9, 10e9, 60e9] });
  const data = reportData(result, { input: name, instrument: '', clock, features: MINE_FEATURES, version: 'test' });
  return { h: data.headline, models: Object.fromEntries(data.models.map((m) => [m.model, m])), k: data.regimes.k };
}

const near = (actual: number, expected: number, digits: number, what: string) => assert.ok(Math.abs(actual - expected) <= 0.5 * 10 ** -digits, `${what}: ${actual} vs ${expected}`);

test('real run, LOBSTER AMZN 2012-06-21 on 1 s bars: the numbers in docs/MINING.md', needs(AMZN), async () => {
  const { h, models, k } = await headline(AMZN, '1s');
  assert.equal(h.rows, 23_399);
  assert.deepEqual([h.tests, h.significant, h.significantFewWindows], [60, 22, 0]);
  assert.deepEqual(
    h.byHorizon.map((entry) => entry.significant),
    [10, 8, 4],
  );
  assert.equal(h.strongest?.feature, 'vwap_dev_bps');
  assert.equal(h.strongest?.horizonS, 10);
  near(h.strongest!.ic, 0.245, 3, 'strongest IC');
  near(h.strongest!.t, 9.26, 2, 'strongest t');
  assert.equal(h.bestModel.model, 'gbdt');
  const expected: Record<string, [number, number, number, number]> = {
    // AUC, macro-F1, accuracy, P&L bps per trade
    prior: [0.5, 0.205, 0.4445, -5.28],
    'qi-only': [0.534, 0.306, 0.4529, -5.25],
    logistic: [0.531, 0.308, 0.4425, -5.28],
    ridge: [0.515, 0.349, 0.4048, -5.28],
    gbdt: [0.532, 0.313, 0.4342, -5.33],
  };
  for (const [model, [auc, f1, accuracy, pnl]] of Object.entries(expected)) {
    near(models[model]!.auc, auc, 3, `${model} AUC`);
    near(models[model]!.macroF1, f1, 3, `${model} macro-F1`);
    near(models[model]!.accuracy, accuracy, 4, `${model} accuracy`);
    near(models[model]!.pnlBps, pnl, 2, `${model} P&L`);
  }
  assert.equal(k, 6);
  assert.equal(h.robustOutliers, 6867);
  near(h.isolationP99, 0.661, 3, 'isolation p99');
});

test('real run, Binance USD-M BTCUSDT capture (6 minutes) on 100 ms bars: the numbers in docs/MINING.md', needs(BINANCE), async () => {
  const { h, models, k } = await headline(BINANCE, '100ms');
  assert.equal(h.rows, 3447);
  assert.deepEqual([h.tests, h.significant, h.significantFewWindows], [60, 12, 6]);
  assert.deepEqual(
    h.byHorizon.map((entry) => entry.significant),
    [4, 2, 6],
  );
  assert.equal(h.strongest?.feature, 'qi_5');
  assert.equal(h.strongest?.horizonS, 1);
  near(h.strongest!.ic, 0.21, 2, 'strongest IC');
  assert.equal(h.bestModel.model, 'logistic');
  const expected: Record<string, [number, number]> = {
    prior: [0.5, 0.04],
    'qi-only': [0.49, 0.04],
    logistic: [0.617, 0.42],
    ridge: [0.487, 0.05],
    gbdt: [0.609, 0.52],
  };
  for (const [model, [auc, pnl]] of Object.entries(expected)) {
    near(models[model]!.auc, auc, 3, `${model} AUC`);
    near(models[model]!.pnlBps, pnl, 2, `${model} P&L`);
  }
  assert.equal(k, 5);
});
