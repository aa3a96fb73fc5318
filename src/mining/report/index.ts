/** The mining report: one self-contained HTML page, report.json and a table per section. */
export { reportData, toJson, type Headline, type ReportData, type ReportMeta } from './data.js';
export { reportHtml } from './html.js';
export { writeReport, type TableOpener, type WrittenReport } from './write.js';
export { barChart, chart, type Axis, type Band, type ChartOptions, type Marker, type Series } from './svg.js';
