import { readFile } from 'node:fs/promises';
import type { RecognitionJob } from '@frs/contracts/job';
import type { FacePipeline } from '@frs/vision/pipeline';
import sharp from 'sharp';

export { recordingLogger as makeLogger } from '@frs/test-fixtures/logger';
export { facePath, photosOf, SHARED_DIR } from '@frs/test-fixtures/shared';

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

export { EmfLine } from '@frs/runtime/metrics';
export { sqsEvent } from '@frs/test-fixtures/events';
export { recordingMetrics } from '@frs/test-fixtures/logger';
