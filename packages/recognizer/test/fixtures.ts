import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecognitionJob } from '@frs/contracts/job';
import { encodeChipPng } from '@frs/service/chip';
import { decodeFrame } from '@frs/service/image';
import { buildJob, DEFAULT_MAX_FACES } from '@frs/service/job';
import { DEFAULT_MAX_PIXELS } from '@frs/vision/image';
import type { FacePipeline } from '@frs/vision/pipeline';

/** Root of the shared test data (`FRS_SHARED_DIR`, default `<repo>/../shared`). */
export const SHARED_DIR =
  process.env.FRS_SHARED_DIR ?? new URL('../../../../shared/', import.meta.url).pathname;

/** Absolute path of a file below `../shared/faces`. */
export function facePath(relative: string): string {
  return join(SHARED_DIR, 'faces', relative);
}

/** The photos of one identity, sorted. */
export async function photosOf(person: string): Promise<string[]> {
  const dir = facePath(`identities/${person}`);
  return (await readdir(dir)).sort().map((f) => join(dir, f));
}

export { recordingLogger as makeLogger } from '@frs/runtime/logger';

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

/** An SQS event source mapping event with one record per body. */
export function sqsEvent(bodies: readonly string[]) {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `rh-${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1' },
    })),
  };
}

export { EmfLine, recordingMetrics } from '@frs/runtime/metrics';
