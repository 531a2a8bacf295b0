import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { FunctionUrlResult } from '@frs/contracts/lambda';
import { RecognitionResult } from '@frs/contracts/result';
import { defaultGalleryModel } from '@frs/service/models';
import { createGallery, serializeGallery } from '@frs/vision/gallery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '../src/queues.ts';
import { facePath } from './fixtures.ts';
import { sqsClient } from './helpers.ts';

const run = promisify(execFile);

// The deployed entry points exactly as Lambda loads them: configuration from the documented environment
// variables, SQS clients that find the endpoint through AWS_ENDPOINT_URL_SQS, the real SQS server.
describe('Function: handler (Lambda entry points)', () => {
  let queues: LocalQueues;

  beforeAll(async () => {
    queues = await startLocalQueues({
      port: 0,
      prefix: 'entry',
      requestVisibilitySeconds: 5,
      maxReceiveCount: 3,
      responseVisibilitySeconds: 2,
    });
    const gallery = join(await mkdtemp(join(tmpdir(), 'frs-entry-')), 'empty.json');
    await writeFile(gallery, serializeGallery(createGallery(await defaultGalleryModel())));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SQS: queues.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      FRS_REQUEST_QUEUE_URL: queues.requestQueueUrl,
      FRS_RESPONSE_QUEUE_URL: queues.responseQueueUrl,
      FRS_GALLERY: gallery,
      LOG_LEVEL: 'error',
    });
  });

  afterAll(async () => queues?.stop());

  it('returns a result on the response queue when the detector and recognizer handlers run in turn', async () => {
    const { handler: detect } = await import('@frs/detector/handler');
    const { handler: recognize } = await import('@frs/recognizer/handler');
    const content = (await readFile(facePath('identities/John_Salley/05.jpg'))).toString('base64');
    const response = FunctionUrlResult.parse(
      await detect({
        version: '2.0',
        rawPath: '/',
        headers: { 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST' } },
        body: JSON.stringify({ content, request_id: 'entry-1', filename: 'a.jpg' }),
        isBase64Encoded: false,
      }),
    );
    expect(response.statusCode).toBe(200);
    const sqs = sqsClient(queues.endpoint);
    const jobs = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.requestQueueUrl, WaitTimeSeconds: 5 }),
    );
    const job = jobs.Messages?.[0];
    expect(job?.Body).toBeDefined();
    const batch = await recognize({
      Records: [{ messageId: job?.MessageId ?? '', body: job?.Body ?? '', attributes: {} }],
    });
    expect(batch).toEqual({ batchItemFailures: [] });
    const results = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.responseQueueUrl, WaitTimeSeconds: 5 }),
    );
    const result = RecognitionResult.parse(JSON.parse(results.Messages?.[0]?.Body ?? ''));
    // An empty gallery: the face is found, nobody is enrolled.
    expect([result.request_id, result.result, result.faces.length]).toEqual(['entry-1', 'unknown', 1]);
  });

  it('throws DetectorConfigError at cold start naming the variable when FRS_REQUEST_QUEUE_URL is missing', async () => {
    const script =
      "import('@frs/detector/handler').catch((e) => { console.error(e.name + ': ' + e.message); process.exit(3); })";
    const env = { PATH: process.env.PATH ?? '' };
    const error = await run(process.execPath, ['--conditions=@frs/source', '-e', script], {
      env,
      cwd: new URL('..', import.meta.url).pathname,
    }).catch((e: unknown) => e);
    expect(String(error)).toMatch(
      /DetectorConfigError: invalid detector configuration: FRS_REQUEST_QUEUE_URL/,
    );
  });
});
