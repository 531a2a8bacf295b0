/**
 * Measures each built model: file size, onnxruntime-node session load time (median of several loads)
 * and the latency of one typical run. Usage:
 *   node --conditions=@frs/source models/scripts/measure-load.ts [loads=7]
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadManifest, type ModelEntry, modelsDir } from '../src/manifest.ts';

const loads = Number(process.argv[2] ?? 7);
const options: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
};

/** A typical batch per role: one 640x480 pyramid level, 64 R-Net crops, 16 O-Net crops, 1 face. */
function typicalInput(entry: ModelEntry): number[] {
  if (entry.role === 'mtcnn-pnet') return [1, 3, 480, 640];
  const [w, h] = entry.preprocessing.size ?? [112, 112];
  const batch = entry.role === 'mtcnn-rnet' ? 64 : entry.role === 'mtcnn-onet' ? 16 : 1;
  return [batch, 3, h, w];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const manifest = await loadManifest();
console.log(`| model | file | size | load (median of ${loads}) | run | input |`);
console.log('|---|---|---:|---:|---:|---|');
for (const entry of manifest.models) {
  const path = join(modelsDir(), entry.file);
  if (!existsSync(path)) {
    console.log(`| ${entry.id} | ${entry.file} | not built | | | |`);
    continue;
  }
  const times: number[] = [];
  let session: ort.InferenceSession | undefined;
  for (let i = 0; i < loads; i++) {
    process.stderr.write(`${entry.id}: load ${i + 1}/${loads}\r`);
    const started = performance.now();
    session = await ort.InferenceSession.create(path, options);
    times.push(performance.now() - started);
  }
  if (session === undefined) continue;
  const dims = typicalInput(entry);
  const feed = {
    [entry.inputs[0]?.name ?? 'input']: new ort.Tensor(
      'float32',
      new Float32Array(dims.reduce((a, b) => a * b, 1)).map(() => Math.random() * 2 - 1),
      dims,
    ),
  };
  await session.run(feed);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await session.run(feed);
    runs.push(performance.now() - started);
  }
  const mb = (statSync(path).size / 1e6).toFixed(2);
  console.log(
    `| ${entry.id} | ${entry.file} | ${mb} MB | ${median(times).toFixed(0)} ms | ${median(runs).toFixed(1)} ms | [${dims.join(',')}] |`,
  );
}
