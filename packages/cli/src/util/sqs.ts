import { SQSClient } from '@aws-sdk/client-sqs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True for URLs of the local stack (or any emulator on this machine). */
export function isLoopback(url: string): boolean {
  return LOOPBACK.has(new URL(url).hostname);
}

/**
 * An SQS client for a queue URL. A loopback queue (the local stack) gets its origin as endpoint and
 * placeholder credentials, as emulators accept any; a real queue uses the default AWS chain.
 *
 * @example
 * ```ts
 * const sqs = sqsClientFor('http://127.0.0.1:9324/000000000000/frs-resp-queue');
 * ```
 */
export function sqsClientFor(queueUrl: string, region = process.env.AWS_REGION ?? 'us-east-1'): SQSClient {
  if (isLoopback(queueUrl)) {
    const hasCredentials = process.env.AWS_ACCESS_KEY_ID !== undefined;
    return new SQSClient({
      region,
      endpoint: new URL(queueUrl).origin,
      ...(hasCredentials ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    });
  }
  const host = new URL(queueUrl).hostname;
  const queueRegion = /^sqs\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host)?.[1];
  return new SQSClient({ region: queueRegion ?? region });
}
