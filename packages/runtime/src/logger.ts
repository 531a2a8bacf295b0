import { z } from 'zod';

/**
 * Severity levels, lowest first.
 *
 * @example
 * ```ts
 * LOG_LEVELS.indexOf('warn'); // 2
 * ```
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The `LOG_LEVEL` environment variable of every function: one of {@link LOG_LEVELS} in any case, or unset
 * (`info`). A typo fails the cold start instead of silently logging at another level.
 *
 * @example
 * ```ts
 * z.object({ LOG_LEVEL: LogLevelSetting }).parse({ LOG_LEVEL: 'WARN' }); // { LOG_LEVEL: 'warn' }
 * ```
 */
export const LogLevelSetting = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }))
  .optional();

/** Structured logger: the `Logger` shape `@frs/vision` accepts. */
export interface JsonLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): JsonLogger;
}

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  level?: string | undefined;
  service: string;
  /** Where lines go; defaults to stdout (what CloudWatch Logs reads). */
  write?: (line: string) => void;
}

function isLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

const MAX_CAUSE_MESSAGE = 500;

// Only the outer error keeps its stack; causes (often validation reports) are shortened so one bad
// record cannot flood the log.
function serialise(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) return value;
  const message =
    depth > 0 && value.message.length > MAX_CAUSE_MESSAGE
      ? `${value.message.slice(0, MAX_CAUSE_MESSAGE)}…`
      : value.message;
  return {
    name: value.name,
    message,
    ...(value.cause === undefined ? {} : { cause: serialise(value.cause, depth + 1) }),
    ...(depth === 0 ? { stack: value.stack } : {}),
  };
}

/**
 * A tiny structured logger: one JSON object per line with `level`, `time`, `service`, `message` and the
 * extra fields. Errors are expanded (name, message, cause, stack) because `JSON.stringify` drops them.
 *
 * @example
 * ```ts
 * const log = createJsonLogger({ service: 'frs-detector', level: process.env.LOG_LEVEL });
 * log.info('job queued', { request_id: 'cam-1', faces: 2 });
 * ```
 */
export function createJsonLogger(
  options: JsonLoggerOptions,
  fields: Record<string, unknown> = {},
): JsonLogger {
  const requested = options.level?.toLowerCase() ?? 'info';
  const minimum = LOG_LEVELS.indexOf(isLevel(requested) ? requested : 'info');
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel, message: string, extra?: Record<string, unknown>): void => {
    if (LOG_LEVELS.indexOf(level) < minimum) return;
    const entry: Record<string, unknown> = {
      level,
      time: new Date().toISOString(),
      service: options.service,
      message,
      ...fields,
    };
    for (const [key, value] of Object.entries(extra ?? {})) entry[key] = serialise(value);
    write(JSON.stringify(entry));
  };
  return {
    debug: (message, extra) => emit('debug', message, extra),
    info: (message, extra) => emit('info', message, extra),
    warn: (message, extra) => emit('warn', message, extra),
    error: (message, extra) => emit('error', message, extra),
    child: (more) => createJsonLogger(options, { ...fields, ...more }),
  };
}

/**
 * A debug-level logger that keeps every line, parsed (for tests that assert what a handler logged).
 *
 * @example
 * ```ts
 * const { logger, lines } = recordingLogger();
 * logger.warn('refused', { code: 'x' }); // lines[0].message === 'refused'
 * ```
 */
export function recordingLogger(): { logger: JsonLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({
    service: 'test',
    level: 'debug',
    write: (l) => lines.push(JSON.parse(l)),
  });
  return { logger, lines };
}
