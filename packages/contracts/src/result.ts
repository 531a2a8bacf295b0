import { z } from 'zod';
import { BoxSchema, Millis } from './common.ts';
import { CameraId } from './request.ts';

/**
 * `result` when the frame holds faces but none matches an enrolled person.
 *
 * @example
 * ```ts
 * if (message.result === UNKNOWN) alert('stranger at the door');
 * ```
 */
export const UNKNOWN = 'unknown';
/**
 * `result` when the detector found no face in the frame.
 *
 * @example
 * ```ts
 * if (message.result === NO_FACE) return;
 * ```
 */
export const NO_FACE = 'no_face';

/**
 * Name of the SQS message attribute (type `String`) the recognizer puts on a result whose request had a
 * `camera_id`. A camera polling the shared response queue asks for it (`MessageAttributeNames:
 * ['camera_id']`) and leaves messages of other cameras without reading their bodies.
 *
 * @example
 * ```ts
 * const mine = message.MessageAttributes?.[CAMERA_ID_ATTRIBUTE]?.StringValue === 'cam1';
 * ```
 */
export const CAMERA_ID_ATTRIBUTE = 'camera_id';

/** Most candidates a result face carries (`FRS_RESULT_CANDIDATES`). */
export const MAX_RESULT_CANDIDATES = 10;

/**
 * One enrolled person a face resembles, with the cosine similarity the match decision compares with the
 * threshold.
 *
 * @example
 * ```ts
 * const candidate: ResultCandidate = { name: 'alice', similarity: 0.71 };
 * ```
 */
export const ResultCandidate = z.object({
  name: z.string().min(1),
  similarity: z.number().min(-1).max(1),
});

/** A parsed {@link ResultCandidate}. */
export type ResultCandidate = z.infer<typeof ResultCandidate>;

/**
 * One face of a {@link RecognitionResult}: `name` is the enrolled person or `"unknown"`.
 *
 * @example
 * ```ts
 * const face: ResultFace = { box: [10, 20, 110, 140], score: 0.999, name: 'alice', similarity: 0.71 };
 * const ranked: ResultFace = { ...face, candidates: [{ name: 'alice', similarity: 0.71 }, { name: 'bo', similarity: 0.32 }] };
 * ```
 */
export const ResultFace = z.object({
  box: BoxSchema,
  score: z.number().min(0).max(1),
  name: z.string().min(1),
  similarity: z
    .number()
    .min(-1)
    .max(1)
    .describe('Cosine similarity to the best gallery entry (-1 if empty).'),
  candidates: z
    .array(ResultCandidate)
    .max(MAX_RESULT_CANDIDATES)
    .optional()
    .describe(
      'The most similar enrolled people, best first, whether or not they reached the threshold; present only when the recognizer is configured for it (FRS_RESULT_CANDIDATES).',
    ),
});

/** A parsed {@link ResultFace}. */
export type ResultFace = z.infer<typeof ResultFace>;

/**
 * Message on the response queue. `request_id` and `result` are what the original clients read; `result`
 * is the best-matching enrolled name in the frame, `"unknown"` or `"no_face"`. For a given job and gallery
 * everything except `timing` is deterministic, so a redelivered job yields the same answer and clients
 * may keep the first message per `request_id`.
 *
 * @example
 * ```ts
 * import { RecognitionResult } from '@frs/contracts/result';
 * const message = RecognitionResult.parse(JSON.parse(body));
 * if (message.request_id === myId) console.log(message.result);
 * ```
 */
export const RecognitionResult = z
  .object({
    request_id: z.string().min(1),
    camera_id: CameraId.optional().describe(
      "The request's camera_id, also sent as the SQS message attribute camera_id so a client can skip other cameras' results without parsing them.",
    ),
    result: z.string().min(1),
    faces: z.array(ResultFace),
    dropped_faces: z.int().nonnegative(),
    timing: z.object({
      detector_ms: Millis,
      recognizer_ms: Millis,
      queue_ms: Millis.describe('From the job reaching the request queue to the recognizer picking it up.'),
    }),
  })
  .describe('FRS recognition result (response queue message body)');

/** A parsed {@link RecognitionResult}. */
export type RecognitionResult = z.infer<typeof RecognitionResult>;
