import type { FunctionUrlEvent } from '@frs/contracts/lambda';

/** Root of the shared test data (`FRS_SHARED_DIR`, default `<repo>/../shared`). */
export const SHARED_DIR =
  process.env.FRS_SHARED_DIR ?? new URL('../../../../shared/', import.meta.url).pathname;

/** Path of a photo below `../shared/faces`. */
export function facePath(relative: string): string {
  return `${SHARED_DIR.replace(/\/?$/, '/')}faces/${relative}`;
}

/** A Function URL event as AWS builds it. */
export function makeEvent(method: string, rawPath: string, body?: unknown): FunctionUrlEvent {
  return {
    version: '2.0',
    rawPath,
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method } },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

export { recordingLogger as makeLogger } from '@frs/runtime/logger';

export { EmfLine, recordingMetrics } from '@frs/runtime/metrics';
