import { Command } from 'commander';
import { Replayer, type ReplaySummary } from '../book/replay.js';
import { ACTION_SLOTS, actionName } from '../core/event.js';
import { formatUnits } from '../core/decimal.js';
import { isoNs } from '../core/time.js';
import type { EventSource } from '../core/source.js';
import { Progress } from './progress.js';
import { openInput, withSourceOptions, type SourceOptions } from './source-options.js';

interface InspectOptions extends SourceOptions {
  json?: boolean;
}

/** What `flowmine inspect` finds in an input. */
export interface Inspection {
  file: string;
  format: string;
  granularity: string;
  instruments: { venue: string; symbol: string; priceDecimals: number; sizeDecimals: number; tick: string }[];
  events: number;
  firstEventTime: string | null;
  lastEventTime: string | null;
  actions: Record<string, number>;
  integrity: object;
  replay: ReplaySummary;
}

export function inspectCommand(): Command {
  return withSourceOptions(
    new Command('inspect')
      .description('report format, instruments, time range, counts by action and the integrity of an input')
      .argument('<input>', 'market data file, or a dataset folder (flowmine ingest; select with --venue, --symbol, --from, --to)')
      .option('--json', 'print the report as JSON'),
  ).action(async (input: string, options: InspectOptions) => {
    const { source, close } = await openInput(input, options, { batchAtATime: true });
    let inspection: Inspection;
    try {
      inspection = await inspect(source);
    } finally {
      close();
    }
    process.stdout.write(options.json ? JSON.stringify(inspection, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n' : describe(inspection));
  });
}

/** Reads a whole source: counts, time range, integrity, and a replay through its book. */
export async function inspect(source: EventSource): Promise<Inspection> {
  const counts = new Float64Array(ACTION_SLOTS);
  let first = NaN;
  let last = NaN;
  let base = 0n;
  let events = 0;
  const replayer = Replayer.for(source);
  const progress = new Progress('inspect');
  try {
    for await (const batch of source.batches()) {
      base = batch.timeBaseNs;
      for (let i = 0; i < batch.length; i++) {
        counts[batch.action[i]!]++;
        const ts = batch.tsEvent[i]!;
        if (!Number.isNaN(ts)) {
          if (Number.isNaN(first)) first = ts;
          last = ts;
        }
      }
      events += batch.length;
      replayer.push(batch);
      progress.add(batch.length);
    }
  } finally {
    progress.stop();
  }
  const replay = replayer.finish();
  const actions: Record<string, number> = {};
  for (let code = 1; code < ACTION_SLOTS; code++) if (counts[code]! > 0) actions[actionName(code)] = counts[code]!;
  return {
    file: source.path,
    format: source.format,
    granularity: source.granularity,
    instruments: source.instruments.list.map(({ venue, symbol, priceDecimals, sizeDecimals, tickUnits }) => ({ venue, symbol, priceDecimals, sizeDecimals, tick: formatUnits(tickUnits, priceDecimals) })),
    events,
    firstEventTime: Number.isNaN(first) ? null : isoNs(base + BigInt(first)),
    lastEventTime: Number.isNaN(last) ? null : isoNs(base + BigInt(last)),
    actions,
    integrity: source.integrity.report.toJSON(),
    replay,
  };
}

function describe(inspection: Inspection): string {
  const integrity = inspection.integrity as { rowsRead: number; accepted: number; repaired: number; skipped: number; issues: Record<string, { count: number; examples: string[] }>; notes: Record<string, number> };
  const lines = [
    `file         ${inspection.file}`,
    `format       ${inspection.format} (${inspection.granularity})`,
    `instruments  ${inspection.instruments.map((i) => `${i.venue}:${i.symbol} (tick ${i.tick})`).join(', ')}`,
    `time range   ${inspection.firstEventTime ?? '-'} .. ${inspection.lastEventTime ?? '-'}`,
    `events       ${inspection.events}  (${Object.entries(inspection.actions).map(([name, n]) => `${name} ${n}`).join(', ')})`,
    `rows         ${integrity.rowsRead} read, ${integrity.accepted} accepted, ${integrity.repaired} repaired, ${integrity.skipped} skipped`,
    `book         ${inspection.replay.updates} complete updates, crossed or locked after ${inspection.replay.crossedUpdates}` +
      (inspection.replay.crossedUpdates ? ` (${inspection.replay.crossedWhileNotTrading} while the venue was not matching continuously)` : '') +
      (inspection.replay.openOrders ? `, ${inspection.replay.openOrders} orders open at the end` : ''),
  ];
  for (const [kind, entry] of Object.entries(integrity.issues)) lines.push(`issue        ${kind}: ${entry.count} (e.g. ${entry.examples[0] ?? ''})`);
  for (const [kind, n] of Object.entries(integrity.notes)) if (n) lines.push(`note         ${kind}: ${n}`);
  return lines.join('\n') + '\n';
}
