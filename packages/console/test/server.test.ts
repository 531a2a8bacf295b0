import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createJsonLogger } from '@frs/runtime/logger';
import { buildApp } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorLog } from '../src/errors.ts';
import { createResultCollector } from '../src/results.ts';
import { type ConsoleServer, startConsole } from '../src/server.ts';

const logger = createJsonLogger({ service: 'console-test', level: 'error' });

// The real SQS wire protocol (fauxqs) on loopback; the upstream Function URL is a loopback server that
// records what it receives, because AWS_IAM authentication itself cannot run here.
let sqsApp: ReturnType<typeof buildApp>;
let sqs: SQSClient;
let queueUrl: string;
let upstreamSeen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
const upstream = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    upstreamSeen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ people: [] }));
  });
});
let upstreamUrl: string;
let consoleServer: ConsoleServer;

beforeAll(async () => {
  sqsApp = buildApp({ logger: false });
  const endpoint = await sqsApp.listen({ port: 0, host: '127.0.0.1' });
  sqs = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await sqs.send(new CreateQueueCommand({ QueueName: 'resp', Attributes: { VisibilityTimeout: '30' } }));
  queueUrl = `${endpoint}/000000000000/resp`;
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  consoleServer = await startConsole({
    detectorUrl: upstreamUrl,
    enrolUrl: upstreamUrl,
    responseQueueUrl: queueUrl,
    sqs,
    port: 0,
    logger,
    signer: async (request) => ({ ...request.headers, authorization: 'AWS4-HMAC-SHA256 test' }),
  });
});

afterAll(async () => {
  await consoleServer.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  sqs.destroy();
  await sqsApp.close();
});

describe('Function: startConsole()', () => {
  it('serves the app with a strict content security policy', async () => {
    const response = await fetch(consoleServer.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('<script type="module" src="/app.js">');
  });

  it('refuses a request whose Host header is not its loopback address', async () => {
    const port = new URL(consoleServer.url).port;
    const response = await new Promise<number>((resolve, reject) => {
      const r = request(
        { host: '127.0.0.1', port, path: '/', headers: { host: `evil.example:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      r.on('error', reject);
      r.end();
    });
    expect(response).toBe(403);
  });

  it('answers 415 when an API post is not JSON', async () => {
    const response = await fetch(new URL('/api/frames', consoleServer.url), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(response.status).toBe(415);
  });

  it('answers 403 when a post comes from another origin', async () => {
    const response = await fetch(new URL('/api/people/A/photos', consoleServer.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{}',
    });
    expect(response.status).toBe(403);
  });

  it('forwards people routes to the enroller signed and with each path segment re-encoded', async () => {
    upstreamSeen = [];
    const response = await fetch(new URL('/api/people/Ann%C3%A9e%20B', consoleServer.url));
    expect(response.status).toBe(200);
    expect(upstreamSeen[0]?.url).toBe('/people/Ann%C3%A9e%20B');
    expect(upstreamSeen[0]?.headers.authorization).toBe('AWS4-HMAC-SHA256 test');
    // Dot segments are resolved before routing, so `..` can never climb out of /people on the enroller.
    const dots = await fetch(`${consoleServer.url}api/people/%2E%2E/%2E%2E/x`);
    expect(dots.status).toBe(404);
    expect(upstreamSeen).toHaveLength(1);
  });
});

describe('Function: createResultCollector()', () => {
  it('keeps its own result and hands another client’s message straight back', async () => {
    const errors = new ErrorLog();
    const collector = createResultCollector({ sqs, queueUrl, errors, waitTimeSeconds: 1 });
    const own = {
      request_id: 'console-own',
      result: 'unknown',
      faces: [],
      dropped_faces: 0,
      timing: { detector_ms: 1, recognizer_ms: 1, queue_ms: 1 },
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ ...own, request_id: 'other-camera' }),
      }),
    );
    collector.expect('console-own', 'a.jpg');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(own) }));
    const [result] = await collector.after(0, 10_000);
    await collector.stop();
    expect(result?.request_id).toBe('console-own');
    expect(result?.message?.result).toBe('unknown');
    // Visibility 30 s on the queue: only the hand-back makes the other message receivable now.
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    expect(again.Messages?.map((m) => JSON.parse(m.Body ?? '{}').request_id)).toEqual(['other-camera']);
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });
});
