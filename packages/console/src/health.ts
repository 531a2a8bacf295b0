import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { type ErrorLog, reason } from './errors.ts';

/** Depth of one queue, as SQS approximates it. */
export interface QueueDepth {
  /** `request`, `request DLQ`, `response`, `response DLQ`. */
  role: string;
  url: string;
  visible?: number;
  in_flight?: number;
  delayed?: number;
  /** Set when the queue could not be read (missing permission, wrong URL, …). */
  error?: string;
}

/** Options of {@link createHealth}. */
export interface HealthOptions {
  sqs: SQSClient;
  responseQueueUrl: string;
  requestQueueUrl?: string | undefined;
  errors: ErrorLog;
}

const Redrive = z.object({ deadLetterTargetArn: z.string() });

/**
 * The URL of a dead-letter queue from its ARN: same endpoint as the queue that names it (which keeps
 * emulators working), path `/<account>/<name>` as SQS queue URLs have.
 *
 * @example
 * ```ts
 * dlqUrlFor('https://sqs.eu-west-1.amazonaws.com/1/frs-resp-queue', 'arn:aws:sqs:eu-west-1:1:frs-resp-queue-dlq');
 * // 'https://sqs.eu-west-1.amazonaws.com/1/frs-resp-queue-dlq'
 * ```
 */
export function dlqUrlFor(queueUrl: string, dlqArn: string): string | undefined {
  const [, , service, , account, name] = dlqArn.split(':');
  if (service !== 'sqs' || !account || !name) return undefined;
  return `${new URL(queueUrl).origin}/${account}/${name}`;
}

function count(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Reads the depths of the request and response queues and of the DLQs their redrive policies name,
 * with GetQueueAttributes only (the operator's role needs `sqs:GetQueueAttributes` on those queues).
 *
 * @example
 * ```ts
 * const depths = await createHealth({ sqs, responseQueueUrl, requestQueueUrl, errors })();
 * ```
 */
export function createHealth(options: HealthOptions): () => Promise<QueueDepth[]> {
  const { sqs, errors } = options;
  const read = async (role: string, url: string): Promise<{ depth: QueueDepth; dlq?: string }> => {
    try {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
            'RedrivePolicy',
          ],
        }),
      );
      const a = out.Attributes ?? {};
      const redrive = Redrive.safeParse(parseJson(a.RedrivePolicy));
      const dlq = redrive.success ? dlqUrlFor(url, redrive.data.deadLetterTargetArn) : undefined;
      const depth: QueueDepth = { role, url };
      const visible = count(a.ApproximateNumberOfMessages);
      const inFlight = count(a.ApproximateNumberOfMessagesNotVisible);
      const delayed = count(a.ApproximateNumberOfMessagesDelayed);
      if (visible !== undefined) depth.visible = visible;
      if (inFlight !== undefined) depth.in_flight = inFlight;
      if (delayed !== undefined) depth.delayed = delayed;
      return dlq === undefined ? { depth } : { depth, dlq };
    } catch (error) {
      const message = reason(error);
      errors.add({ source: `${role} queue`, message });
      return { depth: { role, url, error: message } };
    }
  };
  return async () => {
    const roots: [string, string][] = [['response', options.responseQueueUrl]];
    if (options.requestQueueUrl !== undefined) roots.unshift(['request', options.requestQueueUrl]);
    const first = await Promise.all(roots.map(([role, url]) => read(role, url)));
    const dlqs = await Promise.all(
      first.flatMap((r) => (r.dlq === undefined ? [] : [read(`${r.depth.role} DLQ`, r.dlq)])),
    );
    return [...first, ...dlqs].map((r) => r.depth);
  };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
