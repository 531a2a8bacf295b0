import type { ErrorBody, ErrorCode } from '@frs/contracts/errors';
import { type FunctionUrlEvent, type FunctionUrlResult, LambdaContext } from '@frs/contracts/lambda';
import type { JsonLogger } from '@frs/runtime/logger';
import type { MetricRecord } from '@frs/runtime/metrics';
import type { z } from 'zod';
import { RequestRejectedError } from './errors.ts';

const DATA_URL_PREFIX = /^data:[\w.+-]{1,127}\/[\w.+-]{1,127};base64,/;

// One pass over the char codes: every regex with a repeated group over the whole body either recursed past
// V8's stack (above ~4.47 M chars) or backtracked, so a 6 MB frame became a 500.
const ALPHABET_COMMON = 1;
const ALPHABET_STANDARD = 2;
const ALPHABET_URL = 4;
const CHAR_CLASS = new Uint8Array(128);
for (const [from, to] of ['09', 'AZ', 'az']) {
  for (let c = (from ?? '').charCodeAt(0); c <= (to ?? '').charCodeAt(0); c++)
    CHAR_CLASS[c] = ALPHABET_COMMON;
}
CHAR_CLASS['+'.charCodeAt(0)] = ALPHABET_STANDARD;
CHAR_CLASS['/'.charCodeAt(0)] = ALPHABET_STANDARD;
CHAR_CLASS['-'.charCodeAt(0)] = ALPHABET_URL;
CHAR_CLASS['_'.charCodeAt(0)] = ALPHABET_URL;
const PAD = '='.charCodeAt(0);

function isLineSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Classifies `text` (from `start`) as base64 in O(n) with no recursion: returns the encoding, or
 * `undefined` when it is not base64. Standard and URL-safe alphabets
 * may not be mixed; `=` padding is only allowed at the end, in the standard alphabet, completing a group of 4.
 */
function classifyBase64(text: string, start: number): 'base64' | 'base64url' | undefined {
  let seen = 0;
  let data = 0;
  let padding = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isLineSpace(c)) continue;
    if (c === PAD) {
      padding++;
      continue;
    }
    const kind = c < 128 ? (CHAR_CLASS[c] ?? 0) : 0;
    if (kind === 0 || padding > 0) return undefined;
    seen |= kind;
    data++;
  }
  if (data === 0 || data % 4 === 1) return undefined;
  if ((seen & ALPHABET_STANDARD) !== 0 && (seen & ALPHABET_URL) !== 0) return undefined;
  if (padding > 0 && ((seen & ALPHABET_URL) !== 0 || padding > 2 || (data + padding) % 4 !== 0)) {
    return undefined;
  }
  return (seen & ALPHABET_URL) !== 0 ? 'base64url' : 'base64';
}

/**
 * Decodes the `content` field strictly: standard or URL-safe base64, padding optional, line breaks and a
 * `data:` URL prefix tolerated. `Buffer.from(…, 'base64')` alone silently skips bad characters, which
 * would turn a garbled upload into a confusing "not an image" error. Validation is one linear pass without
 * recursion, so any body up to the Function URL limit is checked in tens of milliseconds.
 *
 * @throws {RequestRejectedError} `invalid_base64`.
 * @example
 * ```ts
 * decodeBase64Content('aGVsbG8='); // Uint8Array of 'hello'
 * ```
 */
export function decodeBase64Content(content: string): Uint8Array {
  const start = DATA_URL_PREFIX.exec(content.slice(0, 300))?.[0].length ?? 0;
  const encoding = classifyBase64(content, start);
  if (encoding === undefined) throw new RequestRejectedError('invalid_base64', 'content is not valid base64');
  // Buffer's decoder skips the whitespace the check above tolerated, so no stripped copy is needed.
  return new Uint8Array(Buffer.from(start === 0 ? content : content.slice(start), encoding));
}

/**
 * Reads a Function URL event's JSON body against a schema: size first (without copying the body), then
 * JSON, then the schema, each failure a client error naming the problem. Shared by every FRS function URL.
 *
 * @param expected - shape named in the malformed-JSON message, e.g. `{"content", "request_id", "filename"}`.
 * @throws {RequestRejectedError} `body_too_large`, `malformed_json` or `invalid_request`.
 * @example
 * ```ts
 * const body = readJsonBody(event, 6 * 1024 * 1024, EnrolRequest, '{"content", "filename"}');
 * ```
 */
export function readJsonBody<T>(
  event: FunctionUrlEvent,
  maxBodyBytes: number,
  schema: z.ZodType<T>,
  expected: string,
): T {
  const raw = event.body ?? '';
  // Measured without copying the body: a 6 MB frame is already held once by the event.
  const bodyBytes = Buffer.byteLength(raw, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bodyBytes > maxBodyBytes) {
    throw new RequestRejectedError(
      'body_too_large',
      `request body is ${bodyBytes} bytes, the limit is ${maxBodyBytes} bytes`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw);
  } catch (error) {
    throw new RequestRejectedError(
      'malformed_json',
      `request body is not valid JSON (expected ${expected})`,
      {
        cause: error,
      },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => (i.path.length > 0 ? `${i.path.join('.')} ${i.message}` : i.message))
      .join('; ');
    throw new RequestRejectedError('invalid_request', `invalid request: ${problems}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * The JSON error body for a rejected request.
 *
 * @example
 * ```ts
 * errorBody(new RequestRejectedError('invalid_base64', 'content is not valid base64'), 'r-1');
 * ```
 */
export function errorBody(error: RequestRejectedError, requestId: string | undefined): ErrorBody {
  return {
    ...(requestId === undefined ? {} : { request_id: requestId }),
    error: { code: error.code, message: error.message },
  };
}

/**
 * A Function URL answer with a JSON body.
 *
 * @example
 * ```ts
 * return jsonResult(200, { request_id: 'r-1', faces: 1, dropped_faces: 0 });
 * ```
 */
export function jsonResult(statusCode: number, body: unknown): FunctionUrlResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * The answer to a rejected request: its status and {@link errorBody}.
 *
 * @example
 * ```ts
 * if (error instanceof RequestRejectedError) return rejectionResult(error, requestId);
 * ```
 */
export function rejectionResult(
  error: RequestRejectedError,
  requestId: string | undefined,
): FunctionUrlResult {
  return jsonResult(error.status, errorBody(error, requestId));
}

/**
 * The invocation's logger: the function's, tagged with Lambda's `aws_request_id` when the context has one.
 *
 * @example
 * ```ts
 * const logger = requestLogger(deps.logger, context);
 * ```
 */
export function requestLogger(logger: JsonLogger, context: unknown): JsonLogger {
  const awsRequestId = LambdaContext.safeParse(context).data?.awsRequestId;
  return awsRequestId === undefined ? logger : logger.child({ aws_request_id: awsRequestId });
}

/**
 * Metrics of a rejected request (a 4xx), by error code.
 *
 * @example
 * ```ts
 * deps.metrics.emit(rejectedMetrics('invalid_base64'));
 * ```
 */
export function rejectedMetrics(code: ErrorCode): MetricRecord {
  return { split: { dimensions: { code }, metrics: { Rejected: [1, 'Count'] } } };
}

/**
 * Metrics of a request that failed on our side (a 500: the queue or the store refused, a bug).
 *
 * @example
 * ```ts
 * deps.metrics.emit(FAILED_METRICS);
 * ```
 */
export const FAILED_METRICS: MetricRecord = { metrics: { Failed: [1, 'Count'] } };
