import { Command, CommanderError } from 'commander';
import { FlowmineError } from '../core/errors.js';

/**
 * Every command, in the order `--help` lists them, with the module that defines it. A run loads only its
 * own command's module (and what that imports): in the CLI bundle (scripts/bundle.mjs) the other
 * commands' modules, the simulator, the detectors and the store never run their top level.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./demo.js')).demoCommand(),
  mine: async () => (await import('./mine.js')).mineCommand(),
  replay: async () => (await import('./replay.js')).replayCommand(),
  inspect: async () => (await import('./inspect.js')).inspectCommand(),
  ingest: async () => (await import('./ingest.js')).ingestCommand(),
  sql: async () => (await import('./sql.js')).sqlCommand(),
  features: async () => (await import('./features.js')).featuresCommand(),
  detect: async () => (await import('./detect.js')).detectCommand(),
  'eval-detect': async () => (await import('./eval-detect.js')).evalDetectCommand(),
  intent: async () => (await import('./intent.js')).intentCommand(),
  footprint: async () => (await import('./footprint.js')).footprintCommand(),
  sim: async () => (await import('./sim.js')).simCommand(),
  facts: async () => (await import('./sim.js')).factsCommand(),
  plant: async () => (await import('./plant.js')).plantCommand(),
  formats: async () => (await import('./formats.js')).formatsCommand(),
};

/**
 * Builds the `flowmine` command line for `argv`: with only the named command when argv names one, with
 * every command otherwise (help, or a name to reject with the list).
 */
export async function program(argv: string[] = []): Promise<Command> {
  const root = new Command('flowmine')
    .description('order flow data mining: exact order books, order-flow features, manipulation detection')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const named = argv[2];
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  for (const command of await Promise.all(names.map((name) => COMMANDS[name]!()))) root.addCommand(command.exitOverride());
  return root;
}

/** Runs the CLI; every failure ends as one line on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await (await program(argv)).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    // The reader of our output went away (`| head`): stop quietly, as Unix tools do.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    if (error instanceof FlowmineError) {
      process.stderr.write(`flowmine: ${error.message}\n`);
      return 2;
    }
    const files = fileError(error);
    if (files) {
      process.stderr.write(`flowmine: ${files}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`flowmine: internal error: ${message}${process.env.FLOWMINE_DEBUG ? '' : ' (set FLOWMINE_DEBUG=1 for a stack trace)'}\n`);
    if (process.env.FLOWMINE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

/** What file system errors mean, in words. */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files',
};

/** A file system error naming its path (an output folder that does not exist, a full disk) as one line. */
function fileError(error: unknown): string | null {
  const { code, path } = error as NodeJS.ErrnoException;
  const meaning = code === undefined ? undefined : FILE_ERRORS[code];
  return meaning !== undefined && path !== undefined ? `${path}: ${meaning}` : null;
}
