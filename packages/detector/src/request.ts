import type { FunctionUrlEvent } from '@frs/contracts/lambda';
import { RecognitionRequest } from '@frs/contracts/request';
import { RequestRejectedError } from '@frs/service/errors';
import { decodeBase64Content, readJsonBody } from '@frs/service/http';

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
  const request = readJsonBody(
    event,
    maxBodyBytes,
    RecognitionRequest,
    '{"content", "request_id", "filename"}',
  );
  return { request, image: decodeBase64Content(request.content) };
}
