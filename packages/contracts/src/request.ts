import { z } from 'zod';

/**
 * Body a camera POSTs to the detector's Function URL. Unknown fields are ignored (zod strips them), so
 * older and newer clients keep working.
 *
 * @example
 * ```ts
 * import { RecognitionRequest } from '@frs/contracts/request';
 * const request = RecognitionRequest.parse({ content: 'iVBORw0KGgo…', request_id: 'cam-1-0001', filename: 'frame.jpg' });
 * ```
 */
export const RecognitionRequest = z
  .object({
    content: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a base64 string') })
      .min(1, 'must not be empty')
      .describe('The image file (JPEG, PNG, WebP, …) encoded as standard base64.'),
    request_id: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .min(1, 'must not be empty')
      .max(256, 'must be at most 256 characters')
      .describe('Client-chosen id; the result on the response queue carries it back.'),
    filename: z
      .string({ error: 'must be a string' })
      .max(1024, 'must be at most 1024 characters')
      .optional()
      .describe('A label only (may be a path); never used to open a file.'),
  })
  .describe('FRS recognition request (POST body of the detector Function URL)');

/** A parsed {@link RecognitionRequest}. */
export type RecognitionRequest = z.infer<typeof RecognitionRequest>;

/**
 * What the detector answers with 200 once the job is on the request queue.
 *
 * @example
 * ```ts
 * const accepted: DetectorAccepted = { request_id: 'cam-1-0001', faces: 2 };
 * ```
 */
export const DetectorAccepted = z
  .object({
    request_id: z.string(),
    faces: z.int().nonnegative().describe('Faces queued for recognition (after the per-message cap).'),
    dropped_faces: z.int().nonnegative().describe('Lowest-score faces left out to respect the cap.'),
  })
  .describe('FRS detector 200 response');

/** A parsed {@link DetectorAccepted}. */
export type DetectorAccepted = z.infer<typeof DetectorAccepted>;
