import { z } from 'zod';

/** A metric value and its CloudWatch unit. */
export type Metric = readonly [value: number, unit: 'Count' | 'Milliseconds'];

/**
 * One request's metrics, written as one EMF line: `metrics` carry the `service` dimension only, `split`
 * metrics are also broken down by its dimensions (e.g. rejections by `code`).
 */
export interface MetricRecord {
  metrics?: Readonly<Record<string, Metric>>;
  split?: { dimensions: Readonly<Record<string, string>>; metrics: Readonly<Record<string, Metric>> };
}

/** Where a handler puts its metrics: {@link createEmfSink} in Lambda, a recording fake in tests. */
export interface MetricsSink {
  emit(record: MetricRecord): void;
}

/**
 * `FRS_METRICS_NAMESPACE`: CloudWatch's namespace rules (1–255 characters of `0-9A-Za-z._-/#:` and space,
 * not `AWS/…`).
 *
 * @example
 * ```ts
 * MetricsNamespace.parse(undefined); // 'FRS'
 * ```
 */
export const MetricsNamespace = z
  .string()
  .regex(/^(?!AWS\/)(?=.*\S)[\w.\-/#: ]{1,255}$/, 'must be a CloudWatch namespace (not AWS/…)')
  .default('FRS');

/**
 * Writes each record as one CloudWatch Embedded Metric Format line to stdout, where Lambda's log agent
 * (text or JSON log format: stdout is not wrapped) hands it to CloudWatch Logs, which extracts the metrics.
 *
 * @example
 * ```ts
 * const metrics = createEmfSink({ namespace: 'FRS', service: SERVICE });
 * metrics.emit({ metrics: { DetectorMs: [41.2, 'Milliseconds'] } });
 * ```
 */
export function createEmfSink(options: {
  namespace: string;
  service: string;
  write?: (line: string) => void;
  now?: () => number;
}): MetricsSink {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  return {
    emit({ metrics = {}, split }) {
      const root: Record<string, unknown> = { service: options.service, ...split?.dimensions };
      const directive = (dimensions: string[][], set: Readonly<Record<string, Metric>>) => {
        for (const [name, [value]] of Object.entries(set)) root[name] = value;
        const names = Object.entries(set).map(([Name, [, Unit]]) => ({ Name, Unit }));
        return { Namespace: options.namespace, Dimensions: dimensions, Metrics: names };
      };
      const directives = [];
      if (Object.keys(metrics).length > 0) directives.push(directive([['service']], metrics));
      if (split !== undefined) {
        const by = ['service', ...Object.keys(split.dimensions)];
        directives.push(directive([['service'], by], split.metrics));
      }
      if (directives.length === 0) return;
      write(JSON.stringify({ _aws: { Timestamp: now(), CloudWatchMetrics: directives }, ...root }));
    },
  };
}

const EmfMetric = z.object({
  Name: z.string().min(1).max(1024),
  Unit: z.enum(['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Count', 'Percent', 'None']).optional(),
});

/**
 * One CloudWatch Embedded Metric Format line, after the spec (what tests check emitted lines against): `_aws` with a millisecond timestamp and
 * directives (namespace, dimension sets of at most 30 names, at most 100 metrics), every dimension a
 * string member of the root and every metric a number (or up to 100 numbers) there.
 *
 * @example
 * ```ts
 * EmfLine.parse(JSON.parse(line));
 * ```
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

/**
 * A metrics sink that keeps what handlers emit, as records (for tests: inject it as `deps.metrics`).
 *
 * @example
 * ```ts
 * const { metrics, records } = recordingMetrics();
 * ```
 */
export function recordingMetrics(): { metrics: MetricsSink; records: MetricRecord[] } {
  const records: MetricRecord[] = [];
  return { metrics: { emit: (record) => records.push(record) }, records };
}
