import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionUrlResult } from '@frs/contracts/lambda';
import type { JsonLogger } from '@frs/contracts/logger';

/** A Function URL handler: payload format 2.0 event in, structured response out. */
export type FunctionUrlHandler = (
  event: unknown,
  context: { awsRequestId: string },
) => Promise<FunctionUrlResult>;

/** Options of {@link serveFunctionUrl}. */
export interface FunctionUrlOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Function URLs refuse request payloads above 6 MB before invoking the function. */
  maxBodyBytes: number;
  logger: JsonLogger;
}

// Content types a Function URL passes as text; every other body arrives base64-encoded.
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

function tooLarge(res: ServerResponse, maxBodyBytes: number): void {
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(
    JSON.stringify({
      error: {
        code: 'body_too_large',
        message: `request body exceeds the ${maxBodyBytes}-byte Function URL limit`,
      },
    }),
  );
}

function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBodyBytes ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Builds the payload format 2.0 event AWS would pass for this HTTP request.
 *
 * @example
 * ```ts
 * const event = toFunctionUrlEvent(req, Buffer.from('{"content":"…"}'));
 * ```
 */
export function toFunctionUrlEvent(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined && key !== 'cookie')
      headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/** A running local Function URL. */
export interface FunctionUrlServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves a Function URL handler over HTTP like AWS does: enforces the payload limit (413 without
 * invoking), translates the request into a payload format 2.0 event and the result back, and answers
 * 502 when the handler itself throws.
 *
 * @example
 * ```ts
 * const fn = await serveFunctionUrl(handler, { host: '127.0.0.1', port: 8080, maxBodyBytes: 6 * 1024 * 1024, logger });
 * console.log(fn.url); // http://127.0.0.1:8080/
 * ```
 */
export async function serveFunctionUrl(
  handler: FunctionUrlHandler,
  options: FunctionUrlOptions,
): Promise<FunctionUrlServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > options.maxBodyBytes) {
        tooLarge(res, options.maxBodyBytes);
        req.resume();
        return;
      }
      const body = await readBody(req, options.maxBodyBytes);
      if (body === undefined) {
        tooLarge(res, options.maxBodyBytes);
        return;
      }
      let result: FunctionUrlResult;
      try {
        result = await handler(toFunctionUrlEvent(req, body), { awsRequestId: randomUUID() });
      } catch (error) {
        options.logger.error('function url handler threw', { error });
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
        return;
      }
      res.writeHead(result.statusCode, result.headers);
      res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    })().catch((error: unknown) => {
      options.logger.error('function url request failed', { error });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address: AddressInfo | string | null = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
