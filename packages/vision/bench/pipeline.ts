import { availableParallelism, cpus, loadavg } from 'node:os';
import { z } from 'zod';
import { alignFace } from '../src/align/index.ts';
import type { DetectOptions } from '../src/detect/index.ts';
import { detectWorkerCount } from '../src/detect/index.ts';
import { addEmbeddings, createGallery, type Gallery } from '../src/gallery/index.ts';
import { decodeImage } from '../src/image/index.ts';
import { createMatcher } from '../src/match/index.ts';
import { defaultThreadCount } from '../src/onnx/index.ts';
import { createFacePipeline, type FacePipeline } from '../src/pipeline/index.ts';
import { groupFrame, median, oneFaceFrame } from './frames.ts';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 20);
const warmup = Number(process.env.BENCH_WARMUP ?? 3);

/** Deterministic synthetic gallery: `people` × `perPerson` unit vectors from a fixed-seed generator. */
function syntheticGallery(modelId: string, dimension: number, people: number, perPerson: number): Gallery {
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  let gallery = createGallery({ id: modelId, dimension });
  for (let p = 0; p < people; p++) {
    const vectors = Array.from({ length: perPerson }, () => ({
      vector: Float32Array.from({ length: dimension }, random),
    }));
    gallery = addEmbeddings(gallery, `person-${p}`, vectors, { modelId, now: () => new Date(0) });
  }
  return gallery;
}

const MtcnnProfile = z.object({
  proposals: z.number(),
  refined: z.number(),
  ms: z.object({
    integral: z.number(),
    pyramidResize: z.number(),
    pnet: z.number(),
    pnetOther: z.number(),
    rnet: z.number(),
    onet: z.number(),
  }),
});
type MtcnnProfile = z.infer<typeof MtcnnProfile>;
let lastProfile: MtcnnProfile | undefined;
const quiet = () => undefined;
/** Captures the detector's per-stage debug profile of the latest frame. */
const profileLogger = {
  debug(message: string, extra?: Record<string, unknown>) {
    if (message === 'mtcnn') lastProfile = MtcnnProfile.parse(extra);
  },
  info: quiet,
  warn: quiet,
  error: quiet,
};

interface Row {
  frame: string;
  faces: number;
  decode: number;
  detect: number;
  align: number;
  embed: number;
  match: number;
  total: number;
  totalP90: number;
  /** Median process CPU time (all threads) per frame: less sensitive than wall time to other load. */
  cpu: number;
  profile: Record<keyof MtcnnProfile['ms'], number> & { proposals: number; refined: number };
}

async function measure(
  label: string,
  bytes: Uint8Array,
  pipeline: FacePipeline,
  matcher: ReturnType<typeof createMatcher>,
  detect: DetectOptions,
  embedFlip: boolean,
): Promise<Row> {
  const samples: Record<'decode' | 'detect' | 'align' | 'embed' | 'match' | 'total' | 'cpu', number[]> = {
    decode: [],
    detect: [],
    align: [],
    embed: [],
    match: [],
    total: [],
    cpu: [],
  };
  let faceCount = 0;
  const profiles: MtcnnProfile[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const image = await decodeImage(bytes);
    const t1 = performance.now();
    const detections = await pipeline.detector.detect(image, detect);
    const t2 = performance.now();
    const chips = detections.map((d) => alignFace(image, d, pipeline.alignment));
    const t3 = performance.now();
    const embeddings = chips.length > 0 ? await pipeline.embedder.embed(chips, { flip: embedFlip }) : [];
    const t4 = performance.now();
    for (const e of embeddings) matcher.match(e, { threshold: 0.55 });
    const t5 = performance.now();
    const c1 = process.cpuUsage(c0);
    faceCount = detections.length;
    if (i < warmup) continue;
    samples.decode.push(t1 - t0);
    samples.detect.push(t2 - t1);
    samples.align.push(t3 - t2);
    samples.embed.push(t4 - t3);
    samples.match.push(t5 - t4);
    samples.total.push(t5 - t0);
    samples.cpu.push((c1.user + c1.system) / 1000);
    if (lastProfile) profiles.push(lastProfile);
    if ((i - warmup + 1) % 5 === 0) process.stderr.write(`  ${label}: ${i - warmup + 1}/${iterations}\n`);
  }
  const sortedTotal = [...samples.total].sort((a, b) => a - b);
  return {
    frame: label,
    faces: faceCount,
    decode: median(samples.decode),
    detect: median(samples.detect),
    align: median(samples.align),
    embed: median(samples.embed),
    match: median(samples.match),
    total: median(samples.total),
    cpu: median(samples.cpu),
    profile: {
      proposals: median(profiles.map((p) => p.proposals)),
      refined: median(profiles.map((p) => p.refined)),
      integral: median(profiles.map((p) => p.ms.integral)),
      pyramidResize: median(profiles.map((p) => p.ms.pyramidResize)),
      pnet: median(profiles.map((p) => p.ms.pnet)),
      pnetOther: median(profiles.map((p) => p.ms.pnetOther)),
      rnet: median(profiles.map((p) => p.ms.rnet)),
      onet: median(profiles.map((p) => p.ms.onet)),
    },
    totalP90: sortedTotal[Math.min(sortedTotal.length - 1, Math.floor(0.9 * sortedTotal.length))] ?? 0,
  };
}

