import { InstrumentTable } from '../core/instrument.js';
import { Integrity, IntegrityReport } from '../core/integrity.js';
import type { OpenOptions } from '../core/source.js';

/** What every file reader starts with: its path, its instrument table and its integrity account. */
export abstract class ReaderBase {
  readonly instruments = new InstrumentTable();
  readonly integrity: Integrity;

  constructor(
    readonly path: string,
    readonly format: string,
    protected readonly options: OpenOptions,
  ) {
    this.integrity = new Integrity(options.policy ?? 'strict', new IntegrityReport(path, format), options.quarantine);
  }

  /** Rows per batch the options ask for. */
  get batchRows(): number {
    return this.options.batchRows ?? 8192;
  }
}
