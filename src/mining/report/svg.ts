/**
 * A small plotting module: line, bar, scatter and timeline charts as inline SVG strings, for a report that
 * must render with no network (no scripts, no fonts, no external files). Every chart is an
 * `<svg class="chart">` with a `<title>`, a viewBox and explicit width/height. Long series are reduced to
 * the minimum and maximum per horizontal pixel, so a chart stays small whatever the number of rows.
 */

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

export interface Axis {
  label?: string;
  /** Tick label formatter (default: compact number). */
  format?: (value: number) => string;
  min?: number;
  max?: number;
  /** Values are Unix seconds: ticks at round times, labelled hh:mm(:ss) UTC. */
  time?: boolean;
  /** Category positions 0..n−1 labelled with these names instead of numeric ticks. */
  categories?: readonly string[];
  /** Include zero in the range. */
  zero?: boolean;
}

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  /** Draw points instead of (`only`) or as well as (`also`) the line. */
  points?: 'only' | 'also';
  dashed?: boolean;
  /** For series longer than the plot is wide: keep each pixel column's minimum and maximum (default) or only its maximum (an upper envelope, for scores). */
  reduce?: 'minmax' | 'max';
}

export interface Band {
  /** Label shown at the band's left. */
  name: string;
  x: ArrayLike<number>;
  /** Categorical (an integer per point, −1 or NaN for none) or numeric values. */
  values: ArrayLike<number>;
  kind: 'category' | 'diverging' | 'sequential';
  /** Numeric bands: the mean of a pixel column's values (default) or their sum (counts of events). */
  aggregate?: 'mean' | 'sum';
  /** Colours for categories; for numeric bands the value range mapped to colour (default: data range). */
  colors?: readonly string[];
  range?: [number, number];
}

export interface Marker {
  x: number;
  y: number;
  color: string;
  shape: 'up' | 'down' | 'dot';
  title: string;
}

export interface ChartOptions {
  title: string;
  width?: number;
  height?: number;
  x: Axis;
  y: Axis;
  series: readonly Series[];
  /** Horizontal reference lines. */
  rules?: readonly { y: number; color?: string; label?: string }[];
  /** Strips under the plot (regimes, anomaly heat, model calls), sharing the x axis. */
  bands?: readonly Band[];
  markers?: readonly Marker[];
  /** Shaded x intervals (alerts). */
  spans?: readonly { from: number; to: number; color: string; title: string }[];
}

const MARGIN = { left: 64, right: 16, top: 30, bottom: 40 };
const BAND_HEIGHT = 16;

