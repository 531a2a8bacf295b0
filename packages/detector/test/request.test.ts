import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RequestRejectedError } from '../src/errors.ts';
import { decodeBase64Content, readRequest } from '../src/request.ts';
import { makeEvent } from './fixtures.ts';

const LIMIT = 6 * 1024 * 1024;

function rejection(fn: () => unknown): RequestRejectedError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RequestRejectedError) return error;
    throw error;
  }
  throw new Error('expected a RequestRejectedError');
}

describe('Function: decodeBase64Content()', () => {
  it('returns the bytes when given standard, URL-safe, unpadded or line-wrapped base64', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x01]);
    for (const text of [
      '+//+AQ==',
      '-__-AQ',
      '+//+\nAQ==',
      `data:image/png;base64,${bytes.toString('base64')}`,
    ]) {
      expect(Buffer.from(decodeBase64Content(text))).toEqual(bytes);
    }
  });

  it('returns the bytes without overflowing the stack when the content is 6 MB of base64', () => {
    const bytes = randomBytes(4_600_000);
    for (const text of [bytes.toString('base64'), bytes.toString('base64url')]) {
      expect(text.length).toBeGreaterThan(6_000_000);
      expect(Buffer.from(decodeBase64Content(text)).equals(bytes)).toBe(true);
    }
  });

  it('throws invalid_base64 when given characters outside the alphabet or an impossible length', () => {
    for (const text of ['not base64!', 'abcde', '****', 'aGk=aGk=', 'aG=', 'aGk==', '+/-_', 'aGk-=', '=']) {
      expect(rejection(() => decodeBase64Content(text)).code).toBe('invalid_base64');
    }
  });
});

describe('Function: readRequest()', () => {
  it('returns the request and image when the body is JSON with unknown extra fields', () => {
    const { request, image } = readRequest(
      makeEvent({ content: 'aGk=', request_id: 'r1', filename: '../../etc/passwd', camera: 7 }),
      LIMIT,
    );
    expect(request).toEqual({ content: 'aGk=', request_id: 'r1', filename: '../../etc/passwd' });
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
