// Load through the running local stack: frames per second at a fixed concurrency, and a soak at a fixed rate.

import type { ImageFile } from '@frs/vision/eval';
import { Camera } from '../camera.ts';
import { sqsClientFor } from '../util/sqs.ts';
import { percentile } from '../util/stats.ts';
import { runWorkload } from '../workload.ts';
import type { SoakFigures } from './report.ts';
import { rssKiB, type Stack } from './stack.ts';

/**
 * Frames per second with `concurrency` cameras each sending `framesPerWorker` copies of `frame` back to
 * back and waiting for each result.
 *
 * @example
 * ```ts
 * const fps = await framesPerSecond(stack, frame, 2, 24);
 * ```
 */
export async function framesPerSecond(
  stack: Stack,
  frame: Uint8Array,
  concurrency: number,
  framesPerWorker: number,
): Promise<number> {
  const camera = new Camera({
    url: stack.functionUrl,
    queueUrl: stack.responseQueueUrl,
    sqs: sqsClientFor(stack.responseQueueUrl),
    timeoutMs: 120_000,
    releaseOthers: true,
  });
  let next = 0;
  const total = framesPerWorker * concurrency;
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

const median = (values: readonly number[]): number | null =>
  values.length === 0 ? null : percentile(values, 50);

/**
 * A soak: `rate` requests per second over `images` for `seconds`, sampling the stack's RSS every 5 s to
 * show whether memory grows (first third against last third).
 *
 * @example
 * ```ts
 * const figures = await soak(stack, images, { rate: 2, seconds: 180 });
 * ```
 */
export async function soak(
  stack: Stack,
  images: readonly ImageFile[],
  options: { rate: number; seconds: number },
): Promise<SoakFigures> {
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
  const report = await runWorkload({
    url: stack.functionUrl,
    queueUrl: stack.responseQueueUrl,
    sqs: sqsClientFor(stack.responseQueueUrl),
    images,
    requests: Math.round(options.rate * options.seconds),
    rate: options.rate,
    timeoutMs: 120_000,
    releaseOthers: true,
  }).finally(() => clearInterval(sampler));
  const rss = samples.map((s) => s.rssMiB);
  const third = Math.max(1, Math.floor(rss.length / 3));
  return {
    seconds: options.seconds,
    rate: options.rate,
    requests: report.requests,
    answered: report.answered,
    lost: report.requests - report.answered,
    failures: report.failures,
    latencyMs: report.latencyMs,
    rssMiBFirstThirdMedian: median(rss.slice(0, third)),
    rssMiBLastThirdMedian: median(rss.slice(-third)),
    rssMiBMax: rss.length === 0 ? null : Math.max(...rss),
    rssSamples: samples,
  };
}
