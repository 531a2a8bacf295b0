import { z } from 'zod';

/**
 * What a `request_id` may be: 1–128 characters of `A–Z a–z 0–9 . _ : -`. The id travels in SQS
 * messages, logs and (in clients) file and queue names, so it is kept to characters safe in all of them.
 *
 * @example
 * ```ts
 * REQUEST_ID_PATTERN.test('cam-7:2026-01-01T10.00.00'); // true
 * REQUEST_ID_PATTERN.test('cam 7'); // false
 * ```
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Longest accepted `request_id`, in characters. */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * What a `camera_id` may be: 1–64 characters of `A–Z a–z 0–9 _ -`. It becomes an SQS message attribute
 * and the suffix of a per-camera queue name (SQS queue names allow only these characters, and 80 of
 * them, so a 64-character id leaves 16 for a prefix such as `frs-resp-`).
 *
 * @example
 * ```ts
 * CAMERA_ID_PATTERN.test('front-door_1'); // true
 * CAMERA_ID_PATTERN.test('front.door'); // false
 * ```
 */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Longest accepted `camera_id`, in characters. */
export const MAX_CAMERA_ID_LENGTH = 64;

/**
 * The optional `camera_id` of a request, carried into its job and its result. On its own it tags the
 * result (message attribute `camera_id`) so a camera polling the shared response queue can skip the
 * results of other cameras; with per-camera response queues the result goes to that camera's queue.
 *
 * @example
 * ```ts
 * CameraId.parse('cam1'); // 'cam1'
 * CameraId.safeParse('cam 1').success; // false
 * ```
 */
export const CameraId = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(MAX_CAMERA_ID_LENGTH, `must be at most ${MAX_CAMERA_ID_LENGTH} characters`)
  .regex(/^[A-Za-z0-9_-]*$/, "may contain only A-Z, a-z, 0-9, '_' and '-'");

/**
 * Longest accepted `filename`, in Unicode code points (zod counts code points, so an emoji is one; at most
 * 1020 bytes of UTF-8).
 */
export const MAX_FILENAME_LENGTH = 255;

/**
 * Characters a `filename` may not contain: C0/C1 control characters (U+0000–U+001F, U+007F–U+009F),
 * unpaired surrogates, U+FFFE and U+FFFF (SQS refuses a message body with any of the last three, which
 * turned such a request into a 500) and the path separators `/` and `\` (a filename is a label, not a path).
 * With the `u` flag a valid surrogate pair is one code point above U+FFFF and never matches.
 *
 * @example
 * ```ts
 * FILENAME_FORBIDDEN.test('frame\uFFFF.jpg'); // true
 * FILENAME_FORBIDDEN.test('Ånde 😀.jpg'); // false
 * ```
 */
export const FILENAME_FORBIDDEN = /[\p{Cc}\p{Cs}\uFFFE\uFFFF/\\]/u;

// The schemas check length and characters separately so that each failure gets its own message.
const REQUEST_ID_CHARS = /^[A-Za-z0-9._:-]*$/;
const FILENAME_PATTERN = /^[^\p{Cc}\p{Cs}\uFFFE\uFFFF/\\]*$/u;

function codePointLabel(char: string): string {
  const hex = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  return char === '/' || char === '\\' ? `'${char}'` : hex;
}

function forbiddenFilenameMessage(input: unknown): string {
  const found = typeof input === 'string' ? FILENAME_FORBIDDEN.exec(input) : null;
  const where = found ? ` (found ${codePointLabel(found[0])} at index ${found.index})` : '';
  return `must not contain control characters, U+FFFE, U+FFFF, unpaired surrogates, '/' or '\\'${where}`;
}

/**
 * A client's file label (detector requests, enrolment photos): 1–255 code points after NFC normalisation,
 * none of {@link FILENAME_FORBIDDEN}.
 *
 * @example
 * ```ts
 * Filename.parse('front door.jpg'); // 'front door.jpg'
 * Filename.safeParse('a/b.jpg').success; // false
 * ```
 */
export const Filename = z
  .string({ error: 'must be a string' })
  .overwrite((name) => name.normalize('NFC'))
  .min(1, 'must not be empty')
  .max(MAX_FILENAME_LENGTH, `must be at most ${MAX_FILENAME_LENGTH} characters`)
  .regex(FILENAME_PATTERN, { error: (issue) => forbiddenFilenameMessage(issue.input) });

/**
 * Body a camera POSTs to the detector's Function URL. Unknown fields are ignored (zod strips them), so
 * older and newer clients keep working.
 *
 * - `request_id`: 1–128 characters of `A–Z a–z 0–9 . _ : -` ({@link REQUEST_ID_PATTERN}).
 * - `filename` (optional): 1–255 characters (code points) after Unicode NFC normalisation (a decomposed
 *   name from macOS is accepted and stored composed), none of {@link FILENAME_FORBIDDEN}. Every other
 *   character, including spaces and emoji, is allowed.
 * - `camera_id` (optional): 1–64 characters of `A–Z a–z 0–9 _ -` ({@link CAMERA_ID_PATTERN}). The
 *   result carries it back, as a body field and as the SQS message attribute `camera_id`, and is sent to
 *   the camera's own response queue when the deployment has one.
 *
 * A request breaking any of these rules is answered `400 invalid_request` with a message naming the field (and,
 * for `filename`, the first offending character and its index).
 *
 * @example
 * ```ts
 * import { RecognitionRequest } from '@frs/contracts/request';
 * const request = RecognitionRequest.parse({ content: 'iVBORw0KGgo…', request_id: 'cam-1-0001', filename: 'frame.jpg', camera_id: 'cam-1' });
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
      .max(MAX_REQUEST_ID_LENGTH, `must be at most ${MAX_REQUEST_ID_LENGTH} characters`)
      .regex(REQUEST_ID_CHARS, "may contain only A-Z, a-z, 0-9, '.', '_', ':' and '-'")
      .describe(
        'Client-chosen id, 1–128 characters of A–Z a–z 0–9 . _ : -; the result on the response queue carries it back.',
      ),
    filename: Filename.optional().describe(
      'A label only, never used to open a file: 1–255 characters after NFC normalisation, no control characters, U+FFFE, U+FFFF, unpaired surrogates, / or \\.',
    ),
    camera_id: CameraId.optional().describe(
      "Optional camera id, 1–64 characters of A–Z a–z 0–9 _ -: the result carries it (body field and SQS message attribute camera_id) and goes to the camera's own response queue where one exists.",
    ),
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
