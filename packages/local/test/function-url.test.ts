import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { ErrorBody } from '@frs/contracts/errors';
import { FunctionUrlEvent } from '@frs/contracts/lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  FunctionUrlBindError,
  type FunctionUrlOptions,
  type FunctionUrlServer,
  serveFunctionUrl,
} from '../src/function-url.ts';
import { testLogger } from './helpers.ts';

// The local stack's own refusals (not detector answers, so not in the contracts' ErrorCode).
const LocalRefusal = z.object({
  error: z.object({ code: z.enum(['forbidden_host', 'unsupported_media_type']), message: z.string() }),
});

// An echo handler stands in for the detector here: this file checks the HTTP <-> payload 2.0 translation;
// the real detector is served in stack.test.ts.
describe('Function: serveFunctionUrl()', () => {
  let fn: FunctionUrlServer | undefined;
  afterEach(async () => fn?.close());

  async function serve(maxBodyBytes = 1024, extra: Partial<FunctionUrlOptions> = {}) {
    let calls = 0;
    fn = await serveFunctionUrl(
      async (raw) => {
        calls++;
        const event = FunctionUrlEvent.parse(raw);
        if (event.headers['x-crash']) throw new Error('handler bug');
        return { statusCode: 201, headers: { 'x-echo': 'yes' }, body: JSON.stringify(event) };
      },
      { host: '127.0.0.1', port: 0, maxBodyBytes, logger: testLogger(), ...extra },
    );
    return { url: fn.url, port: Number(new URL(fn.url).port), calls: () => calls };
  }

  /** node:http rather than fetch, which does not let a caller choose (or omit) the Host header. */
  function rawPost(port: number, host: string | undefined): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', ...(host === undefined ? {} : { host }) };
      const options = { host: '127.0.0.1', port, method: 'POST', path: '/', headers, setHost: false };
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end('{"content":"aGk=","request_id":"r1"}');
    });
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
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: '{"a":1}',
    });
    const event = FunctionUrlEvent.parse(await response.json());
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').toString()).toBe('{"a":1}');
  });

  it('returns 413 without invoking the handler when the body exceeds the limit', async () => {
    const { url, calls } = await serve(100);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(101),
    });
    expect(response.status).toBe(413);
    expect(ErrorBody.parse(await response.json()).error.code).toBe('body_too_large');
    expect(calls()).toBe(0);
  });

  it('returns 502 without leaking the error when the handler throws', async () => {
    const { url } = await serve();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'x-crash': '1', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(502);
    expect(await response.text()).not.toContain('handler bug');
  });

  it('returns 415 without invoking the handler when a POST is form-encoded, multipart, text or untyped', async () => {
    const { url, calls } = await serve();
    const form = new URLSearchParams({ content: 'aGk=', request_id: 'r1' });
    const multipart = new FormData();
    multipart.set('content', 'aGk=');
    for (const body of [form, multipart, '{"content":"aGk=","request_id":"r1"}', new Blob(['{}'])]) {
      const response = await fetch(url, { method: 'POST', body });
      expect(response.status).toBe(415);
      expect(LocalRefusal.parse(await response.json()).error.code).toBe('unsupported_media_type');
    }
    expect(calls()).toBe(0);
  });

  it('returns the handler result when the POST is application/json with a charset parameter', async () => {
    const { url, calls } = await serve();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
      body: '{}',
    });
    expect(response.status).toBe(201);
    expect(calls()).toBe(1);
  });

  it('returns 403 without invoking the handler when the Host header is not a loopback name with its port', async () => {
    const { port, calls } = await serve();
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      `127.0.0.1.nip.io:${port}`,
      `[::2]:${port}`,
    ]) {
      const answer = await rawPost(port, host);
      expect(answer.status, host).toBe(403);
      expect(LocalRefusal.parse(JSON.parse(answer.body)).error.code).toBe('forbidden_host');
    }
    // Without a Host header Node's own parser answers 400 (requireHostHeader) before any of our code.
    expect((await rawPost(port, undefined)).status).toBe(400);
    expect(calls()).toBe(0);
  });

  it('returns the handler result when the Host is 127.0.0.1, localhost or [::1] with its port', async () => {
    const { port, calls } = await serve();
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const answer = await rawPost(port, host);
      expect(answer.status, host).toBe(201);
    }
    expect(calls()).toBe(4);
  });

  it('throws FunctionUrlBindError when asked to bind a non-loopback address', async () => {
    await expect(
      serveFunctionUrl(async () => ({ statusCode: 200, headers: {}, body: '' }), {
        host: '0.0.0.0',
        port: 0,
        maxBodyBytes: 1024,
        logger: testLogger(),
      }),
    ).rejects.toBeInstanceOf(FunctionUrlBindError);
  });

  it('returns 408 and closes the socket when a client trickles its request past the request timeout', async () => {
    const { port, calls } = await serve(1024, { requestTimeoutMs: 500 });
    const socket = connect(port, '127.0.0.1');
    const started = performance.now();
    socket.write(`POST / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      socket.on('close', () => resolve(text));
    });
    const elapsed = performance.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3_000);
    expect(calls()).toBe(0);
  });

  it('drops connections beyond maxConnections and still serves the ones it holds', async () => {
    const { port } = await serve(1024, { maxConnections: 2 });
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
        socket.on('error', reject);
      });
    const held = [await open(), await open()];
    const extra = await open();
    const extraClosed = await new Promise<boolean>((resolve) => {
      extra.on('close', () => resolve(true));
      extra.on('error', () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    });
    expect(extraClosed).toBe(true);
    const [first] = held;
    if (!first) throw new Error('no held socket');
    const reply = new Promise<string>((resolve) =>
      first.once('data', (chunk: Buffer) => resolve(chunk.toString())),
    );
    first.write(
      `POST / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`,
    );
    expect(await reply).toMatch(/^HTTP\/1\.1 201/);
    for (const socket of held) socket.destroy();
  });

  it('sets the header, request and keep-alive deadlines and the default connection cap', async () => {
    await serve();
    expect(fn?.server.headersTimeout).toBe(10_000);
    expect(fn?.server.requestTimeout).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(fn?.server.keepAliveTimeout).toBe(5_000);
    expect(fn?.server.maxConnections).toBe(DEFAULT_MAX_CONNECTIONS);
  });
});
