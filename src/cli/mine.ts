import { readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { EPISODE_KINDS, type Episode, type EpisodeKind } from '../core/episode.js';
import { UsageError } from '../core/errors.js';
import { parseIntervalNs } from '../book/emit.js';
import { collectFrame, parseClock, parseFeatureList, type FeatureFrame } from '../features/index.js';
import { openTableWriter } from '../io/table/open.js';
import { detect, parseDetectorList } from '../surveillance/index.js';
import { writeReport } from '../mining/report/write.js';
import { mineFrame, type MineStage } from '../mining/run.js';
import { Progress } from './progress.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

/** Features `flowmine mine` computes when `--features` is not given (mid, spread and qi are always added). */
export const MINE_FEATURES = 'ofi,mlofi:levels=5,qi,qi:levels=5,spread,mid,weighted_mid,depth:levels=5,trades,signed_volume,rv';

interface MineCommandOptions extends SourceOptions {
  features: string;
  clock: string;
  horizons: string;
  modelHorizon?: string;
  folds: string;
  threshold: string;
  q: string;
  regimes: string;
  maxRegimes: string;
  window: string;
  regimeFeatures?: string;
  anomalyFeatures?: string;
  seed: string;
  instrument?: string;
  alerts?: string;
  detect?: string;
  out: string;
}

export function mineCommand(): Command {
  return withSourceOptions(
    new Command('mine')
      .description('mine an input: signal evaluation, walk-forward models, regimes and anomalies, written as a self-contained HTML report, JSON and Parquet')
      .argument('<input>', 'market data file')
      .option('--features <list>', 'features to compute (mid, spread and qi are always added)', MINE_FEATURES)
      .option('--clock <clock>', 'bars: an interval (1s, 10s), tick:N, volume:V, … (see flowmine features --help)', '1s')
      .option('--horizons <list>', 'forward-return horizons for the signals, e.g. 1s,10s,60s', '1s,10s,60s')
      .option('--model-horizon <interval>', 'horizon of the models’ down/flat/up label (default: the middle horizon)')
      .option('--folds <n>', 'walk-forward test folds', '5')
      .option('--threshold <x>', 'label threshold on the forward log return: above is up, below minus it down', '0')
      .option('--q <rate>', 'false discovery rate for Benjamini–Hochberg', '0.05')
      .option('--regimes <method>', 'regime clustering: gmm (diagonal Gaussian mixture) or kmeans', 'gmm')
      .option('--max-regimes <k>', 'largest number of regimes BIC chooses from', '8')
      .option('--window <bars>', 'bars per regime window (rolling means and standard deviations)', '60')
      .option('--regime-features <list>', 'columns of the regime windows (default: mid_return_bps, spread, volume)')
      .option('--anomaly-features <list>', 'columns scored for anomalies (default: the model features)')
      .option('--seed <n>', 'seed of k-means++ and the isolation forest', '1')
      .option('--instrument <symbol>', 'the instrument to mine, for inputs with several')
      .option('--detect <list>', 'run detectors over the input (a list as for flowmine detect, or all) and show their alerts with the price')
      .option('--alerts <file>', 'alerts to show with the price, as flowmine detect writes them: CSV or JSONL with detector (or kind), start_ns, end_ns, side, price, score, explanation')
      .option('--out <dir>', 'folder for report.html, report.json and the Parquet tables', 'flowmine-mine'),
  ).action(async (input: string, options: MineCommandOptions) => {
    const started = performance.now();
    const horizonsNs = list(options.horizons, '--horizons').map((text) => interval(text, '--horizons'));
    const modelHorizonNs = options.modelHorizon !== undefined ? interval(options.modelHorizon, '--model-horizon') : undefined;
    const folds = whole(options.folds, '--folds', 1);
    const maxRegimes = whole(options.maxRegimes, '--max-regimes', 1);
    const window = whole(options.window, '--window', 2);
    const seed = whole(options.seed, '--seed', 0);
    const threshold = real(options.threshold, '--threshold');
    const q = real(options.q, '--q');
    if (!(q > 0 && q < 1)) throw new UsageError(`--q ${options.q}: expected a rate between 0 and 1`);
    if (threshold < 0) throw new UsageError(`--threshold ${options.threshold}: expected a number ≥ 0`);
    if (options.regimes !== 'gmm' && options.regimes !== 'kmeans') throw new UsageError(`--regimes ${options.regimes}: expected gmm or kmeans`);
    const featureList = withRequired(options.features);
    const requests = parseFeatureList(featureList);
    const clock = parseClock(options.clock);
    const alerts = options.alerts !== undefined ? readAlerts(options.alerts) : null;
    const detectors = options.detect !== undefined ? parseDetectorList(options.detect) : null;

    const { source, close } = await openInput(input, options);
    const progress = new Progress('mine: features');
    let frame: FeatureFrame;
    try {
      frame = await collectFrame(source, requests, clock, (rows) => progress.add(rows));
    } finally {
      progress.stop();
      close();
    }
    const symbols = source.instruments.list.map((instrument) => instrument.symbol);
    let instrumentIndex = 0;
    if (options.instrument !== undefined) {
      instrumentIndex = symbols.indexOf(options.instrument);
      if (instrumentIndex < 0) throw new UsageError(`--instrument ${options.instrument}: not in the input (instruments: ${symbols.join(', ')})`);
    } else if (new Set(frame.instrument).size > 1) {
      throw new UsageError(`${input}: ${symbols.length} instruments (${symbols.join(', ')}); choose one with --instrument`);
    } else if (frame.length > 0) instrumentIndex = frame.instrument[0]!;
    frame = onlyInstrument(frame, instrumentIndex);
    if (frame.length < 100) throw new UsageError(`${input}: ${frame.length} bars on the ${options.clock} clock; mining needs at least 100 (choose a finer clock)`);
    const priceDecimals = source.instruments.size > 0 ? source.instruments.get(instrumentIndex).priceDecimals : 0;
    const episodes: Episode[] = alerts ? alerts(frame.timeBaseNs, priceDecimals, instrumentIndex, symbols[instrumentIndex] ?? '') : [];
    if (detectors) {
      // A second pass over the input: the detectors replay their own book.
      const again = await openInput(input, options);
      const detectProgress = new Progress('mine: detect');
      try {
        const found = await detect(again.source, detectors, (rows) => detectProgress.add(rows));
        const shift = Number(found.summary.timeBaseNs - frame.timeBaseNs);
        for (const episode of found.episodes) if (episode.instrument === instrumentIndex) episodes.push({ ...episode, startNs: episode.startNs + shift, endNs: episode.endNs + shift });
      } finally {
        detectProgress.stop();
        again.close();
      }
    }

    const status = process.stderr.isTTY === true && process.env.CI !== 'true';
    const result = mineFrame(frame, {
      horizonsNs,
      ...(modelHorizonNs !== undefined && { modelHorizonNs }),
      folds,
      threshold,
      q,
      regimeMethod: options.regimes,
      kMax: maxRegimes,
      regimeWindow: window,
      ...(options.regimeFeatures !== undefined && { regimeColumns: list(options.regimeFeatures, '--regime-features') }),
      ...(options.anomalyFeatures !== undefined && { anomalyColumns: list(options.anomalyFeatures, '--anomaly-features') }),
      seed,
      alerts: episodes,
      onStage: (stage: MineStage) => {
        if (status) process.stderr.write(`\rmine: ${stage}…`.padEnd(40));
      },
    });
    if (status) process.stderr.write('\r'.padEnd(41) + '\r');
    const dir = resolve(options.out);
    const miningSeconds = (performance.now() - started) / 1000;
    const written = await writeReport(result, { input, instrument: symbols[instrumentIndex] ?? '', clock: options.clock, features: featureList, version: version(), priceDecimals, seconds: miningSeconds }, dir, openTableWriter);

    const h = written.data.headline;
    const out = process.stdout;
    const seconds = (ns: number) => `${ns / 1e9}s`;
    out.write(`mined ${h.rows.toLocaleString('en-US')} bars of ${symbols[instrumentIndex]} (${options.clock} clock, ${h.start} .. ${h.end}) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    out.write(`signals: ${h.significant} of ${h.tests} tests significant after Benjamini–Hochberg (q = ${q})`);
    out.write(h.strongest ? `; strongest ${h.strongest.feature} at ${h.strongest.horizonS}s: IC ${h.strongest.ic.toFixed(3)}, t ${h.strongest.t.toFixed(2)}\n` : '\n');
    for (const entry of h.byHorizon) out.write(`  ${entry.horizonS}s: ${entry.significant} of ${entry.tests}\n`);
    if (h.significantFewWindows > 0) out.write(`  note: ${h.significantFewWindows} of the significant tests span fewer than ${h.minWindows} non-overlapping horizons; their Newey–West p-values are too low (docs/MINING.md)\n`);
    out.write(`models (${seconds(result.modelHorizonNs)} direction, ${folds} folds): ${h.bestModel.model} AUC ${h.bestModel.auc.toFixed(3)}, macro-F1 ${h.bestModel.macroF1.toFixed(3)}, P&L ${h.bestModel.pnlBps.toFixed(2)} bps/trade after the spread; prior AUC ${h.prior.auc.toFixed(3)}, qi-only AUC ${h.qiOnly.auc.toFixed(3)}\n`);
    if (detectors || alerts) out.write(`alerts: ${episodes.length} shown with the price\n`);
    out.write(`regimes: ${h.regimes} (${options.regimes}, BIC over 1..${maxRegimes}); anomalies: ${h.robustOutliers.toLocaleString('en-US')} bars (${((100 * h.robustOutliers) / h.rows).toFixed(1)}%) with robust |z| > ${result.anomalies.threshold}, isolation score p99 ${h.isolationP99.toFixed(3)}\n`);
    out.write(`wrote ${written.html}\n  report.json, ${Object.keys(written.tables).map((name) => `${name}.parquet`).join(', ')}\n`);
  });
}

/** Adds mid, spread and qi to a feature list when its columns lack them. */
export function withRequired(features: string): string {
  const columns = new Set(parseFeatureList(features).flatMap((request) => request.columns));
  const extra = ['mid', 'spread', 'qi'].filter((name) => !columns.has(name));
  return [features, ...extra].filter(Boolean).join(',');
}

function onlyInstrument(frame: FeatureFrame, index: number): FeatureFrame {
  const rows: number[] = [];
  for (let i = 0; i < frame.length; i++) if (frame.instrument[i] === index) rows.push(i);
  if (rows.length === frame.length) return frame;
  const pick = (column: Float64Array) => Float64Array.from(rows, (i) => column[i]!);
  return {
    length: rows.length,
    timeBaseNs: frame.timeBaseNs,
    ts: pick(frame.ts),
    instrument: new Int32Array(rows.length).fill(index),
    columns: Object.fromEntries(Object.entries(frame.columns).map(([name, column]) => [name, pick(column)])),
  };
}

/**
 * Alerts from a CSV (header row; quoted fields may hold commas and doubled quotes) or JSONL file with the
 * fields of `flowmine detect`: kind (or detector), start_ns, end_ns (Unix epoch ns), side, price, score,
 * explanation (price as a decimal), optionally order_ids (space- or semicolon-separated) and instrument (a
 * symbol: rows of other instruments are left out). Returns a function of the frame's time base, the
 * instrument's price decimals (an episode's price is in integer units), index and symbol.
 */
function readAlerts(path: string): (timeBaseNs: bigint, priceDecimals: number, instrument: number, symbol: string) => Episode[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--alerts ${path}: ${(error as Error).message}`);
  }
  const records: { line: number; fields: Record<string, string> }[] = [];
  if (extname(path).toLowerCase() === '.jsonl' || extname(path).toLowerCase() === '.ndjson') {
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new UsageError(`${path}:${i + 1}: not a JSON object`);
      }
      records.push({ line: i + 1, fields: Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([key, value]) => [key, Array.isArray(value) ? value.join(' ') : String(value)])) });
    });
  } else {
    const rows = parseCsv(text);
    const header = rows.shift() ?? [];
    rows.forEach((cells, i) => {
      if (cells.length === 1 && cells[0] === '') return;
      records.push({ line: i + 2, fields: Object.fromEntries(header.map((name, c) => [name.trim(), cells[c] ?? ''])) });
    });
  }
  return (timeBaseNs, priceDecimals, instrument, symbol) =>
    records.filter(({ fields }) => !fields.instrument || fields.instrument === symbol).map(({ line, fields }) => {
      const kind = (fields.kind ?? fields.detector ?? '') as EpisodeKind;
      if (!EPISODE_KINDS.includes(kind)) throw new UsageError(`${path}:${line}: kind: expected one of ${EPISODE_KINDS.join(', ')}, found "${kind}"`);
      const ns = (name: string) => {
        const value = fields[name] ?? '';
        if (!/^-?\d+$/.test(value)) throw new UsageError(`${path}:${line}: ${name}: expected epoch nanoseconds, found "${value}"`);
        return Number(BigInt(value) - timeBaseNs);
      };
      const number = (name: string, fallback: number) => (fields[name] === undefined || fields[name] === '' ? fallback : Number(fields[name]));
      return {
        kind,
        instrument,
        startNs: ns('start_ns'),
        endNs: ns('end_ns'),
        side: number('side', 0),
        price: Math.round(number('price', NaN) * 10 ** priceDecimals),
        orderIds: (fields.order_ids ?? '').split(/[ ;]+/).filter(Boolean).map(Number),
        score: number('score', 0),
        explanation: fields.explanation ?? '',
      };
    });
}

/** RFC 4180 CSV: rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function list(text: string, option: string): string[] {
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${option}: expected a comma-separated list`);
  return items;
}

function interval(text: string, option: string): number {
  try {
    return parseIntervalNs(text);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}

function whole(text: string, option: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${option} ${text}: expected a whole number ≥ ${min}`);
  return value;
}

function real(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${option} ${text}: expected a number`);
  return value;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(new URL('.', import.meta.url).pathname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
