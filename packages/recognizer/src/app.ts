import { RecognitionJob } from '@frs/contracts/job';
import type { SqsBatchResponse, SqsRecord } from '@frs/contracts/lambda';
import { LambdaContext, SqsEvent } from '@frs/contracts/lambda';
import { NO_FACE, type RecognitionResult, type ResultFace, UNKNOWN } from '@frs/contracts/result';
import type { JsonLogger } from '@frs/runtime/logger';
import { z } from 'zod';
import { JobInProgressError, PoisonJobError, ResultQueueError } from './errors.ts';
import { type BeginOutcome, type IdempotencyStore, idempotencyKey } from './idempotency.ts';
import { failedRecordMetrics, type MetricsSink, resultMetrics } from './metrics.ts';

/** Packed 8-bit RGB pixels (structurally the vision library's `RgbImage`). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The part of the vision pipeline the recognizer uses. */
export interface Embedder {
  modelId: string;
  /** The chip size the model takes; a job cut for another size can never be embedded. */
  chipSize: { width: number; height: number };
  embed(chips: readonly RgbImage[]): Promise<readonly { vector: Float32Array }[]>;
}

/**
 * Gallery search with the threshold applied: a name, or `undefined` for an unknown face; `candidates` (the
 * nearest people, best first) only when configured.
 */
export interface FaceMatcher {
  match(vector: Float32Array): {
    name: string | undefined;
    similarity: number;
    candidates?: { name: string; similarity: number }[];
  };
}

/** Where a result goes: its request and, when the request named one, its camera. */
export interface ResultRoute {
  requestId: string;
  cameraId?: string | undefined;
}

/** Everything the recognizer handler needs; `handler.ts` wires the real ones, tests inject their own. */
export interface RecognizerDeps {
  logger: JsonLogger;
  /** Memoised: the model loads once per container. */
  embedder(): Promise<Embedder>;
  /** The current gallery's matcher: read once per container, then refreshed between jobs when it changes. */
  matcher(): Promise<FaceMatcher>;
  decodeChip(png: Uint8Array): Promise<RgbImage>;
  /**
   * Puts one result body on the response queue: the camera's own queue when there is one, else the
   * shared queue, tagged with the `camera_id` message attribute when the job had a camera.
   */
  sendResult(body: string, route: ResultRoute): Promise<void>;
  /** One EMF line per record: timings, faces named and unknown, outcome; or the failure's reason. */
  metrics: MetricsSink;
  /** Skips jobs answered within the store's window; undefined = every record is answered. */
  idempotency?: {
    store: IdempotencyStore;
    /** Longest a claim holds before a retry may take it over (capped by the invocation's time left). */
    inProgressSeconds: number;
  };
  /** A record is not started with less than this (or twice the slowest record so far) left; default 10 s. */
  timeMarginMs?: number;
  now?: () => Date;
}

const DEFAULT_TIME_MARGIN_MS = 10_000;

// Lambda's context is a class instance from the runtime; only these members are read.
const InvocationContext = LambdaContext.extend({
  getRemainingTimeInMillis: z.custom<() => unknown>((v) => typeof v === 'function').optional(),
});

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

/**
 * Embeds and matches the faces of one job. Deterministic for a given job and gallery (apart from
 * `timing`), which makes redelivered jobs harmless.
 *
 * @throws {PoisonJobError} when the chips were made for another embedder.
 * @example
 * ```ts
 * const result = await recognizeJob(deps, job);
 * console.log(result.result); // 'Ada' | 'unknown' | 'no_face'
 * ```
 */