/** Line / scatter chart with optional bands, markers and spans. */
export function chart(options: ChartOptions): string {
  const width = options.width ?? 760;
  const bands = options.bands ?? [];
  // Wide enough for the longest band name.
  const left = Math.max(MARGIN.left, 14 + 6.2 * Math.max(0, ...bands.map((band) => band.name.length)));
  const plotWidth = width - left - MARGIN.right;
  // Legend under the title, wrapped to the plot's width.
  const named = options.series.length > 1 ? options.series.filter((series) => series.name) : [];
  const legend: string[] = [];
  let legendX = left;
  let legendY = 34;
  named.forEach((series) => {
    const color = series.color ?? PALETTE[options.series.indexOf(series) % PALETTE.length]!;
    const itemWidth = 22 + 6.5 * series.name.length;
    if (legendX + itemWidth > left + plotWidth && legendX > left) {
      legendX = left;
      legendY += 15;
    }
    legend.push(`<rect x="${f(legendX)}" y="${legendY - 8}" width="12" height="8" fill="${color}"/><text x="${f(legendX + 16)}" y="${legendY}" class="legend">${escapeXml(series.name)}</text>`);
    legendX += itemWidth;
  });
  const plotTop = named.length > 0 ? legendY + 10 : MARGIN.top;
  const plotHeight = (options.height ?? 260) - MARGIN.top - MARGIN.bottom;
  const height = plotTop + plotHeight + bands.length * (BAND_HEIGHT + 4) + MARGIN.bottom;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const series of options.series) {
    for (let i = 0; i < series.x.length; i++) {
      if (Number.isFinite(series.x[i]!) && Number.isFinite(series.y[i]!)) {
        xs.push(series.x[i]!);
        ys.push(series.y[i]!);
      }
    }
  }
  for (const band of bands) for (let i = 0; i < band.x.length; i++) if (Number.isFinite(band.x[i]!)) xs.push(band.x[i]!);
  for (const rule of options.rules ?? []) ys.push(rule.y);
  const xRange = range(xs, options.x);
  const yRange = range(ys, options.y);
  const sx = (v: number) => left + ((v - xRange[0]) / (xRange[1] - xRange[0])) * plotWidth;
  const sy = (v: number) => plotTop + plotHeight - ((v - yRange[0]) / (yRange[1] - yRange[0])) * plotHeight;
  const parts: string[] = [];
  parts.push(`<text x="${left}" y="18" class="chart-title">${escapeXml(options.title)}</text>`);
  // Grid and axes.
  const yTicks = niceTicks(yRange[0], yRange[1], 5);
  const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 0;
  for (const tick of yTicks) {
    const y = sy(tick);
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${f(y)}" y2="${f(y)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${f(y + 4)}" text-anchor="end" class="tick">${escapeXml(options.y.format ? options.y.format(tick) : tickLabel(tick, yStep))}</text>`);
  }
  const axisY = plotTop + plotHeight + bands.length * (BAND_HEIGHT + 4);
  for (const [tick, label] of xTicks(xRange, options.x)) {
    const x = sx(tick);
    parts.push(`<line x1="${f(x)}" x2="${f(x)}" y1="${plotTop}" y2="${plotTop + plotHeight}" class="grid"/>`);
    parts.push(`<text x="${f(x)}" y="${axisY + 14}" text-anchor="middle" class="tick">${escapeXml(label)}</text>`);
  }
  parts.push(`<rect x="${left}" y="${plotTop}" width="${plotWidth}" height="${plotHeight}" class="frame"/>`);
  if (options.x.label) parts.push(`<text x="${left + plotWidth / 2}" y="${axisY + 32}" text-anchor="middle" class="axis-label">${escapeXml(options.x.label)}</text>`);
  if (options.y.label) parts.push(`<text transform="translate(14 ${plotTop + plotHeight / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${escapeXml(options.y.label)}</text>`);
  for (const span of options.spans ?? []) {
    const x0 = Math.max(left, sx(span.from));
    const x1 = Math.min(left + plotWidth, Math.max(sx(span.to), x0 + 2));
    parts.push(`<rect x="${f(x0)}" y="${plotTop}" width="${f(x1 - x0)}" height="${plotHeight}" fill="${span.color}" fill-opacity="0.18"><title>${escapeXml(span.title)}</title></rect>`);
  }
  for (const rule of options.rules ?? []) {
    const y = sy(rule.y);
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${f(y)}" y2="${f(y)}" stroke="${rule.color ?? '#555'}" stroke-dasharray="4 3"/>`);
    if (rule.label) parts.push(`<text x="${left + plotWidth - 4}" y="${f(y - 4)}" text-anchor="end" class="tick">${escapeXml(rule.label)}</text>`);
  }
  // Series, clipped to the plot.
  const clip = `clip-${hash(options.title)}`;
  parts.push(`<clipPath id="${clip}"><rect x="${left}" y="${plotTop}" width="${plotWidth}" height="${plotHeight}"/></clipPath>`);
  parts.push(`<g clip-path="url(#${clip})">`);
  options.series.forEach((series, s) => {
    const color = series.color ?? PALETTE[s % PALETTE.length]!;
    if (series.points !== 'only') {
      const path = linePath(series.x, series.y, sx, sy, plotWidth, series.reduce ?? 'minmax');
      if (path) parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.4"${series.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${escapeXml(series.name)}</title></path>`);
    }
    if (series.points) {
      for (let i = 0; i < series.x.length; i++) {
        if (!Number.isFinite(series.x[i]!) || !Number.isFinite(series.y[i]!)) continue;
        parts.push(`<circle cx="${f(sx(series.x[i]!))}" cy="${f(sy(series.y[i]!))}" r="3" fill="${color}"><title>${escapeXml(`${series.name}: ${compact(series.x[i]!)}, ${compact(series.y[i]!)}`)}</title></circle>`);
      }
    }
  });
  for (const marker of options.markers ?? []) {
    const x = sx(marker.x);
    const y = sy(marker.y);
    const shape =
      marker.shape === 'dot'
        ? `<circle cx="${f(x)}" cy="${f(y)}" r="4"`
        : marker.shape === 'up'
          ? `<path d="M${f(x)} ${f(y - 6)}L${f(x - 5)} ${f(y + 3)}L${f(x + 5)} ${f(y + 3)}Z"`
          : `<path d="M${f(x)} ${f(y + 6)}L${f(x - 5)} ${f(y - 3)}L${f(x + 5)} ${f(y - 3)}Z"`;
    parts.push(`${shape} fill="${marker.color}" stroke="#000" stroke-width="0.5"><title>${escapeXml(marker.title)}</title>${marker.shape === 'dot' ? '</circle>' : '</path>'}`);
  }
  parts.push('</g>');
  bands.forEach((band, b) => {
    const top = plotTop + plotHeight + 4 + b * (BAND_HEIGHT + 4);
    parts.push(bandStrip(band, top, sx, xRange, plotWidth));
    parts.push(`<text x="${left - 6}" y="${top + 12}" text-anchor="end" class="tick">${escapeXml(band.name)}</text>`);
  });
  parts.push(legend.join(''));
  return svg(options.title, width, height, parts.join(''));
}

