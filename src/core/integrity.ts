import { InputError } from './errors.js';

/** What to do with a row that breaks an invariant. See docs/DATA_SEMANTICS.md. */
export type IntegrityPolicy = 'strict' | 'repair' | 'skip';
export const INTEGRITY_POLICIES: readonly IntegrityPolicy[] = ['strict', 'repair', 'skip'];

/** Receives raw rows set aside under the `skip` policy (a quarantine file). */
export interface QuarantineSink {
  write(source: string, line: number, reason: string, raw: string): void;
}

/** One kind of problem with its count and the first few places it happened. */
export interface IssueCount {
  count: number;
  examples: string[];
}

const EXAMPLES_KEPT = 5;

/**
 * The integrity account of one input: every source row ends as accepted, repaired or skipped,
 * and every irregularity is counted by kind. `rowsRead === accepted + repaired + skipped` always holds.
 */
export class IntegrityReport {
  rowsRead = 0;
  repaired = 0;
  skipped = 0;
  /** Row-level problems (malformed rows, unknown orders, …) by kind. */
  readonly issues = new Map<string, IssueCount>();
  /** Facts worth reporting that are not problems with a row (resyncs, folded records, …). */
  readonly notes = new Map<string, number>();

  constructor(readonly source: string, readonly format: string) {}

  get accepted(): number {
    return this.rowsRead - this.repaired - this.skipped;
  }

  count(kind: string, where?: string): void {
    let entry = this.issues.get(kind);
    if (!entry) this.issues.set(kind, (entry = { count: 0, examples: [] }));
    entry.count++;
    if (where !== undefined && entry.examples.length < EXAMPLES_KEPT) entry.examples.push(where);
  }

  note(kind: string, n = 1): void {
    this.notes.set(kind, (this.notes.get(kind) ?? 0) + n);
  }

  issueCount(kind: string): number {
    return this.issues.get(kind)?.count ?? 0;
  }

  toJSON(): object {
    return {
      source: this.source,
      format: this.format,
      rowsRead: this.rowsRead,
      accepted: this.accepted,
      repaired: this.repaired,
      skipped: this.skipped,
      issues: Object.fromEntries(this.issues),
      notes: Object.fromEntries(this.notes),
    };
  }
}

/**
 * Applies the run's policy to problems found while reading or replaying one input.
 *
 * ```ts
 * const integrity = new Integrity('strict', new IntegrityReport('a.csv', 'lobster'));
 * integrity.reject('malformed_row', 12, 'price', 'not a number: "x"', rawLine); // throws InputError
 * ```
 */
export class Integrity {
  constructor(
    readonly policy: IntegrityPolicy,
    readonly report: IntegrityReport,
    private readonly quarantine?: QuarantineSink,
  ) {}

  /**
   * A row that cannot be used as it is and cannot be repaired. Throws under `strict`;
   * otherwise counts it as skipped and, under `skip`, quarantines the raw row.
   */
  reject(kind: string, line: number, field: string, detail: string, raw: string, file = this.report.source): void {
    if (this.policy === 'strict') throw new InputError(file, line, field, detail);
    this.report.skipped++;
    const where = file === this.report.source ? `line ${line}` : `${file}:${line}`;
    this.report.count(kind, `${where}: ${field}: ${detail}`);
    if (this.policy === 'skip') this.quarantine?.write(file, line, `${kind}: ${field}: ${detail}`, raw);
  }

  /**
   * A row that breaks an invariant but has a documented repair. Throws under `strict`; under `repair`
   * counts the repair and returns true (apply it); under `skip` treats the row as rejected and returns false.
   */
  repair(kind: string, line: number, field: string, detail: string, raw: string): boolean {
    if (this.policy === 'repair') {
      this.report.repaired++;
      this.report.count(kind, `line ${line}: ${field}: ${detail}`);
      return true;
    }
    this.reject(kind, line, field, detail, raw);
    return false;
  }
}
