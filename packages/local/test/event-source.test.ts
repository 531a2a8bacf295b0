import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { SqsEvent } from '@frs/contracts/lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventSourceMapping, type EventSourceMapping } from '../src/event-source.ts';
import { type LocalQueues, startLocalQueues } from '../src/queues.ts';
import { drain, queueDepth, sqsClient, testLogger } from './helpers.ts';

// The handler here is a plain function on purpose: this file tests the poller against the real SQS
// wire protocol (fauxqs); the real recognizer runs through it in stack.test.ts.
describe('Function: createEventSourceMapping()', () => {
  let queues: LocalQueues;
  let esm: EventSourceMapping | undefined;

  beforeEach(async () => {
    queues = await startLocalQueues({
      port: 0,
      prefix: 'esm',
      requestVisibilitySeconds: 1,
      maxReceiveCount: 2,
      responseVisibilitySeconds: 1,
    });
  });

  afterEach(async () => {
    await esm?.stop();
    await queues.stop();
  });

  async function sendBodies(bodies: string[]): Promise<void> {
    const sqs = sqsClient(queues.endpoint);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.requestQueueUrl,
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
  }

  it('returns the always-failing record from the DLQ and an empty queue when the handler fails it every time', async () => {
    const sqs = sqsClient(queues.endpoint);
    const seen: string[] = [];
    esm = createEventSourceMapping(
      async (raw) => {
        const event = SqsEvent.parse(raw);
        seen.push(...event.Records.map((r) => r.body));
        return {
          batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
      {
        sqs,
        queueUrl: queues.requestQueueUrl,
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:esm-req-queue',
        batchSize: 10,
        batchingWindowSeconds: 0,
        waitTimeSeconds: 1,
        logger: testLogger(),
      },
    );
    await sendBodies(['a', 'poison', 'b']);
    esm.start();
    const dead = await drain(sqs, queues.requestDlqUrl, 1, 15_000);
    expect(dead).toEqual(['poison']);
    expect(seen.filter((b) => b === 'poison')).toHaveLength(2);
    expect(seen.filter((b) => b === 'a')).toHaveLength(1);
    expect(await queueDepth(sqs, queues.requestQueueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('returns every record to the handler again when the handler throws', async () => {
    const sqs = sqsClient(queues.endpoint);
    let calls = 0;
    const done: string[] = [];
    esm = createEventSourceMapping(
      async (raw) => {
        calls++;
        if (calls === 1) throw new Error('simulated crash');
        done.push(...SqsEvent.parse(raw).Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
      {
        sqs,
        queueUrl: queues.requestQueueUrl,
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:esm-req-queue',
        batchSize: 10,
        batchingWindowSeconds: 0,
        waitTimeSeconds: 1,
        logger: testLogger(),
      },
    );
    await sendBodies(['x', 'y']);
    esm.start();
    const deadline = Date.now() + 15_000;
    while (done.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(done.sort()).toEqual(['x', 'y']);
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