/** Horizontal bar chart: one bar per label, optional note after each bar (e.g. a significance mark). */
export function barChart(options: { title: string; labels: readonly string[]; values: readonly number[]; colors?: readonly string[]; notes?: readonly string[]; axis: Axis; width?: number }): string {
  const width = options.width ?? 760;
  const rowHeight = 18;
  const left = Math.min(260, 12 + 7 * Math.max(4, ...options.labels.map((label) => label.length)));
  const top = 30;
  const height = top + rowHeight * options.labels.length + 34;
  const plotWidth = width - left - 70;
  const values = options.values.filter(Number.isFinite);
  const [lo, hi] = range([...values, 0], { ...options.axis, zero: true });
  const sx = (v: number) => left + ((v - lo) / (hi - lo)) * plotWidth;
  const parts: string[] = [`<text x="${left}" y="18" class="chart-title">${escapeXml(options.title)}</text>`];
  for (const tick of niceTicks(lo, hi, 5)) {
    parts.push(`<line x1="${f(sx(tick))}" x2="${f(sx(tick))}" y1="${top}" y2="${top + rowHeight * options.labels.length}" class="grid"/>`);
    parts.push(`<text x="${f(sx(tick))}" y="${top + rowHeight * options.labels.length + 14}" text-anchor="middle" class="tick">${escapeXml((options.axis.format ?? compact)(tick))}</text>`);
  }
  options.labels.forEach((label, i) => {
    const value = options.values[i]!;
    const y = top + i * rowHeight;
    parts.push(`<text x="${left - 6}" y="${y + 13}" text-anchor="end" class="tick">${escapeXml(label)}</text>`);
    if (!Number.isFinite(value)) return;
    const x0 = sx(Math.min(0, value));
    const x1 = sx(Math.max(0, value));
    parts.push(`<rect x="${f(x0)}" y="${y + 3}" width="${f(Math.max(1, x1 - x0))}" height="${rowHeight - 6}" fill="${options.colors?.[i] ?? PALETTE[0]}"><title>${escapeXml(`${label}: ${compact(value)}`)}</title></rect>`);
    const note = options.notes?.[i];
    if (note) parts.push(`<text x="${f(x1 + 4)}" y="${y + 13}" class="tick">${escapeXml(note)}</text>`);
  });
  if (options.axis.label) parts.push(`<text x="${left + plotWidth / 2}" y="${height - 4}" text-anchor="middle" class="axis-label">${escapeXml(options.axis.label)}</text>`);
  return svg(options.title, width, height, parts.join(''));
}

