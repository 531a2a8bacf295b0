import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addEmbeddings, createGallery, type Gallery, serializeGallery } from '@frs/vision/gallery';
import { describe, expect, it } from 'vitest';
import { GalleryUnusableError } from '../src/errors.ts';
import { createLiveMatcher, galleryMatcher } from '../src/gallery.ts';
import { makeLogger } from './fixtures.ts';

const model = { id: 'test-embedder-4d', dimension: 4 };
const galleryOf = (people: Record<string, number[]>): Gallery =>
  Object.entries(people).reduce(
    (g, [name, vector]) => addEmbeddings(g, name, [{ vector }]),
    createGallery(model),
  );
const ada = Float32Array.from([1, 0, 0, 0]);

async function galleryFile(gallery: Gallery): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'frs-live-')), 'gallery.json');
  await writeFile(path, serializeGallery(gallery));
  return path;
}

function liveOn(location: string, clock: { now: number }, extra: { fetch?: typeof fetch } = {}) {
  const { logger, lines } = makeLogger();
  const live = createLiveMatcher({
    location,
    expected: model,
    threshold: 0.5,
    refreshSeconds: 10,
    logger,
    clock: () => clock.now,
    ...extra,
  });
  return { live, lines };
}

describe('Function: createLiveMatcher()', () => {
  it('returns the new gallery only after the refresh interval when the file changes', async () => {
    const path = await galleryFile(galleryOf({ Ada: [1, 0, 0, 0] }));
    const clock = { now: 0 };
    const { live, lines } = liveOn(path, clock);
    expect((await live()).match(ada).name).toBe('Ada');
    // A rewrite changes size and mtime; the deletion of Ada is what recognition must notice.
    await writeFile(path, serializeGallery(galleryOf({ Bo: [0, 1, 0, 0], Cy: [0, 0, 1, 0] })));
    clock.now = 9_000;
    expect((await live()).match(ada).name).toBe('Ada');
    clock.now = 10_000;
    expect((await live()).match(ada).name).toBeUndefined();
    expect(lines.map((l) => l.message)).toEqual(['gallery loaded', 'gallery reloaded']);
  });

  it('keeps the last good gallery and logs a warning when a refresh reads a corrupt gallery', async () => {
    const path = await galleryFile(galleryOf({ Ada: [1, 0, 0, 0] }));
    const clock = { now: 0 };
    const { live, lines } = liveOn(path, clock);
    await live();
    await writeFile(path, '{"format":"frs-gallery","version":1,"mod');
    clock.now = 20_000;
    expect((await live()).match(ada).name).toBe('Ada');
    expect(lines.at(-1)).toMatchObject({
      level: 'warn',
      message: 'gallery refresh failed; keeping the last good gallery',
    });
  });

  it('throws GalleryUnusableError at the first read when the gallery is missing, then retries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frs-live-'));
    const path = join(dir, 'gallery.json');
    const clock = { now: 0 };
    const { live } = liveOn(path, clock);
    await expect(live()).rejects.toBeInstanceOf(GalleryUnusableError);
    await writeFile(path, serializeGallery(galleryOf({ Ada: [1, 0, 0, 0] })));
    expect((await live()).match(ada).name).toBe('Ada');
  });

  it('sends If-None-Match and keeps the gallery when an https host answers 304', async () => {
    const body = serializeGallery(galleryOf({ Ada: [1, 0, 0, 0] }));
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      const tag = req.headers['if-none-match'];
      seen.push(tag);
      if (tag === '"v1"') res.writeHead(304).end();
      else res.writeHead(200, { etag: '"v1"', 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const clock = { now: 0 };
      const { live, lines } = liveOn(`http://127.0.0.1:${port}/g.json?X-Amz-Signature=secret`, clock);
      await live();
      clock.now = 11_000;
      expect((await live()).match(ada).name).toBe('Ada');
      expect(seen).toEqual([undefined, '"v1"']);
      expect(lines.map((l) => l.message)).toEqual(['gallery loaded', 'gallery unchanged']);
      expect(JSON.stringify(lines)).not.toContain('secret');
    } finally {
      server.close();
    }
  });
});

describe('Function: galleryMatcher()', () => {
  const query = Float32Array.from([1, 0.3, 0, 0]);

  it('returns the name at a fixed threshold and unknown when the gallery-size rule raises it', () => {
    const gallery = galleryOf({ Ada: [1, 0, 0, 0], Bo: [0, 1, 0, 0] });
    expect(galleryMatcher(gallery, 0.5).match(query).name).toBe('Ada');
    const sizes: number[] = [];
    const rule = (people: number) => {
      sizes.push(people);
      return people >= 2 ? 0.99 : 0.5;
    };
    const result = galleryMatcher(gallery, rule).match(query);
    expect(result.name).toBeUndefined();
    expect(result.similarity).toBeCloseTo(1 / Math.hypot(1, 0.3), 6);
    expect(sizes).toEqual([2]);
  });

  it('returns the nearest people best first, named or not, only when candidates are asked for', () => {
    const gallery = galleryOf({ Ada: [1, 0, 0, 0], Bo: [0, 1, 0, 0], Cy: [0, 0, 1, 0] });
    expect(galleryMatcher(gallery, 0.5).match(query)).not.toHaveProperty('candidates');
    const known = galleryMatcher(gallery, 0.5, { candidates: 2 }).match(query);
    expect(known.name).toBe('Ada');
    expect(known.candidates?.map((c) => c.name)).toEqual(['Ada', 'Bo']);
    expect(known.candidates?.[1]?.similarity).toBeCloseTo(0.3 / Math.hypot(1, 0.3), 6);
    const unknown = galleryMatcher(gallery, 0.99, { candidates: 5 }).match(query);
    expect(unknown.name).toBeUndefined();
    expect(unknown.candidates?.map((c) => c.name)).toEqual(['Ada', 'Bo', 'Cy']);
    expect(unknown.candidates?.[0]?.similarity).toBe(unknown.similarity);
  });

  it('returns the similarity to the centroid of a person with several vectors', () => {
    const gallery = addEmbeddings(createGallery(model), 'Ada', [
      { vector: [1, 0, 0, 0] },
      { vector: [0, 1, 0, 0] },
    ]);
    // Neither vector reaches 0.9, their normalised mean (1, 1, 0, 0)/√2 does.
    const result = galleryMatcher(gallery, 0.9).match(Float32Array.from([1, 1, 0, 0]));
    expect(result.name).toBe('Ada');
    expect(result.similarity).toBeCloseTo(1, 6);
  });
});
