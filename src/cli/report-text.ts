import { writeFileSync } from 'node:fs';
import type { ReplaySummary } from '../book/replay.js';
import type { EventSource } from '../core/source.js';

/** One line that accounts for every input row and the book's findings. */
export function integrityLine(source: EventSource, summary: ReplaySummary, rowsOut: number): string {
  const report = source.integrity.report;
  const parts = [
    `${report.source}: ${report.rowsRead} rows read, ${report.accepted} accepted, ${report.repaired} repaired, ${report.skipped} skipped`,
    `${summary.updates} updates, ${rowsOut} rows written`,
  ];
  const issues = [...report.issues].map(([kind, entry]) => `${kind}=${entry.count}`);
  if (issues.length) parts.push(`issues: ${issues.join(' ')}`);
  if (summary.crossedUpdates) {
    const auction = summary.crossedWhileNotTrading;
    parts.push(`crossed or locked after ${summary.crossedUpdates} updates (${auction === summary.crossedUpdates ? 'all' : auction} while the venue was not matching continuously)`);
  }
  return parts.join('; ');
}

/** Writes a run's report (integrity, replay summary and any extra numbers) as JSON; bigint times as decimal strings. */
export function writeRunReport(path: string, source: EventSource, summary: ReplaySummary, extra: Record<string, unknown> = {}): void {
  writeFileSync(path, JSON.stringify({ integrity: source.integrity.report, replay: summary, ...extra }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2) + '\n');
}
