import { MAX_JOB_BYTES, RecognitionJob } from '@frs/contracts/job';
import { describe, expect, it } from 'vitest';
import { encodeChipPng } from '../src/chip.ts';
import { type PackOptions, packJob } from '../src/job.ts';
import { noiseChip } from './fixtures.ts';

const BASE = {
  version: 1 as const,
  request_id: 'crowd',
  received_at: new Date(0).toISOString(),
  image: { width: 4000, height: 3000 },
  models: { detector: 'mtcnn', embedder: 'mobilefacenet-sirius-192d' },
  chip_size: { width: 112, height: 112 },
  timing: { decode_ms: 1, detect_ms: 1, encode_ms: 1, detector_ms: 3 },
};

type Face = Awaited<ReturnType<typeof faces>>[number];

/** Options that pack already-encoded faces, counting how many were encoded. */
function as(maxFaces: number): PackOptions<Face> & { encoded: () => number } {
  let count = 0;
  return {
    maxFaces,
    score: (face) => face.score,
    encode: (face) => {
      count++;
      return face;
    },
    encoded: () => count,
  };
}

async function faces(n: number) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => ({
      box: [i, i, i + 50, i + 60] as [number, number, number, number],
      score: 0.5 + i / (2 * n),
      landmarks: [
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 5],
      ] as [[number, number], [number, number], [number, number], [number, number], [number, number]],
      chip: Buffer.from(await encodeChipPng(noiseChip())).toString('base64'),
    })),
  );
}

describe('Function: packJob()', () => {
  it('returns a job under 256 KiB that keeps the highest-score faces when given more than fit', async () => {
    const all = await faces(20);
    const job = await packJob(BASE, all, as(100));
    const bytes = Buffer.byteLength(JSON.stringify(job));
    expect(bytes).toBeLessThanOrEqual(MAX_JOB_BYTES);
    expect(job.truncated).toBe(true);
    expect(job.faces.length + job.dropped_faces).toBe(20);
    const kept = job.faces.map((f) => f.score);
    const best = all
      .map((f) => f.score)
      .sort((a, b) => b - a)
      .slice(0, kept.length);
    expect(kept).toEqual(best);
    expect(RecognitionJob.safeParse(job).success).toBe(true);
  });

  it('returns every face untruncated when they fit and maxFaces allows', async () => {
    const job = await packJob(BASE, await faces(2), as(10));
    expect(job).toMatchObject({ truncated: false, dropped_faces: 0 });
    expect(job.faces).toHaveLength(2);
  });

  it('returns at most maxFaces faces when maxFaces is the tighter cap', async () => {
    const options = as(1);
    const job = await packJob(BASE, await faces(3), options);
    expect(job.faces).toHaveLength(1);
    expect(job.dropped_faces).toBe(2);
    expect(options.encoded()).toBe(1);
  });

  it('returns the dropped count of every face left out when both caps apply, encoding none beyond the budget', async () => {
    const all = await faces(40);
    const options = as(32);
    const job = await packJob(BASE, all, options);
    expect(job.faces.length).toBeLessThan(32);
    expect(job.dropped_faces).toBe(40 - job.faces.length);
    // The face that did not fit is the last one encoded.
    expect(options.encoded()).toBe(job.faces.length + 1);
  });
});
