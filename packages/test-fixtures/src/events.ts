import type { FunctionUrlEvent } from '@frs/contracts/lambda';

/**
 * A Function URL event (payload format 2.0) as AWS builds it for an HTTP request; a body that is not a
 * string is sent as JSON.
 *
 * @example
 * ```ts
 * await handler(functionUrlEvent({ method: 'POST', body: { content, request_id: 'cam-1' } }));
 * ```
 */
export function functionUrlEvent(
  request: {
    method?: string;
    rawPath?: string;
    body?: unknown;
    headers?: Record<string, string>;
    requestId?: string;
  } = {},
): FunctionUrlEvent {
  const { method = 'POST', rawPath = '/', body, headers, requestId } = request;
  return {
    version: '2.0',
    rawPath,
    headers: headers ?? { 'content-type': 'application/json' },
    requestContext: { http: { method }, ...(requestId === undefined ? {} : { requestId }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

/** One record of an SQS event source mapping event. */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string };
}

/**
 * An SQS event source mapping event with one record per body, each on its first receive.
 *
 * @example
 * ```ts
 * const out = await handler(sqsEvent([JSON.stringify(job)]));
 * ```
 */
export function sqsEvent(bodies: readonly string[]): { Records: SqsRecord[] } {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `rh-${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1' },
    })),
  };
}