export async function recognizeJob(
  deps: Pick<RecognizerDeps, 'embedder' | 'matcher' | 'decodeChip' | 'now'>,
  job: RecognitionJob,
): Promise<RecognitionResult> {
  const started = performance.now();
  // received_at is when detection started; the job reached the queue detector_ms later.
  const queuedAt = Date.parse(job.received_at) + job.timing.detector_ms;
  const queueMs = Math.max(0, (deps.now ?? (() => new Date()))().getTime() - queuedAt);
  const embedder = await deps.embedder();
  if (job.faces.length > 0 && job.models.embedder !== embedder.modelId) {
    throw new PoisonJobError(
      `job chips are for embedder ${job.models.embedder}, this is ${embedder.modelId}`,
    );
  }
  const { width, height } = embedder.chipSize;
  if (job.faces.length > 0 && (job.chip_size.width !== width || job.chip_size.height !== height)) {
    throw new PoisonJobError(
      `job chips are ${job.chip_size.width}×${job.chip_size.height}, the embedder takes ${width}×${height}`,
    );
  }
  const matcher = await deps.matcher();
  // A chip that does not decode, or decodes to another size, can never succeed: poison, not a retry.
  const chips = await Promise.all(
    job.faces.map(async (f, i) => {
      const chip = await deps.decodeChip(Buffer.from(f.chip, 'base64')).catch((error: unknown) => {
        throw new PoisonJobError(`chip ${i} is not a decodable PNG`, { cause: error });
      });
      if (chip.width !== width || chip.height !== height) {
        throw new PoisonJobError(`chip ${i} is ${chip.width}×${chip.height}, not ${width}×${height}`);
      }
      return chip;
    }),
  );
  const embeddings = chips.length > 0 ? await embedder.embed(chips) : [];
  const faces: ResultFace[] = job.faces.map((face, i) => {
    const embedding = embeddings[i];
    if (!embedding) throw new PoisonJobError(`embedder returned no vector for face ${i}`);
    const match = matcher.match(embedding.vector);
    return {
      box: face.box,
      score: face.score,
      name: match.name ?? UNKNOWN,
      similarity: match.similarity,
      ...(match.candidates === undefined ? {} : { candidates: match.candidates }),
    };
  });
  let best: ResultFace | undefined;
  for (const face of faces) {
    if (face.name !== UNKNOWN && (best === undefined || face.similarity > best.similarity)) best = face;
  }
  return {
    request_id: job.request_id,
    ...(job.camera_id === undefined ? {} : { camera_id: job.camera_id }),
    result: faces.length === 0 ? NO_FACE : (best?.name ?? UNKNOWN),
    faces,
    dropped_faces: job.dropped_faces,
    timing: {
      detector_ms: job.timing.detector_ms,
      recognizer_ms: performance.now() - started,
      queue_ms: queueMs,
    },
  };
}

async function answer(deps: RecognizerDeps, logger: JsonLogger, record: SqsRecord, job: RecognitionJob) {
  const result = await recognizeJob(deps, job);
  const route = { requestId: job.request_id, cameraId: job.camera_id };
  await deps.sendResult(JSON.stringify(result), route).catch((error: unknown) => {
    throw new ResultQueueError('could not send the result', { cause: error });
  });
  logger.info('result sent', {
    request_id: result.request_id,
    ...(job.camera_id === undefined ? {} : { camera_id: job.camera_id }),
    result: result.result,
    faces: result.faces.length,
    timing: result.timing,
    receive_count: record.attributes.ApproximateReceiveCount,
  });
  deps.metrics.emit(resultMetrics(result));
}

