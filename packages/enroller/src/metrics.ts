import type { ErrorCode } from '@frs/contracts/errors';

import type { MetricRecord } from '@frs/runtime/metrics';

export {
  createEmfSink,
  type Metric,
  type MetricRecord,
  MetricsNamespace,
  type MetricsSink,
} from '@frs/runtime/metrics';

/** The `service` dimension (and log field) of the enroller. */
export const SERVICE = 'frs-enroller';

/**
 * Metrics of an enrolled photo: one enrolment and its time (decode, detect, embed, store).
 *
 * @example
 * ```ts
 * deps.metrics.emit(enrolledMetrics(performance.now() - started));
 * ```
 */
export function enrolledMetrics(ms: number): MetricRecord {
  return { metrics: { Enrolments: [1, 'Count'], EnrolMs: [ms, 'Milliseconds'] } };
}

/**
 * Metrics of a deletion, by what was deleted (`person` or `photo`).
 *
 * @example
 * ```ts
 * deps.metrics.emit(deletedMetrics('person'));
 * ```
 */
export function deletedMetrics(target: 'person' | 'photo'): MetricRecord {
  return { split: { dimensions: { target }, metrics: { Deletions: [1, 'Count'] } } };
}

/**
 * Metrics of a rejected request (a 4xx: bad photo, no face, unknown person, busy gallery), by error code.
 *
 * @example
 * ```ts
 * deps.metrics.emit(rejectedMetrics('no_face'));
 * ```
 */
export function rejectedMetrics(code: ErrorCode): MetricRecord {
  return { split: { dimensions: { code }, metrics: { Rejected: [1, 'Count'] } } };
}

/**
 * Metrics of a request that failed on our side (a 500: the store is unreachable, a bug).
 *
 * @example
 * ```ts
 * deps.metrics.emit(FAILED_METRICS);
 * ```
 */
export const FAILED_METRICS: MetricRecord = { metrics: { Failed: [1, 'Count'] } };
