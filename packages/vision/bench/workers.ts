// A/B of the detector with P-Net in its own thread (off) and on worker threads (on), interleaved frame by
// frame in one process (run: `pnpm --filter @frs/vision bench:workers`). Frames are composed like
// `bench/pipeline.ts` from ../shared photos at run time. Checks that both give identical detections.
// Options: BENCH_ITERATIONS (default 20), BENCH_WARMUP (default 3), BENCH_WORKERS (default: the onnxruntime
// thread count), BENCH_MODE=ab|off|on (off/on: one detector only, for peak RSS per mode), FRS_SHARED_DIR.
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadManifest, modelsDir } from '@frs/models/manifest';
import sharp from 'sharp';
import { z } from 'zod';
import { createDetector, type Detector } from '../src/detect/index.ts';
import { decodeImage } from '../src/image/index.ts';
import { defaultThreadCount } from '../src/onnx/index.ts';
import type { Detection, RgbImage } from '../src/types.ts';

const shared = process.env.FRS_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared/', import.meta.url));
const faces = (relative: string) => `${shared.replace(/\/?$/, '/')}faces/${relative}`;
const iterations = z.coerce
  .number()
  .int()
  .positive()
  .parse(process.env.BENCH_ITERATIONS ?? 20);
const warmup = z.coerce
  .number()
  .int()
  .nonnegative()
  .parse(process.env.BENCH_WARMUP ?? 3);
const workers = z.coerce
  .number()
  .int()
  .min(2)
  .parse(process.env.BENCH_WORKERS ?? Math.max(2, defaultThreadCount()));
const mode = z.enum(['ab', 'off', 'on']).parse(process.env.BENCH_MODE ?? 'ab');

async function oneFaceFrame(): Promise<Uint8Array> {
  const background = await sharp(await readFile(faces('other/no-face/building.jpg')))
    .resize(1280, 720, { fit: 'cover' })
    .blur(6)
    .toBuffer();
  const person = await sharp(await readFile(faces('identities/Anthony_Hopkins/00.jpg')))
    .resize(360, 360)
    .toBuffer();
  return sharp(background)
    .composite([{ input: person, left: 460, top: 180 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

async function groupFrame(): Promise<Uint8Array> {
  return sharp(await readFile(faces('other/multi-face/group-1.jpg')))
    .resize(1920, 1080, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const manifest = await loadManifest();
const dir = modelsDir();
const t0 = performance.now();
const off = await createDetector({ manifest, modelsDir: dir, pnetWorkers: 0 });
const t1 = performance.now();
const on =
  mode === 'off' ? undefined : await createDetector({ manifest, modelsDir: dir, pnetWorkers: workers });
const t2 = performance.now();
const [f720, f1080] = await Promise.all([oneFaceFrame(), groupFrame()]);
const images: [string, RgbImage, number][] = [
  ['1280×720, 1 face, minFace 20', await decodeImage(f720), 20],
  ['1920×1080 group, minFace 20', await decodeImage(f1080), 20],
];

async function timed(detector: Detector, image: RgbImage, minFaceSize: number) {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const found = await detector.detect(image, { minFaceSize });
  const wall = performance.now() - w0;
  const c = process.cpuUsage(c0);
  return { found, wall, cpu: (c.user + c.system) / 1000 };
}

const same = (a: readonly Detection[], b: readonly Detection[]) => JSON.stringify(a) === JSON.stringify(b);

const loadBefore = loadavg()[0] ?? 0;
console.log(
  `P-Net workers A/B — ${availableParallelism()} cores, ${defaultThreadCount()} onnxruntime threads, ` +
    `${workers} workers, mode ${mode}, ${iterations} iterations after ${warmup} warm-up, Node ${process.version}.`,
);
console.log(
  `Detector load: ${(t1 - t0).toFixed(0)} ms (in-thread sessions), +${(t2 - t1).toFixed(0)} ms for ${workers} workers.\n`,
);
console.log('| frame | faces | off wall | on wall | on/off | off CPU | on CPU | identical |');
console.log('|---|---:|---:|---:|---:|---:|---:|---|');
for (const [label, image, minFace] of images) {
  const wall = { off: [] as number[], on: [] as number[] };
  const cpu = { off: [] as number[], on: [] as number[] };
  let identical = true;
  let count = 0;
  for (let i = 0; i < warmup + iterations; i++) {
    // Alternate which mode goes first so neither always runs on warmer caches.
    const order: ('off' | 'on')[] = i % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    const found: Partial<Record<'off' | 'on', Detection[]>> = {};
    for (const m of order) {
      const detector = m === 'off' ? (mode === 'on' ? undefined : off) : on;
      if (detector === undefined) continue;
      const r = await timed(detector, image, minFace);
      found[m] = r.found;
      if (i >= warmup) {
        wall[m].push(r.wall);
        cpu[m].push(r.cpu);
      }
    }
    if (found.off !== undefined && found.on !== undefined && !same(found.off, found.on)) identical = false;
    count = (found.off ?? found.on ?? []).length;
  }
  const ms = (v: number[]) => (v.length > 0 ? median(v).toFixed(1) : '-');
  const ratio =
    wall.off.length > 0 && wall.on.length > 0 ? (median(wall.on) / median(wall.off)).toFixed(2) : '-';
  console.log(
    `| ${label} | ${count} | ${ms(wall.off)} | ${ms(wall.on)} | ${ratio} | ${ms(cpu.off)} | ${ms(cpu.on)} | ${mode === 'ab' ? identical : '-'} |`,
  );
  if (!identical) process.exitCode = 1;
}
const rssMiB = process.resourceUsage().maxRSS / 1024;
console.log(`\nPeak RSS: ${rssMiB.toFixed(0)} MiB.`);
console.log(
  `Load average (1 min) before: ${loadBefore.toFixed(2)}, after: ${(loadavg()[0] ?? 0).toFixed(2)}.`,
);