function bandStrip(band: Band, top: number, sx: (v: number) => number, xRange: [number, number], plotWidth: number): string {
  // One value per pixel column: the most common category, or the mean of numeric values.
  const columns = Math.max(1, Math.round(plotWidth));
  const sums = new Float64Array(columns);
  const counts = new Float64Array(columns);
  const votes = new Map<number, Float64Array>();
  for (let i = 0; i < band.x.length; i++) {
    const x = band.x[i]!;
    const value = band.values[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(value)) continue;
    const column = Math.min(columns - 1, Math.max(0, Math.floor(((x - xRange[0]) / (xRange[1] - xRange[0])) * columns)));
    if (band.kind === 'category') {
      if (value < 0) continue;
      if (!votes.has(value)) votes.set(value, new Float64Array(columns));
      votes.get(value)![column]! += 1;
    } else {
      sums[column]! += value;
      counts[column]! += 1;
    }
  }
  const colorOf = new Array<string | null>(columns).fill(null);
  const titleOf = new Array<string>(columns).fill('');
  if (band.kind === 'category') {
    for (let c = 0; c < columns; c++) {
      let best = -1;
      let bestVotes = 0;
      for (const [category, counts] of votes) {
        if (counts[c]! > bestVotes) {
          bestVotes = counts[c]!;
          best = category;
        }
      }
      if (best >= 0) {
        colorOf[c] = (band.colors ?? PALETTE)[best % (band.colors ?? PALETTE).length]!;
        titleOf[c] = `${band.name} ${best}`;
      }
    }
  } else {
    const sum = band.aggregate === 'sum';
    const means: number[] = [];
    for (let c = 0; c < columns; c++) if (counts[c]! > 0) means.push(sum ? sums[c]! : sums[c]! / counts[c]!);
    const [lo, hi] = band.range ?? [Math.min(...means), Math.max(...means)];
    for (let c = 0; c < columns; c++) {
      if (counts[c] === 0) continue;
      const mean = sum ? sums[c]! : sums[c]! / counts[c]!;
      const t = hi > lo ? Math.min(1, Math.max(0, (mean - lo) / (hi - lo))) : 0.5;
      colorOf[c] = band.kind === 'diverging' ? diverging(t) : sequential(t);
      titleOf[c] = `${band.name} ${compact(mean)}`;
    }
  }
  // Runs of one colour become one rectangle.
  const parts: string[] = [];
  const left = sx(xRange[0]);
  for (let c = 0; c < columns; ) {
    let end = c + 1;
    while (end < columns && colorOf[end] === colorOf[c] && titleOf[end] === titleOf[c]) end++;
    if (colorOf[c]) parts.push(`<rect x="${f(left + (c * plotWidth) / columns)}" y="${top}" width="${f(((end - c) * plotWidth) / columns)}" height="${BAND_HEIGHT}" fill="${colorOf[c]}"><title>${escapeXml(titleOf[c]!)}</title></rect>`);
    c = end;
  }
  parts.push(`<rect x="${f(left)}" y="${top}" width="${f(plotWidth)}" height="${BAND_HEIGHT}" class="frame"/>`);
  return parts.join('');
}

