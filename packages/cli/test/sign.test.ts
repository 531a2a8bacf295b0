import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { functionUrlRegion } from '../src/camera.ts';
import { send } from '../src/commands/send.ts';
import { workload } from '../src/commands/workload.ts';
import { SHARED_DIR } from './fixtures.ts';

const FUNCTION_URL = 'https://abcdefghij0123456789klmnop.lambda-url.eu-west-2.on.aws/';
const CREDENTIALS = {
  accessKeyId: 'AKIAFRSSIGNTEST00001',
  secretAccessKey: 'frs-sign-test-secret-key-0000000000000000',
  sessionToken: 'frs-sign-test-session-token',
};
// Never contacted: the capturing server answers 403, so no client reaches the polling step.
const QUEUE_URL = 'http://127.0.0.1:9/000000000000/frs-resp-queue';
const PHOTOS = join(SHARED_DIR, 'faces', 'identities', 'John_Salley');

interface Captured {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Runs a command with console.log silenced; returns its exit code. */
async function run(command: { run(argv: readonly string[]): Promise<number> }, argv: string[]) {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return await command.run(argv);
  } finally {
    spy.mockRestore();
  }
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** `20261202T182700Z` → Date. */
function amzDate(text: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw new Error(`not an x-amz-date: ${text}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

// A real loopback server captures what the commands send. The only redirection is the TCP destination:
// fetch to the Function URL host goes to 127.0.0.1 instead (like a hosts-file entry), so the URL the
// commands sign is the real AWS form.
describe('Function: frs send / frs workload SigV4 signing', () => {
  let server: Server;
  let origin: string;
  const captured: Captured[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        captured.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end('{"Message":"Forbidden"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('server has no TCP address');
    origin = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    captured.length = 0;
    vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', CREDENTIALS.sessionToken);
    // A different region than the URL's, as when an operator's shell points elsewhere.
    vi.stubEnv('AWS_REGION', 'us-west-1');
    // defaultProvider skips the environment credentials whenever a profile is named.
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit) => {
      const target = new URL(input instanceof Request ? input.url : input);
      const routed = new URL(`${target.pathname}${target.search}`, origin);
      return realFetch(routed, init);
    });
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
  });

  /** Asserts a SigV4 Authorization for `region` that verifies against the Function URL's own host. */
  async function expectSignedFor(request: Captured | undefined, url: string, region: string) {
    if (!request) throw new Error('the server saw no request');
    const authorization = header(request.headers, 'authorization');
    const date = header(request.headers, 'x-amz-date');
    expect(authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/${date.slice(0, 8)}/${region}/lambda/aws4_request, SignedHeaders=[^,]*\\bhost\\b[^,]*, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(header(request.headers, 'x-amz-security-token')).toBe(CREDENTIALS.sessionToken);
    const target = new URL(url);
    const expected = await new SignatureV4({
      service: 'lambda',
      region,
      credentials: CREDENTIALS,
      sha256: Hash.bind(null, 'sha256'),
    }).sign(
      {
        method: 'POST',
        protocol: target.protocol,
        hostname: target.hostname,
        path: target.pathname,
        headers: { host: target.host, 'content-type': 'application/json' },
        body: request.body,
      },
      { signingDate: amzDate(date) },
    );
    expect(authorization).toBe(expected.headers.authorization);
  }

  it('returns exit code 1 after a POST signed for the region in the Function URL host when sending', async () => {
    const code = await run(send, [join(PHOTOS, '05.jpg'), '--url', FUNCTION_URL, '--queue-url', QUEUE_URL]);
    expect(code).toBe(1);
    expect(captured).toHaveLength(1);
    await expectSignedFor(captured[0], FUNCTION_URL, 'eu-west-2');
  });

  it('returns POSTs signed for the region in the Function URL host when running a workload', async () => {
    const code = await run(workload, [
      PHOTOS,
      '--url',
      FUNCTION_URL,
      '--queue-url',
      QUEUE_URL,
      '--requests',
      '2',
      '--rate',
      '50',
      '--timeout',
      '5',
    ]);
    expect(code).toBe(1);
    expect(captured).toHaveLength(2);
    for (const request of captured) await expectSignedFor(request, FUNCTION_URL, 'eu-west-2');
  });

  it('returns a POST signed for AWS_REGION when the URL has no region in its host and --sign is given', async () => {
    const url = 'https://frs.example.com/detect';
    const code = await run(send, [join(PHOTOS, '05.jpg'), '--url', url, '--queue-url', QUEUE_URL, '--sign']);
    expect(code).toBe(1);
    expect(captured[0]?.url).toBe('/detect');
    await expectSignedFor(captured[0], url, 'us-west-1');
  });

  it('returns an unsigned POST when given --no-sign', async () => {
    const code = await run(send, [
      join(PHOTOS, '05.jpg'),
      '--url',
      FUNCTION_URL,
      '--queue-url',
      QUEUE_URL,
      '--no-sign',
    ]);
    expect(code).toBe(1);
    expect(captured).toHaveLength(1);
    expect(captured[0]?.headers.authorization).toBeUndefined();
    expect(captured[0]?.headers['content-type']).toBe('application/json');
  });
});

describe('Function: functionUrlRegion()', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('returns the region of the host when given a Function URL', () => {
    vi.stubEnv('AWS_REGION', 'us-west-1');
    expect(functionUrlRegion(FUNCTION_URL)).toBe('eu-west-2');
    expect(functionUrlRegion(new URL('https://x1.lambda-url.ap-southeast-2.on.aws/path?q=1'))).toBe(
      'ap-southeast-2',
    );
  });

  it('returns AWS_REGION, else us-east-1, when the host is not a Function URL host', () => {
    vi.stubEnv('AWS_REGION', 'sa-east-1');
    expect(functionUrlRegion('https://lambda-url.eu-west-2.on.aws.evil.example/')).toBe('sa-east-1');
    expect(functionUrlRegion('http://127.0.0.1:8080/')).toBe('sa-east-1');
    vi.stubEnv('AWS_REGION', undefined);
    expect(functionUrlRegion('http://127.0.0.1:8080/')).toBe('us-east-1');
  });
});
