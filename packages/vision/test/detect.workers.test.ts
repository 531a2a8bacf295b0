import { availableParallelism } from 'node:os';
import { defaultModel, type Manifest } from '@frs/models/manifest';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDetector, type Detector, DetectWorkerError, detectWorkerCount } from '../src/detect/index.ts';
import { pnetPool } from '../src/detect/pnet-pool.ts';
import { ModelConfigError } from '../src/onnx/index.ts';
import type { RgbImage } from '../src/types.ts';
import { testManifest, testModelsDir } from './fixtures/models.ts';
import { loadFace } from './fixtures/shared.ts';

describe('Function: detectWorkerCount()', () => {
  it('returns FRS_DETECT_WORKERS when it is set', () => {
    expect(detectWorkerCount({ FRS_DETECT_WORKERS: '2' })).toBe(2);
    expect(detectWorkerCount({ FRS_DETECT_WORKERS: ' 0 ', FRS_ONNX_THREADS: '4' })).toBe(0);
  });

  it('returns one fewer than the onnxruntime threads, at most 1, when FRS_DETECT_WORKERS is unset or blank', () => {
    expect(detectWorkerCount({ FRS_ONNX_THREADS: '2' })).toBe(1);
    // A second worker's session and arena would take the detector past 400 MiB on the largest images.
    expect(detectWorkerCount({ FRS_ONNX_THREADS: '4' })).toBe(1);
    expect(detectWorkerCount({ FRS_DETECT_WORKERS: '', FRS_ONNX_THREADS: '1' })).toBe(0);
    // Lambda: one vCPU per 1,769 MB, so no worker at 1,769 MB and one at 3,538 MB (given 2 cores).
    expect(detectWorkerCount({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1769' })).toBe(0);
    expect(detectWorkerCount({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3538' })).toBe(
      Math.min(availableParallelism(), 2) - 1,
    );
  });

  it('throws ModelConfigError when FRS_DETECT_WORKERS is not a whole number from 0 to 64', () => {
    for (const bad of ['two', '-1', '1.5', '65']) {
      expect(() => detectWorkerCount({ FRS_DETECT_WORKERS: bad })).toThrow(ModelConfigError);
    }
  });
});

describe('Function: detector.detect() with P-Net on worker threads', () => {
  let manifest: Manifest;
  let inThread: Detector;
  let workers: Detector;
  let group: RgbImage;

  beforeAll(async () => {
    manifest = await testManifest();
    inThread = await createDetector({ manifest, modelsDir: testModelsDir(), pnetWorkers: 0 });
    workers = await createDetector({ manifest, modelsDir: testModelsDir(), pnetWorkers: 2 });
    group = await loadFace('other/multi-face/bbt5.jpg');
  });

  it('returns the in-thread detections when the working image is read without a table (10 MP, no workers)', async () => {
    const photo = await loadFace('other/multi-face/group-1.jpg');
    // 4200×2400 is above the summed-area table's budget and below the working budget: the direct source.
    const { data, info } = await sharp(photo.data, {
      raw: { width: photo.width, height: photo.height, channels: 3 },
    })
      .resize(4200, 2400, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const big: RgbImage = { width: info.width, height: info.height, data: new Uint8Array(data) };
    const expected = await inThread.detect(big, { minFaceSize: 40 });
    expect(expected.length).toBeGreaterThan(5);
    expect(await workers.detect(big, { minFaceSize: 40 })).toEqual(expected);
  });

  it('returns the in-thread detections when two detectors share the pool and call at once', async () => {
    const other = await createDetector({ manifest, modelsDir: testModelsDir(), pnetWorkers: 2 });
    const expected = await inThread.detect(group);
    const both = await Promise.all([workers.detect(group), other.detect(group, { minFaceSize: 20 })]);
    expect(both[0]).toEqual(expected);
    expect(both[1]).toEqual(await inThread.detect(group, { minFaceSize: 20 }));
  });

  it('returns no faces when the image is smaller than one P-Net cell', async () => {
    const tiny: RgbImage = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(128) };
    expect(await workers.detect(tiny)).toEqual([]);
  });

  it('rejects with DetectWorkerError when a worker stops mid-pyramid, then replaces it', async () => {
    const pool = await pnetPool(2, {
      entry: defaultModel(manifest, 'mtcnn-pnet'),
      crops: { rnet: defaultModel(manifest, 'mtcnn-rnet'), onet: defaultModel(manifest, 'mtcnn-onet') },
      modelsDir: testModelsDir(),
      verifyChecksums: true,
    });
    const [first] = pool.threads;
    if (first === undefined) throw new Error('the pool has no worker');
    // The jobs are handed out within the call's microtasks; the worker's exit arrives after them.
    const pending = workers.detect(group, { minFaceSize: 20 });
    void first.terminate();
    await expect(pending).rejects.toBeInstanceOf(DetectWorkerError);
    expect(pool.threads[0]).toBe(first);
    expect(await workers.detect(group)).toEqual(await inThread.detect(group));
    expect(pool.threads[0]).not.toBe(first);
  });
});
