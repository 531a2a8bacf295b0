import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { CAMERA_ID_ATTRIBUTE, RecognitionResult } from '@frs/contracts/result';
import { createJsonLogger, type JsonLogger } from '@frs/runtime/logger';

/** An SQS client for the local fauxqs server. */
export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
}

/** A DynamoDB client for the local dynalite server. */
export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
}

/** Quiet logger for tests (errors only, to stderr). */
export function testLogger(): JsonLogger {
  return createJsonLogger({
    service: 'test',
    level: process.env.LOG_LEVEL ?? 'error',
    write: (l) => process.stderr.write(`${l}\n`),
  });
}

/** Visible + in-flight message counts of a queue. */
export async function queueDepth(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 'NaN'),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 'NaN'),
  };
}

/**
 * Receives (and deletes) messages, with their camera attribute, until `count` arrived or the deadline
 * passed.
 */
export async function drainMessages(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  timeoutMs: number,
): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < count && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: [CAMERA_ID_ATTRIBUTE],
      }),
    );
    for (const m of out.Messages ?? []) {
      messages.push(m);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return messages;
}

/** {@link drainMessages}, the bodies only. */
export async function drain(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  timeoutMs: number,
): Promise<string[]> {
  return (await drainMessages(sqs, queueUrl, count, timeoutMs)).map((m) => m.Body ?? '');
}

/**
 * One long-poll of the response queue: every result received is parsed, handed to `onResult` and deleted
 * (tests own the queue, so nobody else's results are consumed).
 */
export async function receiveResults(
  sqs: SQSClient,
  queueUrl: string,
  onResult: (result: RecognitionResult) => void,
): Promise<void> {
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  for (const m of out.Messages ?? []) {
    onResult(RecognitionResult.parse(JSON.parse(m.Body ?? '')));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
  }
}
