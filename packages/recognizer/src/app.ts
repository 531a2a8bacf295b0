import type { RecognitionJob } from '@frs/contracts/job';
import type { SqsBatchResponse, SqsRecord } from '@frs/contracts/lambda';
import { LambdaContext, SqsEvent } from '@frs/contracts/lambda';
import type { JsonLogger } from '@frs/runtime/logger';
import type { MetricsSink } from '@frs/runtime/metrics';
import { PoisonJobError } from '@frs/service/errors';
import { parseJob } from '@frs/service/job';
import { type RecognitionDeps, recognizeJob } from '@frs/service/recognize';
import { z } from 'zod';
import { JobInProgressError, ResultQueueError } from './errors.ts';
import { type BeginOutcome, type IdempotencyStore, idempotencyKey } from './idempotency.ts';
import { failedRecordMetrics, resultMetrics } from './metrics.ts';

/** Where a result goes: its request and, when the request named one, its camera. */
export interface ResultRoute {
  requestId: string;
  cameraId?: string | undefined;
}

/**
 * Everything the recognizer handler needs; `handler.ts` wires the real ones, tests inject their own. The
 * `matcher` is the current gallery's: read once per container, then refreshed between jobs when it changes.
 */
export interface RecognizerDeps extends RecognitionDeps {
  logger: JsonLogger;
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
}

const DEFAULT_TIME_MARGIN_MS = 10_000;

// Lambda's context is a class instance from the runtime; only these members are read.
const InvocationContext = LambdaContext.extend({
  getRemainingTimeInMillis: z.custom<() => unknown>((v) => typeof v === 'function').optional(),
});

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
