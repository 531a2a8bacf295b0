import type { JobFace, RecognitionJob } from '@frs/contracts/job';
import type { FunctionUrlEvent, FunctionUrlResult } from '@frs/contracts/lambda';
import { FunctionUrlEvent as FunctionUrlEventSchema, LambdaContext } from '@frs/contracts/lambda';
import type { DetectorAccepted, RecognitionRequest } from '@frs/contracts/request';
import type { JsonLogger } from '@frs/runtime/logger';
import type { DetectorConfig } from './config.ts';
import { JobQueueError, RequestRejectedError } from './errors.ts';
import { toRequestError } from './image.ts';
import { packJob } from './job.ts';
import { acceptedMetrics, FAILED_METRICS, type MetricsSink, rejectedMetrics } from './metrics.ts';
import { errorBody, readRequest } from './request.ts';

/** Packed 8-bit RGB pixels (structurally the vision library's `RgbImage`). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An aligned face with its detection (structurally the vision library's `FaceChip`). */
export interface AlignedFace extends RgbImage {
  detection: {
    box: readonly [number, number, number, number];
    score: number;
    landmarks: readonly (readonly [number, number])[];
  };
}

/** The part of the vision pipeline the detector uses. */
export interface FaceFinder {
  models: { detector: string; embedder: string };
  chipSize: { width: number; height: number };
  /** Bytes are decoded by the pipeline itself, reduced and region by region (large photos). */
  detectAndAlign(input: RgbImage | Uint8Array): Promise<readonly AlignedFace[]>;
}

/**
 * A decoded frame: its pixels, or (above the detector's working budget) the bytes again with the size, so
 * the pipeline decodes it reduced and the full-resolution pixels never exist.
 */
export interface DecodedFrame {
  input: RgbImage | Uint8Array;
  width: number;
  height: number;
}

/** Everything the detector handler needs; `handler.ts` wires the real ones, tests inject their own. */
export interface DetectorDeps {
  config: Pick<DetectorConfig, 'maxBodyBytes' | 'maxPixels' | 'maxFaces'>;
  logger: JsonLogger;
  decodeFrame(bytes: Uint8Array, limits: { maxBytes: number; maxPixels: number }): Promise<DecodedFrame>;
  /** Memoised: models load once per container. */
  faceFinder(): Promise<FaceFinder>;
  encodeChip(chip: RgbImage): Promise<Uint8Array>;
  /** Puts one job body on the request queue. */
  sendJob(body: string, requestId: string): Promise<void>;
  /** One EMF line per request: accepted (faces, stage timings), rejected by code, or failed. */
  metrics: MetricsSink;
  now?: () => Date;
}

function landmarksOf(face: AlignedFace): JobFace['landmarks'] {
  const p = (i: number): [number, number] => {
    const point = face.detection.landmarks[i];
    return point ? [point[0], point[1]] : [0, 0];
  };
  return [p(0), p(1), p(2), p(3), p(4)];
}

/**
 * Decode, detect, align and pack one frame into a job (no queueing). Shared by the Lambda and
 * `frs recognize`, so both produce the same job for the same bytes.
 *
 * @throws {RequestRejectedError} when the bytes are not a usable image.
 * @example
 * ```ts
 * const job = await buildJob(deps, { request_id: 'r-1', filename: 'a.jpg' }, await readFile('a.jpg'));
 * ```
 */
