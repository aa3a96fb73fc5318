import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { ColumnSpec, TableWriter } from '../core/table.js';
import type { InstrumentTable } from '../core/instrument.js';
import { DEFAULT_FEATURES, features, parseClock, parseFeatureList, runFeatures, type BarRows } from '../features/index.js';
import { floatsWriter, openTableWriter } from '../io/table/open.js';
import { Progress, stderrLine } from './progress.js';
import { integrityLine, writeRunReport } from './report-text.js';
import { largeOutput, openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface FeaturesOptions extends SourceOptions {
  features: string;
  clock: string;
  out: string;
  list?: boolean;
  report?: string;
}

export function featuresCommand(): Command {
  return withSourceOptions(
    new Command('features')
      .description('compute order-flow features over an input, one row per bar of the clock')
      .argument('[input]', 'market data file')
      .option('--features <list>', 'comma-separated features with optional :param=value (see --list)', DEFAULT_FEATURES)
      .option('--clock <clock>', 'bars: event, an interval (100ms, 1s, 10s), tick:N, volume:V, dollar:D, imbalance:N, run:N', 'event')
      .option('--out <file>', 'output: .csv, .jsonl or .parquet; - for CSV on standard output', '-')
      .option('--list', 'list the features, their parameters and columns')
      .option('--report <file>', 'write the integrity report and replay summary as JSON'),
  ).action(async (input: string | undefined, options: FeaturesOptions) => {
    if (options.list) return listFeatures();
    if (input === undefined) throw new UsageError('features: an input is required (or --list)');
    const requests = parseFeatureList(options.features);
    const clock = parseClock(options.clock);
    const { source, close } = await openInput(input, options, { batchAtATime: true });
    const progress = new Progress('features');
    const rows = new TableRows(source.instruments, requests.flatMap((request) => request.columns), (specs) => openTableWriter(options.out, specs, { thread: options.threads === '2', large: clock.kind === 'event' && largeOutput(input) }));
    let result;
    try {
      result = await runFeatures(source, requests, clock, rows, (count) => progress.add(count));
      rows.table();
    } finally {
      progress.stop();
      close();
      await rows.close();
    }
    if (options.report) writeRunReport(options.report, source, result.summary);
    if (options.out !== '-') stderrLine(integrityLine(source, result.summary, rows.written));
  });
}

/**
 * The bars as rows of a table: the time, the instrument when there are several, the features' values.
 * The table is opened at the first bar (the instruments are known by then). On a writer with a second
 * thread the features write their values straight onto its tape, without a copy.
 */
class TableRows implements BarRows {
  cells: Float64Array = new Float64Array(0);
  private writer: TableWriter | null = null;
  /** The table, when it takes cells in place (a writer thread's tape). */
  private tape: TableWriter | null = null;
  private writeFloats: (values: Float64Array) => void = () => {};
  private withInstrument = false;
  private inPlace = false;

  constructor(
    private readonly instruments: InstrumentTable,
    private readonly columns: readonly string[],
    private readonly open: (specs: ColumnSpec[]) => TableWriter,
  ) {}

  begin(instrument: number, ts: number, timeBaseNs: bigint): number {
    const writer = this.table();
    const tape = this.tape;
    // The whole row in one call where it can go (no instrument column), else the time cell by itself.
    const row = tape !== null ? tape.rowSlots!(timeBaseNs) : -1;
    if (row >= 0) {
      const cellSlot = tape!.cellSlot!;
      this.cells[row + cellSlot[0]!] = ts;
      this.inPlace = true;
      return row + cellSlot[1]!;
    }
    writer.epochNs(timeBaseNs, ts);
    if (this.withInstrument) writer.text(this.instruments.get(instrument).symbol);
    const at = tape !== null ? tape.cellSlots!('float', this.columns.length) : -1;
    this.inPlace = at >= 0;
    return at;
  }

  end(values: Float64Array): void {
    if (!this.inPlace) this.writeFloats(values);
    this.writer!.endRow();
  }

  /** Rows written. */
  get written(): number {
    return this.writer?.rows ?? 0;
  }

  /** The table, opened now when there was no bar (an empty table still has its header). */
  table(): TableWriter {
    return this.writer ?? this.start();
  }

  /** Closes the table, if it was opened. */
  async close(): Promise<void> {
    await this.writer?.close();
  }

  private start(): TableWriter {
    this.withInstrument = this.instruments.size > 1;
    const specs: ColumnSpec[] = [{ name: 'ts_ns', type: 'epoch_ns' }];
    if (this.withInstrument) specs.push({ name: 'instrument', type: 'text' });
    for (const name of this.columns) specs.push({ name, type: 'float' });
    const writer = (this.writer = this.open(specs));
    this.writeFloats = floatsWriter(writer);
    if (writer.cellSlots && writer.rowSlots && writer.cells) {
      this.tape = writer;
      this.cells = writer.cells;
    }
    return writer;
  }
}

function listFeatures(): void {
  for (const definition of features.all()) {
    const params = definition.params.map((param) => `${param.name}=${param.default}`).join(':');
    const defaults = Object.fromEntries(definition.params.map((param) => [param.name, param.default]));
    process.stdout.write(`${definition.name}${params ? `:${params}` : ''}\n  ${definition.doc}\n  columns: ${definition.columns(defaults).join(', ')}\n`);
    for (const param of definition.params) process.stdout.write(`  ${param.name}: ${param.doc}\n`);
  }
}
