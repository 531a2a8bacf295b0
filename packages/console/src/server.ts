import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JsonLogger } from '@frs/runtime/logger';
import { z } from 'zod';
import { ConsoleHttpError, ErrorLog, reason } from './errors.ts';
import { createHealth } from './health.ts';
import { createResultCollector, type ResultCollector } from './results.ts';
import { loadAssets } from './static.ts';
import { createUpstream, type Signer, type Upstream, type UpstreamResponse } from './upstream.ts';

/** Options of {@link startConsole}. */
export interface ConsoleOptions {
  /** The detector's Function URL (frames are POSTed to it). */
  detectorUrl: string;
  /** The enroller's Function URL; without it the People view says enrolment is not configured. */
  enrolUrl?: string | undefined;
  /** The shared response queue the console polls for its own request ids. */
  responseQueueUrl: string;
  /** The request queue, for its depth (and its DLQ's) on the Health view. */
  requestQueueUrl?: string | undefined;
  /** Talks to both queues (the operator's credentials on AWS). */
  sqs: SQSClient;
  /** Signs Function URL calls (SigV4 for `AWS_IAM`); omit for the local stack. */
  signer?: Signer | undefined;
  /** Loopback address to bind (default 127.0.0.1); anything else is refused. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  logger: JsonLogger;
  /** How long a frame may wait for its result (default 60 s). */
  resultTimeoutMs?: number;
  /** Largest API request body (default 8 MiB: a 6 MB Function URL payload plus JSON overhead). */
  maxBodyBytes?: number;
}

/** A running console. */
export interface ConsoleServer {
  url: string;
  server: Server;
  errors: ErrorLog;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(self), microphone=()',
  'cache-control': 'no-store',
};

const FrameBody = z.object({
  content: z.string().min(1, 'must not be empty'),
  filename: z.string().max(1024).optional(),
});

const UpstreamError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const ResultsQuery = z.object({
  since: z.coerce.number().int().min(0).default(0),
  wait: z.coerce.number().min(0).max(20).default(0),
});

