import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
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

const sharedDir =
  process.env.FRS_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared/', import.meta.url));
const galleryPt = join(sharedDir, 'galleries', 'resnetV1_video_weights.pt');
const galleryJson = join(sharedDir, 'galleries', 'resnetV1_video_weights.json');

const ReferenceSchema = z.object({ names: z.array(z.string()), embeddings: z.array(z.array(z.number())) });

/** Builds a ZIP archive (stored or deflated members) the way torch.save lays it out. */
function zipFactory(members: Record<string, Uint8Array>, method: 0 | 8 = 0): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, raw] of Object.entries(members)) {
    const data = method === 8 ? deflateRawSync(raw) : Buffer.from(raw);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(members).length, 8);
  end.writeUInt16LE(Object.keys(members).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A protocol-2 pickle of `[tensor(2, 3) transposed from storage '0', ['a', 'b']]`, written by hand. */
function transposedPickleFactory(): Uint8Array {
  const s = (text: string) => {
    const b = Buffer.from(text);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    return Buffer.concat([Buffer.from('X'), len, b]);
  };
  return Buffer.concat([
    Buffer.from([0x80, 2, 0x5d, 0x28]), // PROTO 2, EMPTY_LIST, MARK
    Buffer.from('ctorch._utils\n_rebuild_tensor_v2\n'),
    Buffer.from([0x28, 0x28]), // MARK (args) MARK (persistent id)
    s('storage'),
    Buffer.from('ctorch\nFloatStorage\n'),
    s('0'),
    s('cpu'),
    Buffer.from([0x4b, 6, 0x74, 0x51]), // BININT1 6, TUPLE, BINPERSID
    Buffer.from([0x4b, 0]), // offset 0
    Buffer.from([0x4b, 2, 0x4b, 3, 0x86]), // size (2, 3)
    Buffer.from([0x4b, 1, 0x4b, 2, 0x86]), // stride (1, 2): a transposed view
    Buffer.from([0x89, 0x7d, 0x74, 0x52]), // NEWFALSE, EMPTY_DICT, TUPLE, REDUCE
    Buffer.from([0x5d, 0x28]),
    s('a'),
    s('b'),
    Buffer.from([0x65, 0x65, 0x2e]), // APPENDS, APPENDS, STOP
  ]);
}

function floatsFactory(values: number[]): Uint8Array {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    out.writeFloatLE(v, i * 4);
  });
  return out;
}

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