/** Path of a line through finite points; long series keep the first, minimum, maximum and last point per pixel column. */
function linePath(xs: ArrayLike<number>, ys: ArrayLike<number>, sx: (v: number) => number, sy: (v: number) => number, plotWidth: number, reduce: 'minmax' | 'max'): string {
  const out: string[] = [];
  let pen = false;
  const emit = (x: number, y: number) => {
    out.push(`${pen ? 'L' : 'M'}${f(sx(x))} ${f(sy(y))}`);
    pen = true;
  };
  if (xs.length <= 4 * plotWidth) {
    for (let i = 0; i < xs.length; i++) {
      if (Number.isFinite(xs[i]!) && Number.isFinite(ys[i]!)) emit(xs[i]!, ys[i]!);
      else pen = false;
    }
    return out.join('');
  }
  let column = NaN;
  let bucket: { first: number; min: number; max: number; last: number } | null = null;
  const flush = () => {
    if (!bucket) return;
    const indices = reduce === 'max' ? [bucket.max] : [...new Set([bucket.first, bucket.min, bucket.max, bucket.last])].sort((a, b) => a - b);
    for (const i of indices) emit(xs[i]!, ys[i]!);
    bucket = null;
  };
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!)) {
      flush();
      pen = false;
      continue;
    }
    const c = Math.floor(sx(xs[i]!));
    if (c !== column) {
      flush();
      column = c;
      bucket = { first: i, min: i, max: i, last: i };
    } else if (bucket) {
      if (ys[i]! < ys[bucket.min]!) bucket.min = i;
      if (ys[i]! > ys[bucket.max]!) bucket.max = i;
      bucket.last = i;
    }
  }
  flush();
  return out.join('');
}

function svg(title: string, width: number, height: number, body: string): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${escapeXml(title)}</title>${body}</svg>`;
}

function range(values: readonly number[], axis: Axis): [number, number] {
  if (axis.categories) return [-0.5, axis.categories.length - 0.5];
  let lo = axis.min ?? Infinity;
  let hi = axis.max ?? -Infinity;
  if (axis.min === undefined || axis.max === undefined) {
    for (const value of values) {
      if (!Number.isFinite(value)) continue;
      if (axis.min === undefined && value < lo) lo = value;
      if (axis.max === undefined && value > hi) hi = value;
    }
  }
  if (axis.zero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  if (axis.time || (axis.min !== undefined && axis.max !== undefined)) return [lo, hi];
  const pad = (hi - lo) * 0.04;
  return [axis.min ?? lo - pad, axis.max ?? hi + pad];
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => span / s <= count + 1) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

function xTicks(xRange: [number, number], axis: Axis): [number, string][] {
  if (axis.categories) return axis.categories.map((name, i) => [i, name]);
  if (axis.time) {
    const span = xRange[1] - xRange[0];
    const step = TIME_STEPS.find((s) => span / s <= 7) ?? 86400 * Math.ceil(span / 86400 / 7);
    const ticks: [number, string][] = [];
    for (let t = Math.ceil(xRange[0] / step) * step; t <= xRange[1]; t += step) {
      const iso = new Date(t * 1000).toISOString();
      ticks.push([t, step >= 86400 ? iso.slice(0, 10) : step >= 60 ? iso.slice(11, 16) : iso.slice(11, 19)]);
    }
    return ticks;
  }
  const ticks = niceTicks(xRange[0], xRange[1], 6);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 0;
  return ticks.map((tick) => [tick, axis.format ? axis.format(tick) : tickLabel(tick, step)]);
}

/** Blue (0) through white (0.5) to red (1). */
function diverging(t: number): string {
  const a = Math.abs(2 * t - 1);
  const [r, g, b] = t < 0.5 ? [255 - a * 222, 255 - a * 153, 255 - a * 75] : [255 - a * 41, 255 - a * 216, 255 - a * 215];
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

/** Pale yellow (0) to dark red (1). */
function sequential(t: number): string {
  const r = 255 - t * 120;
  const g = 245 - t * 245;
  const b = 200 - t * 200;
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

/** A tick label with just the decimals its step needs (61,750 and 61,760 stay apart). */
export function tickLabel(value: number, step: number): string {
  if (value === 0) return '0';
  if (!(step > 0)) return compact(value);
  if (step < 1e-4) return value.toExponential(Math.max(0, Math.floor(Math.log10(Math.abs(value))) - Math.floor(Math.log10(step))));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A number in at most 4 significant digits, with k/M suffixes for large values. */
export function compact(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs === 0) return '0';
  if (abs < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(4)));
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function f(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
