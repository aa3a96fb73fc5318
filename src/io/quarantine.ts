import { closeSync, openSync, writeSync } from 'node:fs';
import type { QuarantineSink } from '../core/integrity.js';

/**
 * The side file of rows set aside under `--on-error skip`: tab-separated `source, line, reason, raw`,
 * with a header, one row per skipped input row, the raw row exactly as read (tabs and newlines escaped).
 */
export class QuarantineFile implements QuarantineSink {
  private fd: number | null = null;
  rows = 0;

  constructor(readonly path: string) {}

  write(source: string, line: number, reason: string, raw: string): void {
    if (this.fd === null) {
      this.fd = openSync(this.path, 'w');
      writeSync(this.fd, 'source\tline\treason\traw\n');
    }
    writeSync(this.fd, `${escape(source)}\t${line}\t${escape(reason)}\t${escape(raw)}\n`);
    this.rows++;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
