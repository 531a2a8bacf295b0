/**
 * Development check: worst-case differences between the built models and the reference exports in
 * ../shared/models/reference (or FRS_SHARED_DIR), on random inputs. The tests assert the same bounds;
 * this prints the actual numbers. Usage:
 *   node --conditions=@frs/source models/scripts/parity-report.ts
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { loadManifest, modelsDir } from '../src/manifest.ts';

const shared = process.env.FRS_SHARED_DIR ?? fileURLToPath(new URL('../../../shared/', import.meta.url));
const manifest = await loadManifest();

function shapesFor(role: string, size: readonly [number, number] | null): number[][] {
  if (role === 'mtcnn-pnet')
    return [
      [1, 3, 12, 12],
      [3, 3, 37, 53],
      [1, 3, 480, 640],
    ];
  const [w, h] = size ?? [112, 112];
  return [1, 8, 32].map((n) => [n, 3, h, w]);
}

console.log('| model | output | inputs | max abs diff | min cosine |');
console.log('|---|---|---|---:|---:|');
for (const entry of manifest.models) {
  const ours = join(modelsDir(), entry.file);
  const reference = join(shared, 'models', 'reference', entry.file);
  if (!existsSync(ours) || !existsSync(reference)) continue;
  const a = await ort.InferenceSession.create(ours);
  const b = await ort.InferenceSession.create(reference);
  const shapes = shapesFor(entry.role, entry.preprocessing.size);
  const worst = new Map<string, { diff: number; cosine: number }>();
  for (const dims of shapes) {
    const data = new Float32Array(dims.reduce((x, y) => x * y, 1)).map(() => Math.random() * 2 - 1);
    const feed = { input: new ort.Tensor('float32', data, dims) };
    const [ra, rb] = [await a.run(feed), await b.run(feed)];
    for (const name of b.outputNames) {
      const x = ra[name]?.data;
      const y = rb[name]?.data;
      if (!(x instanceof Float32Array) || !(y instanceof Float32Array))
        throw new Error(`${entry.id}: ${name} missing`);
      let diff = 0;
      for (let i = 0; i < x.length; i++) diff = Math.max(diff, Math.abs((x[i] ?? 0) - (y[i] ?? 0)));
      let cosine = 1;
      const rows = dims[0] ?? 1;
      const width = x.length / rows;
      for (let r = 0; r < rows; r++) {
        let dot = 0;
        let nx = 0;
        let ny = 0;
        for (let i = r * width; i < (r + 1) * width; i++) {
          dot += (x[i] ?? 0) * (y[i] ?? 0);
          nx += (x[i] ?? 0) ** 2;
          ny += (y[i] ?? 0) ** 2;
        }
        cosine = Math.min(cosine, dot / Math.sqrt(nx * ny));
      }
      const prev = worst.get(name) ?? { diff: 0, cosine: 1 };
      worst.set(name, { diff: Math.max(prev.diff, diff), cosine: Math.min(prev.cosine, cosine) });
    }
  }
  for (const [name, w] of worst) {
    const inputs = shapes.map((s) => `[${s.join(',')}]`).join(' ');
    console.log(
      `| ${entry.id} | ${name} | ${inputs} | ${w.diff.toExponential(2)} | ${w.cosine.toFixed(7)} |`,
    );
  }
}
