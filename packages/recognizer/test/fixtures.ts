import { readFile } from 'node:fs/promises';
import type { RecognitionJob } from '@frs/contracts/job';
import { encodeChipPng } from '@frs/service/chip';
import { decodeFrame } from '@frs/service/image';
import { buildJob, DEFAULT_MAX_FACES } from '@frs/service/job';
import { DEFAULT_MAX_PIXELS } from '@frs/vision/image';
import type { FacePipeline } from '@frs/vision/pipeline';

export { recordingLogger as makeLogger } from '@frs/test-fixtures/logger';
export { facePath, photosOf, SHARED_DIR } from '@frs/test-fixtures/shared';

/** A job for a real photo, built by the detector's own job builder (real detection, alignment and PNG chips). */
export async function jobFor(
  pipeline: FacePipeline,
  photo: string,
  requestId: string,
): Promise<RecognitionJob> {
  const deps = {
    config: {
      maxBodyBytes: Number.POSITIVE_INFINITY,
      maxPixels: DEFAULT_MAX_PIXELS,
      maxFaces: DEFAULT_MAX_FACES,
    },
    decodeFrame,
    faceFinder: async () => pipeline,
    encodeChip: encodeChipPng,
  };
  return buildJob(deps, { request_id: requestId, filename: photo }, await readFile(photo));
}

export { EmfLine } from '@frs/runtime/metrics';
export { sqsEvent } from '@frs/test-fixtures/events';
export { recordingMetrics } from '@frs/test-fixtures/logger';
