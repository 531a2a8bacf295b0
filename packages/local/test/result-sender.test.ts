import { randomUUID } from 'node:crypto';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { CAMERA_ID_ATTRIBUTE } from '@frs/contracts/result';
import { createResultSender, MISSING_QUEUE_RETRY_MS } from '@frs/recognizer';
import { createJsonLogger } from '@frs/runtime/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '../src/queues.ts';
import { drainMessages, queueDepth, sqsClient } from './helpers.ts';

// The recognizer's result sender against the real SQS server (fauxqs speaks the SQS JSON protocol,
// including QueueDoesNotExist), with one per-camera queue for cam1 and none for cam9.
describe('Function: createResultSender()', () => {
  let queues: LocalQueues;
  let sqs: SQSClient;

  beforeAll(async () => {
    queues = await startLocalQueues({
      port: 0,
      prefix: `s${randomUUID().slice(0, 8)}`,
      requestVisibilitySeconds: 5,
      maxReceiveCount: 3,
      responseVisibilitySeconds: 2,
      cameraIds: ['cam1'],
    });
    sqs = sqsClient(queues.endpoint);
  });

  afterAll(async () => {
    sqs?.destroy();
    await queues?.stop();
  });

  function capturingLogger() {
    const lines: Record<string, unknown>[] = [];
    const logger = createJsonLogger({
      service: 't',
      level: 'debug',
      write: (l) => lines.push(JSON.parse(l)),
    });
    return { logger, warnings: () => lines.filter((l) => l.level === 'warn') };
  }

  /** Receives every message of a queue (with attributes) and deletes them. */
  const take = (queueUrl: string, count: number) => drainMessages(sqs, queueUrl, count, 10_000);

  const cameraOf = (m: Message) => m.MessageAttributes?.[CAMERA_ID_ATTRIBUTE]?.StringValue;

  it('returns the result on the shared queue tagged with the camera_id attribute when no camera queues are configured', async () => {
    const { logger } = capturingLogger();
    const send = createResultSender({
      sqs,
      responseQueueUrl: queues.responseQueueUrl,
      cameraQueuePrefix: undefined,
      logger,
    });
    await send('{"request_id":"a"}', { requestId: 'a', cameraId: 'cam1' });
    await send('{"request_id":"b"}', { requestId: 'b' });
    const got = await take(queues.responseQueueUrl, 2);
    expect(got.map((m) => [m.Body, cameraOf(m)])).toEqual([
      ['{"request_id":"a"}', 'cam1'],
      ['{"request_id":"b"}', undefined],
    ]);
    expect(got[1]?.MessageAttributes).toBeUndefined();
    expect(await queueDepth(sqs, queues.cameraQueueUrls.cam1 ?? '')).toEqual({ visible: 0, inFlight: 0 });
  });

  it('returns the result on the camera queue, not the shared one, when the camera has a queue', async () => {
    const { logger, warnings } = capturingLogger();
    const send = createResultSender({
      sqs,
      responseQueueUrl: queues.responseQueueUrl,
      cameraQueuePrefix: queues.cameraQueuePrefix,
      logger,
    });
    await send('{"request_id":"c"}', { requestId: 'c', cameraId: 'cam1' });
    await send('{"request_id":"d"}', { requestId: 'd' });
    const own = await take(queues.cameraQueueUrls.cam1 ?? '', 1);
    expect(own.map((m) => [m.Body, cameraOf(m)])).toEqual([['{"request_id":"c"}', 'cam1']]);
    const shared = await take(queues.responseQueueUrl, 1);
    expect(shared.map((m) => m.Body)).toEqual(['{"request_id":"d"}']);
    expect(warnings()).toEqual([]);
  });

  it('returns the result on the shared queue with one warning per retry interval when the camera queue does not exist', async () => {
    const { logger, warnings } = capturingLogger();
    let now = 1_000_000;
    const send = createResultSender({
      sqs,
      responseQueueUrl: queues.responseQueueUrl,
      cameraQueuePrefix: queues.cameraQueuePrefix,
      logger,
      now: () => now,
    });
    await send('{"request_id":"e"}', { requestId: 'e', cameraId: 'cam9' });
    await send('{"request_id":"f"}', { requestId: 'f', cameraId: 'cam9' });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({
      camera_id: 'cam9',
      request_id: 'e',
      camera_queue_url: `${queues.cameraQueuePrefix}cam9`,
    });
    now += MISSING_QUEUE_RETRY_MS;
    await send('{"request_id":"g"}', { requestId: 'g', cameraId: 'cam9' });
    expect(warnings()).toHaveLength(2);
    const shared = await take(queues.responseQueueUrl, 3);
    expect(shared.map((m) => [m.Body, cameraOf(m)])).toEqual([
      ['{"request_id":"e"}', 'cam9'],
      ['{"request_id":"f"}', 'cam9'],
      ['{"request_id":"g"}', 'cam9'],
    ]);
  });

  it('throws the SQS error when the camera queue fails for another reason than not existing', async () => {
    const { logger } = capturingLogger();
    const send = createResultSender({
      sqs,
      responseQueueUrl: queues.responseQueueUrl,
      cameraQueuePrefix: queues.cameraQueuePrefix,
      logger,
    });
    // 256 KiB + 1 byte: refused by the camera queue's MaximumMessageSize, which must not reroute it.
    const body = 'x'.repeat(256 * 1024 + 1);
    await expect(send(body, { requestId: 'h', cameraId: 'cam1' })).rejects.toThrow();
    expect(await queueDepth(sqs, queues.responseQueueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});
