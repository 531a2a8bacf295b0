import { NO_FACE, type RecognitionResult, UNKNOWN } from '@frs/contracts/result';

import type { MetricRecord } from '@frs/runtime/metrics';

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
