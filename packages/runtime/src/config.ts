import type { z } from 'zod';

/**
 * Parses a function's environment against its schema once, at cold start, and reports every invalid
 * variable in one message (`invalid <what> configuration: A: …; B: …`), through the function's own error.
 *
 * @param fail - builds the function's config error from the message and the zod error (its `cause`).
 * @throws whatever `fail` returns, when any variable is invalid.
 * @example
 * ```ts
 * const env = parseEnvironment(DetectorEnv, process.env, 'detector', (m, o) => new DetectorConfigError(m, o));
 * ```
 */
export function parseEnvironment<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  what: string,
  fail: (message: string, options: { cause: z.ZodError }) => Error,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw fail(`invalid ${what} configuration: ${problems}`, { cause: parsed.error });
}
