import type { FunctionUrlEvent } from '@frs/contracts/lambda';
import { createJsonLogger, type JsonLogger } from '@frs/runtime/logger';
import { z } from 'zod';
import type { MetricRecord, MetricsSink } from '../src/metrics.ts';

/** Root of the shared test data (`FRS_SHARED_DIR`, default `<repo>/../shared`). */
export const SHARED_DIR =
  process.env.FRS_SHARED_DIR ?? new URL('../../../../shared/', import.meta.url).pathname;

/** Path of a photo below `../shared/faces`. */
export function facePath(relative: string): string {
  return `${SHARED_DIR.replace(/\/?$/, '/')}faces/${relative}`;
}

/** A Function URL event as AWS builds it. */
export function makeEvent(method: string, rawPath: string, body?: unknown): FunctionUrlEvent {
  return {
    version: '2.0',
    rawPath,
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method } },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

/** A logger that keeps its lines for assertions. */
export function makeLogger(): { logger: JsonLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({
    service: 'test',
    level: 'debug',
    write: (l) => lines.push(JSON.parse(l)),
  });
  return { logger, lines };
}

const EmfMetric = z.object({
  Name: z.string().min(1).max(1024),
  Unit: z.enum(['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Count', 'Percent', 'None']).optional(),
});

/**
 * One CloudWatch Embedded Metric Format line, after the spec: `_aws` with a millisecond timestamp and
 * directives (namespace, dimension sets of at most 30 names, at most 100 metrics), every dimension a
 * string member of the root and every metric a number (or up to 100 numbers) there.
 */
export const EmfLine = z
  .looseObject({
    _aws: z.object({
      Timestamp: z.number().int().positive(),
      CloudWatchMetrics: z
        .array(
          z.object({
            Namespace: z.string().min(1).max(255),
            Dimensions: z.array(z.array(z.string().min(1)).max(30)),
            Metrics: z.array(EmfMetric).min(1).max(100),
          }),
        )
        .min(1),
    }),
  })
  .superRefine((line, ctx) => {
    for (const directive of line._aws.CloudWatchMetrics) {
      for (const name of directive.Dimensions.flat()) {
        if (typeof line[name] !== 'string') ctx.addIssue({ code: 'custom', message: `dimension ${name}` });
      }
      for (const { Name } of directive.Metrics) {
        if (!z.union([z.number(), z.array(z.number()).max(100)]).safeParse(line[Name]).success) {
          ctx.addIssue({ code: 'custom', message: `metric ${Name} has no numeric value` });
        }
      }
    }
  });

/** A parsed {@link EmfLine}. */
export type EmfLine = z.infer<typeof EmfLine>;

/** A metrics sink that keeps what handlers emit, as records. */
export function recordingMetrics(): { metrics: MetricsSink; records: MetricRecord[] } {
  const records: MetricRecord[] = [];
  return { metrics: { emit: (record) => records.push(record) }, records };
}
