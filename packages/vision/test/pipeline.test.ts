import { mkdtemp, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testLogger } from '@frs/test-fixtures/logger';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignFace } from '../src/align/index.ts';
import { WORKING_MAX_PIXELS } from '../src/detect/index.ts';
import { decodeImage, UnsupportedImageFormatError } from '../src/image/index.ts';
import {
  createFaceFinder,
  createFacePipeline,
  type FacePipeline,
  largestFace,
} from '../src/pipeline/index.ts';
import { testManifest, testModelsDir } from './fixtures/models.ts';
import { facePath, loadFace } from './fixtures/shared.ts';

const log = testLogger('vision-pipeline');

describe('Function: createFacePipeline()', () => {
  let pipeline: FacePipeline;

  beforeAll(async () => {
    pipeline = await createFacePipeline({ manifest: await testManifest(), modelsDir: testModelsDir() });
  });

  it('returns faces with chips, embeddings and stage timings when given JPEG bytes', async () => {
    const bytes = await readFile(facePath('other/multi-face/bbt5.jpg'));
    const result = await pipeline.analyze(bytes);
    expect(result.faces.length).toBeGreaterThanOrEqual(5);
    for (const face of result.faces) {
      expect([face.chip.width, face.chip.height]).toEqual([
        pipeline.chipSize.width,
        pipeline.chipSize.height,
      ]);
      expect(face.embedding.modelId).toBe(pipeline.models.embedder);
      expect(face.embedding.vector.length).toBe(pipeline.embedder.dimension);
      expect(face.chip.detection).toBe(face.detection);
    }
    const { decode, detect, align, embed, total } = result.timings;
    expect(Math.min(decode, detect, align, embed)).toBeGreaterThanOrEqual(0);
    expect(total).toBeGreaterThanOrEqual(decode + detect + align + embed - 1e-6);
  });

  it('returns chips like the full-size decode gives when the JPEG exceeds the working budget', async () => {
    // 5000×3000 (15 MP, decoded at 2500×1500): one portrait pasted large (face ≈ 650 px), one small (≈ 90 px).
    const portrait = await readFile(facePath('identities/fnp_shea_whigham/00.jpg'));
    const large = await sharp(portrait).resize(3000, 2917).toBuffer();
    const small = await sharp(portrait).resize(420, 408).toBuffer();
    const bytes = await sharp({ create: { width: 5000, height: 3000, channels: 3, background: '#5a6470' } })
      .composite([
        { input: large, left: 0, top: 40 },
        { input: small, left: 4200, top: 2300 },
      ])
      .jpeg({ quality: 92 })
      .toBuffer();
    expect(5000 * 3000).toBeGreaterThan(WORKING_MAX_PIXELS);
    const chips = await pipeline.detectAndAlign(bytes);
    const full = await decodeImage(bytes);
    const side = (i: number) => (chips[i]?.detection.box[2] ?? 0) - (chips[i]?.detection.box[0] ?? 0);
    const big = chips.findIndex((_, i) => side(i) > 500);
    const tiny = chips.findIndex((c, i) => side(i) < 150 && (c.detection.box[0] ?? 0) > 4200);
    expect(big).toBeGreaterThanOrEqual(0);
    expect(tiny).toBeGreaterThanOrEqual(0);
    const expected = chips.map((c) => alignFace(full, c.detection, pipeline.alignment));
    // The small face's chip is cut from a full-resolution decode of its footprint: identical pixels.
    expect(Buffer.from(chips[tiny]?.data ?? []).equals(Buffer.from(expected[tiny]?.data ?? [0]))).toBe(true);
    // The large face's chip comes from the reduced decode (≥ 1 pixel per chip pixel): same person.
    const [a, b] = await pipeline.embed([chips[big] ?? full, expected[big] ?? full]);
    if (a === undefined || b === undefined) throw new Error('the embedder returned no vectors');
    const cosine = a.vector.reduce((sum, v, i) => sum + v * (b.vector[i] ?? 0), 0);
    log.info('chip from the reduced decode vs the full decode', { cosine });
    expect(cosine).toBeGreaterThan(0.95);
  });

  it('returns the same embeddings from detectAndAlign + embed as from analyze', async () => {
    const image = await loadFace('identities/John_Salley/01.jpg');
    const chips = await pipeline.detectAndAlign(image);
    const embeddings = await pipeline.embed(chips);
    const result = await pipeline.analyze(image);
    expect(chips).toHaveLength(1);
    expect(Array.from(embeddings[0]?.vector ?? [])).toEqual(
      Array.from(result.faces[0]?.embedding.vector ?? []),
    );
    expect(result.timings.decode).toBeLessThan(1);
  });

  it('returns at most maxFaces chips, highest score first, when detect options are passed', async () => {
    const image = await loadFace('other/multi-face/bbt5.jpg');
    const all = await pipeline.detectAndAlign(image);
    const two = await pipeline.detectAndAlign(image, { maxFaces: 2 });
    expect(two.map((c) => c.detection)).toEqual(all.slice(0, 2).map((c) => c.detection));
    const analysis = await pipeline.analyze(image, { maxFaces: 1 });
    expect(analysis.faces.map((f) => f.detection)).toEqual([all[0]?.detection]);
  });

  it('returns no faces when the photo has none', async () => {
    const result = await pipeline.analyze(await readFile(facePath('other/no-face/dog.jpg')));
    expect(result.faces).toEqual([]);
  });

  it('returns the ids of the loaded models when asked for models', () => {
    expect(pipeline.models.detector.split('+')).toHaveLength(3);
    expect(pipeline.models.embedder).toBe(pipeline.embedder.modelId);
  });

  it('throws UnsupportedImageFormatError when given SVG bytes', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
    await expect(pipeline.analyze(svg)).rejects.toBeInstanceOf(UnsupportedImageFormatError);
  });
});

describe('Function: createFaceFinder()', () => {
  it('returns the same chips as the full pipeline when only the MTCNN files exist', async () => {
    const manifest = await testManifest();
    // A models folder with the three MTCNN files and no embedder: the finder must not need it.
    const dir = await mkdtemp(join(tmpdir(), 'frs-finder-'));
    for (const entry of manifest.models.filter((m) => m.role !== 'embedder')) {
      await symlink(join(testModelsDir(), entry.file), join(dir, entry.file));
    }
    const finder = await createFaceFinder({ manifest, modelsDir: dir });
    const image = await loadFace('identities/John_Salley/01.jpg');
    const chips = await finder.detectAndAlign(image);

    const full = await createFacePipeline({ manifest, modelsDir: testModelsDir() });
    const expected = await full.detectAndAlign(image);
    expect(finder.chipSize).toEqual(full.chipSize);
    expect(finder.models).toEqual(full.models);
    expect(chips).toHaveLength(expected.length);
    expect(Buffer.from(chips[0]?.data ?? []).equals(Buffer.from(expected[0]?.data ?? [0]))).toBe(true);
    await expect(createFacePipeline({ manifest, modelsDir: dir })).rejects.toThrow(
      /not built|cannot be read/,
    );
  });
});

describe('Function: largestFace()', () => {
  const face = (box: readonly [number, number, number, number]) => ({ detection: { box } });

  it('returns the face with the largest box, the first of equal ones, and undefined for none', () => {
    const small = face([0, 0, 10, 10]);
    const big = face([5, 5, 40, 45]);
    const twin = face([100, 100, 135, 140]);
    expect(largestFace([small, big, twin])).toBe(big);
    expect(largestFace([])).toBeUndefined();
  });
});
