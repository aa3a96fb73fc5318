import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnSpec, TableWriter } from '../../core/table.js';
import type { MiningResult } from '../run.js';
import { reportData, toJson, type ReportData, type ReportMeta } from './data.js';
import { reportHtml } from './html.js';

/** Opens a table writer for a path (the CLI passes `openTableWriter`; the extension chooses the format). */
export type TableOpener = (path: string, columns: readonly ColumnSpec[]) => TableWriter;

export interface WrittenReport {
  data: ReportData;
  html: string;
  json: string;
  /** Table files written, by name. */
  tables: Record<string, { path: string; rows: number }>;
}

/**
 * Writes the report into `dir`: report.html (self-contained), report.json (the same numbers), and one
 * table per section through `openTable` — signals, stability, models, folds, calibration, bic, regimes,
 * anomalies, calls, alerts — with the extension `extension` (default `.parquet`).
 */
export async function writeReport(result: MiningResult, meta: ReportMeta, dir: string, openTable: TableOpener, extension = '.parquet'): Promise<WrittenReport> {
  mkdirSync(dir, { recursive: true });
  const data = reportData(result, meta);
  const htmlPath = join(dir, 'report.html');
  const jsonPath = join(dir, 'report.json');
  writeFileSync(htmlPath, reportHtml(data));
  writeFileSync(jsonPath, toJson(data));
  const tables: Record<string, { path: string; rows: number }> = {};
  const base = result.frame.timeBaseNs;
  const table = async (name: string, columns: ColumnSpec[], fill: (writer: TableWriter) => void) => {
    const path = join(dir, `${name}${extension}`);
    const writer = openTable(path, columns);
    try {
      fill(writer);
    } finally {
      await writer.close();
    }
    tables[name] = { path, rows: writer.rows };
  };
  const float = (name: string): ColumnSpec => ({ name, type: 'float' });
  const int = (name: string): ColumnSpec => ({ name, type: 'int' });
  const text = (name: string): ColumnSpec => ({ name, type: 'text' });
  const time = (name: string): ColumnSpec => ({ name, type: 'epoch_ns' });

  await table('signals', [text('feature'), float('horizon_s'), int('n'), float('ic'), float('rank_ic'), float('slope'), float('nw_t'), float('p'), int('significant'), float('hit_rate'), float('turnover'), float('pnl_bps'), float('gross_bps')], (w) => {
    for (const s of result.signals) {
      w.text(s.feature);
      w.float(s.horizonNs / 1e9);
      w.int(s.n);
      w.float(s.ic);
      w.float(s.rankIc);
      w.float(s.slope);
      w.float(s.t);
      w.float(s.p);
      w.int(s.significant ? 1 : 0);
      w.float(s.hitRate);
      w.float(s.turnover);
      w.float(s.pnlBps);
      w.float(s.grossBps);
      w.endRow();
    }
  });
  await table('stability', [text('feature'), float('horizon_s'), text('group'), text('key'), int('n'), float('ic')], (w) => {
    for (const s of result.signals) {
      const rows: [string, string, number, number][] = [...s.byDay.map((d) => ['day', d.day, d.n, d.ic] as [string, string, number, number]), ...s.byRegime.map((r) => ['regime', String(r.regime), r.n, r.ic] as [string, string, number, number])];
      for (const [group, key, n, ic] of rows) {
        w.text(s.feature);
        w.float(s.horizonNs / 1e9);
        w.text(group);
        w.text(key);
        w.int(n);
        w.float(ic);
        w.endRow();
      }
    }
  });
  await table('models', [text('model'), int('folds'), float('accuracy'), float('macro_f1'), float('brier'), float('auc'), int('trades'), float('pnl_bps')], (w) => {
    for (const m of result.models) {
      w.text(m.model);
      w.int(m.folds);
      w.float(m.accuracy);
      w.float(m.macroF1);
      w.float(m.brier);
      w.float(m.auc);
      w.int(m.trades);
      w.float(m.pnlBps);
      w.endRow();
    }
  });
  await table(
    'folds',
    [text('model'), int('fold'), int('train_rows'), int('purged_rows'), int('test_rows'), time('test_start_ns'), time('test_end_ns'), float('share_down'), float('share_flat'), float('share_up'), float('accuracy'), float('macro_f1'), float('brier'), float('auc'), int('trades'), float('pnl_bps')],
    (w) => {
      for (const f of result.folds) {
        w.text(f.model);
        w.int(f.fold);
        w.int(f.trainRows);
        w.int(f.purgedRows);
        w.int(f.testRows);
        w.epochNs(base, f.testStartNs);
        w.epochNs(base, f.testEndNs);
        for (const share of f.testShares) w.float(share);
        w.float(f.accuracy);
        w.float(f.macroF1);
        w.float(f.brier);
        w.float(f.auc);
        w.int(f.trades);
        w.float(f.pnlBps);
        w.endRow();
      }
    },
  );
  await table('calibration', [text('model'), text('fold'), text('class'), float('bin_lo'), float('bin_hi'), int('n'), float('mean_predicted'), float('observed')], (w) => {
    const diagrams = [
      ...result.folds.map((f) => ({ model: f.model, fold: String(f.fold), calibration: f.calibration })),
      ...result.models.map((m) => ({ model: m.model, fold: 'pooled', calibration: m.calibration })),
    ];
    for (const { model, fold, calibration } of diagrams) {
      for (const cls of ['up', 'down'] as const) {
        for (const bin of calibration[cls]) {
          w.text(model);
          w.text(fold);
          w.text(cls);
          w.float(bin.lo);
          w.float(bin.hi);
          w.int(bin.n);
          w.float(bin.meanPredicted);
          w.float(bin.observed);
          w.endRow();
        }
      }
    }
  });
  await table('bic', [int('k'), float('log_likelihood'), int('parameters'), float('bic'), int('chosen')], (w) => {
    for (const p of result.regimes.curve) {
      w.int(p.k);
      w.float(p.logLikelihood);
      w.int(p.parameters);
      w.float(p.bic);
      w.int(p.k === result.regimes.k ? 1 : 0);
      w.endRow();
    }
  });
  const frame = result.frame;
  await table('regimes', [time('ts_ns'), int('regime'), float('confidence')], (w) => {
    for (let i = 0; i < frame.length; i++) {
      w.epochNs(base, frame.ts[i]!);
      w.int(result.regimes.labels[i]!);
      w.float(result.regimes.confidence[i]!);
      w.endRow();
    }
  });
  await table('anomalies', [time('ts_ns'), float('robust_z'), text('robust_column'), float('isolation_score')], (w) => {
    for (let i = 0; i < frame.length; i++) {
      w.epochNs(base, frame.ts[i]!);
      w.float(result.anomalies.robust[i]!);
      w.text(result.anomalies.columns[result.anomalies.worst[i]!] ?? '');
      w.float(result.anomalies.isolation[i]!);
      w.endRow();
    }
  });
  await table('calls', [time('ts_ns'), text('model'), int('call')], (w) => {
    for (let i = 0; i < frame.length; i++) {
      if (Number.isNaN(result.calls[i]!)) continue;
      w.epochNs(base, frame.ts[i]!);
      w.text(result.signalModel);
      w.int(result.calls[i]!);
      w.endRow();
    }
  });
  await table('alerts', [text('kind'), time('start_ns'), time('end_ns'), int('side'), float('price'), float('score'), text('explanation')], (w) => {
    for (const a of result.alerts) {
      w.text(a.kind);
      w.epochNs(base, a.startNs);
      w.epochNs(base, a.endNs);
      w.int(a.side);
      w.float(a.price);
      w.float(a.score);
      w.text(a.explanation);
      w.endRow();
    }
  });
  return { data, html: htmlPath, json: jsonPath, tables };
}
