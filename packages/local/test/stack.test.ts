import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ErrorBody } from '@frs/contracts/errors';
import { SqsEvent } from '@frs/contracts/lambda';
import { DetectorAccepted } from '@frs/contracts/request';
import type { RecognitionResult } from '@frs/contracts/result';
import { createDynamoIdempotencyStore, idempotencyKey } from '@frs/recognizer';
import { parseJob } from '@frs/service/job';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsHandler } from '../src/event-source.ts';
import { type LocalStack, startLocalStack } from '../src/stack.ts';
import { enrolGallery, facePath, photosOf } from './fixtures.ts';
import { dynamoClient, queueDepth, receiveResults, sqsClient, testLogger } from './helpers.ts';

const ENROLLED = ['John_Salley', 'John_Savage', 'John_Schneider', 'bbt_sheldon', 'bbt_penny'] as const;
const PER_PERSON = 4;

// Real stack: fauxqs SQS, the detector behind the Function URL server, the recognizer behind the event
// source mapping, real ONNX models, real photos from ../shared/faces. Only the AWS services are local.
describe('Function: startLocalStack()', () => {
  const logger = testLogger();
  let stack: LocalStack;
  let sqs: SQSClient;
  /** Results by request id, filled by whichever test polls first (several may be waiting). */
  const results = new Map<string, RecognitionResult[]>();
  /** When set, the recognizer runs only the first record of the next batch, then "crashes". */
  let crashNextBatch = false;
  /** When set, the next batch dies in the middle of its records: claimed for deduplication, never answered. */
  let dieMidRecordNextBatch = false;
  /** What the dying batch's claims returned. */
  const claims: string[] = [];
  let dynamo: DynamoDBClient;

  const crashable =
    (real: SqsHandler): SqsHandler =>
    async (raw, context) => {
      const event = SqsEvent.parse(raw);
      if (dieMidRecordNextBatch) {
        dieMidRecordNextBatch = false;
        // What a Lambda that times out while embedding leaves behind: the claims the real handler takes
        // at the start of each record (same table, same key, same in-progress TTL), and no results.
        const store = createDynamoIdempotencyStore({
          client: dynamo,
          table: stack.idempotencyTable,
          ttlSeconds: 3600,
        });
        for (const record of event.Records) {
          claims.push(await store.begin(idempotencyKey(parseJob(record.body)), 1));
        }
        throw new Error(`simulated timeout in the middle of ${event.Records.length} records`);
      }
      if (!crashNextBatch) return real(raw, context);
      crashNextBatch = false;
      await real({ Records: event.Records.slice(0, 1) }, context);
      throw new Error(`simulated crash after 1 of ${event.Records.length} records`);
    };

  beforeAll(async () => {
    const gallery = await enrolGallery(ENROLLED, PER_PERSON, logger);
    stack = await startLocalStack({
      logger,
      port: 0,
      sqsPort: 0,
      prefix: `t${randomUUID().slice(0, 8)}`,
      gallery,
      requestVisibilitySeconds: 2,
      maxReceiveCount: 2,
      responseVisibilitySeconds: 1,
      wrapRecognizer: crashable,
    });
    sqs = sqsClient(stack.sqsEndpoint);
    dynamo = dynamoClient(stack.dynamodbEndpoint);
  });

  afterAll(async () => {
    dynamo?.destroy();
    await stack?.stop();
  });

  async function post(body: unknown): Promise<Response> {
    return fetch(stack.functionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function postImage(path: string, requestId = randomUUID()): Promise<string> {
    const content = (await readFile(path)).toString('base64');
    const response = await post({ content, request_id: requestId, filename: basename(path) });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(DetectorAccepted.parse(await response.json()).request_id).toBe(requestId);
    return requestId;
  }

  async function pollResponses(): Promise<void> {
    await receiveResults(sqs, stack.responseQueueUrl, (result) => {
      results.set(result.request_id, [...(results.get(result.request_id) ?? []), result]);
    });
  }

  /** Waits until the request queue is empty (every copy handled), then collects any late results. */
  async function settle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const depth = await queueDepth(sqs, stack.requestQueueUrl);
      if (depth.visible === 0 && depth.inFlight === 0) break;
      if (Date.now() > deadline) throw new Error(`request queue not empty after ${timeoutMs} ms`);
      await pollResponses();
    }
    await pollResponses();
  }

  async function resultsFor(requestIds: readonly string[], timeoutMs = 60_000): Promise<RecognitionResult[]> {
    const deadline = Date.now() + timeoutMs;
    while (requestIds.some((id) => !results.has(id)) && Date.now() < deadline) await pollResponses();
    return requestIds.map((id) => {
      const first = results.get(id)?.[0];
      if (!first) throw new Error(`no result for ${id} within ${timeoutMs} ms`);
      return first;
    });
  }

  it('returns the enrolled name, unknown and no_face through HTTP -> SQS -> recognizer -> SQS', async () => {
    const cases: [string, string][] = [];
    for (const person of ENROLLED) {
      const photo = (await photosOf(person))[PER_PERSON]; // not enrolled
      if (photo) cases.push([photo, person]);
    }
    cases.push([facePath('identities/carell/00.jpg'), 'unknown']);
    cases.push([facePath('identities/Nathalie_Baye/00.jpg'), 'unknown']);
    cases.push([facePath('other/no-face/apple.jpg'), 'no_face']);
    cases.push([facePath('other/no-face/dog.jpg'), 'no_face']);
    const ids = [];
    for (const [photo] of cases) ids.push(await postImage(photo));
    const got = await resultsFor(ids);
    expect(got.map((r) => r.result)).toEqual(cases.map(([, expected]) => expected));
    for (const r of got) {
      if (r.result === 'no_face') expect(r.faces).toEqual([]);
      else expect(r.faces.length).toBeGreaterThan(0);
    }
  });

  describe('bad input', () => {
    async function expectRejected(
      body: unknown,
      status: number,
      code: string,
      message: RegExp,
    ): Promise<void> {
      const response = await post(body);
      expect(response.status).toBe(status);
      const error = ErrorBody.parse(await response.json());
      expect(error.error.code).toBe(code);
      expect(error.error.message).toMatch(message);
    }

    async function expectNothingQueued(): Promise<void> {
      expect(await queueDepth(sqs, stack.requestQueueUrl)).toEqual({ visible: 0, inFlight: 0 });
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.requestQueueUrl, WaitTimeSeconds: 1 }),
      );
      expect(out.Messages ?? []).toEqual([]);
    }

    // The recognizer is paused so a wrongly queued job would still be sitting in the request queue.
    beforeAll(async () => stack.recognizer.stop());
    afterAll(() => stack.recognizer.start());

    it('returns 400 and queues nothing when the body is malformed JSON', async () => {
      await expectRejected('{"content": "abc', 400, 'malformed_json', /JSON/);
      await expectNothingQueued();
    });

    it('returns 400 naming the field and queues nothing when a required field is missing', async () => {
      await expectRejected({ content: 'aGk=' }, 400, 'invalid_request', /request_id/);
      await expectRejected({ request_id: 'r' }, 400, 'invalid_request', /content/);
      await expectNothingQueued();
    });

    it('returns 400 and queues nothing when content is not base64', async () => {
      await expectRejected(
        { content: 'this is not base64 %%%', request_id: 'r' },
        400,
        'invalid_base64',
        /base64/,
      );
      await expectNothingQueued();
    });

    it('returns 415 and queues nothing when content is not an image', async () => {
      const content = Buffer.from('hello, I am a text file').toString('base64');
      await expectRejected({ content, request_id: 'r' }, 415, 'not_an_image', /JPEG, PNG or WebP/);
      await expectNothingQueued();
    });

    it('returns 415 naming the format and queues nothing when the image format is unsupported', async () => {
      const tiff = await sharp(await readFile(facePath('identities/carell/00.jpg')))
        .tiff()
        .toBuffer();
      await expectRejected(
        { content: tiff.toString('base64'), request_id: 'r' },
        415,
        'unsupported_format',
        /TIFF/,
      );
      await expectNothingQueued();
    });

    it('returns 422 and queues nothing when the image is truncated', async () => {
      const jpeg = await readFile(facePath('identities/carell/00.jpg'));
      const content = jpeg.subarray(0, Math.floor(jpeg.length / 2)).toString('base64');
      await expectRejected({ content, request_id: 'r' }, 422, 'truncated_image', /truncated/);
      await expectNothingQueued();
    });

    it('returns 413 and queues nothing when the body exceeds 6 MiB', async () => {
      const content = Buffer.alloc(5 * 1024 * 1024, 1).toString('base64'); // ~6.7 MB of base64
      const response = await post({ content, request_id: 'r' });
      expect(response.status).toBe(413);
      expect(ErrorBody.parse(await response.json()).error.code).toBe('body_too_large');
      await expectNothingQueued();
    });

    it('returns 413 and queues nothing when the pixel count exceeds 40 MP', async () => {
      // A small file that decodes to 42 MP: the decompression-bomb shape the pixel limit exists for.
      const bomb = await sharp({ create: { width: 7000, height: 6000, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer();
      await expectRejected(
        { content: bomb.toString('base64'), request_id: 'r' },
        413,
        'image_too_large',
        /pixels/,
      );
      await expectNothingQueued();
    });

    it('returns 200 for a good frame after all the rejections when the stack is still serving', async () => {
      await postImage(facePath('other/no-face/apple.jpg'));
      expect((await queueDepth(sqs, stack.requestQueueUrl)).visible).toBe(1);
    });
  });

  it('returns every result when the recognizer crashes mid-batch and is restarted', async () => {
    await stack.recognizer.stop();
    const photos = [
      facePath('identities/John_Salley/06.jpg'),
      facePath('identities/John_Savage/06.jpg'),
      facePath('identities/carell/00.jpg'),
      facePath('other/no-face/dog.jpg'),
    ];
    const ids = [];
    for (const photo of photos) ids.push(await postImage(photo));
    crashNextBatch = true;
    stack.recognizer.start();
    const got = await resultsFor(ids);
    expect(crashNextBatch).toBe(false); // the crash really happened
    expect(got.map((r) => r.result)).toEqual(['John_Salley', 'John_Savage', 'unknown', 'no_face']);
    // The record answered before the crash is skipped on the retry: still one answer per request.
    await settle();
    expect(ids.map((id) => results.get(id)?.length)).toEqual([1, 1, 1, 1]);
  });

  it('returns the results after the in-progress TTL when an invocation died in the middle of its records', async () => {
    await stack.recognizer.stop();
    const ids = [];
    for (const photo of [facePath('identities/John_Salley/07.jpg'), facePath('other/no-face/apple.jpg')]) {
      ids.push(await postImage(photo));
    }
    dieMidRecordNextBatch = true;
    stack.recognizer.start();
    const got = await resultsFor(ids);
    expect(claims).toEqual(['started', 'started']); // the claims were really left behind
    expect(got.map((r) => r.result)).toEqual(['John_Salley', 'no_face']);
    await settle();
    expect(ids.map((id) => results.get(id)?.length)).toEqual([1, 1]);
  });

  it('returns the poison record from the DLQ after maxReceiveCount while good records still get results', async () => {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: stack.requestQueueUrl, MessageBody: '{"not":"a job"}' }),
    );
    const good = await postImage(facePath('identities/bbt_sheldon/04.png'));
    const [result] = await resultsFor([good]);
    expect(result?.result).toBe('bbt_sheldon');
    const deadline = Date.now() + 30_000;
    let dead: string | undefined;
    while (dead === undefined && Date.now() < deadline) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.requestDlqUrl, WaitTimeSeconds: 1 }),
      );
      dead = out.Messages?.[0]?.Body;
    }
    expect(dead).toBe('{"not":"a job"}');
  });

  it('returns exactly one result when the same job is delivered three times', async () => {
    await stack.recognizer.stop();
    const id = await postImage(facePath('identities/John_Schneider/06.jpg'));
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.requestQueueUrl, WaitTimeSeconds: 2 }),
    );
    const job = out.Messages?.[0]?.Body;
    if (job === undefined) throw new Error('the job was not queued');
    // The received copy comes back after the visibility timeout (a lost delete); two more sends are
    // duplicates from retries: three messages with the same body.
    for (let i = 0; i < 2; i++) {
      await sqs.send(new SendMessageCommand({ QueueUrl: stack.requestQueueUrl, MessageBody: job }));
    }
    stack.recognizer.start();
    await resultsFor([id]);
    await settle();
    const answers = results.get(id) ?? [];
    expect(answers.map((r) => r.result)).toEqual(['John_Schneider']);
  });

  it('returns a result for each job when a different job reuses a request_id', async () => {
    const id = randomUUID();
    await postImage(facePath('identities/bbt_penny/04.png'), id);
    await resultsFor([id]);
    await postImage(facePath('identities/bbt_sheldon/04.png'), id);
    const deadline = Date.now() + 30_000;
    while ((results.get(id)?.length ?? 0) < 2 && Date.now() < deadline) await pollResponses();
    expect((results.get(id) ?? []).map((r) => r.result)).toEqual(['bbt_penny', 'bbt_sheldon']);
  });
});
