import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SqsBatchResponse } from '@frs/contracts/lambda';
import type { JsonLogger } from '@frs/runtime/logger';

/** An SQS-triggered handler with partial batch responses. */
export type SqsHandler = (
  event: unknown,
  context: { awsRequestId: string },
) => Promise<SqsBatchResponse | undefined>;

/** Options of {@link createEventSourceMapping}, named like the AWS settings they mirror. */
export interface EventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** Records per invocation (AWS `BatchSize`, at most 10 per receive). */
  batchSize: number;
  /** AWS `MaximumBatchingWindowInSeconds`: keep gathering records this long before invoking. */
  batchingWindowSeconds: number;
  /**
   * Long-poll wait per ReceiveMessage call; also the longest `stop()` waits for a poll in progress.
   * A poll is never aborted: the server would still hand messages to the dead connection, hiding them
   * for a visibility timeout and counting a receive towards the DLQ.
   */
  waitTimeSeconds: number;
  logger: JsonLogger;
}

/** A running poller; `stop()` ends it like a crashed or scaled-in Lambda. */
export interface EventSourceMapping {
  start(): void;
  /** Stops polling after the poll and invocation in progress finish, like disabling the mapping. */
  stop(): Promise<void>;
  readonly running: boolean;
}

function toRecord(message: Message, queueArn: string): Record<string, unknown> {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: message.Attributes ?? {},
    messageAttributes: message.MessageAttributes ?? {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/**
 * Runs an SQS handler the way a Lambda event source mapping does: long-poll batches, invoke, delete the
 * records that succeeded, and leave `batchItemFailures` (or the whole batch, if the handler throws) to
 * reappear after the visibility timeout; the queue's redrive policy moves repeat failures to the DLQ.
 *
 * @example
 * ```ts
 * const esm = createEventSourceMapping(handler, { sqs, queueUrl, queueArn, batchSize: 10,
 *   batchingWindowSeconds: 0, waitTimeSeconds: 20, logger });
 * esm.start();
 * await esm.stop();
 * ```
 */
export function createEventSourceMapping(
  handler: SqsHandler,
  options: EventSourceOptions,
): EventSourceMapping {
  let stopping = false;
  let loop: Promise<void> | undefined;

  const receive = async (max: number, wait: number): Promise<Message[]> => {
    const out = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return out.Messages ?? [];
  };

  const gather = async (): Promise<Message[]> => {
    const batch = await receive(options.batchSize, options.waitTimeSeconds);
    const deadline = Date.now() + options.batchingWindowSeconds * 1000;
    while (batch.length > 0 && batch.length < options.batchSize && Date.now() < deadline) {
      const wait = Math.max(0, Math.min(20, Math.floor((deadline - Date.now()) / 1000)));
      const more = await receive(options.batchSize - batch.length, wait);
      if (more.length === 0 && wait === 0) break;
      batch.push(...more);
    }
    return batch;
  };

  const invoke = async (batch: Message[]): Promise<void> => {
    let failed: Set<string>;
    try {
      const event = { Records: batch.map((m) => toRecord(m, options.queueArn)) };
      const response = await handler(event, { awsRequestId: randomUUID() });
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      options.logger.error('recognizer invocation failed; the whole batch will be retried', { error });
      return;
    }
    const done = batch.filter((m) => m.MessageId !== undefined && !failed.has(m.MessageId));
    if (failed.size > 0) options.logger.warn('batch item failures', { failed: [...failed] });
    if (done.length === 0) return;
    const deleted = await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
    // An undeleted record comes back and is answered twice; results are deterministic, so that is safe.
    if ((deleted.Failed ?? []).length > 0) options.logger.warn('delete failed', { failed: deleted.Failed });
  };

  const run = async (): Promise<void> => {
    while (!stopping) {
      try {
        // A batch received while stopping is still invoked: dropping it would cost a receive count.
        const batch = await gather();
        if (batch.length > 0) await invoke(batch);
      } catch (error) {
        options.logger.error('event source mapping poll failed', { error });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      await loop;
      loop = undefined;
    },
    get running() {
      return loop !== undefined && !stopping;
    },
  };
}
