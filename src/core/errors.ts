/**
 * Errors that reach users. Each renders as one line naming what was wrong and where;
 * the CLI prints `message` and exits non-zero, never a stack trace.
 */
export class FlowmineError extends Error {
  override readonly name: string = 'FlowmineError';
}

/** Bad input at a known place: `file:line: field: detail` (`file: field: detail` when no line applies, line 0). */
export class InputError extends FlowmineError {
  override readonly name = 'InputError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${field}: ${detail}`);
  }
}

/** A wrong option or argument, e.g. an unknown format name. */
export class UsageError extends FlowmineError {
  override readonly name = 'UsageError';
}
