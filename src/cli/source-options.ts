import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { INTEGRITY_POLICIES, type IntegrityPolicy } from '../core/integrity.js';
import type { EventSource } from '../core/source.js';
import { openSource } from '../io/index.js';
import { QuarantineFile } from '../io/quarantine.js';
import { openSourceInWorker } from '../io/worker-source.js';

/** Options every command that reads an input shares. */
export interface SourceOptions {
  format?: string;
  onError: string;
  quarantine?: string;
  date?: string;
  orderbook?: string | boolean;
  threads: string;
}

/** Adds the input options (--format, --on-error, --quarantine, --date, --orderbook/--no-orderbook). */
export function withSourceOptions(command: Command): Command {
  return command
    .option('--format <name>', 'input format (default: sniffed from the content; see `flowmine formats`)')
    .option('--on-error <policy>', 'bad rows: strict (stop with file:line: field), repair (fix and count), skip (quarantine and count)', 'strict')
    .option('--quarantine <file>', 'where --on-error skip writes the raw rows it sets aside (default: <input name>.quarantine.tsv)')
    .option('--date <YYYY-MM-DD>', 'trading date for inputs whose times are times of day (LOBSTER), when the file name lacks it')
    .option('--orderbook <file>', 'LOBSTER: the orderbook file (default: found beside the message file)')
    .option('--no-orderbook', 'LOBSTER: ignore the orderbook file')
    .option('--threads <n>', 'threads: 2 decodes the input in a worker while the book runs (default: 2 when the machine has two cores)', availableParallelism() > 1 ? '2' : '1');
}

/** Opens the input as the options say; returns the source and a function that closes its side files. */
export async function openInput(input: string, options: SourceOptions): Promise<{ source: EventSource; close: () => void }> {
  if (!INTEGRITY_POLICIES.includes(options.onError as IntegrityPolicy)) {
    throw new UsageError(`--on-error ${options.onError}: expected one of ${INTEGRITY_POLICIES.join(', ')}`);
  }
  if (options.threads !== '1' && options.threads !== '2') throw new UsageError(`--threads ${options.threads}: expected 1 or 2`);
  const policy = options.onError as IntegrityPolicy;
  const quarantinePath = policy === 'skip' ? (options.quarantine ?? `${basename(input)}.quarantine.tsv`) : undefined;
  const companion: string | false | undefined = options.orderbook === false ? false : typeof options.orderbook === 'string' ? options.orderbook : undefined;
  const openOptions = {
    ...(options.format !== undefined && { format: options.format }),
    ...(options.date !== undefined && { date: options.date }),
    ...(companion !== undefined && { companion }),
    policy,
  };
  if (options.threads === '2') return { source: await openSourceInWorker(input, { ...openOptions, ...(quarantinePath && { quarantinePath }) }), close: () => {} };
  const quarantine = quarantinePath ? new QuarantineFile(quarantinePath) : null;
  const source = await openSource(input, { ...openOptions, ...(quarantine && { quarantine }) });
  return { source, close: () => quarantine?.close() };
}
