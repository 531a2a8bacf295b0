import type { FunctionUrlEvent } from '@frs/contracts/lambda';
import { functionUrlEvent } from '@frs/test-fixtures/events';

export { facePath, SHARED_DIR } from '@frs/test-fixtures/shared';

/** A Function URL event as AWS builds it. */
export function makeEvent(method: string, rawPath: string, body?: unknown): FunctionUrlEvent {
  return functionUrlEvent({ method, rawPath, body });
}

export { EmfLine } from '@frs/runtime/metrics';
export { recordingLogger as makeLogger, recordingMetrics } from '@frs/test-fixtures/logger';
