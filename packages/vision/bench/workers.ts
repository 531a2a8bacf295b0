import { availableParallelism, loadavg } from 'node:os';
import { loadManifest, modelsDir } from '@frs/models/manifest';
import { z } from 'zod';
import { createDetector, type Detector } from '../src/detect/index.ts';
import { decodeImage } from '../src/image/index.ts';
import { defaultThreadCount } from '../src/onnx/index.ts';
import type { Detection, RgbImage } from '../src/types.ts';
import { groupFrame, median, oneFaceFrame } from './frames.ts';

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
const counts = z
  .array(z.coerce.number().int().positive())
  .parse((process.env.BENCH_WORKERS ?? '1,2').split(',').filter((s) => s.trim() !== ''));
const withOff = process.env.BENCH_OFF !== '0';

const Profile = z.object({
  ms: z.object({
    integral: z.number(),
    pyramidResize: z.number(),
    pnet: z.number(),
    pnetOther: z.number(),
    lanes: z.number().optional(),
    rnet: z.number(),
    onet: z.number(),
  }),
});
/** The latest frame's P-Net stage wall time (pyramid to proposals) per variant. */
const lastPnetStage = new Map<string, number>();
const lastCropStages = new Map<string, [number, number]>();
const quiet = () => undefined;
const profiler = (variant: string) => ({
  debug(message: string, extra?: Record<string, unknown>) {
    if (message !== 'mtcnn') return;
    const { ms } = Profile.parse(extra);
    const parallel = ms.lanes ?? 0;
    lastPnetStage.set(variant, ms.pnetOther + (parallel > 0 ? parallel : ms.pyramidResize + ms.pnet));
    lastCropStages.set(variant, [ms.rnet, ms.onet]);
  },
  info: quiet,
  warn: quiet,
  error: quiet,
});

interface Variant {
  name: string;
  detector: Detector;
  loadMs: number;
  /** The first detect: starts the worker lanes (their threads and sessions) on a pool variant. */
  firstMs: number;
  wall: number[];
  cpu: number[];
  pnetStage: number[];
  rnet: number[];
  onet: number[];
}

const manifest = await loadManifest();
const dir = modelsDir();
const variants: Variant[] = [];
const names = [...(withOff ? ['off'] : []), ...counts.map((n) => `${n} worker${n > 1 ? 's' : ''}`)];
const workerCounts = [...(withOff ? [0] : []), ...counts];
for (const [i, name] of names.entries()) {
  const t0 = performance.now();
  const pnetWorkers = workerCounts[i] ?? 0;
  const detector = await createDetector({ manifest, modelsDir: dir, pnetWorkers, logger: profiler(name) });
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  await detector.detect({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(90) });
  const firstMs = performance.now() - t1;
  variants.push({ name, detector, loadMs, firstMs, wall: [], cpu: [], pnetStage: [], rnet: [], onet: [] });
}
const [f720, f1080] = await Promise.all([oneFaceFrame(), groupFrame()]);
const images: [string, RgbImage][] = [
  ['1280×720, 1 face', await decodeImage(f720)],
  ['1920×1080 group', await decodeImage(f1080)],
];
const same = (a: readonly Detection[], b: readonly Detection[]) => JSON.stringify(a) === JSON.stringify(b);

const loadBefore = loadavg()[0] ?? 0;
console.log(
  `P-Net workers A/B — ${availableParallelism()} cores, ${defaultThreadCount()} onnxruntime threads, ` +
    `${iterations} iterations after ${warmup} warm-up, min face 20, detect only, Node ${process.version}. ` +
    `Median ms; "P-Net" = pyramid to proposals.`,
);
console.log(
  `Detector creation + first 64×64 detect (ms): ${variants.map((v) => `${v.name} ${v.loadMs.toFixed(0)} + ${v.firstMs.toFixed(0)}`).join(', ')} ` +
    '(sessions of the first are memoised for the others; the first detect of a pool variant starts its workers).\n',
);
console.log(
  `| frame | faces | ${variants.map((v) => `${v.name} wall | CPU | P-Net`).join(' | ')} | ratio to first | identical |`,
);
console.log(`|---|---:|${variants.map(() => '---:|---:|---:|').join('')}---|---|`);
const crops: string[] = [];
for (const [label, image] of images) {
  for (const v of variants) {
    v.wall = [];
    v.cpu = [];
    v.pnetStage = [];
    v.rnet = [];
    v.onet = [];
  }
  let identical = true;
  let count = 0;
  for (let i = 0; i < warmup + iterations; i++) {
    // Rotate the order so no variant always runs first (on colder caches) or right after another.
    const order = variants.map((_, k) => variants[(k + i) % variants.length]);
    let reference: Detection[] | undefined;
    for (const v of order) {
      if (v === undefined) continue;
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const found = await v.detector.detect(image, { minFaceSize: 20 });
      const wall = performance.now() - w0;
      const c = process.cpuUsage(c0);
      if (reference === undefined) reference = found;
      else if (!same(reference, found)) identical = false;
      count = found.length;
      if (i < warmup) continue;
      v.wall.push(wall);
      v.cpu.push((c.user + c.system) / 1000);
      v.pnetStage.push(lastPnetStage.get(v.name) ?? Number.NaN);
      const [rnet = Number.NaN, onet = Number.NaN] = lastCropStages.get(v.name) ?? [];
      v.rnet.push(rnet);
      v.onet.push(onet);
    }
  }
  const ms = (values: number[]) => median(values).toFixed(1);
  const base = median(variants[0]?.wall ?? []);
  const cells = variants.map((v) => `${ms(v.wall)} | ${ms(v.cpu)} | ${ms(v.pnetStage)}`).join(' | ');
  const ratios = variants.map((v) => (median(v.wall) / base).toFixed(2)).join(' / ');
  console.log(`| ${label} | ${count} | ${cells} | ${ratios} | ${identical} |`);
  if (!identical) process.exitCode = 1;
  crops.push(`${label}: ${variants.map((v) => `${v.name} ${ms(v.rnet)} / ${ms(v.onet)}`).join(', ')}`);
}
console.log(`\nR-Net / O-Net stage (median ms):\n${crops.join('\n')}`);
const rssMiB = process.resourceUsage().maxRSS / 1024;
console.log(`\nPeak RSS: ${rssMiB.toFixed(0)} MiB (all variants in one process).`);
console.log(
  `Load average (1 min) before: ${loadBefore.toFixed(2)}, after: ${(loadavg()[0] ?? 0).toFixed(2)}.`,
);
