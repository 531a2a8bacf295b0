import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { CAMERA_ID_ATTRIBUTE } from '@frs/contracts/result';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { z } from 'zod';
import { CliError } from './errors.ts';

/** What a camera learns from posting one frame. */
export interface PostOutcome {
  requestId: string;
  status: number;
  body: string;
  ms: number;
}

/** A result message from the response queue, as the original clients read it. */
export interface ResultOutcome {
  requestId: string;
  /** The parsed message body. */
  message: Record<string, unknown>;
  result: string;
  /** From the start of the POST to the moment this client received its own result. */
  ms: number;
  /**
   * Messages of other cameras left on the queue by their `camera_id` attribute alone, without reading
   * their bodies (only with {@link CameraOptions.cameraId}).
   */
  skippedByAttribute: number;
}

export interface CameraOptions {
  /** The detector's Function URL. */
  url: string;
  /** The response queue this client polls. */
  queueUrl: string;
  sqs: SQSClient;
  /** Sign requests with SigV4 for a Function URL whose auth type is AWS_IAM. */
  sign?: { region: string } | undefined;
  /** Per-request deadline for the whole POST-then-poll exchange. */
  timeoutMs: number;
  /**
   * Hand other clients' messages back at once (visibility 0) instead of hiding them for the queue's
   * visibility timeout; the original clients simply left them.
   */
  releaseOthers: boolean;
  /**
   * Sent as the request's `camera_id`. On a shared response queue, a message whose `camera_id`
   * attribute names another camera is skipped without parsing its body; messages without the attribute
   * (cameras that send no id) are still checked by `request_id`. With a per-camera queue as `queueUrl`
   * nothing else arrives.
   */
  cameraId?: string | undefined;
}

/** Only the routing field matters to a poller: other clients' messages may carry anything. */
const Routed = z.looseObject({ request_id: z.string(), result: z.string() });

/** Raised when no result for a request arrives before its deadline. */
export class ResultTimeoutError extends CliError {
  override readonly code = 'result_timeout';
}

/**
 * The region to sign a Function URL call for: the one in its host (`<id>.lambda-url.<region>.on.aws`),
 * else `AWS_REGION`, else `us-east-1`. A SigV4 scope for the wrong region is refused with 403, and the
 * operator's `AWS_REGION` is often not the one the service was deployed to.
 *
 * @example
 * ```ts
 * functionUrlRegion('https://abc123.lambda-url.eu-west-2.on.aws/'); // 'eu-west-2'
 * ```
 */
export function functionUrlRegion(url: string | URL): string {
  const hostname = (typeof url === 'string' ? new URL(url) : url).hostname;
  return (
    /^[^.]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/i.exec(hostname)?.[1]?.toLowerCase() ??
    process.env.AWS_REGION ??
    'us-east-1'
  );
}

/**
 * SigV4-signed fetch options for a Function URL whose auth type is `AWS_IAM`, with the default AWS
 * credential chain (the operator's profile, SSO session or role).
 *
 * @example
 * ```ts
 * const init = await signedInit(new URL(url), body, 'eu-west-1');
 * await fetch(url, init);
 * ```
 */
export async function signedInit(
  url: URL,
  body: string | undefined,
  region: string,
  method: 'GET' | 'POST' | 'DELETE' = 'POST',
): Promise<RequestInit & { headers: Record<string, string> }> {
  const signer = new SignatureV4({
    service: 'lambda',
    region,
    credentials: defaultProvider(),
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
  });
  return { method, headers: signed.headers, ...(body === undefined ? {} : { body }) };
}

/**
 * Behaves like one of the original camera clients: POST a frame to the Function URL, then poll the
 * shared response queue one message at a time until its own `request_id` shows up. With a `cameraId` it
 * skips other cameras' results by their `camera_id` message attribute, or polls its own queue.
 *
 * @example
 * ```ts
 * const camera = new Camera({ url, queueUrl, sqs, timeoutMs: 30_000, releaseOthers: true, cameraId: 'cam1' });
 * const posted = await camera.post(await readFile('frame.jpg'), 'frame.jpg');
 * const { result } = await camera.awaitResult(posted.requestId, Date.now());
 * ```
 */
export class Camera {
  readonly #options: CameraOptions;

  constructor(options: CameraOptions) {
    this.#options = options;
  }

  async post(image: Uint8Array, filename: string, requestId: string = randomUUID()): Promise<PostOutcome> {
    const { cameraId } = this.#options;
    const body = JSON.stringify({
      content: Buffer.from(image).toString('base64'),
      request_id: requestId,
      filename: basename(filename),
      ...(cameraId === undefined ? {} : { camera_id: cameraId }),
    });
    const url = new URL(this.#options.url);
    const init: RequestInit = this.#options.sign
      ? await signedInit(url, body, this.#options.sign.region)
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    const started = performance.now();
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.#options.timeoutMs) });
    const text = await response.text();
    return { requestId, status: response.status, body: text, ms: performance.now() - started };
  }

  /** Polls until this request's result arrives; `startedAt` is `performance.now()` before the POST. */
  async awaitResult(requestId: string, startedAt: number): Promise<ResultOutcome> {
    const { sqs, queueUrl, timeoutMs, releaseOthers, cameraId } = this.#options;
    const deadline = startedAt + timeoutMs;
    let skippedByAttribute = 0;
    const release = async (receiptHandle: string | undefined) => {
      if (!releaseOthers || receiptHandle === undefined) return;
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    };
    while (performance.now() < deadline) {
      const waitSeconds = Math.max(0, Math.min(5, Math.floor((deadline - performance.now()) / 1000)));
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: waitSeconds,
          ...(cameraId === undefined ? {} : { MessageAttributeNames: [CAMERA_ID_ATTRIBUTE] }),
        }),
      );
      for (const message of received.Messages ?? []) {
        const owner = message.MessageAttributes?.[CAMERA_ID_ATTRIBUTE]?.StringValue;
        if (cameraId !== undefined && owner !== undefined && owner !== cameraId) {
          skippedByAttribute++;
          await release(message.ReceiptHandle);
          continue;
        }
        const parsed = Routed.safeParse(safeJson(message.Body ?? ''));
        if (parsed.success && parsed.data.request_id === requestId) {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
          return {
            requestId,
            message: parsed.data,
            result: parsed.data.result,
            ms: performance.now() - startedAt,
            skippedByAttribute,
          };
        }
        await release(message.ReceiptHandle);
      }
    }
    throw new ResultTimeoutError(`no result for request ${requestId} within ${timeoutMs} ms`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