function send(res: ServerResponse, status: number, body?: Buffer | string, type?: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...(type === undefined ? {} : { 'content-type': type }) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json');
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ConsoleHttpError(413, 'body_too_large', `request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ConsoleHttpError(400, 'malformed_json', 'request body is not valid JSON', { cause: error });
  }
}

/**
 * DNS rebinding defence: a page on another site that resolves its own name to 127.0.0.1 still sends its
 * own name as Host, so only loopback names on our port get an answer.
 */
function checkHost(req: IncomingMessage, port: number): void {
  const host = req.headers.host ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  const name = match?.[1]?.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === undefined || !LOOPBACK_HOSTS.has(name) || Number(match?.[2] ?? 80) !== port) {
    throw new ConsoleHttpError(403, 'forbidden_host', 'the console answers only on its loopback address');
  }
}

/**
 * Cross-site request defence for state-changing calls: browsers send Origin on them, and a form on
 * another site cannot send `application/json` without a CORS preflight, which the console never grants.
 */
function checkWrite(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) {
    throw new ConsoleHttpError(403, 'forbidden_origin', 'cross-origin requests are refused');
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    throw new ConsoleHttpError(403, 'forbidden_origin', 'cross-origin requests are refused');
  }
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new ConsoleHttpError(415, 'unsupported_media_type', 'API requests must be application/json');
    }
  }
}

/** `/api/people/A%20B/photos` → `people/A%20B/photos`, each segment decoded once and re-encoded. */
function enrolPath(pathname: string): string {
  const segments = pathname.slice('/api/'.length).split('/');
  return segments
    .map((segment) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch (error) {
        throw new ConsoleHttpError(400, 'invalid_path', 'the path is not valid URL encoding', {
          cause: error,
        });
      }
      if (decoded === '' || decoded === '.' || decoded === '..') {
        throw new ConsoleHttpError(400, 'invalid_path', 'empty or dot path segments are refused');
      }
      return encodeURIComponent(decoded);
    })
    .join('/');
}

function baseUrl(url: string): URL {
  const base = new URL(url);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}

/**
 * Starts the console: serves the static browser app and a same-origin `/api/*` that proxies frames to
 * the detector, people routes to the enroller, and collects this console's results from the shared
 * response queue, so the browser needs neither CORS nor AWS credentials. Binds loopback only.
 *
 * @example
 * ```ts
 * const console = await startConsole({ detectorUrl, enrolUrl, responseQueueUrl, requestQueueUrl, sqs, port: 8082, logger });
 * // open console.url in a browser
 * await console.close();
 * ```
 */
export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`the console binds loopback only, not ${host}`);
  const { logger } = options;
  const assets = await loadAssets();
  const errors = new ErrorLog();
  const upstream: Upstream = createUpstream({ signer: options.signer });
  const collector: ResultCollector = createResultCollector({
    sqs: options.sqs,
    queueUrl: options.responseQueueUrl,
    errors,
    ...(options.resultTimeoutMs === undefined ? {} : { timeoutMs: options.resultTimeoutMs }),
  });
  const health = createHealth({
    sqs: options.sqs,
    responseQueueUrl: options.responseQueueUrl,
    requestQueueUrl: options.requestQueueUrl,
    errors,
  });
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const detectorUrl = new URL(options.detectorUrl);
  const enrolBase = options.enrolUrl === undefined ? undefined : baseUrl(options.enrolUrl);
  let port = options.port;

  const noteFailure = (source: string, answer: UpstreamResponse, requestId?: string): void => {
    if (answer.status < 400) return;
    const parsed =
      answer.contentType === 'application/json'
        ? UpstreamError.safeParse(parseJsonSafe(answer.body))
        : undefined;
    errors.add({
      source,
      status: answer.status,
      message: parsed?.success
        ? `${parsed.data.error.code}: ${parsed.data.error.message}`
        : `HTTP ${answer.status}`,
      ...(requestId === undefined ? {} : { request_id: requestId }),
    });
  };

  const pass = (res: ServerResponse, answer: UpstreamResponse): void => {
    send(res, answer.status, answer.body.length > 0 ? answer.body : undefined, answer.contentType);
  };

  const postFrame = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const parsed = FrameBody.safeParse(parseJsonBody(await readBody(req, maxBodyBytes)));
    if (!parsed.success) {
      throw new ConsoleHttpError(400, 'invalid_request', `invalid frame: ${z.prettifyError(parsed.error)}`);
    }
    const requestId = `console-${randomUUID()}`;
    const { filename } = parsed.data;
    const body = JSON.stringify({ content: parsed.data.content, request_id: requestId, filename });
    // Registered before the POST: a fast recognizer can answer before the detector's 200 arrives here.
    collector.expect(requestId, filename);
    let answer: UpstreamResponse;
    try {
      answer = await upstream({
        method: 'POST',
        url: detectorUrl,
        headers: { 'content-type': 'application/json' },
        body,
      });
    } catch (error) {
      collector.forget(requestId);
      errors.add({ source: 'detector', message: reason(error), request_id: requestId });
      throw error;
    }
    if (answer.status !== 200) collector.forget(requestId);
    noteFailure('detector', answer, requestId);
    pass(res, answer);
  };

  const people = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (enrolBase === undefined) {
      throw new ConsoleHttpError(503, 'not_configured', 'no enrolment URL is configured (--enrol-url)');
    }
    const method = req.method;
    if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') {
      throw new ConsoleHttpError(405, 'method_not_allowed', `${method ?? 'this method'} is not allowed`);
    }
    const url = new URL(enrolPath(pathname), enrolBase);
    const body = method === 'POST' ? (await readBody(req, maxBodyBytes)).toString('utf8') : undefined;
    const answer = await upstream({
      method,
      url,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    }).catch((error: unknown) => {
      errors.add({ source: 'enroller', message: reason(error) });
      throw error;
    });
    noteFailure('enroller', answer);
    pass(res, answer);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    checkHost(req, port);
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://console.invalid');
    const method = req.method ?? 'GET';
    if (!pathname.startsWith('/api/')) {
      const asset = method === 'GET' || method === 'HEAD' ? assets.get(pathname) : undefined;
      if (asset === undefined) throw new ConsoleHttpError(404, 'not_found', 'no such page');
      return send(res, 200, method === 'HEAD' ? undefined : asset.body, asset.type);
    }
    if (method !== 'GET') checkWrite(req);
    if (pathname === '/api/frames' && method === 'POST') return postFrame(req, res);
    if (pathname === '/api/results' && method === 'GET') {
      const query = ResultsQuery.safeParse(Object.fromEntries(searchParams));
      if (!query.success)
        throw new ConsoleHttpError(400, 'invalid_request', 'since and wait must be numbers');
      const results = await collector.after(query.data.since, query.data.wait * 1000);
      return sendJson(res, 200, { results, pending: collector.pending() });
    }
    if (pathname === '/api/health' && method === 'GET') {
      return sendJson(res, 200, {
        queues: await health(),
        errors: errors.list(),
        pending: collector.pending().length,
        detector_url: detectorUrl.origin,
        enrol_url: enrolBase?.origin ?? null,
        signed: options.signer !== undefined,
      });
    }
    if (pathname === '/api/people' || pathname.startsWith('/api/people/')) return people(req, res, pathname);
    throw new ConsoleHttpError(404, 'not_found', 'no such API route');
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof ConsoleHttpError) {
        if (error.status >= 500) logger.warn('console request failed', { error, path: req.url });
        if (!res.headersSent)
          sendJson(res, error.status, { error: { code: error.code, message: error.message } });
        else res.end();
        return;
      }
      errors.add({ source: 'console', status: 500, message: reason(error) });
      logger.error('console request failed', { error, path: req.url });
      if (!res.headersSent) {
        sendJson(res, 500, {
          error: { code: 'internal_error', message: 'the console failed on this request' },
        });
      } else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address: AddressInfo | string | null = server.address();
  port = typeof address === 'object' && address !== null ? address.port : options.port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    server,
    errors,
    close: async () => {
      await collector.stop();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function parseJsonSafe(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