const loadBefore = loadavg()[0] ?? 0;
const started = performance.now();
process.stderr.write('composing frames and loading models…\n');
const [frame720, frame1080one, frame1080] = await Promise.all([
  oneFaceFrame(),
  oneFaceFrame(1920, 1080),
  groupFrame(),
]);
const pipeline = await createFacePipeline({ logger: profileLogger });
const loadMs = performance.now() - started;
const gallery = syntheticGallery(pipeline.embedder.modelId, pipeline.embedder.dimension, 1000, 5);
const matcher = createMatcher(gallery);

const cases: [string, Uint8Array, DetectOptions, boolean][] = [
  ['1280×720, 1 face, minFace 20', frame720, { minFaceSize: 20 }, false],
  ['1280×720, 1 face, minFace 40', frame720, { minFaceSize: 40 }, false],
  ['1280×720, 1 face, minFace 40, flip', frame720, { minFaceSize: 40 }, true],
  ['1920×1080, 1 face, minFace 20', frame1080one, { minFaceSize: 20 }, false],
  ['1920×1080, 1 face, minFace 40', frame1080one, { minFaceSize: 40 }, false],
  ['1920×1080 group, minFace 20', frame1080, { minFaceSize: 20 }, false],
  ['1920×1080 group, minFace 40', frame1080, { minFaceSize: 40 }, false],
];
const rows: Row[] = [];
// BENCH_ONLY=<text>: only the rows whose label contains it (e.g. "1 face, minFace 20").
const only = process.env.BENCH_ONLY;
for (const [label, bytes, detect, flip] of cases) {
  if (only !== undefined && !label.includes(only)) continue;
  process.stderr.write(`${label}\n`);
  rows.push(await measure(label, bytes, pipeline, matcher, detect, flip));
}

const ms = (v: number) => v.toFixed(1);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `\nFace pipeline benchmark — ${availableParallelism()} cores (${cpu}), ${defaultThreadCount()} onnxruntime ` +
    `threads (FRS_ONNX_THREADS), ${detectWorkerCount()} P-Net workers (FRS_DETECT_WORKERS), Node ${process.version}, ` +
    `models ${pipeline.models.detector} + ${pipeline.models.embedder}, ${iterations} iterations after ${warmup} warm-up; ` +
    `median ms per frame; match = cosine against 1000 people × 5 vectors.\n`,
);
console.log(
  '| frame | faces | decode | detect | align | embed | match | total (median) | total (p90) | CPU ms (median) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.frame} | ${r.faces} | ${ms(r.decode)} | ${ms(r.detect)} | ${ms(r.align)} | ${ms(r.embed)} | ${ms(r.match)} | ${ms(r.total)} | ${ms(r.totalP90)} | ${ms(r.cpu)} |`,
  );
}
console.log(
  '\nDetect breakdown (median ms): summed-area table, pyramid area-resize (JS), P-Net runs, P-Net box',
);
console.log(
  'generation + NMS, R-Net stage (crops + run + NMS), O-Net stage; candidates after P-Net / R-Net. With P-Net\n' +
    'workers, pyramid resize and P-Net are summed over the parallel lanes and "boxes+NMS" is the rest of the stage.\n',
);
console.log(
  '| frame | integral | pyramid resize | P-Net | P-Net boxes+NMS | R-Net stage | O-Net stage | proposals | refined |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const { frame, profile: p } of rows) {
  console.log(
    `| ${frame} | ${ms(p.integral)} | ${ms(p.pyramidResize)} | ${ms(p.pnet)} | ${ms(p.pnetOther)} | ${ms(p.rnet)} | ${ms(p.onet)} | ${p.proposals} | ${p.refined} |`,
  );
}
const rssMiB = process.resourceUsage().maxRSS / 1024;
console.log(`\nModel load + frame composition: ${ms(loadMs)} ms. Peak RSS: ${rssMiB.toFixed(0)} MiB.`);
// Wall times are only meaningful on an otherwise idle machine: report the 1-minute load average.
console.log(
  `Load average (1 min) before: ${loadBefore.toFixed(2)}, after: ${(loadavg()[0] ?? 0).toFixed(2)}.`,
);
