import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecognitionJob } from '@frs/contracts/job';
import type { FacePipeline } from '@frs/vision/pipeline';
import sharp from 'sharp';

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

/** A job for a real photo, built like the detector builds it (real detection, alignment and PNG chips). */
export async function jobFor(
  pipeline: FacePipeline,
  photo: string,
  requestId: string,
): Promise<RecognitionJob> {
  const chips = await pipeline.detectAndAlign(await readFile(photo));
  const faces = await Promise.all(
    chips.map(async (chip) => ({
      box: [...chip.detection.box] as [number, number, number, number],
      score: Math.min(1, chip.detection.score),
      landmarks: chip.detection.landmarks.map((p) => [
        p[0],
        p[1],
      ]) as RecognitionJob['faces'][number]['landmarks'],
      chip: (
        await sharp(chip.data, { raw: { width: chip.width, height: chip.height, channels: 3 } })
          .png()
          .toBuffer()
      ).toString('base64'),
    })),
  );
  return {
    version: 1,
    request_id: requestId,
    filename: photo,
    received_at: new Date().toISOString(),
    image: { width: 1, height: 1 },
    models: pipeline.models,
    chip_size: pipeline.chipSize,
    faces,
    truncated: false,
    dropped_faces: 0,
    timing: { decode_ms: 0, detect_ms: 0, encode_ms: 0, detector_ms: 0 },
  };
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
