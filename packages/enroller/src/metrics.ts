import type { MetricRecord } from '@frs/runtime/metrics';

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
