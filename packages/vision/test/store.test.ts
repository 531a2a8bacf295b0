import { createServer, type Server } from 'node:http';
import { ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryFormatError, PersonNotFoundError } from '../src/gallery/errors.ts';
import { serializeGallery } from '../src/gallery/format.ts';
import { createGallery } from '../src/gallery/gallery.ts';
import {
  createGalleryStore,
  fetchGallery,
  GalleryStoreError,
  type NewPhoto,
  PhotoNotFoundError,
  parseS3Location,
  S3LocationError,
} from '../src/store/index.ts';
import { hasMoto, type MotoS3, startMoto } from './fixtures/moto.ts';

const model = { id: 'test-embedder-8d', dimension: 8 };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function makePhoto(seed: number, overrides: Partial<NewPhoto> = {}): NewPhoto {
  const vector = Float32Array.from({ length: model.dimension }, (_, i) => Math.sin(seed * 7.1 + i) + 0.01);
  return {
    vector,
    box: [10, 20, 110, 140],
    score: 0.99,
    thumbnail: new Uint8Array([0xff, 0xd8, seed & 0xff, 0xff, 0xd9]),
    filename: `photo-${seed}.jpg`,
    ...overrides,
  };
}

describe.skipIf(!hasMoto())('Function: createGalleryStore() on moto S3', () => {
  let moto: MotoS3;
  let n = 0;
  const freshStore = async () => {
    const bucket = await moto.bucket(`gallery-${++n}`);
    return createGalleryStore({ s3: moto.s3, location: `s3://${bucket}/gallery/`, model, logger: silent });
  };
  const versionsOf = async (bucket: string, prefix: string) => {
    const out = await moto.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
    return [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])];
  };

  beforeAll(async () => {
    moto = await startMoto();
  }, 30_000);
  afterAll(async () => moto?.stop());

  it('returns the person with their photo and thumbnail when a photo is enrolled', async () => {
    const store = await freshStore();
    const photo = await store.addPhoto('Ada', makePhoto(1));
    expect(photo.photoId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.listPeople()).toEqual([{ name: 'Ada', photos: [photo] }]);
    expect(await store.getPerson('Ada')).toEqual({ name: 'Ada', photos: [photo] });
    expect(await store.thumbnail('Ada', photo.photoId)).toEqual(makePhoto(1).thumbnail);
    const { gallery } = await store.read();
    expect(gallery.people[0]?.embeddings).toHaveLength(1);
  });

  it('returns every person when twelve enrolments of different people race', async () => {
    const store = await freshStore();
    const names = Array.from({ length: 12 }, (_, i) => `Person ${i}`);
    await Promise.all(names.map((name, i) => store.addPhoto(name, makePhoto(i))));
    const people = await store.listPeople();
    expect(people.map((p) => p.name).sort()).toEqual([...names].sort());
    expect(people.every((p) => p.photos.length === 1)).toBe(true);
  });

  it('returns all photos when photos of one person are enrolled concurrently', async () => {
    const store = await freshStore();
    await Promise.all([1, 2, 3, 4, 5].map((seed) => store.addPhoto('Bo', makePhoto(seed))));
    expect((await store.getPerson('Bo')).photos).toHaveLength(5);
  });

  it('removes the vectors, every thumbnail version and every older snapshot version when a person is deleted', async () => {
    const store = await freshStore();
    const ada = await store.addPhoto('Ada', makePhoto(1));
    await store.addPhoto('Ada', makePhoto(2));
    await store.addPhoto('Bo', makePhoto(3));
    expect((await versionsOf(store.bucket, store.snapshotKey)).length).toBe(3);
    await store.removePerson('Ada');
    expect((await store.listPeople()).map((p) => p.name)).toEqual(['Bo']);
    const snapshots = await versionsOf(store.bucket, store.snapshotKey);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]?.IsLatest).toBe(true);
    expect(await versionsOf(store.bucket, `gallery/thumbs/${ada.photoId}`)).toEqual([]);
    await expect(store.thumbnail('Ada', ada.photoId)).rejects.toBeInstanceOf(PersonNotFoundError);
  });

  it('removes only that photo, and the person with their last photo, when photos are deleted', async () => {
    const store = await freshStore();
    const first = await store.addPhoto('Cy', makePhoto(1));
    const second = await store.addPhoto('Cy', makePhoto(2));
    await store.removePhoto('Cy', first.photoId);
    expect((await store.getPerson('Cy')).photos).toEqual([second]);
    expect(await versionsOf(store.bucket, `gallery/thumbs/${first.photoId}`)).toEqual([]);
    await store.removePhoto('Cy', second.photoId);
    expect(await store.listPeople()).toEqual([]);
  });

  it('throws the typed not-found errors and writes nothing when the person or photo does not exist', async () => {
    const store = await freshStore();
    const photo = await store.addPhoto('Di', makePhoto(1));
    const before = await store.read();
    await expect(store.removePerson('Nobody')).rejects.toBeInstanceOf(PersonNotFoundError);
    await expect(store.removePhoto('Di', '0b6f8a8e-3f57-4d5c-9a34-4b3f1c0d2e11')).rejects.toBeInstanceOf(
      PhotoNotFoundError,
    );
    await expect(store.removePhoto('Nobody', photo.photoId)).rejects.toBeInstanceOf(PersonNotFoundError);
    expect((await store.read()).etag).toBe(before.etag);
  });

  it('returns not-modified for an unchanged snapshot and the new gallery after a change', async () => {
    const store = await freshStore();
    await store.addPhoto('Ed', makePhoto(1));
    const location = `s3://${store.bucket}/${store.snapshotKey}`;
    const first = await fetchGallery(location, { s3: moto.s3, expected: model });
    if (first.kind !== 'gallery') throw new Error('expected a gallery');
    expect(first.gallery.people.map((p) => p.name)).toEqual(['Ed']);
    expect(await fetchGallery(location, { s3: moto.s3, expected: model, etag: first.etag })).toEqual({
      kind: 'not-modified',
    });
    await store.addPhoto('Flo', makePhoto(2));
    const third = await fetchGallery(location, { s3: moto.s3, expected: model, etag: first.etag });
    expect(third.kind === 'gallery' && third.gallery.people.map((p) => p.name)).toEqual(['Ed', 'Flo']);
  });

  it('returns missing when the snapshot does not exist yet', async () => {
    const bucket = await moto.bucket(`gallery-${++n}`);
    expect(
      await fetchGallery(`s3://${bucket}/gallery/snapshot.json`, { s3: moto.s3, expected: model }),
    ).toEqual({
      kind: 'missing',
    });
  });

  it('throws a clear error when the snapshot is above the byte cap or is not a gallery', async () => {
    const bucket = await moto.bucket(`gallery-${++n}`);
    const location = `s3://${bucket}/snapshot.json`;
    await moto.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'snapshot.json',
        Body: serializeGallery(createGallery(model)),
      }),
    );
    await expect(fetchGallery(location, { s3: moto.s3, expected: model, maxBytes: 10 })).rejects.toThrow(
      /above the 10-byte limit/,
    );
    await moto.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'snapshot.json', Body: '{"format":"frs-gal' }),
    );
    await expect(fetchGallery(location, { s3: moto.s3, expected: model })).rejects.toBeInstanceOf(
      GalleryFormatError,
    );
  });
});

describe('Function: fetchGallery()', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    // Answers the headers, then never sends the body: a stalled gallery host.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"format":');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/gallery.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('throws a GalleryStoreError naming the time limit when the host stalls', async () => {
    const started = performance.now();
    await expect(fetchGallery(url, { expected: model, timeoutMs: 300 })).rejects.toThrow(
      /no answer within 300 ms/,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('throws a GalleryStoreError when the file does not exist', async () => {
    await expect(fetchGallery('/nonexistent/gallery.json', { expected: model })).rejects.toBeInstanceOf(
      GalleryStoreError,
    );
  });
});

describe('Function: parseS3Location()', () => {
  it('returns bucket and key when given an s3 URL, and throws S3LocationError otherwise', () => {
    expect(parseS3Location('s3://frs-gallery/gallery/')).toEqual({ bucket: 'frs-gallery', key: 'gallery/' });
    expect(parseS3Location('s3://frs-gallery')).toEqual({ bucket: 'frs-gallery', key: '' });
    expect(() => parseS3Location('https://x/y')).toThrow(S3LocationError);
    expect(() => parseS3Location('s3://Bad_Bucket/k')).toThrow(S3LocationError);
  });
});
