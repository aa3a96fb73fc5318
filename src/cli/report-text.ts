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
