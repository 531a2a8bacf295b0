import type { RecognitionJob } from '../src/job.ts';
import type { RecognitionResult } from '../src/result.ts';

// A 1×1 PNG: the smallest valid base64 chip, good enough for schema tests that never decode it.
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';

export function makeJob(overrides: Partial<RecognitionJob> = {}): RecognitionJob {
  return {
    version: 1,
    request_id: 'req-1',
    filename: 'frame.jpg',
    received_at: '2026-01-01T00:00:00.000Z',
    image: { width: 640, height: 480 },
    models: { detector: 'mtcnn', embedder: 'mobilefacenet' },
    chip_size: { width: 112, height: 112 },
    faces: [
      {
        box: [10, 20, 110, 140],
        score: 0.99,
        landmarks: [
          [40, 60],
          [80, 60],
          [60, 85],
          [45, 110],
          [75, 110],
        ],
        chip: TINY_PNG_BASE64,
      },
    ],
    truncated: false,
    dropped_faces: 0,
    timing: { decode_ms: 1, detect_ms: 2, encode_ms: 3, detector_ms: 6 },
    ...overrides,
  };
}

export function makeResult(overrides: Partial<RecognitionResult> = {}): RecognitionResult {
  return {
    request_id: 'req-1',
    result: 'alice',
    faces: [{ box: [10, 20, 110, 140], score: 0.99, name: 'alice', similarity: 0.8 }],
    dropped_faces: 0,
    timing: { detector_ms: 6, recognizer_ms: 12, queue_ms: 3 },
    ...overrides,
  };
}
