import type { RecognitionJob } from '@frs/contracts/job';

import type { MetricRecord } from '@frs/runtime/metrics';

/** The `service` dimension (and log field) of the detector. */
export const SERVICE = 'frs-detector';

/**
 * Metrics of an accepted frame: faces per frame, faces beyond the job budget and the detector's stages.
 *
 * @example
 * ```ts
 * deps.metrics.emit(acceptedMetrics(job));
 * ```
 */
export function acceptedMetrics(job: RecognitionJob): MetricRecord {
  const { decode_ms, detect_ms, encode_ms, detector_ms } = job.timing;
  return {
    metrics: {
      Accepted: [1, 'Count'],
      FacesPerFrame: [job.faces.length, 'Count'],
      DroppedFaces: [job.dropped_faces, 'Count'],
      DetectorMs: [detector_ms, 'Milliseconds'],
      DecodeMs: [decode_ms, 'Milliseconds'],
      DetectMs: [detect_ms, 'Milliseconds'],
      EncodeMs: [encode_ms, 'Milliseconds'],
    },
  };
}
