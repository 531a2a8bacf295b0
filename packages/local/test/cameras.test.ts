import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DetectorAccepted } from '@frs/contracts/request';
import { CAMERA_ID_ATTRIBUTE, RecognitionResult } from '@frs/contracts/result';
import { createJsonLogger } from '@frs/runtime/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../src/stack.ts';
import { enrolGallery, facePath, photosOf } from './fixtures.ts';
import { drainMessages, queueDepth, sqsClient } from './helpers.ts';

const ENROLLED = ['John_Salley', 'John_Savage'] as const;

// The real stack with per-camera queues for cam1 and cam2; cam3 and cam4 have none and share the
// response queue with cameras that send no camera_id at all.
describe('Function: startLocalStack() with cameraIds', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({
    service: 'test',
    level: 'warn',
    write: (l) => lines.push(JSON.parse(l)),
  });
  let stack: LocalStack;
  let sqs: SQSClient;

  beforeAll(async () => {
    const gallery = await enrolGallery(ENROLLED, 3, logger);
    stack = await startLocalStack({
      logger,
      port: 0,
      sqsPort: 0,
      prefix: `c${randomUUID().slice(0, 8)}`,
      gallery,
      responseVisibilitySeconds: 1,
      cameraIds: ['cam1', 'cam2'],
    });
    sqs = sqsClient(stack.sqsEndpoint);
  });

  afterAll(async () => {
    sqs?.destroy();
    await stack?.stop();
  });

  async function post(photo: string, cameraId: string | undefined): Promise<string> {
    const requestId = randomUUID();
    const content = (await readFile(photo)).toString('base64');
    const response = await fetch(stack.functionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        content,
        request_id: requestId,
        ...(cameraId === undefined ? {} : { camera_id: cameraId }),
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(DetectorAccepted.parse(await response.json()).request_id).toBe(requestId);
    return requestId;
  }

  /** Every result that reaches a queue until `count` arrived (deleting them), with its attribute. */
  async function collect(
    queueUrl: string,
    count: number,
  ): Promise<[RecognitionResult, string | undefined][]> {
    return (await drainMessages(sqs, queueUrl, count, 60_000)).map((m) => [
      RecognitionResult.parse(JSON.parse(m.Body ?? '')),
      m.MessageAttributes?.[CAMERA_ID_ATTRIBUTE]?.StringValue,
    ]);
  }

  it('returns to each camera with its own queue only its own results, and the rest on the shared queue', async () => {
    const salley = (await photosOf('John_Salley'))[4] ?? '';
    const savage = (await photosOf('John_Savage'))[4] ?? '';
    const apple = facePath('other/no-face/apple.jpg');
    const cam1 = [await post(salley, 'cam1')];
    const cam2 = [await post(savage, 'cam2')];
    cam1.push(await post(apple, 'cam1'));
    const cam3 = [await post(salley, 'cam3')];
    const anonymous = [await post(savage, undefined)];
    cam2.push(await post(salley, 'cam2'));

    const own1 = await collect(stack.cameraQueueUrls.cam1 ?? '', cam1.length);
    const own2 = await collect(stack.cameraQueueUrls.cam2 ?? '', cam2.length);
    const shared = await collect(stack.responseQueueUrl, cam3.length + anonymous.length);
    expect(own1.map(([r, attr]) => [r.request_id, r.camera_id, attr, r.result])).toEqual([
      [cam1[0], 'cam1', 'cam1', 'John_Salley'],
      [cam1[1], 'cam1', 'cam1', 'no_face'],
    ]);
    expect(own2.map(([r, attr]) => [r.request_id, r.camera_id, attr, r.result])).toEqual([
      [cam2[0], 'cam2', 'cam2', 'John_Savage'],
      [cam2[1], 'cam2', 'cam2', 'John_Salley'],
    ]);
    // cam3 has no queue: the recognizer falls back to the shared queue (with a warning), never failing.
    expect(shared.map(([r, attr]) => [r.request_id, r.camera_id, attr]).sort()).toEqual(
      [
        [cam3[0], 'cam3', 'cam3'],
        [anonymous[0], undefined, undefined],
      ].sort(),
    );
    expect(lines.filter((l) => l.message?.toString().startsWith('camera queue does not exist'))).toEqual([
      expect.objectContaining({ level: 'warn', camera_id: 'cam3' }),
    ]);
    expect(lines.filter((l) => l.message === 'record failed')).toEqual([]);
    for (const url of [
      stack.responseQueueUrl,
      stack.requestDlqUrl,
      ...Object.values(stack.cameraQueueUrls),
    ]) {
      expect(await queueDepth(sqs, url)).toEqual({ visible: 0, inFlight: 0 });
    }
  });

  it('returns to a camera filtering on the camera_id attribute only its own results on the shared queue', async () => {
    const salley = (await photosOf('John_Salley'))[5] ?? '';
    const savage = (await photosOf('John_Savage'))[5] ?? '';
    const sent = {
      cam3: [await post(salley, 'cam3'), await post(savage, 'cam3')],
      cam4: [await post(savage, 'cam4'), await post(salley, 'cam4')],
    };
    /** What a camera does: read only the attribute, delete its own, hand others' back at once. */
    async function pollAs(camera: 'cam3' | 'cam4'): Promise<{ mine: RecognitionResult[]; left: number }> {
      const mine: RecognitionResult[] = [];
      let left = 0;
      const deadline = Date.now() + 60_000;
      while (mine.length < sent[camera].length && Date.now() < deadline) {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: stack.responseQueueUrl,
            MaxNumberOfMessages: 1,
            WaitTimeSeconds: 1,
            MessageAttributeNames: [CAMERA_ID_ATTRIBUTE],
          }),
        );
        for (const m of out.Messages ?? []) {
          if (m.MessageAttributes?.[CAMERA_ID_ATTRIBUTE]?.StringValue !== camera) {
            left++;
            await sqs.send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: stack.responseQueueUrl,
                ReceiptHandle: m.ReceiptHandle,
                VisibilityTimeout: 0,
              }),
            );
            continue;
          }
          mine.push(RecognitionResult.parse(JSON.parse(m.Body ?? '')));
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: stack.responseQueueUrl, ReceiptHandle: m.ReceiptHandle }),
          );
        }
      }
      return { mine, left };
    }
    const [cam3, cam4] = await Promise.all([pollAs('cam3'), pollAs('cam4')]);
    expect(cam3.mine.map((r) => r.request_id).sort()).toEqual([...sent.cam3].sort());
    expect(cam4.mine.map((r) => r.request_id).sort()).toEqual([...sent.cam4].sort());
    expect(cam3.mine.every((r) => r.camera_id === 'cam3')).toBe(true);
    expect(cam4.mine.every((r) => r.camera_id === 'cam4')).toBe(true);
    expect(await queueDepth(sqs, stack.responseQueueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});
