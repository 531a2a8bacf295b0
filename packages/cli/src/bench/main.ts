// `pnpm bench`: the service-level figures of the README. Per-stage times come from the vision
// benchmark; this adds cold start and peak RSS of each function, frames per second through the local
// stack at several concurrencies, and a soak run. Every figure is measured in this one run.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { DeleteMessageCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalQueues } from '@frs/local';
import { z } from 'zod';
import { Camera } from '../camera.ts';
import { listImages } from '../util/images.ts';
import { sqsClientFor } from '../util/sqs.ts';
import { percentile, summarize } from '../util/stats.ts';
import { runWorkload } from '../workload.ts';
import { oneFaceFrame } from './frames.ts';

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const node = process.execPath;
const nodeArgs = ['--conditions=@frs/source'];

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: resolve(repo, '../shared/faces/identities') },
    'soak-seconds': { type: 'string', default: '180' },
    'soak-rate': { type: 'string', default: '2' },
    'fps-frames': { type: 'string', default: '24' },
    'load-iterations': { type: 'string', default: '40' },
    'skip-stages': { type: 'boolean', default: false },
    out: { type: 'string', default: join(repo, '.frs', 'bench.json') },
  },
});
const soakSeconds = Number(values['soak-seconds']);
const soakRate = Number(values['soak-rate']);
const fpsFrames = Number(values['fps-frames']);
const loadIterations = Number(values['load-iterations']);

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const ColdResult = z.object({
  fn: z.string(),
  importedMs: z.number(),
  firstMs: z.number(),
  coldMs: z.number(),
  warm: z.array(z.number()),
  maxRssKiB: z.number(),
});

async function enrolGallery(dir: string, gallery: string): Promise<void> {
  log(`enrolling ${dir} into ${gallery}`);
  await run(
    node,
    [...nodeArgs, join(repo, 'packages/cli/src/main.ts'), 'enroll', dir, '--gallery', gallery],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}

function functionUrlEvent(frame: Uint8Array, requestId: string): unknown {
  return {
    version: '2.0',
    rawPath: '/',
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method: 'POST', path: '/' }, requestId },
    body: JSON.stringify({
      content: Buffer.from(frame).toString('base64'),
      request_id: requestId,
      filename: 'bench.jpg',
    }),
    isBase64Encoded: false,
  };
}

async function coldStart(
  fn: 'detector' | 'recognizer',
  events: unknown[],
  env: NodeJS.ProcessEnv,
  work: string,
): Promise<z.infer<typeof ColdResult> & { spawnToResultMs: number }> {
  const file = join(work, `${fn}-events.json`);
  await writeFile(file, JSON.stringify(events));
  const started = performance.now();
  const { stdout } = await run(
    node,
    [...nodeArgs, join(repo, 'packages/cli/src/bench/cold-child.ts'), fn, file, String(loadIterations)],
    { env: { ...process.env, ...env, LOG_LEVEL: 'error' }, maxBuffer: 16 * 1024 * 1024 },
  );
  const spawnToResultMs = performance.now() - started;
  const result = ColdResult.parse(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
  return { ...result, spawnToResultMs: spawnToResultMs - result.warm.reduce((a, b) => a + b, 0) };
}

interface Stack {
  child: ChildProcess;
  functionUrl: string;
  requestQueueUrl: string;
  responseQueueUrl: string;
  stop(): Promise<void>;
}

async function startStack(gallery: string): Promise<Stack> {
  const child = spawn(node, [...nodeArgs, join(repo, 'packages/local/src/main.ts')], {
    env: { ...process.env, FRS_PORT: '0', FRS_SQS_PORT: '0', FRS_GALLERY: gallery, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<string>((resolveReady, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('frs ready'));
      if (line) resolveReady(line);
    });
    child.once('exit', (code) => reject(new Error(`local stack exited early with code ${code}`)));
  });
  const url = (label: string) => {
    const found = new RegExp(`${label} (\\S+)`).exec(ready)?.[1];
    if (!found) throw new Error(`no ${label} in the ready line: ${ready}`);
    return found;
  };
  return {
    child,
    functionUrl: url('function URL'),
    requestQueueUrl: url('request queue'),
    responseQueueUrl: url('response queue'),
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function rssKiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) =>
    Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? Number.NaN),
  );
}

