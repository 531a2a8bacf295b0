import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createGalleryStore } from '@frs/vision/store';
import { describe, expect, it } from 'vitest';
import { startLocalQueues } from '../src/queues.ts';

const model = { id: 'test-embedder-8d', dimension: 8 };

async function localS3(dataDir: string) {
  const queues = await startLocalQueues({
    port: 0,
    prefix: 'frs',
    requestVisibilitySeconds: 10,
    maxReceiveCount: 3,
    responseVisibilitySeconds: 2,
    s3DataDir: dataDir,
    buckets: ['frs-gallery'],
  });
  const s3 = new S3Client({
    endpoint: queues.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = createGalleryStore({ s3, location: 's3://frs-gallery/gallery/', model });
  return {
    s3,
    store,
    stop: async () => {
      s3.destroy();
      await queues.stop();
    },
  };
}

const photo = (seed: number) => ({
  vector: Float32Array.from({ length: 8 }, (_, i) => Math.cos(seed + i) + 0.01),
  box: [0, 0, 50, 60] as const,
  score: 0.98,
  thumbnail: new Uint8Array([seed]),
});

describe('Function: startLocalQueues() S3', () => {
  it('returns 412 for a PUT whose If-Match or If-None-Match no longer holds', async () => {
    const local = await localS3(await mkdtemp(join(tmpdir(), 'frs-s3-')));
    try {
      const put = (body: string, extra: { IfMatch?: string; IfNoneMatch?: string }) =>
        local.s3.send(new PutObjectCommand({ Bucket: 'frs-gallery', Key: 'k', Body: body, ...extra }));
      const first = await put('v1', { IfNoneMatch: '*' });
      await expect(put('v2', { IfNoneMatch: '*' })).rejects.toMatchObject({
        $metadata: { httpStatusCode: 412 },
      });
      await put('v2', { IfMatch: first.ETag ?? '' });
      await expect(put('v3', { IfMatch: first.ETag ?? '' })).rejects.toMatchObject({
        $metadata: { httpStatusCode: 412 },
      });
    } finally {
      await local.stop();
    }
  });

  it('returns every person after racing enrolments and after a restart on the same data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frs-s3-'));
    const first = await localS3(dir);
    const names = Array.from({ length: 10 }, (_, i) => `Person ${i}`);
    try {
      await Promise.all(names.map((name, i) => first.store.addPhoto(name, photo(i))));
    } finally {
      await first.stop();
    }
    const second = await localS3(dir);
    try {
      expect((await second.store.listPeople()).map((p) => p.name).sort()).toEqual([...names].sort());
    } finally {
      await second.stop();
    }
  });
});
