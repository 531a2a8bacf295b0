import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AnalyzedImage, loadEmbeddingCache, saveEmbeddingCache } from '@frs/vision/eval';
import { afterAll, describe, expect, it } from 'vitest';

describe('Function: saveEmbeddingCache()', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('returns the faces with their quality after a round trip, an unmeasurable pitch as NaN', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frs-cache-'));
    dirs.push(dir);
    const key = { modelId: 'm', dimension: 2, settings: 's', datasetHash: 'h' };
    const images = new Map<string, AnalyzedImage>([
      [
        join(dir, 'a/1.jpg'),
        {
          width: 250,
          height: 250,
          faces: [
            {
              area: 100,
              box: [0, 0, 10, 10],
              embedding: { modelId: 'm', vector: Float32Array.of(0.6, 0.8) },
              quality: { eyeDistance: 41.5, sharpness: 130, yaw: 0.2, pitch: Number.NaN },
            },
            { area: 4, box: [0, 0, 2, 2], embedding: { modelId: 'm', vector: Float32Array.of(1, 0) } },
          ],
        },
      ],
    ]);
    const file = join(dir, 'cache.json');
    await saveEmbeddingCache(file, key, dir, images);
    const back = await loadEmbeddingCache(file, key, dir);
    const faces = back.get(join(dir, 'a/1.jpg'))?.faces;
    expect(faces?.[0]?.quality).toEqual({ eyeDistance: 41.5, sharpness: 130, yaw: 0.2, pitch: Number.NaN });
    expect(faces?.[1]).not.toHaveProperty('quality');
    expect(Array.from(faces?.[0]?.embedding.vector ?? [])).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });
});
