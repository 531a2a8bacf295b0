import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { CliError } from './errors.ts';

/** One `frs` sub-command. Each lives in `src/commands/<name>.ts` and is listed in `src/commands/index.ts`. */
export interface Command {
  name: string;
  /** Other names the command answers to (not listed by `frs --help`). */
  aliases?: readonly string[];
  /** One line for `frs --help`. */
  summary: string;
  /** Full usage text for `frs <name> --help`. */
  usage: string;
  /** The long flags it takes (`--json`, …), from its option table. */
  flags: readonly string[];
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(argv: readonly string[]): Promise<number>;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends CliError {
  override readonly code = 'usage';
}

/**
 * The typed `values` and `positionals` that `parseArgs` gives for an option table `O`.
 *
 * @example
 * ```ts
 * type Args = ParsedArgs<{ json: { type: 'boolean'; default: false } }>; // { values: { json: boolean }; … }
 * ```
 */
export type ParsedArgs<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/** What a sub-command declares: its help texts, its option table and what it does with the parsed flags. */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  name: string;
  /** Other names the command answers to (not listed by `frs --help`). */
  aliases?: readonly string[];
  summary: string;
  usage: string;
  /** `node:util` `parseArgs` options; the flags' types follow from it. */
  options: O;
  /** Whether arguments without a flag are allowed (default true). */
  positionals?: boolean;
  run(args: ParsedArgs<O>): Promise<number>;
}

/**
 * Builds a {@link Command} from its option table: parses the arguments strictly and turns a parse mistake
 * (an unknown flag, a missing value, an unexpected positional) into a {@link UsageError}, so every command
 * answers it the same way (the usage text, exit code 2).
 *
 * @example
 * ```ts
 * export const hello = defineCommand({
 *   name: 'hello',
 *   summary: 'greet someone',
 *   usage: 'Usage: frs hello [--name <who>]',
 *   options: { name: { type: 'string', default: 'world' } },
 *   async run({ values }) {
 *     console.log(`hello ${values.name}`);
 *     return 0;
 *   },
 * });
 * ```
 */
export function defineCommand<const O extends ParseArgsOptionsConfig>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    ...(spec.aliases === undefined ? {} : { aliases: spec.aliases }),
    summary: spec.summary,
    usage: spec.usage,
    flags: Object.keys(spec.options).map((name) => `--${name}`),
    async run(argv) {
      let parsed: ParsedArgs<O>;
      try {
        parsed = parseArgs({
          args: [...argv],
          options: spec.options,
          allowPositionals: spec.positionals ?? true,
          strict: true,
        });
      } catch (error) {
        // node:util reports these as TypeError with an ERR_PARSE_ARGS_* code; they are the user's mistake.
        if (error instanceof TypeError && /^ERR_PARSE_ARGS_/.test(String(Reflect.get(error, 'code')))) {
          throw new UsageError(error.message, { cause: error });
        }
        throw error;
      }
      return spec.run(parsed);
    },
  };
}

/**
 * `--sign` / `--no-sign`, read by `shouldSign()`: every command that calls a Function URL takes both.
 *
 * @example
 * ```ts
 * defineCommand({ …, options: { url: { type: 'string' }, ...signOptions }, async run({ values }) { … } });
 * ```
 */
export const signOptions = {
  sign: { type: 'boolean' },
  'no-sign': { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig;

/**
 * `--json`: machine-readable output on stdout.
 *
 * @example
 * ```ts
 * defineCommand({ …, options: { ...jsonOption }, async run({ values }) { if (values.json) … } });
 * ```
 */
export const jsonOption = {
  json: { type: 'boolean', default: false },
} as const satisfies ParseArgsOptionsConfig;
