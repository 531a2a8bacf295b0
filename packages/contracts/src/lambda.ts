import { z } from 'zod';

/**
 * The fields FRS reads from a Lambda Function URL event (payload format 2.0). The Function URL and the
 * local stack both produce it; everything else in the event is ignored.
 *
 * @example
 * ```ts
 * const event = FunctionUrlEvent.parse({
 *   version: '2.0', rawPath: '/', headers: { 'content-type': 'application/json' },
 *   requestContext: { http: { method: 'POST' } }, body: '{"content":"…"}', isBase64Encoded: false,
 * });
 * ```
 */
export const FunctionUrlEvent = z.object({
  version: z.literal('2.0'),
  rawPath: z.string().default('/'),
  headers: z.record(z.string(), z.string()).default({}),
  requestContext: z.object({
    http: z.object({ method: z.string(), path: z.string().optional() }),
    requestId: z.string().optional(),
  }),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
});

/** A parsed {@link FunctionUrlEvent}. */
export type FunctionUrlEvent = z.infer<typeof FunctionUrlEvent>;

/**
 * What a Function URL handler returns (payload format 2.0, structured form).
 *
 * @example
 * ```ts
 * const result = FunctionUrlResult.parse(await handler(event));
 * if (result.statusCode !== 200) console.error(result.body);
 * ```
 */
export const FunctionUrlResult = z.object({
  statusCode: z.int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  isBase64Encoded: z.boolean().optional(),
});

/** A parsed {@link FunctionUrlResult}. */
export type FunctionUrlResult = z.infer<typeof FunctionUrlResult>;

/**
 * One record of an SQS event source mapping event.
 *
 * @example
 * ```ts
 * const record = SqsRecord.parse({ messageId: 'm-1', receiptHandle: 'r', body: '{}', attributes: {} });
 * ```
 */
export const SqsRecord = z.object({
  messageId: z.string(),
  receiptHandle: z.string().optional(),
  body: z.string(),
  attributes: z.record(z.string(), z.string()).default({}),
  eventSourceARN: z.string().optional(),
});

/** A parsed {@link SqsRecord}. */
export type SqsRecord = z.infer<typeof SqsRecord>;

/**
 * An SQS event source mapping event.
 *
 * @example
 * ```ts
 * const event = SqsEvent.parse({ Records: [] });
 * ```
 */
export const SqsEvent = z.object({ Records: z.array(SqsRecord) });

/** A parsed {@link SqsEvent}. */
export type SqsEvent = z.infer<typeof SqsEvent>;

/**
 * Partial batch response: the records listed here go back to the queue (and, after `maxReceiveCount`
 * receives, to the DLQ); all others are deleted. Needs `ReportBatchItemFailures` on the mapping.
 */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The one field FRS reads from the Lambda context: the invocation id, added to every log line.
 *
 * @example
 * ```ts
 * const requestId = LambdaContext.safeParse(context).data?.awsRequestId;
 * ```
 */
export const LambdaContext = z.looseObject({ awsRequestId: z.string() });
