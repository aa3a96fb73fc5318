import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { INTEGRITY_POLICIES, type IntegrityPolicy } from '../core/integrity.js';
import type { EventSource } from '../core/source.js';
import { openSource } from '../io/index.js';
import { QuarantineFile } from '../io/quarantine.js';
// Defines the input formats that live outside io (a simulation scenario): every command reads them.
import './formats.js';

/** Options every command that reads an input shares. */
export interface SourceOptions {
  format?: string;
  onError: string;
  quarantine?: string;
  date?: string;
  orderbook?: string | boolean;
  threads: string;
  /** Dataset inputs: comma-separated venues, symbols; a time window [from, to). */
  venue?: string;
  symbol?: string;
  from?: string;
  to?: string;
}

/** What a command needs of its input beyond the options. */
export interface InputNeeds {
  /** The command works on one instrument: a dataset selection of several is a usage error. */
  singleInstrument?: boolean;
  /** The command reads each batch only until it asks for the next: their columns may be reused. */
  batchAtATime?: boolean;
  /** False when the command never uses price ticks: ticks the data does not state are then not inferred. */
  ticks?: boolean;
}

/** Adds the input options (--format, --on-error, --quarantine, --date, --orderbook/--no-orderbook, and the dataset filters). */
export function withSourceOptions(command: Command): Command {
  return command
    .option('--format <name>', 'input format (default: sniffed from the content; see `flowmine formats`)')
    .option('--on-error <policy>', 'bad rows: strict (stop with file:line: field), repair (fix and count), skip (quarantine and count)', 'strict')
    .option('--quarantine <file>', 'where --on-error skip writes the raw rows it sets aside (default: <input name>.quarantine.tsv)')
    .option('--date <YYYY-MM-DD>', 'trading date for inputs whose times are times of day (LOBSTER), when the file name lacks it')
    .option('--orderbook <file>', 'LOBSTER: the orderbook file (default: found beside the message file)')
    .option('--no-orderbook', 'LOBSTER: ignore the orderbook file')
    .option('--threads <n>', 'threads: 2 formats the CSV and JSONL output of replay, features and footprint in a second thread while this one reads and computes; 1 does all in one', '2')
    .option('--venue <names>', 'dataset input: only these venues (comma-separated)')
    .option('--symbol <names>', 'dataset input: only these symbols (comma-separated)')
    .option('--from <time>', 'dataset input: updates at or after this time (ISO 8601, UTC unless a zone is given, or epoch ns)')
    .option('--to <time>', 'dataset input: updates before this time (ISO 8601 or epoch ns)');
}

/**
 * Opens the input as the options say: a file in its format, or a dataset folder (`flowmine ingest`) with the
 * filters; returns the source and a function that closes its side files.
 */
export async function openInput(input: string, options: SourceOptions, needs: InputNeeds = {}): Promise<{ source: EventSource; close: () => void }> {
  if (!INTEGRITY_POLICIES.includes(options.onError as IntegrityPolicy)) {
    throw new UsageError(`--on-error ${options.onError}: expected one of ${INTEGRITY_POLICIES.join(', ')}`);
  }
  if (options.threads !== '1' && options.threads !== '2') throw new UsageError(`--threads ${options.threads}: expected 1 or 2`);
  const policy = options.onError as IntegrityPolicy;
  if (isFolder(input)) return { source: await openDatasetInput(input, options, policy, needs), close: () => {} };
  const filters = (['venue', 'symbol', 'from', 'to'] as const).filter((name) => options[name] !== undefined);
  if (filters.length > 0) throw new UsageError(`${filters.map((name) => `--${name}`).join(', ')}: only for a dataset folder input; ${input} is a file`);
  const quarantinePath = policy === 'skip' ? (options.quarantine ?? `${basename(input)}.quarantine.tsv`) : undefined;
  const companion: string | false | undefined = options.orderbook === false ? false : typeof options.orderbook === 'string' ? options.orderbook : undefined;
  const openOptions = {
    ...(options.format !== undefined && { format: options.format }),
    ...(options.date !== undefined && { date: options.date }),
    ...(companion !== undefined && { companion }),
    ...(needs.ticks === false && { inferTicks: false }),
    policy,
  };
  const recycleBatches = needs.batchAtATime === true;
  const quarantine = quarantinePath ? new QuarantineFile(quarantinePath) : null;
  const source = await openSource(input, { ...openOptions, ...(quarantine && { quarantine }), recycleBatches });
  return { source, close: () => quarantine?.close() };
}

/** Input bytes on disk from which a row per update makes a large output (see `largeOutput`). */
const LARGE_INPUT_BYTES = 16 << 20;

/**
 * Whether a command that writes a row per update of `input` will write a large table: the input is at
 * least 16 MiB on disk (a dataset folder: its files). Such a table's writer thread starts with its first
 * row (`TableWriterOptions.large`); below that, a writer thread started for nothing costs more than it
 * saves (AMZN ×3, 7 MB: even; the Binance capture, 3.6 MB: 70 ms slower).
 */
export function largeOutput(input: string): boolean {
  try {
    const stat = statSync(input);
    if (!stat.isDirectory()) return stat.size >= LARGE_INPUT_BYTES;
    let bytes = 0;
    for (const name of readdirSync(input, { recursive: true, encoding: 'utf8' })) {
      const entry = statSync(join(input, name));
      if (entry.isFile()) bytes += entry.size;
      if (bytes >= LARGE_INPUT_BYTES) return true;
    }
    return false;
  } catch {
    return false;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A dataset folder as a source; the store is loaded only for such inputs. */
async function openDatasetInput(input: string, options: SourceOptions, policy: IntegrityPolicy, needs: InputNeeds): Promise<EventSource> {
  const { isDatasetFolder } = await import('../store/dataset.js');
  if (!isDatasetFolder(input)) throw new UsageError(`${input}: a folder, but not a dataset (no venue=… folders; see flowmine ingest)`);
  const fileOnly = [options.format !== undefined && '--format', options.date !== undefined && '--date', typeof options.orderbook === 'string' && '--orderbook'].filter(Boolean);
  if (fileOnly.length > 0) throw new UsageError(`${fileOnly.join(', ')}: not for a dataset (it keeps what its inputs were read with)`);
  const { listOption, parseTimeNs } = await import('../store/dataset-filter.js');
  const { openDataset } = await import('../store/dataset-source.js');
  const venues = listOption(options.venue);
  const symbols = listOption(options.symbol);
  const filter = {
    ...(venues && { venues }),
    ...(symbols && { symbols }),
    ...(options.from !== undefined && { fromNs: parseTimeNs(options.from, '--from') }),
    ...(options.to !== undefined && { toNs: parseTimeNs(options.to, '--to') }),
  };
  return openDataset(input, { policy, filter, ...(needs.singleInstrument && { singleInstrument: true }), recycleBatches: needs.batchAtATime === true });
}
