import type { FunctionUrlEvent, FunctionUrlResult } from '@frs/contracts/lambda';
import { FunctionUrlEvent as FunctionUrlEventSchema } from '@frs/contracts/lambda';
import type { DetectorAccepted } from '@frs/contracts/request';
import type { JsonLogger } from '@frs/runtime/logger';
import type { MetricsSink } from '@frs/runtime/metrics';
import { RequestRejectedError } from '@frs/service/errors';
import {
  FAILED_METRICS,
  jsonResult,
  rejectedMetrics,
  rejectionResult,
  requestLogger,
} from '@frs/service/http';
import { buildJob, type JobBuilderDeps } from '@frs/service/job';
import { JobQueueError } from './errors.ts';
import { acceptedMetrics } from './metrics.ts';
import { readRequest } from './request.ts';

/** Everything the detector handler needs; `handler.ts` wires the real ones, tests inject their own. */
export interface DetectorDeps extends JobBuilderDeps {
  logger: JsonLogger;
  /** Puts one job body on the request queue. */
  sendJob(body: string): Promise<void>;
  /** One EMF line per request: accepted (faces, stage timings), rejected by code, or failed. */
  metrics: MetricsSink;
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
    const logger = requestLogger(deps.logger, context);
    let requestId: string | undefined;
    try {
      const event: FunctionUrlEvent = FunctionUrlEventSchema.parse(rawEvent);
      const { request, image } = readRequest(event, deps.config.maxBodyBytes);
      requestId = request.request_id;
      const job = await buildJob(deps, request, image);
      await deps.sendJob(JSON.stringify(job)).catch((error: unknown) => {
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
      return jsonResult(200, accepted);
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
        return rejectionResult(error, requestId);
      }
      logger.error('request failed', { request_id: requestId, error });
      deps.metrics.emit(FAILED_METRICS);
      return jsonResult(500, {
        ...(requestId === undefined ? {} : { request_id: requestId }),
        error: { code: 'internal_error', message: 'internal error; the request was not queued, retry later' },
      });
    }
  };
}
