// First-frame cost of a fresh detector: createDetector, an optional idle gap (a caller decoding its first
// frame), the first detect of the 720p one-face frame at min face 20, then the median of 10 more.
// `BENCH_IDLE_MS` sets the gap (default 0). One detector per process: the worker pool is per process.
import { loadManifest, modelsDir } from '@frs/models/manifest';
import { z } from 'zod';
import { createDetector } from '../src/detect/index.ts';
import { decodeImage } from '../src/image/index.ts';
import { median, oneFaceFrame } from './frames.ts';

const idle = z.coerce
  .number()
  .nonnegative()
  .parse(process.env.BENCH_IDLE_MS ?? 0);
const image = await decodeImage(await oneFaceFrame());
const manifest = await loadManifest();
const t0 = performance.now();
const detector = await createDetector({ manifest, modelsDir: modelsDir() });
const t1 = performance.now();
if (idle > 0) await new Promise((resolve) => setTimeout(resolve, idle));
const t2 = performance.now();
await detector.detect(image, { minFaceSize: 20 });
const t3 = performance.now();
const steady: number[] = [];
for (let i = 0; i < 10; i++) {
  const a = performance.now();
  await detector.detect(image, { minFaceSize: 20 });
  steady.push(performance.now() - a);
}
console.log(
  `idle ${idle} ms: createDetector ${(t1 - t0).toFixed(0)} ms, first detect ${(t3 - t2).toFixed(0)} ms, ` +
    `then ${median(steady).toFixed(1)} ms (median of 10)`,
);
