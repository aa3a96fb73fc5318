import { basename } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { INTEGRITY_POLICIES, type IntegrityPolicy } from '../core/integrity.js';
import type { EventSource } from '../core/source.js';
import { openSource } from '../io/index.js';
import { QuarantineFile } from '../io/quarantine.js';

/** Options every command that reads an input shares. */
export interface SourceOptions {
  format?: string;
  onError: string;
  quarantine?: string;
  date?: string;
  orderbook?: string | boolean;
}

/** Adds the input options (--format, --on-error, --quarantine, --date, --orderbook/--no-orderbook). */
export function withSourceOptions(command: Command): Command {
  return command
    .option('--format <name>', 'input format (default: sniffed from the content; see `flowmine formats`)')
    .option('--on-error <policy>', 'bad rows: strict (stop with file:line: field), repair (fix and count), skip (quarantine and count)', 'strict')
    .option('--quarantine <file>', 'where --on-error skip writes the raw rows it sets aside (default: <input name>.quarantine.tsv)')
    .option('--date <YYYY-MM-DD>', 'trading date for inputs whose times are times of day (LOBSTER), when the file name lacks it')
    .option('--orderbook <file>', 'LOBSTER: the orderbook file (default: found beside the message file)')
    .option('--no-orderbook', 'LOBSTER: ignore the orderbook file');
}

/** Opens the input as the options say; returns the source and a function that closes its side files. */
export async function openInput(input: string, options: SourceOptions): Promise<{ source: EventSource; close: () => void; quarantine: QuarantineFile | null }> {
  if (!INTEGRITY_POLICIES.includes(options.onError as IntegrityPolicy)) {
    throw new UsageError(`--on-error ${options.onError}: expected one of ${INTEGRITY_POLICIES.join(', ')}`);
  }
  const policy = options.onError as IntegrityPolicy;
  const quarantine = policy === 'skip' ? new QuarantineFile(options.quarantine ?? `${basename(input)}.quarantine.tsv`) : null;
  const companion = options.orderbook === false ? false : typeof options.orderbook === 'string' ? options.orderbook : undefined;
  const source = await openSource(input, {
    ...(options.format !== undefined && { format: options.format }),
    ...(options.date !== undefined && { date: options.date }),
    ...(companion !== undefined && { companion }),
    ...(quarantine && { quarantine }),
    policy,
  });
  return { source, quarantine, close: () => quarantine?.close() };
}
