// `pnpm bench`: the service-level figures of the README. Per-stage times come from the vision
// benchmark; this adds cold start and peak RSS of each function (cold-start.ts), frames per second
// through the local stack at several concurrencies and a soak run (throughput.ts). Every figure is
// measured in this one run and written to one typed report (report.ts).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { listImageTree } from '@frs/vision/eval';
import { inRepo, log, node, nodeArgs, repo, run } from './child.ts';
import { measureColdStarts } from './cold-start.ts';
import { oneFaceFrame } from './frames.ts';
import { type BenchOptions, parseBenchOptions } from './options.ts';
import { type BenchReport, renderMarkdown } from './report.ts';
import { startStack } from './stack.ts';
import { framesPerSecond, soak } from './throughput.ts';

async function enrolGallery(dir: string, gallery: string): Promise<void> {
  log(`enrolling ${dir} into ${gallery}`);
  await run(node, [...nodeArgs, inRepo('packages/cli/src/main.ts'), 'enroll', dir, '--gallery', gallery], {
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function stageTimes(): Promise<string> {
  log('per-stage times (pnpm --filter @frs/vision bench)');
  const { stdout } = await run('pnpm', ['--silent', '--filter', '@frs/vision', 'bench'], {
    cwd: repo,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

async function bench(options: BenchOptions): Promise<BenchReport> {
  const work = await mkdtemp(join(tmpdir(), 'frs-bench-'));
  const images = await listImageTree(options.images);
  const firstImage = images[0];
  if (firstImage === undefined) throw new Error(`no images below ${options.images} (pass --images <dir>)`);
  const frame = await oneFaceFrame(await readFile(firstImage.path));
  const gallery = join(work, 'gallery.json');
  await enrolGallery(options.images, gallery);
  const machine = {
    cpus: cpus().length,
    ...(cpus()[0]?.model === undefined ? {} : { model: cpus()[0]?.model }),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const date = new Date().toISOString();

  let stages: string | undefined;
  if (!options.skipStages) {
    stages = await stageTimes();
    process.stdout.write(`${stages}\n\n`);
  }

  log('cold start and peak RSS per function');
  const functions = await measureColdStarts({ frame, gallery, work, iterations: options.loadIterations });

  log('frames per second through the local stack');
  const stack = await startStack(gallery);
  try {
    const fps: Record<string, number> = {};
    for (const c of [1, 2, 4]) {
      fps[`c${c}`] = Math.round((await framesPerSecond(stack, frame, c, options.fpsFrames)) * 100) / 100;
      log(`concurrency ${c}: ${fps[`c${c}`]} frames/s`);
    }
    log(`soak: ${options.soakRate}/s for ${options.soakSeconds}s on ${options.images}`);
    const soaked = await soak(stack, images, { rate: options.soakRate, seconds: options.soakSeconds });
    return {
      machine,
      date,
      ...(stages === undefined ? {} : { stages }),
      functions,
      framesPerSecond: fps,
      soak: soaked,
    };
  } finally {
    await stack.stop();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchOptions(argv, repo);
  if (!existsSync(options.images)) {
    log(`image folder ${options.images} not found: pass --images <dir>/<Person>/*.jpg`);
    return 2;
  }
  const report = await bench(options);
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${renderMarkdown(report, options.loadIterations)}\n`);
  log(`full report: ${options.out}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
