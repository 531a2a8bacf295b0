import { NO_FACE, type RecognitionResult, UNKNOWN } from '@frs/contracts/result';
import { z } from 'zod';

// The EMF emitter (up to `createEmfSink`) is the same in the detector, recognizer and enroller: about 40
// lines, so a copy each costs less than a shared package or a new dependency edge (see the README).

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

/** The `service` dimension (and log field) of the recognizer. */
export const SERVICE = 'frs-recognizer';

/**
 * Metrics of a recognised job: recognizer and queue time, faces named and unknown (their ratio is the
 * unknown rate), and the job's outcome (`known`, `unknown`, `no_face`) as a dimension.
 *
 * @example
 * ```ts
 * deps.metrics.emit(resultMetrics(result));
 * ```
 */
export function resultMetrics(result: RecognitionResult): MetricRecord {
  const unknown = result.faces.filter((face) => face.name === UNKNOWN).length;
  const outcome = result.result === NO_FACE ? 'no_face' : result.result === UNKNOWN ? 'unknown' : 'known';
  return {
    metrics: {
      RecognizerMs: [result.timing.recognizer_ms, 'Milliseconds'],
      QueueMs: [result.timing.queue_ms, 'Milliseconds'],
      FacesKnown: [result.faces.length - unknown, 'Count'],
      FacesUnknown: [unknown, 'Count'],
    },
    split: { dimensions: { outcome }, metrics: { Results: [1, 'Count'] } },
  };
}

/**
 * Metrics of a record that failed (it is retried, then dead-lettered): `poison` when the job itself is
 * bad, `fault` when our side failed (e.g. the response queue refused the result).
 *
 * @example
 * ```ts
 * deps.metrics.emit(failedRecordMetrics(error instanceof PoisonJobError));
 * ```
 */
export function failedRecordMetrics(poison: boolean): MetricRecord {
  const reason = poison ? 'poison' : 'fault';
  return { split: { dimensions: { reason }, metrics: { FailedRecords: [1, 'Count'] } } };
}
