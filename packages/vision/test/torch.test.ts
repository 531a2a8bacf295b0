import { readFile } from 'node:fs/promises';
import {
  openTorchArchive,
  parseGallery,
  readTorchGallery,
  serializeGallery,
  TorchFormatError,
  UnsafePickleError,
} from '@frs/vision/gallery';
import { createMatcher } from '@frs/vision/match';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { unpickle } from '../src/gallery/torch/index.ts';

import {
  floatsFactory,
  galleryJsonPath,
  galleryPickle,
  galleryPtPath,
  listOps,
  pk,
  tensorOps,
  transposedPickleFactory,
  zipFactory,
} from './fixtures/torch.ts';

const galleryPt = galleryPtPath();
const galleryJson = galleryJsonPath();

const ReferenceSchema = z.object({ names: z.array(z.string()), embeddings: z.array(z.array(z.number())) });

describe('Function: readTorchGallery()', () => {
  let bytes: Uint8Array;
  let reference: z.infer<typeof ReferenceSchema>;
  beforeAll(async () => {
    bytes = await readFile(galleryPt);
    reference = ReferenceSchema.parse(JSON.parse(await readFile(galleryJson, 'utf8')));
  });

  it('returns 8 people with 79 vectors matching the reference JSON when given the original gallery', () => {
    const gallery = readTorchGallery(bytes);
    expect(gallery.model).toEqual({ id: 'inception-resnet-v1-vggface2', dimension: 512 });
    expect(gallery.people.map((p) => p.name)).toEqual([...new Set(reference.names)]);
    expect(gallery.people.reduce((n, p) => n + p.embeddings.length, 0)).toBe(79);
    const counters = new Map<string, number>();
    reference.names.forEach((name, i) => {
      const k = counters.get(name) ?? 0;
      counters.set(name, k + 1);
      const expected = reference.embeddings[i] ?? [];
      const norm = Math.hypot(...expected);
      const actual = gallery.people.find((p) => p.name === name)?.embeddings[k]?.vector;
      expect(actual).toHaveLength(512);
      let maxError = 0;
      expected.forEach((v, j) => {
        maxError = Math.max(maxError, Math.abs(v / norm - (actual?.[j] ?? Number.NaN)));
      });
      expect(maxError).toBeLessThan(2e-6);
    });
  });

  it('returns raw storage values equal to the reference JSON when the archive is opened directly', () => {
    const archive = openTorchArchive(bytes);
    const [tensors] = Array.isArray(archive.root) ? archive.root : [];
    expect(Array.isArray(tensors)).toBe(true);
    const first = Array.isArray(tensors) ? tensors[0] : undefined;
    if (typeof first !== 'object' || first === null || Array.isArray(first) || first.kind !== 'tensor') {
      throw new Error('first embedding is not a tensor');
    }
    expect(first.size).toEqual([1, 512]);
    const values = archive.tensor(first);
    (reference.embeddings[0] ?? []).forEach((v, j) => {
      expect(values[j]).toBeCloseTo(v, 6);
    });
  });

  it('returns a gallery in which every vector best matches its own person (leave-one-out)', () => {
    const gallery = readTorchGallery(bytes);
    let correct = 0;
    let total = 0;
    for (const person of gallery.people) {
      for (const [i, e] of person.embeddings.entries()) {
        const rest = {
          model: gallery.model,
          people: gallery.people.map((p) =>
            p.name === person.name ? { ...p, embeddings: p.embeddings.filter((_, j) => j !== i) } : p,
          ),
        };
        total++;
        if (createMatcher(rest).search(e.vector, { topK: 1 })[0]?.name === person.name) correct++;
      }
    }
    expect(correct / total).toBeGreaterThanOrEqual(0.95);
  });

  it('returns a gallery that survives serializeGallery() and parseGallery()', () => {
    const gallery = readTorchGallery(bytes);
    expect(parseGallery(serializeGallery(gallery), gallery.model)).toEqual(gallery);
  });

  it('returns dense rows honouring strides when the embeddings tensor is a transposed (N, D) view', () => {
    const archive = zipFactory(
      { 'g/data.pkl': transposedPickleFactory(), 'g/data/0': floatsFactory([1, 2, 3, 4, 5, 6]) },
      8,
    );
    const gallery = readTorchGallery(archive, { model: { id: 'tiny', dimension: 3 } });
    const a = gallery.people[0]?.embeddings[0]?.vector ?? new Float32Array();
    const b = gallery.people[1]?.embeddings[0]?.vector ?? new Float32Array();
    const norm = (xs: number[]) => xs.map((x) => x / Math.hypot(...xs));
    expect(Array.from(a)).toEqual(norm([1, 3, 5]).map((v) => expect.closeTo(v, 6)));
    expect(Array.from(b)).toEqual(norm([2, 4, 6]).map((v) => expect.closeTo(v, 6)));
  });

  it('throws UnsafePickleError without executing anything when the pickle names another global', () => {
    const evil = Buffer.concat([Buffer.from([0x80, 2]), Buffer.from('cos\nsystem\n'), Buffer.from([0x2e])]);
    expect(() => readTorchGallery(zipFactory({ 'a/data.pkl': evil }))).toThrow(UnsafePickleError);
  });

  it('throws TorchFormatError when the bytes are not a zip or lack data.pkl', () => {
    expect(() => readTorchGallery(new Uint8Array(100))).toThrow(TorchFormatError);
    expect(() => readTorchGallery(zipFactory({ 'a/other': new Uint8Array(4) }))).toThrow(TorchFormatError);
  });

  it('throws TorchFormatError when a storage member is missing', () => {
    const archive = zipFactory({ 'g/data.pkl': transposedPickleFactory() });
    expect(() => readTorchGallery(archive, { model: { id: 'tiny', dimension: 3 } })).toThrow(
      TorchFormatError,
    );
  });
});

