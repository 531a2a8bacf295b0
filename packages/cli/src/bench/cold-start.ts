// Cold start and peak RSS of each Lambda: a fresh process per function (cold-child.ts) against real SQS
// queues of its own; the detector's queued jobs become the recognizer's events.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DeleteMessageCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startLocalQueues } from '@frs/local';
import { z } from 'zod';
import { sqsClientFor } from '../util/sqs.ts';
import { summarize } from '../util/stats.ts';
import { inRepo, node, nodeArgs, run } from './child.ts';
import type { FunctionFigures } from './report.ts';

/** What cold-child.ts prints as its last line. */
const ChildResult = z.object({
  fn: z.enum(['detector', 'recognizer']),
  importedMs: z.number(),
  firstMs: z.number(),
  coldMs: z.number(),
  warm: z.array(z.number()),
  maxRssKiB: z.number(),
});
type ChildResult = z.infer<typeof ChildResult>;

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

function sqsEvent(body: string, i: number): unknown {
  return {
    Records: [
      {
        messageId: `bench-${i}`,
        receiptHandle: `bench-${i}`,
        body,
        attributes: { ApproximateReceiveCount: '1' },
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench-req-queue',
      },
    ],
  };
}

async function coldStart(
  fn: ChildResult['fn'],
  events: unknown[],
  env: NodeJS.ProcessEnv,
  work: string,
  iterations: number,
): Promise<ChildResult & { spawnToResultMs: number }> {
  const file = join(work, `${fn}-events.json`);
  await writeFile(file, JSON.stringify(events));
  const started = performance.now();
  const { stdout } = await run(
    node,
    [...nodeArgs, inRepo('packages/cli/src/bench/cold-child.ts'), fn, file, String(iterations)],
    { env: { ...process.env, ...env, LOG_LEVEL: 'error' }, maxBuffer: 16 * 1024 * 1024 },
  );
  const spawnToResultMs = performance.now() - started;
  const result = ChildResult.parse(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
  return { ...result, spawnToResultMs: spawnToResultMs - result.warm.reduce((a, b) => a + b, 0) };
}

// Up to `count` message bodies, deleted as they are taken; stops early when a receive comes back empty.
async function takeMessages(sqs: SQSClient, queueUrl: string, count: number): Promise<string[]> {
  const bodies: string[] = [];
  while (bodies.length < count) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const m of got.Messages ?? []) {
      bodies.push(m.Body ?? '');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    if (!got.Messages?.length) break;
  }
  return bodies;
}

function figures(r: ChildResult & { spawnToResultMs: number }): FunctionFigures {
  return {
    coldStartMs: Math.round(r.spawnToResultMs),
    processStartToFirstResultMs: Math.round(r.coldMs),
    importMs: Math.round(r.importedMs),
    firstInvocationMs: Math.round(r.firstMs),
    warmInvocationMs: summarize(r.warm),
    peakRssMiB: Math.round(r.maxRssKiB / 1024),
  };
}

/**
 * Cold start, first and warm invocation times and peak RSS of the detector (four Function URL events of
 * `frame`) and then the recognizer (the jobs the detector queued, against `gallery`).
 *
 * @example
 * ```ts
 * const { detector, recognizer } = await measureColdStarts({ frame, gallery, work, iterations: 40 });
 * ```
 */
export async function measureColdStarts(options: {
  frame: Uint8Array;
  gallery: string;
  /** A scratch folder for the event files. */
  work: string;
  /** Warm invocations after the first. */
  iterations: number;
}): Promise<{ detector: FunctionFigures; recognizer: FunctionFigures }> {
  const queues = await startLocalQueues({
    port: 0,
    prefix: 'bench',
    requestVisibilitySeconds: 30,
    maxReceiveCount: 3,
    responseVisibilitySeconds: 2,
  });
  const sqsEnv = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
  const detectorEvents = Array.from({ length: 4 }, () => functionUrlEvent(options.frame, randomUUID()));
  const detector = await coldStart(
    'detector',
    detectorEvents,
    { ...sqsEnv, FRS_REQUEST_QUEUE_URL: queues.requestQueueUrl, AWS_ENDPOINT_URL_SQS: queues.endpoint },
    options.work,
    options.iterations,
  );
  const sqs = sqsClientFor(queues.requestQueueUrl);
  const jobs = await takeMessages(sqs, queues.requestQueueUrl, 4);
  if (jobs.length === 0) throw new Error('the detector queued no job');
  const recognizer = await coldStart(
    'recognizer',
    jobs.map(sqsEvent),
    {
      ...sqsEnv,
      FRS_RESPONSE_QUEUE_URL: queues.responseQueueUrl,
      FRS_GALLERY: options.gallery,
      AWS_ENDPOINT_URL_SQS: queues.endpoint,
    },
    options.work,
    options.iterations,
  );
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.responseQueueUrl })).catch(() => undefined);
  await queues.stop();
  return { detector: figures(detector), recognizer: figures(recognizer) };
}
