import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addEmbeddings,
  createGallery,
  decodeVector,
  encodeVector,
  type Gallery,
  GalleryFormatError,
  GalleryIoError,
  GalleryModelMismatchError,
  loadGallery,
  PersonNotFoundError,
  parseGallery,
  removePerson,
  saveGallery,
  serializeGallery,
  vectorCount,
} from '@frs/vision/gallery';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const MODEL = { id: 'test-embedder', dimension: 8 };

/** Deterministic pseudo-random vectors so failures reproduce. */
function vectorFactory(seed: number): (dim?: number) => Float32Array {
  let state = seed >>> 0;
  return (dim = MODEL.dimension) =>
    Float32Array.from({ length: dim }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32 - 0.5;
    });
}

function galleryFactory(people: Record<string, number>, seed = 1): Gallery {
  const next = vectorFactory(seed);
  let gallery = createGallery(MODEL);
  for (const [name, count] of Object.entries(people)) {
    gallery = addEmbeddings(
      gallery,
      name,
      Array.from({ length: count }, (_, i) => ({ vector: next(), source: `${name}/${i}.jpg` })),
      { metadata: { role: 'test' } },
    );
  }
  return gallery;
}

describe('Function: addEmbeddings()', () => {
  it('throws RangeError when the name is unknown or no_face in any case', () => {
    const empty = createGallery({ id: 'm', dimension: 2 });
    for (const name of ['unknown', 'No_Face', 'UNKNOWN']) {
      expect(() => addEmbeddings(empty, name, [{ vector: [1, 0] }])).toThrow(/is reserved/);
    }
  });

  it('returns a new gallery with the person enrolled and unit-length vectors when the name is new', () => {
    const empty = createGallery(MODEL);
    const next = addEmbeddings(empty, 'Ada', [{ vector: [3, 4, 0, 0, 0, 0, 0, 0] }]);
    expect(empty.people).toHaveLength(0);
    expect(next.people.map((p) => p.name)).toEqual(['Ada']);
    expect(Array.from(next.people[0]?.embeddings[0]?.vector ?? [])).toEqual([
      expect.closeTo(0.6, 6),
      expect.closeTo(0.8, 6),
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
  });

  it('returns the person with vectors appended and metadata merged when the name exists', () => {
    const gallery = galleryFactory({ Ada: 2 });
    const next = addEmbeddings(gallery, 'Ada', [{ vector: vectorFactory(9)() }], { metadata: { team: 'x' } });
    expect(next.people).toHaveLength(1);
    expect(next.people[0]?.embeddings).toHaveLength(3);
    expect(next.people[0]?.metadata).toEqual({ role: 'test', team: 'x' });
  });

  it('throws GalleryModelMismatchError when the vector has another dimension', () => {
    expect(() => addEmbeddings(createGallery(MODEL), 'Ada', [{ vector: vectorFactory(1)(4) }])).toThrow(
      GalleryModelMismatchError,
    );
  });

  it('throws GalleryModelMismatchError when the vectors come from another model', () => {
    expect(() =>
      addEmbeddings(createGallery(MODEL), 'Ada', [{ vector: vectorFactory(1)() }], {
        modelId: 'other-model',
      }),
    ).toThrow(GalleryModelMismatchError);
  });

  it('throws RangeError when the vector is zero or not finite', () => {
    const gallery = createGallery(MODEL);
    expect(() => addEmbeddings(gallery, 'Ada', [{ vector: new Float32Array(8) }])).toThrow(RangeError);
    expect(() => addEmbeddings(gallery, 'Ada', [{ vector: [Number.NaN, 1, 1, 1, 1, 1, 1, 1] }])).toThrow(
      RangeError,
    );
  });
});

describe('Function: removePerson()', () => {
  it('returns the gallery without the person and their vectors when the person exists', () => {
    const gallery = galleryFactory({ Ada: 2, Bob: 3 });
    const next = removePerson(gallery, 'Ada');
    expect(next.people.map((p) => p.name)).toEqual(['Bob']);
    expect(vectorCount(next)).toBe(3);
  });

  it('throws PersonNotFoundError when nobody has the name', () => {
    expect(() => removePerson(galleryFactory({ Ada: 1 }), 'Eve')).toThrow(PersonNotFoundError);
  });
});

describe('Function: encodeVector()', () => {
  it('returns base64 of little-endian float32 that decodeVector() reads back bit-exactly', () => {
    const vector = Float32Array.from([1, -0.5, 1e-30, 3.4e38, -0]);
    expect(encodeVector(Float32Array.of(1))).toBe('AACAPw==');
    expect(decodeVector(encodeVector(vector))).toEqual(vector);
  });
});

describe('Function: parseGallery()', () => {
  it('throws GalleryFormatError, not a bare TypeError, when the bytes are not UTF-8', () => {
    expect(() => parseGallery(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toThrow(GalleryFormatError);
  });

  it('returns an equal gallery when given the output of serializeGallery()', () => {
    const gallery = galleryFactory({ Ada: 2, Bob: 1 });
    const parsed = parseGallery(new TextEncoder().encode(serializeGallery(gallery)));
    expect(parsed).toEqual(gallery);
  });

  it('returns vectors given as plain number arrays, normalised', () => {
    const text = JSON.stringify({
      format: 'frs-gallery',
      version: 1,
      model: { id: 'm', dimension: 2 },
      people: [{ name: 'Ada', metadata: {}, embeddings: [{ vector: [0, 2] }] }],
    });
    expect(Array.from(parseGallery(text).people[0]?.embeddings[0]?.vector ?? [])).toEqual([0, 1]);
  });

  it('throws GalleryModelMismatchError when the gallery was made by another model', () => {
    const text = serializeGallery(galleryFactory({ Ada: 1 }));
    expect(() => parseGallery(text, { id: 'other-model' })).toThrow(GalleryModelMismatchError);
    expect(() => parseGallery(text, { dimension: 192 })).toThrow(GalleryModelMismatchError);
    expect(parseGallery(text, MODEL).model).toEqual(MODEL);
  });

  it('throws GalleryModelMismatchError when a vector length differs from the declared dimension', () => {
    const file = JSON.parse(serializeGallery(galleryFactory({ Ada: 1 })));
    file.people[0].embeddings[0].vector = encodeVector(new Float32Array(4).fill(1));
    expect(() => parseGallery(JSON.stringify(file))).toThrow(GalleryModelMismatchError);
  });

  it('throws GalleryFormatError when the format, version or JSON is wrong', () => {
    const good = JSON.parse(serializeGallery(galleryFactory({ Ada: 1 })));
    expect(() => parseGallery('{not json')).toThrow(GalleryFormatError);
    expect(() => parseGallery(JSON.stringify({ ...good, version: 2 }))).toThrow(GalleryFormatError);
    expect(() => parseGallery(JSON.stringify({ ...good, format: 'other' }))).toThrow(GalleryFormatError);
    expect(() => parseGallery(JSON.stringify({ ...good, people: [...good.people, ...good.people] }))).toThrow(
      GalleryFormatError,
    );
  });
});

describe('Function: saveGallery()', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'frs-gallery-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a file that loadGallery() reads back and leaves no temporary file', async () => {
    const gallery = galleryFactory({ Ada: 2, Bob: 2 });
    const path = join(dir, 'gallery.json');
    await writeFile(path, 'old contents');
    await saveGallery(path, gallery);
    expect(await readdir(dir)).toEqual(['gallery.json']);
    expect(await loadGallery(path, MODEL)).toEqual(gallery);
    expect(JSON.parse(await readFile(path, 'utf8')).format).toBe('frs-gallery');
  });

  it('throws GalleryIoError and leaves no temporary file when the directory does not exist', async () => {
    await expect(saveGallery(join(dir, 'missing', 'g.json'), galleryFactory({ Ada: 1 }))).rejects.toThrow(
      GalleryIoError,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('Function: loadGallery()', () => {
  it('throws GalleryIoError with the cause when the file does not exist', async () => {
    const error = await loadGallery(join(tmpdir(), 'frs-no-such-gallery.json')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GalleryIoError);
    expect(error).toHaveProperty('cause.code', 'ENOENT');
  });
});