/** Growth of `process.memoryUsage().arrayBuffers` (where typed arrays live) while `run` executes. */
function arrayBufferGrowth(run: () => void): number {
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  try {
    run();
  } finally {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }
  return peak - before;
}

/** The error `run` throws (or `undefined`), so a test can check its class, message and cause. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const MiB = 1024 * 1024;

describe('Function: readTorchGallery() on hostile input', () => {
  it('throws TorchFormatError without allocating when a ~340-byte file declares stride 0 and a huge size', () => {
    // 20 M elements over a 1-float storage: the unbounded reader allocated 80 MB for it.
    const file = zipFactory({
      'g/data.pkl': galleryPickle(
        listOps(tensorOps({ key: '0', numel: 1, size: [20_000_000], stride: [0] })),
        listOps(pk.unicode('a')),
      ),
      'g/data/0': floatsFactory([1]),
    });
    expect(file.byteLength).toBeGreaterThan(300);
    expect(file.byteLength).toBeLessThan(400);
    let error: unknown;
    const growth = arrayBufferGrowth(() => {
      error = thrown(() => readTorchGallery(file));
    });
    expect(error).toBeInstanceOf(TorchFormatError);
    expect(growth).toBeLessThan(1 * MiB);
  });

  it('throws TorchFormatError without allocating when a positive-stride view is larger than its storage', () => {
    // Stride 1 in both dimensions overlaps: 1000×1000 elements from a 2000-float storage.
    const file = zipFactory({
      'g/data.pkl': galleryPickle(
        tensorOps({ key: '0', numel: 2000, size: [1000, 1000], stride: [1, 1] }),
        listOps(pk.unicode('a')),
      ),
      'g/data/0': floatsFactory(new Array<number>(2000).fill(1)),
    });
    let error: unknown;
    const growth = arrayBufferGrowth(() => {
      error = thrown(() => readTorchGallery(file, { model: { id: 'tiny', dimension: 1000 } }));
    });
    expect(error).toBeInstanceOf(TorchFormatError);
    expect(growth).toBeLessThan(1 * MiB);
  });

  it.each([
    ['a negative stride', { size: [3], stride: [-1], offset: 2 }],
    ['a negative size', { size: [-3], stride: [1] }],
    ['a size beyond 2^64', { size: [2n ** 70n], stride: [1] }],
    ['a storage offset past the end', { size: [3], stride: [1], offset: 5 }],
    ['33 dimensions', { size: new Array<number>(33).fill(1), stride: new Array<number>(33).fill(1) }],
  ])('throws TorchFormatError when the tensor has %s', (_, view) => {
    const file = zipFactory({
      'g/data.pkl': galleryPickle(
        listOps(tensorOps({ key: '0', numel: 3, ...view })),
        listOps(pk.unicode('a')),
      ),
      'g/data/0': floatsFactory([1, 2, 3]),
    });
    expect(() => readTorchGallery(file, { model: { id: 'tiny', dimension: 3 } })).toThrow(TorchFormatError);
  });

  it('throws TorchFormatError before reading when the pickle claims more floats than the member holds', () => {
    const file = zipFactory({
      'g/data.pkl': galleryPickle(
        listOps(tensorOps({ key: '0', numel: 1_000_000, size: [3], stride: [1] })),
        listOps(pk.unicode('a')),
      ),
      'g/data/0': floatsFactory([1, 2, 3]),
    });
    expect(() => readTorchGallery(file, { model: { id: 'tiny', dimension: 3 } })).toThrow(
      /storage 0 is shorter than 1000000 floats/,
    );
  });

  it('throws TorchFormatError with a zlib cause and no 64 MB allocation when a member is an inflate bomb', () => {
    const bomb = new Uint8Array(64 * MiB); // zeros deflate about 1000:1
    const file = zipFactory({
      'g/data.pkl': transposedPickleFactory(),
      'g/data/0': { data: bomb, method: 8, declaredSize: 24 },
    });
    expect(file.byteLength).toBeLessThan(MiB);
    let error: unknown;
    const growth = arrayBufferGrowth(() => {
      error = thrown(() => readTorchGallery(file, { model: { id: 'tiny', dimension: 3 } }));
    });
    expect(error).toBeInstanceOf(TorchFormatError);
    expect(error).toMatchObject({ cause: expect.any(RangeError) });
    expect(growth).toBeLessThan(8 * MiB);
  });

  it('throws TorchFormatError before inflating when members declare more than the file can expand to', () => {
    const file = zipFactory({
      'g/data.pkl': transposedPickleFactory(),
      'g/data/0': { data: new Uint8Array(24), method: 8, declaredSize: 3_000_000_000 },
    });
    expect(() => readTorchGallery(file)).toThrow(/impossible compression ratio|uncompressed bytes/);
  });

  it('throws TorchFormatError when many directory entries point at one member (overlapping-file bomb)', () => {
    const one = zipFactory({ 'g/data/0': new Uint8Array(60_000) });
    const central = one.subarray(30 + 8 + 60_000, one.byteLength - 22);
    const copies = 200; // 200 × 60 kB = 12 MB declared from a ~70 kB file
    const directory = Buffer.concat(new Array<Uint8Array>(copies).fill(central));
    const end = Buffer.from(one.subarray(one.byteLength - 22));
    end.writeUInt16LE(copies, 8);
    end.writeUInt16LE(copies, 10);
    end.writeUInt32LE(directory.length, 12);
    const file = Buffer.concat([one.subarray(0, 30 + 8 + 60_000), directory, end]);
    expect(() => readTorchGallery(file)).toThrow(/uncompressed bytes/);
  });

  it('throws TorchFormatError when the memo names one storage far more often than the file holds it', () => {
    // 60 000 BINGETs of one 4 kB tensor would materialise 240 MB from a 125 kB file.
    const gets = Buffer.concat(new Array<Buffer>(60_000).fill(pk.binget(0)));
    const pickle = Buffer.concat([
      pk.proto,
      pk.emptyList,
      pk.mark,
      pk.emptyList,
      tensorOps({ key: '0', numel: 1024, size: [1024], stride: [1] }),
      pk.binput(0),
      pk.append,
      pk.mark,
      gets,
      pk.appends,
      listOps(),
      pk.appends,
      pk.stop,
    ]);
    const file = zipFactory({
      'g/data.pkl': pickle,
      'g/data/0': floatsFactory(new Array<number>(1024).fill(1)),
    });
    const growth = arrayBufferGrowth(() => {
      expect(() => readTorchGallery(file, { model: { id: 'tiny', dimension: 1024 } })).toThrow(
        /tensors of this archive exceed/,
      );
    });
    expect(growth).toBeLessThan(8 * MiB);
  });

  it('throws TorchFormatError with the TypeError as cause when a string is not valid UTF-8', () => {
    const file = zipFactory({
      'g/data.pkl': galleryPickle(
        tensorOps({ key: '0', numel: 6, size: [2, 3], stride: [1, 2] }),
        listOps(pk.unicode('a'), pk.unicode(new Uint8Array([0x62, 0xff, 0xfe]))),
      ),
      'g/data/0': floatsFactory([1, 2, 3, 4, 5, 6]),
    });
    const error = thrown(() => readTorchGallery(file, { model: { id: 'tiny', dimension: 3 } }));
    expect(error).toBeInstanceOf(TorchFormatError);
    expect(error).toMatchObject({
      message: expect.stringMatching(/not valid UTF-8/),
      cause: expect.any(TypeError),
    });
  });

  it('throws TorchFormatError when the pickle exceeds its stack or memo limit', () => {
    const nones = Buffer.concat([pk.proto, Buffer.alloc(1001, 0x4e), pk.stop]);
    expect(() => unpickle(nones, { maxStack: 1000 })).toThrow(/stack exceeds 1000/);
    const puts = Buffer.concat([
      pk.proto,
      Buffer.from([0x4e]),
      ...new Array(101).fill(0).map((_, i) => pk.binput(i)),
      pk.stop,
    ]);
    expect(() => unpickle(puts, { maxMemo: 100 })).toThrow(/memo exceeds 100/);
  });

  it('throws TorchFormatError with the cause when a vector has the wrong dimension or is zero', () => {
    const file = zipFactory({
      'g/data.pkl': transposedPickleFactory(),
      'g/data/0': floatsFactory([1, 2, 3, 4, 5, 6]),
    });
    const wrong = thrown(() => readTorchGallery(file));
    expect(wrong).toBeInstanceOf(TorchFormatError);
    expect(wrong).toMatchObject({ cause: expect.any(Error) });
    const zeros = zipFactory({
      'g/data.pkl': transposedPickleFactory(),
      'g/data/0': floatsFactory([0, 0, 0, 0, 0, 0]),
    });
    expect(() => readTorchGallery(zeros, { model: { id: 'tiny', dimension: 3 } })).toThrow(TorchFormatError);
  });

  it('returns every vector when the names arrive in one APPENDS of 500 000 items', () => {
    // The reader once appended with push(...items), which throws RangeError far below this count.
    const n = 500_000;
    const names = Buffer.concat([
      pk.emptyList,
      pk.mark,
      pk.unicode('a'),
      pk.binput(1),
      pk.unicode('b'),
      pk.binput(2),
      ...new Array<Buffer>(n - 2).fill(pk.binget(1)),
      pk.appends,
    ]);
    const values = new Array<number>(n * 2);
    for (let i = 0; i < n; i++) {
      values[2 * i] = 1;
      values[2 * i + 1] = i % 7;
    }
    const file = zipFactory({
      'g/data.pkl': galleryPickle(tensorOps({ key: '0', numel: n * 2, size: [n, 2], stride: [2, 1] }), names),
      'g/data/0': floatsFactory(values),
    });
    const gallery = readTorchGallery(file, { model: { id: 'tiny', dimension: 2 } });
    expect(gallery.people.map((p) => [p.name, p.embeddings.length])).toEqual([
      ['a', n - 1],
      ['b', 1],
    ]);
  });
});

describe('Function: readTorchGallery() with names given', () => {
  it('returns the gallery under the given names when they replace the stored ones', async () => {
    const reference = ReferenceSchema.parse(JSON.parse(await readFile(galleryJson, 'utf8')));
    const renamed = reference.names.map((n) => `${n} (imported)`);
    const gallery = readTorchGallery(await readFile(galleryPt), { names: renamed });
    expect(gallery.people.map((p) => p.name)).toEqual([...new Set(renamed)]);
  });

  it('throws TorchFormatError when the number of names differs from the number of embeddings', async () => {
    const bytes = await readFile(galleryPt);
    expect(() => readTorchGallery(bytes, { names: ['one'] })).toThrow(/79 embeddings but 1 names/);
  });

  it('returns the gallery when the file holds only the embeddings and the names are given', () => {
    const file = zipFactory({
      'g/data.pkl': Buffer.concat([
        pk.proto,
        tensorOps({ key: '0', numel: 6, size: [2, 3], stride: [1, 2] }),
        pk.stop,
      ]),
      'g/data/0': floatsFactory([1, 2, 3, 4, 5, 6]),
    });
    const gallery = readTorchGallery(file, { model: { id: 'tiny', dimension: 3 }, names: ['x', 'y'] });
    expect(gallery.people.map((p) => p.name)).toEqual(['x', 'y']);
  });
});