export async function buildJob(
  deps: Omit<DetectorDeps, 'sendJob' | 'metrics'>,
  request: Omit<RecognitionRequest, 'content'>,
  bytes: Uint8Array,
): Promise<RecognitionJob> {
  const started = performance.now();
  const receivedAt = (deps.now ?? (() => new Date()))();
  const { maxBodyBytes: maxBytes, maxPixels, maxFaces } = deps.config;
  const frame = await deps.decodeFrame(bytes, { maxBytes, maxPixels }).catch((error: unknown) => {
    throw toRequestError(error, bytes);
  });
  const image = { width: frame.width, height: frame.height };
  const decoded = performance.now();
  const finder = await deps.faceFinder();
  // Above the working budget the pipeline decodes the bytes itself: a truncated photo surfaces here.
  const faces = await finder.detectAndAlign(frame.input).catch((error: unknown) => {
    throw toRequestError(error, bytes);
  });
  const detected = performance.now();
  const jobFaces = await Promise.all(
    [...faces]
      .sort((a, b) => b.detection.score - a.detection.score)
      .slice(0, maxFaces)
      .map(async (face) => ({
        box: [...face.detection.box] as JobFace['box'],
        score: Math.min(1, Math.max(0, face.detection.score)),
        landmarks: landmarksOf(face),
        chip: Buffer.from(await deps.encodeChip(face)).toString('base64'),
      })),
  );
  const encoded = performance.now();
  const job = packJob(
    {
      version: 1,
      request_id: request.request_id,
      ...(request.filename === undefined ? {} : { filename: request.filename }),
      ...(request.camera_id === undefined ? {} : { camera_id: request.camera_id }),
      received_at: receivedAt.toISOString(),
      image: { width: image.width, height: image.height },
      models: finder.models,
      chip_size: finder.chipSize,
      timing: {
        decode_ms: decoded - started,
        detect_ms: detected - decoded,
        encode_ms: encoded - detected,
        detector_ms: encoded - started,
      },
    },
    jobFaces,
    { maxFaces },
  );
  // Faces beyond maxFaces never reached packJob; count them as dropped too.
  const dropped = job.dropped_faces + (faces.length - jobFaces.length);
  return { ...job, truncated: dropped > 0, dropped_faces: dropped };
}

function json(statusCode: number, body: unknown): FunctionUrlResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * The detector Lambda: Function URL event in, job on the request queue, `{request_id, faces}` out.
 * Client mistakes get 4xx with a JSON error and queue nothing; faults get a bare 500.
 *
 * @example
 * ```ts
 * export const handler = createHandler(realDeps);
 * ```
 */
export function createHandler(
  deps: DetectorDeps,
): (event: unknown, context?: unknown) => Promise<FunctionUrlResult> {
  return async (rawEvent, context) => {
    const awsRequestId = LambdaContext.safeParse(context).data?.awsRequestId;
    const logger =
      awsRequestId === undefined ? deps.logger : deps.logger.child({ aws_request_id: awsRequestId });
    let requestId: string | undefined;
    try {
      const event: FunctionUrlEvent = FunctionUrlEventSchema.parse(rawEvent);
      const { request, image } = readRequest(event, deps.config.maxBodyBytes);
      requestId = request.request_id;
      const job = await buildJob(deps, request, image);
      await deps.sendJob(JSON.stringify(job), request.request_id).catch((error: unknown) => {
        throw new JobQueueError('could not queue the job', { cause: error });
      });
      logger.info('job queued', {
        request_id: job.request_id,
        faces: job.faces.length,
        dropped_faces: job.dropped_faces,
        timing: job.timing,
      });
      deps.metrics.emit(acceptedMetrics(job));
      const accepted: DetectorAccepted = {
        request_id: job.request_id,
        faces: job.faces.length,
        dropped_faces: job.dropped_faces,
      };
      return json(200, accepted);
    } catch (error) {
      if (error instanceof RequestRejectedError) {
        // A client mistake, not a fault: no stack, just enough to answer "why was my frame refused?".
        const cause =
          error.cause instanceof Error && error.code !== 'invalid_request' ? error.cause.message : undefined;
        logger.warn('request rejected', {
          request_id: requestId,
          code: error.code,
          reason: error.message,
          cause,
        });
        deps.metrics.emit(rejectedMetrics(error.code));
        return json(error.status, errorBody(error, requestId));
      }
      logger.error('request failed', { request_id: requestId, error });
      deps.metrics.emit(FAILED_METRICS);
      return json(500, {
        ...(requestId === undefined ? {} : { request_id: requestId }),
        error: { code: 'internal_error', message: 'internal error; the request was not queued, retry later' },
      });
    }
  };
}
