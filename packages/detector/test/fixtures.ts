import { randomBytes } from 'node:crypto';
import type { FunctionUrlEvent } from '@frs/contracts/lambda';

/** Root of the shared test data (`FRS_SHARED_DIR`, default `<repo>/../shared`). */
export const SHARED_DIR =
  process.env.FRS_SHARED_DIR ?? new URL('../../../../shared/', import.meta.url).pathname;

/** Path of a photo below `../shared/faces`. */
export function facePath(relative: string): string {
  return `${SHARED_DIR.replace(/\/?$/, '/')}faces/${relative}`;
}

/** A Function URL event as AWS builds it for a JSON POST. */
export function makeEvent(body: unknown, overrides: Partial<FunctionUrlEvent> = {}): FunctionUrlEvent {
  return {
    version: '2.0',
    rawPath: '/',
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method: 'POST' } },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    ...overrides,
  };
}

export { recordingLogger as makeLogger } from '@frs/runtime/logger';

/** Incompressible chip pixels: the worst case for the job size budget. */
export function noiseChip(width = 112, height = 112): { width: number; height: number; data: Uint8Array } {
  return { width, height, data: new Uint8Array(randomBytes(width * height * 3)) };
}

export { EmfLine, recordingMetrics } from '@frs/runtime/metrics';
