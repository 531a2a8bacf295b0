import { z } from 'zod';
import { BoxSchema, Millis, PointSchema } from './common.ts';
import { CameraId } from './request.ts';

/**
 * SQS caps a message at 256 KiB (what FRS budgets for, even where the queue allows more); the detector
 * adds faces by descending score until the next one would cross this size.
 *
 * @example
 * ```ts
 * if (Buffer.byteLength(JSON.stringify(job)) > MAX_JOB_BYTES) throw new Error('job too large');
 * ```
 */
export const MAX_JOB_BYTES = 256 * 1024;

/**
 * One detected, aligned face inside a {@link RecognitionJob}.
 *
 * @example
 * ```ts
 * const face: JobFace = {
 *   box: [10, 20, 110, 140], score: 0.999,
 *   landmarks: [[40, 60], [80, 60], [60, 85], [45, 110], [75, 110]],
 *   chip: 'iVBORw0KGgo…',
 * };
 * ```
 */
export const JobFace = z.object({
  box: BoxSchema,
  score: z.number().min(0).max(1),
  landmarks: z.tuple([PointSchema, PointSchema, PointSchema, PointSchema, PointSchema]),
  chip: z.base64().describe('Aligned face chip: lossless PNG, RGB, `chip_size` pixels, base64.'),
});

/** A parsed {@link JobFace}. */
export type JobFace = z.infer<typeof JobFace>;

/**
 * Message on the request queue: one per accepted frame, with everything the recognizer needs. A frame
 * without faces still produces a job (with `faces: []`), so the recognizer answers `no_face` through the
 * same path and every accepted request gets exactly one result.
 *
 * @example
 * ```ts
 * import { RecognitionJob } from '@frs/contracts/job';
 * const job = RecognitionJob.parse(JSON.parse(record.body));
 * ```
 */
export const RecognitionJob = z
  .object({
    version: z.literal(1),
    request_id: z.string().min(1),
    filename: z.string().optional(),
    camera_id: CameraId.optional().describe("The request's camera_id, copied into the result."),
    received_at: z.iso.datetime().describe('When the detector accepted the request.'),
    image: z.object({ width: z.int().positive(), height: z.int().positive() }),
    models: z.object({
      detector: z.string().min(1),
      embedder: z.string().min(1).describe('Embedder the chips were aligned for; the recognizer checks it.'),
    }),
    chip_size: z.object({ width: z.int().positive(), height: z.int().positive() }),
    faces: z.array(JobFace).describe('Sorted by descending score.'),
    truncated: z.boolean().describe('True when faces were dropped to respect the cap.'),
    dropped_faces: z.int().nonnegative(),
    timing: z.object({ decode_ms: Millis, detect_ms: Millis, encode_ms: Millis, detector_ms: Millis }),
  })
  .describe('FRS recognition job (request queue message body)');

/** A parsed {@link RecognitionJob}. */
export type RecognitionJob = z.infer<typeof RecognitionJob>;
