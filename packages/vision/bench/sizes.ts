// Peak memory and time of decode → detect → align by input size, in a fresh process per size and path
// (run: `pnpm --filter @frs/vision bench:sizes`). Inputs are one development-set portrait resized to
// 0.3 … 40 MP and encoded as JPEG q90 into a temporary directory at run time; nothing is written to the
// repository. Two paths: `image` decodes the full image and calls the detector (what the detector Lambda
// does today), `bytes` hands the bytes to `detectAndAlign`, which decodes reduced above the budget.
// Options: BENCH_SIZES (comma-separated megapixels), BENCH_RUNS (default 3), FRS_SHARED_DIR, FRS_MODELS_DIR.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { z } from 'zod';
import { alignFace } from '../src/align/index.ts';
import { PNET_MAX_LEVEL_PIXELS, workingFactor } from '../src/detect/index.ts';
import { decodeImage } from '../src/image/index.ts';
import { createFaceFinder } from '../src/pipeline/index.ts';

const PHOTO = 'identities/fnp_shea_whigham/00.jpg';
const MIN_FACE = 20;

type Mode = 'image' | 'bytes';

const ChildResult = z.object({
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
  faces: z.number(),
  loadedRssMiB: z.number(),
  firstRunRssMiB: z.number(),
  peakRssMiB: z.number(),
  decode: z.number(),
  detect: z.number(),
  align: z.number(),
  total: z.number(),
});
type ChildResult = z.infer<typeof ChildResult>;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const rssMiB = () => process.resourceUsage().maxRSS / 1024;

/** One size in this (fresh) process: `runs` times decode → detect → align from the JPEG bytes. */
async function child(file: string, runs: number, mode: Mode): Promise<ChildResult> {
  const finder = await createFaceFinder({ detect: { minFaceSize: MIN_FACE } });
  const bytes = await readFile(file);
  const loadedRssMiB = rssMiB();
  let firstRunRssMiB = 0;
  const samples = {
    decode: [] as number[],
    detect: [] as number[],
    align: [] as number[],
    total: [] as number[],
  };
  let size = { width: 0, height: 0 };
  let faces = 0;
  for (let i = 0; i < runs; i++) {
    if (mode === 'bytes') {
      const t0 = performance.now();
      const chips = await finder.detectAndAlign(bytes);
      samples.total.push(performance.now() - t0);
      faces = chips.length;
      if (i === 0) firstRunRssMiB = rssMiB();
      continue;
    }
    const t0 = performance.now();
    const image = await decodeImage(bytes);
    const t1 = performance.now();
    const detections = await finder.detector.detect(image);
    const t2 = performance.now();
    for (const d of detections) alignFace(image, d, finder.alignment);
    const t3 = performance.now();
    samples.decode.push(t1 - t0);
    samples.detect.push(t2 - t1);
    samples.align.push(t3 - t2);
    samples.total.push(t3 - t0);
    size = { width: image.width, height: image.height };
    faces = detections.length;
    if (i === 0) firstRunRssMiB = rssMiB();
  }
  if (mode === 'bytes') {
    const { width, height } = await sharp(bytes).metadata();
    size = { width, height };
  }
  return {
    ...size,
    bytes: bytes.length,
    faces,
    loadedRssMiB,
    firstRunRssMiB,
    peakRssMiB: rssMiB(),
    decode: median(samples.decode),
    detect: median(samples.detect),
    align: median(samples.align),
    total: median(samples.total),
  };
}

async function parent(): Promise<void> {
  const shared = process.env.FRS_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared/', import.meta.url));
  const source = await readFile(join(shared, 'faces', PHOTO));
  const sizes = (process.env.BENCH_SIZES ?? '0.3,1,2,8,12,24,40').split(',').map(Number);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const { width = 0, height = 0 } = await sharp(source).metadata();
  const dir = await mkdtemp(join(tmpdir(), 'frs-bench-sizes-'));
  const run = promisify(execFile);
  const rows: string[] = [];
  try {
    for (const mp of sizes) {
      const scale = Math.sqrt((mp * 1e6) / (width * height));
      const w = Math.floor(width * scale);
      const h = Math.floor(height * scale);
      const file = join(dir, `${mp}.jpg`);
      await writeFile(file, await sharp(source).resize(w, h).jpeg({ quality: 90 }).toBuffer());
      const script = fileURLToPath(import.meta.url);
      const measure = async (mode: Mode) => {
        const args = ['--conditions=@frs/source', script, '--child', file, mode];
        const { stdout } = await run(process.execPath, args, {
          env: { ...process.env, BENCH_RUNS: String(runs) },
          maxBuffer: 1024 * 1024,
        });
        return ChildResult.parse(JSON.parse(stdout));
      };
      const r = await measure('image');
      const b = await measure('bytes');
      const k = workingFactor(r.width, r.height);
      const ww = Math.floor(r.width / k);
      const wh = Math.floor(r.height / k);
      const m = Math.min(12 / (MIN_FACE / k), Math.sqrt(PNET_MAX_LEVEL_PIXELS / (ww * wh)));
      const cells = [
        `${mp} MP`,
        `${r.width}×${r.height}`,
        (r.bytes / 1e6).toFixed(1),
        k === 1 ? 'full' : `${ww}×${wh} (k ${k})`,
        ((ww * wh * m * m) / 1e6).toFixed(2),
        ((12 / m) * k).toFixed(0),
        String(r.faces),
        r.decode.toFixed(0),
        r.detect.toFixed(0),
        r.align.toFixed(1),
        r.total.toFixed(0),
        `${r.firstRunRssMiB.toFixed(0)} / ${r.peakRssMiB.toFixed(0)}`,
        b.total.toFixed(0),
        `${b.firstRunRssMiB.toFixed(0)} / ${b.peakRssMiB.toFixed(0)}`,
      ];
      rows.push(`| ${cells.join(' | ')} |`);
      console.error(`done ${mp} MP (model load ${r.loadedRssMiB.toFixed(0)} MiB)`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `${availableParallelism()} cores (${cpu}), Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}; ` +
      `min face ${MIN_FACE}, ${runs} runs per size, median ms; RSS in MiB`,
  );
  console.log('');
  console.log(
    `| input | pixels | JPEG MB | working image | first P-Net level MP | smallest face px | faces | image: decode | detect | align | total | peak RSS 1 / ${runs} runs | bytes: total | peak RSS 1 / ${runs} runs |`,
  );
  console.log(
    '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of rows) console.log(row);
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const file = process.argv[childAt + 1];
  const mode = process.argv[childAt + 2] === 'bytes' ? 'bytes' : 'image';
  if (file === undefined) throw new Error('--child needs an image file');
  process.stdout.write(`${JSON.stringify(await child(file, Number(process.env.BENCH_RUNS ?? 3), mode))}\n`);
} else {
  await parent();
}