async function framesPerSecond(stack: Stack, frame: Uint8Array, concurrency: number): Promise<number> {
  const sqs = sqsClientFor(stack.responseQueueUrl);
  const camera = new Camera({
    url: stack.functionUrl,
    queueUrl: stack.responseQueueUrl,
    sqs,
    timeoutMs: 120_000,
    releaseOthers: true,
  });
  let next = 0;
  const total = fpsFrames * concurrency;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next += 1;
      const t0 = performance.now();
      const posted = await camera.post(frame, 'bench.jpg');
      if (posted.status !== 200) throw new Error(`HTTP ${posted.status}: ${posted.body}`);
      await camera.awaitResult(posted.requestId, t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'frs-bench-'));
  const images = await listImages(values.images);
  if (images.length === 0) throw new Error(`no images below ${values.images} (pass --images <dir>)`);
  const firstImage = images[0];
  if (!firstImage) throw new Error('unreachable');
  const frame = await oneFaceFrame(await readFile(firstImage.path));
  const gallery = join(work, 'gallery.json');
  await enrolGallery(values.images, gallery);

  const report: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    date: new Date().toISOString(),
  };

  if (!values['skip-stages']) {
    log('per-stage times (pnpm --filter @frs/vision bench)');
    const { stdout } = await run('pnpm', ['--silent', '--filter', '@frs/vision', 'bench'], {
      cwd: repo,
      maxBuffer: 16 * 1024 * 1024,
    });
    report.stages = stdout.trim();
    process.stdout.write(`${stdout.trim()}\n\n`);
  }

  // Cold start: a fresh process per function against real SQS queues of their own.
  log('cold start and peak RSS per function');
  const queues = await startLocalQueues({
    port: 0,
    prefix: 'bench',
    requestVisibilitySeconds: 30,
    maxReceiveCount: 3,
    responseVisibilitySeconds: 2,
  });
  const sqsEnv = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
  const detectorEvents = Array.from({ length: 4 }, () => functionUrlEvent(frame, randomUUID()));
  const detector = await coldStart(
    'detector',
    detectorEvents,
    { ...sqsEnv, FRS_REQUEST_QUEUE_URL: queues.requestQueueUrl, AWS_ENDPOINT_URL_SQS: queues.endpoint },
    work,
  );
  const sqs = sqsClientFor(queues.requestQueueUrl);
  const jobs: string[] = [];
  while (jobs.length < 4) {
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.requestQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    for (const m of got.Messages ?? []) {
      jobs.push(m.Body ?? '');
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queues.requestQueueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    }
    if (!got.Messages?.length) break;
  }
  if (jobs.length === 0) throw new Error('the detector queued no job');
  const recognizerEvents = jobs.map((body, i) => ({
    Records: [
      {
        messageId: `bench-${i}`,
        receiptHandle: `bench-${i}`,
        body,
        attributes: { ApproximateReceiveCount: '1' },
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench-req-queue',
      },
    ],
  }));
  const recognizer = await coldStart(
    'recognizer',
    recognizerEvents,
    {
      ...sqsEnv,
      FRS_RESPONSE_QUEUE_URL: queues.responseQueueUrl,
      FRS_GALLERY: gallery,
      AWS_ENDPOINT_URL_SQS: queues.endpoint,
    },
    work,
  );
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.responseQueueUrl })).catch(() => undefined);
  await queues.stop();
  report.functions = Object.fromEntries(
    [detector, recognizer].map((r) => [
      r.fn,
      {
        coldStartMs: Math.round(r.spawnToResultMs),
        processStartToFirstResultMs: Math.round(r.coldMs),
        importMs: Math.round(r.importedMs),
        firstInvocationMs: Math.round(r.firstMs),
        warmInvocationMs: summarize(r.warm),
        peakRssMiB: Math.round(r.maxRssKiB / 1024),
      },
    ]),
  );

  log('frames per second through the local stack');
  const stack = await startStack(gallery);
  const fps: Record<string, number> = {};
  try {
    for (const c of [1, 2, 4]) {
      fps[`c${c}`] = Math.round((await framesPerSecond(stack, frame, c)) * 100) / 100;
      log(`concurrency ${c}: ${fps[`c${c}`]} frames/s`);
    }
    report.framesPerSecond = fps;

    log(`soak: ${soakRate}/s for ${soakSeconds}s on ${values.images}`);
    const pid = stack.child.pid ?? 0;
    const samples: { t: number; rssMiB: number }[] = [];
    const soakStart = performance.now();
    const sampler = setInterval(() => {
      rssKiB(pid).then(
        (kib) =>
          samples.push({
            t: Math.round((performance.now() - soakStart) / 1000),
            rssMiB: Math.round(kib / 1024),
          }),
        () => undefined,
      );
    }, 5000);
    const soak = await runWorkload({
      url: stack.functionUrl,
      queueUrl: stack.responseQueueUrl,
      sqs: sqsClientFor(stack.responseQueueUrl),
      images,
      requests: Math.round(soakRate * soakSeconds),
      rate: soakRate,
      timeoutMs: 120_000,
      releaseOthers: true,
    });
    clearInterval(sampler);
    const rss = samples.map((s) => s.rssMiB);
    const third = Math.max(1, Math.floor(rss.length / 3));
    report.soak = {
      seconds: soakSeconds,
      rate: soakRate,
      requests: soak.requests,
      answered: soak.answered,
      lost: soak.requests - soak.answered,
      failures: soak.failures,
      latencyMs: soak.latencyMs,
      rssMiBFirstThirdMedian: percentile(rss.slice(0, third), 50),
      rssMiBLastThirdMedian: percentile(rss.slice(-third), 50),
      rssMiBMax: Math.max(...rss),
      rssSamples: samples,
    };
  } finally {
    await stack.stop();
  }

  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${renderMarkdown(report)}\n`);
  log(`full report: ${values.out}`);
}

function renderMarkdown(report: Record<string, unknown>): string {
  const lines = ['| figure | value |', '|---|---|'];
  const functions = z
    .record(
      z.string(),
      z.object({
        coldStartMs: z.number(),
        processStartToFirstResultMs: z.number(),
        firstInvocationMs: z.number(),
        warmInvocationMs: z.object({ p50: z.number() }),
        peakRssMiB: z.number(),
      }),
    )
    .parse(report.functions);
  for (const [fn, f] of Object.entries(functions)) {
    lines.push(`| ${fn} cold start (spawn → first result) | ${f.coldStartMs} ms |`);
    lines.push(
      `| ${fn} first invocation / warm p50 | ${f.firstInvocationMs} / ${f.warmInvocationMs.p50} ms |`,
    );
    lines.push(`| ${fn} peak RSS after ${loadIterations} invocations | ${f.peakRssMiB} MiB |`);
  }
  const fps = z.record(z.string(), z.number()).parse(report.framesPerSecond);
  for (const [c, v] of Object.entries(fps))
    lines.push(`| frames/s through local stack, concurrency ${c.slice(1)} | ${v} |`);
  const soak = z
    .object({
      seconds: z.number(),
      rate: z.number(),
      requests: z.number(),
      answered: z.number(),
      lost: z.number(),
      latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }),
      rssMiBFirstThirdMedian: z.number(),
      rssMiBLastThirdMedian: z.number(),
      rssMiBMax: z.number(),
    })
    .parse(report.soak);
  lines.push(
    `| soak ${soak.seconds} s at ${soak.rate}/s: answered / lost | ${soak.answered} of ${soak.requests} / ${soak.lost} |`,
  );
  lines.push(
    `| soak latency p50 / p95 / p99 | ${soak.latencyMs.p50} / ${soak.latencyMs.p95} / ${soak.latencyMs.p99} ms |`,
  );
  lines.push(
    `| soak stack RSS first third → last third (max) | ${soak.rssMiBFirstThirdMedian} → ${soak.rssMiBLastThirdMedian} MiB (${soak.rssMiBMax}) |`,
  );
  return lines.join('\n');
}

if (!existsSync(values.images)) {
  log(`image folder ${values.images} not found: pass --images <dir>/<Person>/*.jpg`);
  process.exitCode = 2;
} else {
  await main();
}
