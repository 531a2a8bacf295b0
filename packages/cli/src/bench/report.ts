import { z } from 'zod';

const Summary = z.object({ n: z.number(), p50: z.number(), p95: z.number(), p99: z.number() });

/** Cold start and memory of one Lambda function, each invocation in a fresh process. */
export const FunctionFigures = z.object({
  /** Spawn of the process to its first result, without the warm invocations' time. */
  coldStartMs: z.number(),
  /** Node's time origin to the first result: what the runtime's init + first invoke costs. */
  processStartToFirstResultMs: z.number(),
  importMs: z.number(),
  firstInvocationMs: z.number(),
  warmInvocationMs: Summary,
  peakRssMiB: z.number(),
});
export type FunctionFigures = z.infer<typeof FunctionFigures>;

/** The soak run through the local stack, with the stack's RSS sampled every 5 s. */
export const SoakFigures = z.object({
  seconds: z.number(),
  rate: z.number(),
  requests: z.number(),
  answered: z.number(),
  lost: z.number(),
  failures: z.number(),
  latencyMs: Summary,
  // null when the soak was too short for one 5 s sample (JSON has no NaN).
  rssMiBFirstThirdMedian: z.number().nullable(),
  rssMiBLastThirdMedian: z.number().nullable(),
  rssMiBMax: z.number().nullable(),
  rssSamples: z.array(z.object({ t: z.number(), rssMiB: z.number() })),
});
export type SoakFigures = z.infer<typeof SoakFigures>;

/** `.frs/bench.json`: every figure of one `pnpm bench` run. */
export const BenchReport = z.object({
  machine: z.object({
    cpus: z.number(),
    model: z.string().optional(),
    memoryGiB: z.number(),
    node: z.string(),
  }),
  date: z.string(),
  /** The vision benchmark's per-stage table, verbatim; absent with `--skip-stages`. */
  stages: z.string().optional(),
  functions: z.object({ detector: FunctionFigures, recognizer: FunctionFigures }),
  /** Frames per second by concurrency: `c1`, `c2`, `c4`. */
  framesPerSecond: z.record(z.string(), z.number()),
  soak: SoakFigures,
});
export type BenchReport = z.infer<typeof BenchReport>;

/**
 * The README's table of service-level figures.
 *
 * @example
 * ```ts
 * process.stdout.write(`${renderMarkdown(report, 40)}\n`);
 * ```
 */
export function renderMarkdown(report: BenchReport, loadIterations: number): string {
  const lines = ['| figure | value |', '|---|---|'];
  for (const [fn, f] of Object.entries(report.functions)) {
    lines.push(`| ${fn} cold start (spawn → first result) | ${f.coldStartMs} ms |`);
    lines.push(
      `| ${fn} first invocation / warm p50 | ${f.firstInvocationMs} / ${f.warmInvocationMs.p50} ms |`,
    );
    lines.push(`| ${fn} peak RSS after ${loadIterations} invocations | ${f.peakRssMiB} MiB |`);
  }
  for (const [c, v] of Object.entries(report.framesPerSecond))
    lines.push(`| frames/s through local stack, concurrency ${c.slice(1)} | ${v} |`);
  const soak = report.soak;
  lines.push(
    `| soak ${soak.seconds} s at ${soak.rate}/s: answered / lost | ${soak.answered} of ${soak.requests} / ${soak.lost} |`,
  );
  lines.push(
    `| soak latency p50 / p95 / p99 | ${soak.latencyMs.p50} / ${soak.latencyMs.p95} / ${soak.latencyMs.p99} ms |`,
  );
  lines.push(
    `| soak stack RSS first third → last third (max) | ${soak.rssMiBFirstThirdMedian} → ${soak.rssMiBLastThirdMedian} MiB (${soak.rssMiBMax}) |`,
  );
  return lines.join('\n');
}