async function processRecord(
  deps: RecognizerDeps,
  logger: JsonLogger,
  record: SqsRecord,
  remainingMs: number | undefined,
): Promise<void> {
  const job = parseJob(record.body);
  const idempotency = deps.idempotency;
  if (idempotency === undefined) return answer(deps, logger, record, job);
  const key = idempotencyKey(job);
  // The claim cannot outlive the invocation: after a timeout the retry must find it expired.
  const holdSeconds =
    remainingMs === undefined
      ? idempotency.inProgressSeconds
      : Math.min(idempotency.inProgressSeconds, Math.ceil(remainingMs / 1000));
  let outcome: BeginOutcome | undefined;
  try {
    outcome = await idempotency.store.begin(key, holdSeconds);
  } catch (error) {
    // Fail open: a duplicate answer is harmless (results are deterministic), a missing one is not.
    logger.error('idempotency store unavailable; answering without deduplication', {
      request_id: job.request_id,
      error,
    });
  }
  if (outcome === 'completed') {
    logger.info('duplicate skipped', {
      request_id: job.request_id,
      message_id: record.messageId,
      receive_count: record.attributes.ApproximateReceiveCount,
    });
    return;
  }
  if (outcome === 'in_progress') {
    throw new JobInProgressError(`job ${job.request_id} is being answered by another invocation`);
  }
  try {
    await answer(deps, logger, record, job);
  } catch (error) {
    if (outcome === 'started') {
      // Without the release the queue's retry would be refused until the claim expires.
      await idempotency.store
        .release(key)
        .catch((releaseError: unknown) =>
          logger.warn('could not release the idempotency claim', { error: releaseError }),
        );
    }
    throw error;
  }
  if (outcome === 'started') {
    await idempotency.store.complete(key).catch((completeError: unknown) =>
      logger.warn('could not record the answer; a duplicate may be answered again', {
        error: completeError,
      }),
    );
  }
}

/**
 * The recognizer Lambda: an SQS batch in, one result per job on the response queue, and a partial batch
 * response so one bad record fails (and is retried, then dead-lettered) alone. With `deps.idempotency`,
 * a job already answered within the window is skipped (and deleted from the queue), and one being
 * answered elsewhere is returned to the queue. Before each record the time left in the invocation is
 * checked: below the margin, the rest of the batch is returned to the queue unstarted.
 *
 * @example
 * ```ts
 * export const handler = createHandler(realDeps);
 * ```
 */
export function createHandler(
  deps: RecognizerDeps,
): (event: unknown, context?: unknown) => Promise<SqsBatchResponse> {
  return async (rawEvent, context) => {
    // Per invocation: one slow record (a cold start's first, say) must not shrink every later batch.
    let slowestMs = 0;
    const invocation = InvocationContext.safeParse(context).data;
    const awsRequestId = invocation?.awsRequestId;
    const logger =
      awsRequestId === undefined ? deps.logger : deps.logger.child({ aws_request_id: awsRequestId });
    const remainingMs = (): number | undefined => {
      const left = invocation?.getRemainingTimeInMillis?.();
      return typeof left === 'number' && Number.isFinite(left) ? left : undefined;
    };
    const event = SqsEvent.parse(rawEvent);
    const batchItemFailures: SqsBatchResponse['batchItemFailures'] = [];
    // Sequential on purpose: inference is CPU-bound, so parallel records would only compete for cores.
    for (const [index, record] of event.Records.entries()) {
      const left = remainingMs();
      const marginMs = Math.max(deps.timeMarginMs ?? DEFAULT_TIME_MARGIN_MS, 2 * slowestMs);
      if (left !== undefined && left < marginMs) {
        // A timeout would fail the whole batch, answered records included; these go back unstarted.
        const rest = event.Records.slice(index);
        logger.warn('too little time left; returning the rest of the batch to the queue', {
          remaining_ms: left,
          margin_ms: marginMs,
          records: rest.length,
        });
        batchItemFailures.push(...rest.map((r) => ({ itemIdentifier: r.messageId })));
        break;
      }
      const started = performance.now();
      try {
        await processRecord(deps, logger, record, left);
      } catch (error) {
        logger.error('record failed', {
          message_id: record.messageId,
          poison: error instanceof PoisonJobError,
          error,
        });
        deps.metrics.emit(failedRecordMetrics(error instanceof PoisonJobError));
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
      slowestMs = Math.max(slowestMs, performance.now() - started);
    }
    return { batchItemFailures };
  };
}
