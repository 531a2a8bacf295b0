import { ErrorBody } from '@frs/contracts/errors';
import { RequestRejectedError } from '@frs/service/errors';
import { thrown } from '@frs/test-fixtures/errors';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../src/app.ts';
import { readRequest } from '../src/request.ts';
import { makeEvent, makeLogger, recordingMetrics } from './fixtures.ts';

const LIMIT = 6 * 1024 * 1024;

const rejection = (fn: () => unknown) => thrown(fn, RequestRejectedError);

describe('Function: readRequest()', () => {
  it('returns the request and image when the body is JSON with unknown extra fields', () => {
    const { request, image } = readRequest(
      makeEvent({ content: 'aGk=', request_id: 'r1', filename: 'frame 01.jpg', camera: 7 }),
      LIMIT,
    );
    expect(request).toEqual({ content: 'aGk=', request_id: 'r1', filename: 'frame 01.jpg' });
    expect(Buffer.from(image).toString()).toBe('hi');
  });

  it('returns the request when the Function URL delivered the body base64-encoded', () => {
    const body = Buffer.from(JSON.stringify({ content: 'aGk=', request_id: 'r2' })).toString('base64');
    expect(readRequest(makeEvent(body, { isBase64Encoded: true }), LIMIT).request.request_id).toBe('r2');
  });

  it('throws the right code with a helpful message when the request is malformed', () => {
    const cases: [ReturnType<typeof makeEvent>, string, RegExp][] = [
      [makeEvent('{"content": '), 'malformed_json', /not valid JSON/],
      [makeEvent({ content: 'aGk=' }), 'invalid_request', /request_id/],
      [makeEvent({ request_id: 'r' }), 'invalid_request', /content/],
      [makeEvent({ content: 5, request_id: 'r' }), 'invalid_request', /content/],
      [makeEvent({ content: '@@@', request_id: 'r' }), 'invalid_base64', /base64/],
      [makeEvent('x'.repeat(100)), 'body_too_large', /limit is 64 bytes/],
      [makeEvent('{}', { requestContext: { http: { method: 'GET' } } }), 'method_not_allowed', /POST/],
    ];
    for (const [event, code, message] of cases) {
      const error = rejection(() => readRequest(event, event.body === 'x'.repeat(100) ? 64 : LIMIT));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
  });
});

describe('Function: readRequest() identifier rules', () => {
  function invalid(body: Record<string, unknown>): RequestRejectedError {
    const error = rejection(() => readRequest(makeEvent({ content: 'aGk=', ...body }), LIMIT));
    expect([error.code, error.status]).toEqual(['invalid_request', 400]);
    return error;
  }

  it('throws invalid_request naming the code point when the filename contains U+FFFF', () => {
    expect(invalid({ request_id: 'r1', filename: 'frame\uFFFF.jpg' }).message).toMatchInlineSnapshot(
      `"invalid request: filename must not contain control characters, U+FFFE, U+FFFF, unpaired surrogates, '/' or '\\' (found U+FFFF at index 5)"`,
    );
  });

  it('throws invalid_request when the request_id is 129 characters long', () => {
    expect(invalid({ request_id: 'a'.repeat(129) }).message).toMatchInlineSnapshot(
      `"invalid request: request_id must be at most 128 characters"`,
    );
  });

  it('throws invalid_request when the request_id contains a space', () => {
    expect(invalid({ request_id: 'cam 7' }).message).toMatchInlineSnapshot(
      `"invalid request: request_id may contain only A-Z, a-z, 0-9, '.', '_', ':' and '-'"`,
    );
  });

  it('throws invalid_request for both fields when the body carries an unpaired surrogate as a JSON escape', () => {
    const error = rejection(() =>
      readRequest(makeEvent('{"content":"aGk=","request_id":"r\\u00e9","filename":"a\\ud800b/c"}'), LIMIT),
    );
    expect(error.message).toMatchInlineSnapshot(
      `"invalid request: request_id may contain only A-Z, a-z, 0-9, '.', '_', ':' and '-'; filename must not contain control characters, U+FFFE, U+FFFF, unpaired surrogates, '/' or '\\' (found U+D800 at index 1)"`,
    );
  });

  it('returns the filename composed when the client sent it decomposed (NFD)', () => {
    const { request } = readRequest(
      makeEvent({ content: 'aGk=', request_id: 'r1', filename: 'Jose\u0301.jpg' }),
      LIMIT,
    );
    expect(request.filename).toBe('Jos\u00e9.jpg');
  });
});

describe('Function: createHandler() identifier rules', () => {
  it('returns 400 invalid_request, queues nothing and never echoes the bad id when an identifier is invalid', async () => {
    const sent: string[] = [];
    const handler = createHandler({
      config: { maxBodyBytes: LIMIT, maxPixels: 40_000_000, maxFaces: 32 },
      logger: makeLogger().logger,
      decodeFrame: () => Promise.reject(new Error('decodeFrame must not be reached')),
      faceFinder: () => Promise.reject(new Error('faceFinder must not be reached')),
      encodeChip: () => Promise.reject(new Error('encodeChip must not be reached')),
      sendJob: async (body) => {
        sent.push(body);
      },
      metrics: recordingMetrics().metrics,
    });
    for (const body of [
      { content: 'aGk=', request_id: 'r1', filename: 'frame\uFFFF.jpg' },
      { content: 'aGk=', request_id: 'a'.repeat(129) },
      { content: 'aGk=', request_id: 'cam 7' },
    ]) {
      const response = await handler(makeEvent(body));
      expect(response.statusCode).toBe(400);
      const parsed = ErrorBody.parse(JSON.parse(response.body));
      expect(parsed.error.code).toBe('invalid_request');
      expect(parsed.request_id).toBeUndefined();
    }
    expect(sent).toEqual([]);
  });
});
