import type { ErrorBody } from '@frs/contracts/errors';
import type { FunctionUrlEvent } from '@frs/contracts/lambda';
import { RecognitionRequest } from '@frs/contracts/request';
import { RequestRejectedError } from './errors.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const DATA_URL_PREFIX = /^data:[\w.+-]+\/[\w.+-]+;base64,/;

/**
 * Decodes the `content` field strictly: standard or URL-safe base64, padding optional, line breaks and a
 * `data:` URL prefix tolerated. `Buffer.from(…, 'base64')` alone silently skips bad characters, which
 * would turn a garbled upload into a confusing "not an image" error.
 *
 * @throws {RequestRejectedError} `invalid_base64`.
 * @example
 * ```ts
 * decodeBase64Content('aGVsbG8='); // Uint8Array of 'hello'
 * ```
 */
export function decodeBase64Content(content: string): Uint8Array {
  const compact = content.replace(DATA_URL_PREFIX, '').replace(/\s+/g, '');
  const standard = BASE64.test(compact);
  if ((!standard && !BASE64URL.test(compact)) || compact.length % 4 === 1 || compact.length === 0) {
    throw new RequestRejectedError('invalid_base64', 'content is not valid base64');
  }
  return new Uint8Array(Buffer.from(compact, standard ? 'base64' : 'base64url'));
}

/**
 * Turns a Function URL event into a validated request and the raw image bytes.
 *
 * @throws {RequestRejectedError} for a wrong method, an oversized or malformed body, missing fields or bad
 *   base64.
 * @example
 * ```ts
 * const { request, image } = readRequest(event, 6 * 1024 * 1024);
 * ```
 */
export function readRequest(
  event: FunctionUrlEvent,
  maxBodyBytes: number,
): { request: RecognitionRequest; image: Uint8Array } {
  if (event.requestContext.http.method.toUpperCase() !== 'POST') {
    throw new RequestRejectedError('method_not_allowed', 'POST a JSON body {content, request_id, filename}');
  }
  const raw = event.body ?? '';
  const bodyBytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bodyBytes.length > maxBodyBytes) {
    throw new RequestRejectedError(
      'body_too_large',
      `request body is ${bodyBytes.length} bytes, the limit is ${maxBodyBytes} bytes`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bodyBytes.toString('utf8'));
  } catch (error) {
    throw new RequestRejectedError(
      'malformed_json',
      'request body is not valid JSON (expected {"content", "request_id", "filename"})',
      {
        cause: error,
      },
    );
  }
  const parsed = RecognitionRequest.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => (i.path.length > 0 ? `${i.path.join('.')} ${i.message}` : i.message))
      .join('; ');
    throw new RequestRejectedError('invalid_request', `invalid request: ${problems}`, {
      cause: parsed.error,
    });
  }
  return { request: parsed.data, image: decodeBase64Content(parsed.data.content) };
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
