import type { ReportData } from './data.js';
import { barChart, chart, compact, escapeXml, PALETTE, type Marker } from './svg.js';

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
main{max-width:1080px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}p,li{font-size:14px;line-height:1.45}.muted{color:#666}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px;margin:12px 0}
.card{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:10px 12px}.card b{display:block;font-size:20px;margin:2px 0}
.card span{font-size:12px;color:#555}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0;background:#fff}th,td{border:1px solid #e2e2e2;padding:3px 7px;text-align:right;white-space:nowrap}
th{background:#f0f0f0}td.l,th.l{text-align:left}tr.sig td{background:#eef6ee}.scroll{overflow-x:auto;max-height:520px;overflow-y:auto}
svg.chart{display:block;margin:10px 0;background:#fff;border:1px solid #e2e2e2;border-radius:4px;max-width:100%;height:auto}
svg .chart-title{font-size:13px;font-weight:600}svg .tick{font-size:10.5px;fill:#444}svg .legend{font-size:11px;fill:#222}
svg .axis-label{font-size:11px;fill:#333}svg .grid{stroke:#eee}svg .frame{fill:none;stroke:#bbb}
code{font-size:12.5px;background:#f0f0f0;padding:0 3px;border-radius:3px}
`;

/**
 * The report as one self-contained HTML page: inline CSS and inline SVG charts, no scripts, fonts,
 * images or links to fetch, so it renders the same offline. Numbers come from `data`, the same object
 * written as report.json.
 */
export function reportHtml(data: ReportData): string {
  const { meta, headline } = data;
  const baseS = Number(BigInt(meta.timeBaseNs)) / 1e9;
  const times = data.timeline.ts.map((t) => baseS + t / 1e9);
  const mid = data.timeline.mid;
  const horizonLabels = meta.horizonsS.map(seconds);
  const sections: string[] = [];

  // Headline.
  const best = headline.bestModel;
  const strongest = headline.strongest;
  sections.push(`<h1>flowmine mine — ${escapeXml(meta.instrument)}</h1>
<p class="muted">${escapeXml(meta.input)} · clock ${escapeXml(meta.clock)} · ${headline.rows.toLocaleString('en-US')} bars · ${escapeXml(headline.start)} to ${escapeXml(headline.end)} · flowmine ${escapeXml(meta.version)}</p>
<div class="cards">
${card('significant signals (BH, q = ' + meta.q + ')', `${headline.significant} of ${headline.tests}`, headline.byHorizon.map((h) => `${seconds(h.horizonS)}: ${h.significant}/${h.tests}`).join(' · ') + (headline.significantFewWindows ? ` · ${headline.significantFewWindows} on fewer than ${headline.minWindows} horizon windows ⚠` : ''))}
${card('strongest significant signal', strongest ? `IC ${fmt(strongest.ic, 3)}` : 'none', strongest ? `${strongest.feature} at ${seconds(strongest.horizonS)}, t = ${fmt(strongest.t, 2)}` : 'no test survived the correction')}
${card(`best model (${best.model}), mean AUC`, fmt(best.auc, 3), `prior ${fmt(headline.prior.auc, 3)} · qi-only ${fmt(headline.qiOnly.auc, 3)}`)}
${card('macro-F1, best model', fmt(best.macroF1, 3), `prior ${fmt(headline.prior.macroF1, 3)} · qi-only ${fmt(headline.qiOnly.macroF1, 3)}`)}
${card('P&L after the spread, best model', `${fmt(best.pnlBps, 2)} bps`, `per trade over ${best.trades.toLocaleString('en-US')} trades (${seconds(meta.modelHorizonS)} horizon)`)}
${card('regimes (BIC)', String(headline.regimes), `${data.regimes.method}, ${data.regimes.window}-bar windows of ${data.regimes.columns.join(', ')}`)}
${card('anomalies', `${headline.robustOutliers.toLocaleString('en-US')} rows (${fmt((100 * headline.robustOutliers) / Math.max(1, headline.rows), 1)}%)`, `robust |z| > ${data.anomalies.threshold}; isolation score p99 ${fmt(headline.isolationP99, 3)}`)}
</div>`);

  // Signals.
  const features = [...new Set(data.signals.map((signal) => signal.feature))];
  const bestOf = features.map((feature) => {
    const tests = data.signals.filter((signal) => signal.feature === feature && Number.isFinite(signal.ic));
    const top = tests.length > 0 ? tests.reduce((a, b) => (Math.abs(b.ic) > Math.abs(a.ic) ? b : a)) : null;
    return { feature, top, anySignificant: tests.some((test) => test.significant) };
  });
  bestOf.sort((a, b) => Math.abs(b.top?.ic ?? 0) - Math.abs(a.top?.ic ?? 0));
  sections.push(`<h2>Signals</h2>
<p>Each feature against the forward log return of the mid over each horizon: information coefficient (Pearson), rank IC (Spearman), the slope's Newey–West t-statistic with lags = bars per horizon, and Benjamini–Hochberg at q = ${meta.q} over all ${headline.tests} tests. ★ marks a test that survives the correction; ⚠ a test whose rows span fewer than ${headline.minWindows} non-overlapping horizons, where Newey–West p-values come out too low (treat its ★ with suspicion).</p>`);
  sections.push(
    barChart({
      title: 'Feature ranking: largest |IC| over the horizons',
      labels: bestOf.map((entry) => entry.feature),
      values: bestOf.map((entry) => Math.abs(entry.top?.ic ?? NaN)),
      colors: bestOf.map((entry) => ((entry.top?.ic ?? 0) >= 0 ? PALETTE[0]! : PALETTE[1]!)),
      notes: bestOf.map((entry) => (entry.top ? `${entry.top.significant ? '★ ' : ''}${seconds(entry.top.horizonS)}${entry.top.ic < 0 ? ' (negative)' : ''}${entry.top.windows < headline.minWindows ? ' ⚠' : ''}` : 'no data')),
      axis: { label: '|IC| (blue: positive, red: negative)', format: (v) => compact(v) },
    }),
  );
  const decayFeatures = bestOf.slice(0, 8).map((entry) => entry.feature);
  sections.push(
    chart({
      title: 'IC decay by horizon (the 8 strongest features)',
      x: { categories: horizonLabels, label: 'horizon' },
      y: { label: 'IC', zero: true },
      series: decayFeatures.map((feature) => {
        const tests = meta.horizonsS.map((h) => data.signals.find((signal) => signal.feature === feature && signal.horizonS === h));
        return { name: feature, x: tests.map((_, i) => i), y: tests.map((test) => test?.ic ?? NaN), points: 'also' as const };
      }),
      rules: [{ y: 0, color: '#999' }],
    }),
  );
  sections.push(`<h3>Every test</h3><div class="scroll"><table><thead><tr><th class="l">feature</th><th>horizon</th><th>n</th><th>windows</th><th>IC</th><th>rank IC</th><th>slope</th><th>NW t</th><th>p</th><th>BH</th><th>hit rate</th><th>turnover</th><th>P&amp;L net bps</th><th>gross bps</th></tr></thead><tbody>
${data.signals
  .map(
    (s) =>
      `<tr${s.significant ? ' class="sig"' : ''}><td class="l">${escapeXml(s.feature)}</td><td>${seconds(s.horizonS)}</td><td>${s.n}</td><td>${fmt(s.windows, 0)}${s.windows < headline.minWindows ? ' ⚠' : ''}</td><td>${fmt(s.ic, 4)}</td><td>${fmt(s.rankIc, 4)}</td><td>${sci(s.slope)}</td><td>${fmt(s.t, 2)}</td><td>${sci(s.p)}</td><td>${s.significant ? '★' : ''}</td><td>${fmt(s.hitRate, 3)}</td><td>${fmt(s.turnover, 3)}</td><td>${fmt(s.pnlBps, 2)}</td><td>${fmt(s.grossBps, 2)}</td></tr>`,
  )
  .join('\n')}
</tbody></table></div>`);

  // Stability.
  const modelHorizon = data.signals.filter((signal) => signal.horizonS === meta.modelHorizonS);
  const days = [...new Set(modelHorizon.flatMap((signal) => signal.byDay.map((d) => d.day)))].sort();
  const regimesSeen = [...new Set(modelHorizon.flatMap((signal) => signal.byRegime.map((r) => r.regime)))].sort((a, b) => a - b);
  sections.push(`<h2>Stability</h2><p>IC at the ${seconds(meta.modelHorizonS)} horizon, per UTC day and per regime (−1: rows before the first complete regime window).</p>
<div class="scroll"><table><thead><tr><th class="l">feature</th><th>all</th>${days.map((d) => `<th>${d}</th>`).join('')}${regimesSeen.map((r) => `<th>regime ${r}</th>`).join('')}</tr></thead><tbody>
${modelHorizon
  .map((s) => {
    const byDay = new Map(s.byDay.map((d) => [d.day, d]));
    const byRegime = new Map(s.byRegime.map((r) => [r.regime, r]));
    return `<tr><td class="l">${escapeXml(s.feature)}</td><td>${fmt(s.ic, 4)}</td>${days.map((d) => `<td title="n = ${byDay.get(d)?.n ?? 0}">${fmt(byDay.get(d)?.ic ?? NaN, 4)}</td>`).join('')}${regimesSeen.map((r) => `<td title="n = ${byRegime.get(r)?.n ?? 0}">${fmt(byRegime.get(r)?.ic ?? NaN, 4)}</td>`).join('')}</tr>`;
  })
  .join('\n')}
</tbody></table></div>`);

  // Models.
  const modelNames = data.models.map((model) => model.model);
  // One colour per model in every chart.
  const modelColor = (name: string) => PALETTE[Math.max(0, modelNames.indexOf(name)) % PALETTE.length]!;
  const foldNumbers = [...new Set(data.folds.map((fold) => fold.fold))].sort((a, b) => a - b);
  const perFold = (pick: (fold: ReportData['folds'][number]) => number) =>
    modelNames.map((name) => {
      const folds = foldNumbers.map((n) => data.folds.find((fold) => fold.model === name && fold.fold === n));
      return { name, x: folds.map((_, i) => i), y: folds.map((fold) => (fold ? pick(fold) : NaN)), points: 'also' as const, dashed: name === 'prior' || name === 'qi-only', color: modelColor(name) };
    });
  const blockWindows = (() => {
    const spans = data.folds.filter((fold) => fold.model === data.models[0]?.model).map((fold) => Number(BigInt(fold.testEndNs) - BigInt(fold.testStartNs)) / 1e9 / meta.modelHorizonS);
    return spans.length > 0 ? spans.reduce((sum, span) => sum + span, 0) / spans.length : NaN;
  })();
  sections.push(`<h2>Models</h2>
<p>Direction of the mid over ${seconds(meta.modelHorizonS)} (down / flat / up, threshold ${meta.threshold}) from ${meta.modelColumns.length} standardized features, walk-forward over ${meta.folds} test folds with purging (training labels that end within the embargo of ${seconds(meta.modelHorizonS)} before the test block are dropped). Baselines: <code>prior</code> (training class frequencies; calls the majority class) and <code>qi-only</code> (logistic regression on queue imbalance alone). P&amp;L: long on an up call, short on a down call, over the horizon, paying the spread (no fees), in basis points of the mid per trade. Each test block spans about ${fmt(blockWindows, 0)} non-overlapping horizons${blockWindows < headline.minWindows ? ' ⚠ — too few for fold-level numbers to mean much' : ''}.${meta.leftOut.length ? ` Left out of the models: ${meta.leftOut.map((entry) => `<code>${escapeXml(entry.column)}</code> (${escapeXml(entry.reason)})`).join(', ')}.` : ''}</p>
<table><thead><tr><th class="l">model</th><th>accuracy</th><th>macro-F1</th><th>Brier</th><th>AUC</th><th>trades</th><th>P&amp;L bps</th></tr></thead><tbody>
${data.models.map((m) => `<tr${m.model === data.signalModel ? ' class="sig"' : ''}><td class="l">${escapeXml(m.model)}</td><td>${fmt(m.accuracy, 4)}</td><td>${fmt(m.macroF1, 4)}</td><td>${fmt(m.brier, 4)}</td><td>${fmt(m.auc, 4)}</td><td>${m.trades}</td><td>${fmt(m.pnlBps, 2)}</td></tr>`).join('\n')}
</tbody></table>`);
  sections.push(chart({ title: 'AUC by fold (macro one-vs-rest)', x: { categories: foldNumbers.map((n) => `fold ${n}`) }, y: { label: 'AUC' }, series: perFold((fold) => fold.auc), rules: [{ y: 0.5, color: '#999', label: 'chance' }] }));
  sections.push(chart({ title: 'Macro-F1 by fold', x: { categories: foldNumbers.map((n) => `fold ${n}`) }, y: { label: 'macro-F1' }, series: perFold((fold) => fold.macroF1) }));
  sections.push(chart({ title: 'P&L after the spread by fold', x: { categories: foldNumbers.map((n) => `fold ${n}`) }, y: { label: 'bps per trade', zero: true }, series: perFold((fold) => fold.pnlBps), rules: [{ y: 0, color: '#999' }] }));
  sections.push(`<h3>Fold by fold</h3><div class="scroll"><table><thead><tr><th class="l">model</th><th>fold</th><th>train</th><th>purged</th><th>test</th><th class="l">test period (UTC)</th><th>down/flat/up</th><th>accuracy</th><th>macro-F1</th><th>Brier</th><th>AUC</th><th>trades</th><th>P&amp;L bps</th></tr></thead><tbody>
${data.folds
  .map(
    (f) =>
      `<tr><td class="l">${escapeXml(f.model)}</td><td>${f.fold}</td><td>${f.trainRows}</td><td>${f.purgedRows}</td><td>${f.testRows}</td><td class="l">${clock(f.testStartNs)} – ${clock(f.testEndNs)}</td><td>${f.testShares.map((s) => fmt(s, 2)).join(' / ')}</td><td>${fmt(f.accuracy, 4)}</td><td>${fmt(f.macroF1, 4)}</td><td>${fmt(f.brier, 4)}</td><td>${fmt(f.auc, 4)}</td><td>${f.trades}</td><td>${fmt(f.pnlBps, 2)}</td></tr>`,
  )
  .join('\n')}
</tbody></table></div>`);
  const diagonal = { name: 'perfect', x: [0, 1], y: [0, 1], color: '#999', dashed: true };
  for (const [label, key] of [
    ['up', 'up'],
    ['down', 'down'],
  ] as const) {
    sections.push(
      chart({
        title: `Calibration of P(${label}), pooled over folds`,
        x: { min: 0, max: 1, label: `predicted P(${label}) (bin mean)` },
        y: { min: 0, max: 1, label: `observed frequency of ${label}` },
        series: [diagonal, ...data.models.map((m) => ({ name: m.model, x: m.calibration[key].map((b) => b.meanPredicted), y: m.calibration[key].map((b) => b.observed), points: 'also' as const, color: modelColor(m.model) }))],
        height: 320,
      }),
    );
  }

  // Regimes.
  const regimeColors = PALETTE;
  sections.push(`<h2>Regimes</h2>
<p>Inputs: the trailing ${data.regimes.window}-bar mean and standard deviation of ${data.regimes.columns.map((c) => `<code>${escapeXml(c)}</code>`).join(', ')}, standardized. ${data.regimes.method === 'gmm' ? 'Diagonal Gaussian mixtures' : 'k-means'} with 1 to ${data.regimes.curve.length} components were fitted on ${data.regimes.fitRows.toLocaleString('en-US')} non-overlapping windows and scored by BIC; the lowest BIC chose k = ${data.regimes.k}, and every bar was then assigned its most probable regime.</p>`);
  sections.push(
    chart({
      title: 'BIC by number of regimes',
      x: { label: 'k', format: (v) => String(Math.round(v)) },
      y: { label: 'BIC' },
      series: [{ name: 'BIC', x: data.regimes.curve.map((p) => p.k), y: data.regimes.curve.map((p) => p.bic), points: 'also' }],
      markers: data.regimes.curve.filter((p) => p.k === data.regimes.k).map((p) => ({ x: p.k, y: p.bic, color: PALETTE[1]!, shape: 'dot' as const, title: `chosen: k = ${p.k}` })),
    }),
  );
  sections.push(chart({ title: 'Regime timeline over the mid', x: { time: true, label: 'time (UTC)' }, y: { label: 'mid' }, series: [{ name: 'mid', x: times, y: mid, color: '#333' }], bands: [{ name: 'regime', x: times, values: data.timeline.regime, kind: 'category', colors: regimeColors }] }));
  sections.push(`<table><thead><tr><th class="l">regime</th><th>share</th>${data.regimes.inputs.map((name) => `<th>${escapeXml(name)}</th>`).join('')}</tr></thead><tbody>
${data.regimes.components.map((c) => `<tr><td class="l"><span style="color:${regimeColors[c.regime % regimeColors.length]}">■</span> ${c.regime}</td><td>${fmt(c.share, 3)}</td>${c.center.map((v) => `<td>${fmt(v, 2)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table><p class="muted">Centres in standard deviations from each input's mean.</p>`);

  // Anomalies.
  const isolation = data.timeline.isolation;
  const top = data.anomalies.top;
  const topIndex = new Set(top.map((entry) => entry.tsNs));
  const anomalyMarkers: Marker[] = [];
  data.timeline.ts.forEach((t, i) => {
    const ns = (BigInt(meta.timeBaseNs) + BigInt(Math.round(t))).toString();
    if (topIndex.has(ns)) anomalyMarkers.push({ x: times[i]!, y: mid[i]!, color: PALETTE[1]!, shape: 'dot', title: `isolation ${fmt(isolation[i]!, 3)}, robust |z| ${fmt(data.timeline.robustZ[i]!, 1)}` });
  });
  sections.push(`<h2>Anomalies</h2>
<p>Per bar, over ${data.anomalies.columns.length} columns: robust z-scores (median and 1.4826·MAD per column; the row's score is its largest |z|, an outlier above ${data.anomalies.threshold}) and an isolation forest (${data.anomalies.trees} trees of ${data.anomalies.sampleSize} rows; score 2^(−E[h]/c(ψ)), about 0.5 or less ordinary, towards 1 isolated quickly).</p>`);
  sections.push(
    chart({
      title: 'Anomaly scores over time',
      x: { time: true, label: 'time (UTC)' },
      y: { label: 'isolation score', min: 0.3, max: 1 },
      series: [{ name: 'isolation score (highest per pixel)', x: times, y: isolation, color: PALETTE[4], reduce: 'max' }],
      rules: [{ y: headline.isolationP99, color: PALETTE[1], label: 'p99' }],
      bands: [{ name: 'robust |z|', x: times, values: data.timeline.robustZ.map((z) => Math.min(z, 10)), kind: 'sequential', range: [0, 10] }],
    }),
  );
  sections.push(chart({ title: 'The 20 most isolated bars over the mid', x: { time: true, label: 'time (UTC)' }, y: { label: 'mid' }, series: [{ name: 'mid', x: times, y: mid, color: '#333' }], markers: anomalyMarkers, bands: [{ name: 'isolation', x: times, values: isolation, kind: 'sequential', range: [0.4, 0.8] }] }));
  sections.push(`<h3>Robust z by column</h3><p class="muted">A column whose values are mostly one number (no trade in most bars, a one-tick spread) has MAD 0; its scale falls back to the mean absolute deviation, and every departure from the common value scores high. The share flagged per column shows where the row count above comes from.</p><div class="scroll"><table><thead><tr><th class="l">column</th><th>median</th><th>scale</th><th>share |z| &gt; ${data.anomalies.threshold}</th></tr></thead><tbody>
${data.anomalies.columns.map((column, j) => `<tr><td class="l">${escapeXml(column)}</td><td>${compact(data.anomalies.median[j]!)}</td><td>${compact(data.anomalies.scale[j]!)}</td><td>${fmt(data.anomalies.flaggedShare[j], 3)}</td></tr>`).join('\n')}
</tbody></table></div>
<h3>The 20 most isolated bars</h3>`);
  sections.push(`<table><thead><tr><th class="l">time (UTC)</th><th>isolation</th><th>robust |z|</th><th class="l">largest |z| in</th></tr></thead><tbody>
${top.map((entry) => `<tr><td class="l">${clock(entry.tsNs)}</td><td>${fmt(entry.isolation, 3)}</td><td>${fmt(entry.robustZ, 1)}</td><td class="l">${escapeXml(entry.column)}</td></tr>`).join('\n')}
</tbody></table>`);

  // Price with signals and alerts.
  const MAX_MARKED = 100;
  const MAX_LISTED = 200;
  const alertStarts = data.alerts.map((alert) => Number(BigInt(alert.startNs)) / 1e9);
  const alertMarkers: Marker[] = [];
  const spans: { from: number; to: number; color: string; title: string }[] = [];
  if (data.alerts.length <= MAX_MARKED) {
    data.alerts.forEach((alert, k) => {
      const from = alertStarts[k]!;
      const to = Number(BigInt(alert.endNs)) / 1e9;
      alertMarkers.push({ x: from, y: mid[nearest(times, from)] ?? NaN, color: '#000', shape: alert.side < 0 ? 'down' : 'up', title: `${alert.kind} (score ${alert.score}): ${alert.explanation}` });
      spans.push({ from, to, color: PALETTE[3]!, title: `${alert.kind}: ${alert.explanation}` });
    });
  }
  const kinds = [...new Set(data.alerts.map((alert) => alert.kind))].sort();
  sections.push(`<h2>Price, signals and alerts</h2>
<p>The mid with the out-of-sample calls of <code>${escapeXml(data.signalModel)}</code> (the fitted model with the best mean AUC; red up, blue down, white flat, blank outside the test folds) and ${data.alerts.length} detector alert${data.alerts.length === 1 ? '' : 's'}${data.alerts.length === 0 ? '' : data.alerts.length <= MAX_MARKED ? ' (shaded, a marker at each start: ▲ buy side or none, ▼ sell side)' : ` (too many to mark: the strips count alert starts per pixel, by kind)`}.</p>`);
  sections.push(
    chart({
      title: `Mid with ${data.signalModel} calls and detector alerts`,
      x: { time: true, label: 'time (UTC)' },
      y: { label: 'mid' },
      series: [{ name: 'mid', x: times, y: mid, color: '#333' }],
      bands: [
        { name: 'calls', x: times, values: data.timeline.call, kind: 'diverging', range: [-1, 1] },
        ...(data.alerts.length > MAX_MARKED
          ? kinds.map((kind) => {
              const starts = alertStarts.filter((_, k) => data.alerts[k]!.kind === kind);
              return { name: kind, x: starts, values: starts.map(() => 1), kind: 'sequential' as const, aggregate: 'sum' as const, range: [0, 5] as [number, number] };
            })
          : []),
      ],
      markers: alertMarkers,
      spans,
    }),
  );
  if (data.alerts.length) {
    const counts = kinds.map((kind) => `${kind} ${data.alerts.filter((alert) => alert.kind === kind).length}`).join(', ');
    sections.push(`<p>${counts}.${data.alerts.length > MAX_LISTED ? ` The first ${MAX_LISTED} are listed; all are in alerts.parquet and report.json.` : ''}</p><div class="scroll"><table><thead><tr><th class="l">kind</th><th class="l">start (UTC)</th><th class="l">end</th><th>side</th><th>price</th><th>score</th><th class="l">explanation</th></tr></thead><tbody>
${data.alerts
  .slice(0, MAX_LISTED)
  .map((a) => `<tr><td class="l">${escapeXml(a.kind)}</td><td class="l">${clock(a.startNs)}</td><td class="l">${clock(a.endNs)}</td><td>${a.side}</td><td>${fmt(a.price / 10 ** (meta.priceDecimals ?? 0), meta.priceDecimals ?? 0)}</td><td>${a.score}</td><td class="l">${escapeXml(a.explanation)}</td></tr>`)
  .join('\n')}
</tbody></table></div>`);
  }

  // Run.
  sections.push(`<h2>Run</h2><table><tbody>
${[
  ['input', meta.input],
  ['instrument', meta.instrument],
  ['clock', `${meta.clock} (median bar spacing ${seconds(meta.barSpacingS)})`],
  ['features', meta.features],
  ['signal columns', meta.signalColumns.join(', ')],
  ['derived columns', meta.derived.map((d) => `${d.column} ← ${d.from}`).join(', ')],
  ['horizons', horizonLabels.join(', ')],
  ['model horizon, folds, label threshold', `${seconds(meta.modelHorizonS)}, ${meta.folds}, ${meta.threshold}`],
  ['seed', String(meta.seed)],
  ...(meta.seconds !== undefined ? [['mining time', `${meta.seconds.toFixed(1)} s`]] : []),
]
  .map(([k, v]) => `<tr><th class="l">${escapeXml(k!)}</th><td class="l">${escapeXml(v!)}</td></tr>`)
  .join('\n')}
</tbody></table><p class="muted">The same numbers are in report.json and the Parquet tables beside this file. Definitions: docs/MINING.md.</p>`);

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>flowmine mine — ${escapeXml(meta.instrument)}</title>
<style>${STYLE}</style></head>
<body><main>
${sections.join('\n')}
</main></body></html>
`;
}

function card(label: string, value: string, detail: string): string {
  return `<div class="card"><span>${escapeXml(label)}</span><b>${escapeXml(value)}</b><span>${escapeXml(detail)}</span></div>`;
}

function fmt(value: number | null | undefined, digits: number): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

function sci(value: number): string {
  return Number.isFinite(value) ? value.toExponential(2) : '–';
}

function seconds(s: number): string {
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m`;
  return s >= 1 ? `${Number(s.toPrecision(6))}s` : `${Number((s * 1000).toPrecision(6))}ms`;
}

/** hh:mm:ss.mmm UTC of an epoch-ns string. */
function clock(ns: string): string {
  const value = BigInt(ns);
  return new Date(Number(value / 1_000_000n)).toISOString().slice(11, 23);
}

function nearest(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
