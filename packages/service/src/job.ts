import { type JobFace, MAX_JOB_BYTES, RecognitionJob } from '@frs/contracts/job';
import type { RecognitionRequest } from '@frs/contracts/request';
import type { FaceChip, RgbImage } from '@frs/vision';
import { z } from 'zod';
import { PoisonJobError } from './errors.ts';
import { type DecodedFrame, toRequestError } from './image.ts';
import type { FaceFinderPort } from './types.ts';

/**
 * Faces per job when `FRS_MAX_FACES` is unset; the message size budget usually binds first.
 *
 * @example
 * ```ts
 * const maxFaces = env.FRS_MAX_FACES ?? DEFAULT_MAX_FACES;
 * ```
 */
export const DEFAULT_MAX_FACES = 32;

/** How {@link packJob} ranks, caps and encodes the faces of a frame. */
export interface PackOptions<F> {
  /** Upper bound on faces in the job; the byte budget may stop earlier. */
  maxFaces: number;
  /** Largest job body in bytes; default `MAX_JOB_BYTES` (the SQS limit). */
  maxBytes?: number;
  /** Higher first. */
  score(face: F): number;
  /** Called only for faces that may still fit, best first. */
  encode(face: F): JobFace | Promise<JobFace>;
}

/**
 * Packs faces into a job by descending score until `maxFaces` or the message byte budget is reached, so a
 * crowded frame degrades to its most confident faces instead of failing to send. The one place faces are
 * capped and counted: `dropped_faces` is every face of the frame that is not in the job.
 *
 * @example
 * ```ts
 * const job = await packJob(base, chips, { maxFaces: 32, score: (c) => c.detection.score, encode });
 * if (job.truncated) log.warn('faces dropped', { dropped: job.dropped_faces });
 * ```
 */
export async function packJob<F>(
  base: Omit<RecognitionJob, 'faces' | 'truncated' | 'dropped_faces'>,
  faces: readonly F[],
  options: PackOptions<F>,
): Promise<RecognitionJob> {
  const maxBytes = options.maxBytes ?? MAX_JOB_BYTES;
  const ranked = [...faces].sort((a, b) => options.score(b) - options.score(a));
  // Worst-case envelope: the count field may grow by a few digits and `truncated` by one letter.
  const envelope =
    Buffer.byteLength(
      JSON.stringify({ ...base, faces: [], truncated: false, dropped_faces: ranked.length }),
    ) + 8;
  const kept: JobFace[] = [];
  let size = envelope;
  for (const candidate of ranked) {
    if (kept.length >= options.maxFaces) break;
    const face = await options.encode(candidate);
    const next = Buffer.byteLength(JSON.stringify(face)) + 1;
    if (size + next > maxBytes) break;
    kept.push(face);
    size += next;
  }
  const dropped = ranked.length - kept.length;
  return { ...base, faces: kept, truncated: dropped > 0, dropped_faces: dropped };
}

/** Limits a frame is held to before it becomes a job. */
export interface JobLimits {
  maxBodyBytes: number;
  maxPixels: number;
  maxFaces: number;
}

/** What {@link buildJob} needs: the detector Lambda's deps provide it, so does `frs recognize`. */
export interface JobBuilderDeps {
  config: JobLimits;
  decodeFrame(bytes: Uint8Array, limits: { maxBytes: number; maxPixels: number }): Promise<DecodedFrame>;
  /** Memoised: models load once per container. */
  faceFinder(): Promise<FaceFinderPort>;
  encodeChip(chip: RgbImage): Promise<Uint8Array>;
  now?: () => Date;
}

function landmarksOf(face: FaceChip): JobFace['landmarks'] {
  const p = (i: number): [number, number] => {
    const point = face.detection.landmarks[i];
    return point ? [point[0], point[1]] : [0, 0];
  };
  return [p(0), p(1), p(2), p(3), p(4)];
}

/**
 * Decode, detect, align and pack one frame into a job (no queueing). Shared by the detector Lambda and
 * `frs recognize`, so both produce the same job for the same bytes.
 *
 * @throws {RequestRejectedError} when the bytes are not a usable image.
 * @example
 * ```ts
 * const job = await buildJob(deps, { request_id: 'r-1', filename: 'a.jpg' }, await readFile('a.jpg'));
 * ```
 */
export async function buildJob(
  deps: JobBuilderDeps,
  request: Omit<RecognitionRequest, 'content'>,
  bytes: Uint8Array,
): Promise<RecognitionJob> {
  const started = performance.now();
  const receivedAt = (deps.now ?? (() => new Date()))();
  const { maxBodyBytes: maxBytes, maxPixels, maxFaces } = deps.config;
  const frame = await deps.decodeFrame(bytes, { maxBytes, maxPixels }).catch((error: unknown) => {
    throw toRequestError(error, bytes);
  });
  const decoded = performance.now();
  const finder = await deps.faceFinder();
  // Above the working budget the pipeline decodes the bytes itself: a truncated photo surfaces here.
  const faces = await finder.detectAndAlign(frame.input).catch((error: unknown) => {
    throw toRequestError(error, bytes);
  });
  const detected = performance.now();
  let encoded = detected;
  const base = {
    version: 1 as const,
    request_id: request.request_id,
    ...(request.filename === undefined ? {} : { filename: request.filename }),
    ...(request.camera_id === undefined ? {} : { camera_id: request.camera_id }),
    received_at: receivedAt.toISOString(),
    image: { width: frame.width, height: frame.height },
    models: finder.models,
    chip_size: finder.chipSize,
  };
  // Timing is known only after packing: the envelope is measured with the longest number JSON writes.
  const wide = -Number.MAX_VALUE;
  const timing = { decode_ms: wide, detect_ms: wide, encode_ms: wide, detector_ms: wide };
  const job = await packJob({ ...base, timing }, faces, {
    maxFaces,
    score: (face) => face.detection.score,
    encode: async (face) => {
      const chip = Buffer.from(await deps.encodeChip(face)).toString('base64');
      encoded = performance.now();
      return {
        box: [face.detection.box[0], face.detection.box[1], face.detection.box[2], face.detection.box[3]],
        score: Math.min(1, Math.max(0, face.detection.score)),
        landmarks: landmarksOf(face),
        chip,
      };
    },
  });
  return {
    ...job,
    timing: {
      decode_ms: decoded - started,
      detect_ms: detected - decoded,
      encode_ms: encoded - detected,
      detector_ms: encoded - started,
    },
  };
}

/**
 * Parses a request-queue body into a job.
 *
 * @throws {PoisonJobError} when the body is not a valid job.
 * @example
 * ```ts
 * const job = parseJob(record.body);
 * ```
 */
export function parseJob(body: string): RecognitionJob {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new PoisonJobError('record body is not valid JSON', { cause: error });
  }
  const parsed = RecognitionJob.safeParse(json);
  if (!parsed.success) {
    throw new PoisonJobError(`record body is not a recognition job: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
