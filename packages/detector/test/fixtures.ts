import { randomBytes } from 'node:crypto';
import type { FunctionUrlEvent } from '@frs/contracts/lambda';
import { functionUrlEvent } from '@frs/test-fixtures/events';

export { facePath, SHARED_DIR } from '@frs/test-fixtures/shared';

/** A Function URL event as AWS builds it for a JSON POST. */
export function makeEvent(body: unknown, overrides: Partial<FunctionUrlEvent> = {}): FunctionUrlEvent {
  return { ...functionUrlEvent({ body }), ...overrides };
}

export { recordingLogger as makeLogger } from '@frs/test-fixtures/logger';

/** Incompressible chip pixels: the worst case for the job size budget. */
export function noiseChip(width = 112, height = 112): { width: number; height: number; data: Uint8Array } {
  return { width, height, data: new Uint8Array(randomBytes(width * height * 3)) };
}

export { EmfLine } from '@frs/runtime/metrics';
export { recordingMetrics } from '@frs/test-fixtures/logger';
