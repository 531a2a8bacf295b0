/** One `frs` sub-command. Each lives in `src/commands/<name>.ts` and is listed in `src/commands/index.ts`. */
export interface Command {
  name: string;
  /** Other names the command answers to (not listed by `frs --help`). */
  aliases?: readonly string[];
  /** One line for `frs --help`. */
  summary: string;
  /** Full usage text for `frs <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(argv: readonly string[]): Promise<number>;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
