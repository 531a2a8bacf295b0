import { ErrorBody } from '@frs/contracts/errors';
import { FunctionUrlEvent } from '@frs/contracts/lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type FunctionUrlServer, serveFunctionUrl } from '../src/function-url.ts';
import { testLogger } from './helpers.ts';

// An echo handler stands in for the detector here: this file checks the HTTP <-> payload 2.0 translation;
// the real detector is served in stack.test.ts.
describe('Function: serveFunctionUrl()', () => {
  let fn: FunctionUrlServer | undefined;
  afterEach(async () => fn?.close());

  async function serve(maxBodyBytes = 1024) {
    let calls = 0;
    fn = await serveFunctionUrl(
      async (raw) => {
        calls++;
        const event = FunctionUrlEvent.parse(raw);
        if (event.headers['x-crash']) throw new Error('handler bug');
        return { statusCode: 201, headers: { 'x-echo': 'yes' }, body: JSON.stringify(event) };
      },
      { host: '127.0.0.1', port: 0, maxBodyBytes, logger: testLogger() },
    );
    return { url: fn.url, calls: () => calls };
  }

  it('returns the handler result with a payload 2.0 event when given a JSON POST', async () => {
    const { url } = await serve();
    const response = await fetch(`${url}path?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    const event = FunctionUrlEvent.parse(await response.json());
    expect(event).toMatchObject({
      version: '2.0',
      rawPath: '/path',
      body: '{"a":1}',
      isBase64Encoded: false,
    });
    expect(event.requestContext.http.method).toBe('POST');
  });

  it('returns a base64-encoded body with isBase64Encoded when the content type is binary', async () => {
    const { url } = await serve();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: '{"a":1}',
    });
    const event = FunctionUrlEvent.parse(await response.json());
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').toString()).toBe('{"a":1}');
  });

  it('returns 413 without invoking the handler when the body exceeds the limit', async () => {
    const { url, calls } = await serve(100);
    const response = await fetch(url, { method: 'POST', body: 'x'.repeat(101) });
    expect(response.status).toBe(413);
    expect(ErrorBody.parse(await response.json()).error.code).toBe('body_too_large');
    expect(calls()).toBe(0);
  });

  it('returns 502 without leaking the error when the handler throws', async () => {
    const { url } = await serve();
    const response = await fetch(url, { method: 'POST', headers: { 'x-crash': '1' }, body: '{}' });
    expect(response.status).toBe(502);
    expect(await response.text()).not.toContain('handler bug');
  });
});
