import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionUrlResult } from '@frs/contracts/lambda';
import type { JsonLogger } from '@frs/runtime/logger';
import { LocalError } from './errors.ts';

/** A Function URL handler: payload format 2.0 event in, structured response out. */
export type FunctionUrlHandler = (
  event: unknown,
  context: { awsRequestId: string },
) => Promise<FunctionUrlResult>;

/** Options of {@link serveFunctionUrl}. */
export interface FunctionUrlOptions {
  /** Loopback address to bind: `127.0.0.1`, `::1` or `localhost`; anything else is refused. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Function URLs refuse request payloads above 6 MB before invoking the function. */
  maxBodyBytes: number;
  logger: JsonLogger;
  /** Open connections beyond this are dropped at once (default {@link DEFAULT_MAX_CONNECTIONS}). */
  maxConnections?: number;
  /** Whole-request deadline, headers and body (default {@link DEFAULT_REQUEST_TIMEOUT_MS}). */
  requestTimeoutMs?: number;
}

/** Default connection cap of {@link serveFunctionUrl}: ample for a few cameras, bounded for a flood. */
export const DEFAULT_MAX_CONNECTIONS = 64;

/**
 * Default time a client has to send a whole request. A 6 MB frame over loopback takes milliseconds;
 * 30 s stays generous for a slow Wi-Fi camera while a trickling client cannot hold a socket forever.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const HEADERS_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** A request the local Function URL refuses before the handler sees it. */
interface Refusal {
  status: number;
  code: 'forbidden_host' | 'unsupported_media_type';
  message: string;
}

/**
 * DNS rebinding defence: a page on another site whose name resolves to 127.0.0.1 still sends its own name
 * as Host, so only loopback names with our port are served.
 */
function checkHost(req: IncomingMessage, port: number): Refusal | undefined {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(req.headers.host ?? '');
  const name = match?.[1]?.replace(/^\[|\]$/g, '').toLowerCase();
  if (name !== undefined && LOOPBACK_HOSTS.has(name) && Number(match?.[2] ?? 80) === port) return undefined;
  return {
    status: 403,
    code: 'forbidden_host',
    message: `the local Function URL answers only to 127.0.0.1:${port}, localhost:${port} or [::1]:${port}`,
  };
}

/**
 * Cross-site request defence: a browser form can POST `text/plain`, `multipart/form-data` or
 * `application/x-www-form-urlencoded` to any address without a CORS preflight, but not `application/json`.
 * Requiring it means a web page the developer visits cannot queue jobs on the local stack.
 */
function checkContentType(req: IncomingMessage): Refusal | undefined {
  if (req.method !== 'POST') return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return {
    status: 415,
    code: 'unsupported_media_type',
    message: `POST bodies must be sent as content-type: application/json (got ${type === '' ? 'none' : JSON.stringify(type)})`,
  };
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: { code: refusal.code, message: refusal.message } }));
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

/**
 * {@link serveFunctionUrl} was asked to bind a non-loopback address.
 *
 * @example
 * ```ts
 * throw new FunctionUrlBindError('the local Function URL binds loopback only, not 0.0.0.0');
 * ```
 */
export class FunctionUrlBindError extends LocalError {
  override readonly code = 'function_url_bind';
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
 * Unlike AWS it serves only the developer's machine, and guards against the browser on it: it binds
 * loopback only, answers 403 `forbidden_host` to a Host that is not a loopback name with its port (DNS
 * rebinding), 415 `unsupported_media_type` to a POST that is not `application/json` (a cross-site form
 * post), and bounds slow or numerous clients (headers within 10 s, the whole request within
 * `requestTimeoutMs`, idle keep-alive 5 s, at most `maxConnections` sockets). None of these invoke the
 * handler.
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
  if (!LOOPBACK_HOSTS.has(options.host)) {
    throw new FunctionUrlBindError(`the local Function URL binds loopback only, not ${options.host}`);
  }
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const server = createServer(
    {
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      requestTimeout,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      // Node checks the two deadlines above only this often (30 s by default, doubling the request timeout).
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => {
      void (async () => {
        const refusal = checkHost(req, req.socket.localPort ?? -1) ?? checkContentType(req);
        if (refusal !== undefined) {
          refuse(res, refusal);
          req.resume();
          return;
        }
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
    },
  );
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address: AddressInfo | string | null = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${urlHost}:${port}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
