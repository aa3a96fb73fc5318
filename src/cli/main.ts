import { Command, CommanderError } from 'commander';
import { FlowmineError } from '../core/errors.js';
import { formats } from '../io/index.js';
import { demoCommand } from './demo.js';
import { detectCommand } from './detect.js';
import { evalDetectCommand } from './eval-detect.js';
import { intentCommand } from './intent.js';
import { featuresCommand } from './features.js';
import { footprintCommand } from './footprint.js';
import { ingestCommand } from './ingest.js';
import { inspectCommand } from './inspect.js';
import { replayCommand } from './replay.js';
import { factsCommand, simCommand } from './sim.js';
import { plantCommand } from './plant.js';
import { sqlCommand } from './sql.js';
import { mineCommand } from './mine.js';

/** Builds the `flowmine` command line. */
export function program(): Command {
  const root = new Command('flowmine')
    .description('order flow data mining: exact order books, order-flow features, manipulation detection')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  root.addCommand(demoCommand().exitOverride());
  root.addCommand(mineCommand().exitOverride());
  root.addCommand(replayCommand().exitOverride());
  root.addCommand(inspectCommand().exitOverride());
  root.addCommand(ingestCommand().exitOverride());
  root.addCommand(sqlCommand().exitOverride());
  root.addCommand(featuresCommand().exitOverride());
  root.addCommand(detectCommand().exitOverride());
  root.addCommand(evalDetectCommand().exitOverride());
  root.addCommand(intentCommand().exitOverride());
  root.addCommand(footprintCommand().exitOverride());
  root.addCommand(simCommand().exitOverride());
  root.addCommand(factsCommand().exitOverride());
  root.addCommand(plantCommand().exitOverride());
  root.addCommand(
    new Command('formats').description('list the input formats flowmine reads').action(() => {
      for (const format of formats.all()) process.stdout.write(`${format.name.padEnd(18)} ${format.granularity.padEnd(7)} ${format.description}\n`);
    }),
  );
  return root;
}

/** Runs the CLI; every failure ends as one line on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    // The reader of our output went away (`| head`): stop quietly, as Unix tools do.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    if (error instanceof FlowmineError) {
      process.stderr.write(`flowmine: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`flowmine: internal error: ${message}${process.env.FLOWMINE_DEBUG ? '' : ' (set FLOWMINE_DEBUG=1 for a stack trace)'}\n`);
    if (process.env.FLOWMINE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
