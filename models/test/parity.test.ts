import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, type Manifest, type ModelEntry, modelsDir } from '../src/manifest.ts';
import { verifyModelFile } from '../src/verify.ts';
import { cosine, maxAbsDiff } from './fixtures/reference-ops.ts';
import { boxRegion, type Golden, goldenDetections, photoTensor, referenceModel } from './fixtures/shared.ts';
import { randomFloats } from './fixtures/tflite-builder.ts';

// Parity: our converted files against ../shared/models/reference (independent exports of the same
// weights), on random inputs and on real photos, through the real onnxruntime.
const RAW_TOLERANCE = 1e-4;
const MIN_COSINE = 0.99999;

let manifest: Manifest;
let golden: Golden[];

beforeAll(async () => {
  manifest = await loadManifest();
  golden = (await goldenDetections()).filter((g) => g.path.startsWith('identities/') && g.n_faces > 0);
});

function entry(id: string): ModelEntry {
  const found = manifest.models.find((m) => m.id === id);
  if (found === undefined) throw new Error(`manifest has no ${id}`);
  return found;
}

const sessionCache = new Map<string, { ours: ort.InferenceSession; reference: ort.InferenceSession }>();

async function sessions(model: ModelEntry) {
  const cached = sessionCache.get(model.id);
  if (cached !== undefined) return cached;
  const { bytes } = await verifyModelFile(model, modelsDir());
  const pair = {
    ours: await ort.InferenceSession.create(bytes),
    reference: await ort.InferenceSession.create(referenceModel(model.file)),
  };
  sessionCache.set(model.id, pair);
  return pair;
}

/** Runs both models on one batch and returns the per-output comparison. */
async function compare(model: ModelEntry, data: Float32Array, dims: readonly number[]) {
  const { ours, reference } = await sessions(model);
  const feeds = (s: ort.InferenceSession) => ({
    [s.inputNames[0] ?? 'input']: new ort.Tensor('float32', data, dims),
  });
  const a = await ours.run(feeds(ours));
  const b = await reference.run(feeds(reference));
  return reference.outputNames.map((name) => {
    const x = a[name];
    const y = b[name];
    if (x === undefined || y === undefined) throw new Error(`output ${name} missing`);
    if (!(x.data instanceof Float32Array) || !(y.data instanceof Float32Array))
      throw new Error(`${name} not float`);
    return {
      name,
      dims: x.dims,
      referenceDims: y.dims,
      diff: maxAbsDiff(x.data, y.data),
      ours: x.data,
      theirs: y.data,
    };
  });
}

function expectEmbeddingsClose(outputs: Awaited<ReturnType<typeof compare>>, dimension: number) {
  for (const out of outputs) {
    const rows = out.ours.length / dimension;
    for (let r = 0; r < rows; r++) {
      const slice = (d: Float32Array) => d.subarray(r * dimension, (r + 1) * dimension);
      expect(cosine(slice(out.ours), slice(out.theirs))).toBeGreaterThanOrEqual(MIN_COSINE);
    }
    expect(out.diff).toBeLessThanOrEqual(RAW_TOLERANCE);
  }
}

function expectRawClose(outputs: Awaited<ReturnType<typeof compare>>) {
  for (const out of outputs) {
    expect(out.dims, out.name).toEqual(out.referenceDims);
    expect(out.diff, out.name).toBeLessThanOrEqual(RAW_TOLERANCE);
  }
}

describe('Function: mtcnn-pnet parity', () => {
  it('returns the reference outputs when fed random images of several sizes and batches', async () => {
    for (const dims of [
      [1, 3, 12, 12],
      [3, 3, 37, 53],
      [2, 3, 120, 91],
    ]) {
      const size = dims.reduce((a, b) => a * b, 1);
      expectRawClose(await compare(entry('mtcnn-pnet'), randomFloats(size, size), dims));
    }
  });

  it('returns the reference outputs when fed real photos at pyramid scales', async () => {
    const model = entry('mtcnn-pnet');
    for (const g of golden.slice(0, 4)) {
      for (const scale of [0.6, 0.21]) {
        const w = Math.max(12, Math.round(g.width * scale));
        const h = Math.max(12, Math.round(g.height * scale));
        const data = await photoTensor(g.path, w, h, model.preprocessing);
        expectRawClose(await compare(model, data, [1, 3, h, w]));
      }
    }
  });
});

describe.each([
  ['mtcnn-rnet', 24, [1, 7, 64]],
  ['mtcnn-onet', 48, [1, 5, 16]],
] as const)('Function: %s parity', (id, side, batches) => {
  it('returns the reference outputs when fed random crops in several batch sizes', async () => {
    for (const n of batches) {
      expectRawClose(
        await compare(entry(id), randomFloats(n * 3 * side * side, n + side), [n, 3, side, side]),
      );
    }
  });

  it('returns the reference outputs when fed real face crops', async () => {
    const model = entry(id);
    const crops = await Promise.all(
      golden.slice(0, 12).map((g) => photoTensor(g.path, side, side, model.preprocessing, boxRegion(g, 0))),
    );
    const batch = new Float32Array(crops.length * 3 * side * side);
    crops.forEach((c, i) => {
      batch.set(c, i * c.length);
    });
    const outputs = await compare(model, batch, [crops.length, 3, side, side]);
    expectRawClose(outputs);
    // Real faces: the network must find them (guards against comparing two wrong files).
    const prob = outputs.find((o) => o.name === 'prob');
    const faces = Array.from({ length: crops.length }, (_, i) => prob?.ours[2 * i + 1] ?? 0);
    expect(faces.filter((p) => p > 0.5).length).toBeGreaterThanOrEqual(crops.length - 2);
  });
});

describe.each([
  ['mobilefacenet-sirius-192d', 192],
  ['mobilefacenet-faceplugin-512d', 512],
] as const)('Function: %s parity', (id, dimension) => {
  const built = () => existsSync(join(modelsDir(), manifest.models.find((m) => m.id === id)?.file ?? '-'));

  it('returns reference embeddings when fed random inputs in several batch sizes', async (context) => {
    // The optional model exists only after `FRS_MODELS=all pnpm models`.
    if (!built()) context.skip();
    for (const n of [1, 4, 16]) {
      const outputs = await compare(entry(id), randomFloats(n * 3 * 112 * 112, n), [n, 3, 112, 112]);
      expect(outputs[0]?.dims).toEqual([n, dimension]);
      expectEmbeddingsClose(outputs, dimension);
    }
  });

  it('returns reference embeddings when fed real face crops', async (context) => {
    if (!built()) context.skip();
    const model = entry(id);
    const crops = await Promise.all(
      golden.slice(0, 16).map((g) => photoTensor(g.path, 112, 112, model.preprocessing, boxRegion(g, 0))),
    );
    const batch = new Float32Array(crops.length * 3 * 112 * 112);
    crops.forEach((c, i) => {
      batch.set(c, i * c.length);
    });
    expectEmbeddingsClose(await compare(model, batch, [crops.length, 3, 112, 112]), dimension);
  });
});
