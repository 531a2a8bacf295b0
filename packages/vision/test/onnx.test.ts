import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest, ModelEntry } from '@frs/models/manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  defaultThreadCount,
  loadModel,
  ModelChecksumError,
  ModelConfigError,
  ModelLoadError,
  ModelSignatureError,
  tensorLayout,
} from '../src/onnx/index.ts';
import { testManifest, testModelsDir } from './fixtures/models.ts';

function rnetEntry(manifest: Manifest): ModelEntry {
  const entry = manifest.models.find((m) => m.role === 'mtcnn-rnet');
  if (entry === undefined) throw new Error('no R-Net in the manifest');
  return entry;
}

describe('Function: loadModel()', () => {
  let manifest: Manifest;
  let scratch: string;

  beforeAll(async () => {
    manifest = await testManifest();
    scratch = await mkdtemp(join(tmpdir(), 'frs-onnx-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('returns the same session when the same model is loaded twice', async () => {
    const entry = rnetEntry(manifest);
    const [a, b] = await Promise.all([loadModel(entry, testModelsDir()), loadModel(entry, testModelsDir())]);
    expect(a).toBe(b);
    expect(a.inputNames).toEqual(entry.inputs.map((t) => t.name));
  });

  it('returns float32 outputs of the declared shapes when run on a batch', async () => {
    const entry = rnetEntry(manifest);
    const model = await loadModel(entry, testModelsDir());
    const layout = tensorLayout(entry.preprocessing, 24, 24);
    const out = await model.run({
      input: { data: new Float32Array(3 * layout.sampleSize), dims: layout.dims(3) },
    });
    expect(out.prob?.dims).toEqual([3, 2]);
    expect(out.reg?.dims).toEqual([3, 4]);
    // Softmax output: the two class probabilities of each crop sum to one.
    expect((out.prob?.data[0] ?? 0) + (out.prob?.data[1] ?? 0)).toBeCloseTo(1, 5);
  });

  it('throws ModelSignatureError when the feeds are not the session inputs', async () => {
    const model = await loadModel(rnetEntry(manifest), testModelsDir());
    const data = new Float32Array(3 * 24 * 24);
    await expect(model.run({ image: { data, dims: [1, 3, 24, 24] } })).rejects.toBeInstanceOf(
      ModelSignatureError,
    );
  });

  it('throws ModelChecksumError when the file does not match the manifest sha256', async () => {
    const entry = { ...rnetEntry(manifest), sha256: 'f'.repeat(64) };
    const error = await createModel(entry, testModelsDir()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelChecksumError);
    expect(error).toMatchObject({ code: 'MODEL_CHECKSUM', expected: 'f'.repeat(64) });
  });

  it('returns a session for a file with another checksum when verifyChecksums is false', async () => {
    const entry = { ...rnetEntry(manifest), sha256: 'e'.repeat(64) };
    const model = await createModel(entry, testModelsDir(), { verifyChecksums: false });
    expect(model.inputNames).toEqual(['input']);
    await model.release();
  });

  it('throws ModelSignatureError when the manifest declares an output the file lacks', async () => {
    const base = rnetEntry(manifest);
    const entry = { ...base, outputs: [...base.outputs, { name: 'landmarks', shape: ['N', 10] }] };
    await expect(createModel(entry, testModelsDir())).rejects.toBeInstanceOf(ModelSignatureError);
  });

  it('returns a session after a failed load when the file appears later', async () => {
    const entry = rnetEntry(manifest);
    await expect(loadModel(entry, scratch)).rejects.toBeInstanceOf(ModelLoadError);
    await copyFile(join(testModelsDir(), entry.file), join(scratch, entry.file));
    const model = await loadModel(entry, scratch);
    expect(model.entry.id).toBe(entry.id);
  });
});

describe('Function: tensorLayout()', () => {
  it('returns channel offsets for NHWC BGR when the preprocessing says so', () => {
    const layout = tensorLayout(
      { colorOrder: 'BGR', layout: 'NHWC', mean: [1, 2, 3], std: [1, 2, 4], size: [4, 2], alignment: null },
      4,
      2,
    );
    expect(layout.channelOffset).toEqual([2, 1, 0]);
    expect([layout.pixelStride, layout.rowStride]).toEqual([3, 12]);
    expect(layout.dims(5)).toEqual([5, 2, 4, 3]);
    // Source R lands in network channel 2, whose mean/std are the third entries.
    expect(layout.mean).toEqual([3, 2, 1]);
    expect(layout.invStd).toEqual([0.25, 0.5, 1]);
  });
});

describe('Function: defaultThreadCount()', () => {
  it('returns FRS_ONNX_THREADS when it is set', () => {
    expect(defaultThreadCount({ FRS_ONNX_THREADS: '1' })).toBe(1);
    expect(defaultThreadCount({ FRS_ONNX_THREADS: ' 3 ' })).toBe(3);
  });

  it('returns the cores this process may use, at most 4, when FRS_ONNX_THREADS is unset or empty', () => {
    expect(defaultThreadCount({})).toBe(Math.min(4, availableParallelism()));
    expect(defaultThreadCount({ FRS_ONNX_THREADS: '' })).toBe(Math.min(4, availableParallelism()));
  });

  it('returns one thread per full Lambda vCPU when AWS_LAMBDA_FUNCTION_MEMORY_SIZE is set', () => {
    expect(defaultThreadCount({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1769' })).toBe(1);
    expect(defaultThreadCount({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' })).toBe(1);
    expect(defaultThreadCount({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3538' })).toBe(
      Math.min(2, availableParallelism()),
    );
    expect(defaultThreadCount({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '10240' })).toBe(
      Math.min(5, availableParallelism()),
    );
    expect(defaultThreadCount({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3538', FRS_ONNX_THREADS: '1' })).toBe(1);
  });

  it('throws ModelConfigError when FRS_ONNX_THREADS is not a whole number from 1 to 64', () => {
    for (const raw of ['0', '-1', '1.5', 'two', '65']) {
      expect(() => defaultThreadCount({ FRS_ONNX_THREADS: raw })).toThrow(ModelConfigError);
    }
  });
});
