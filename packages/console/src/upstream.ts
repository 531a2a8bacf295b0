import { ConsoleHttpError, reason } from './errors.ts';

/** A request the proxy is about to send to a Function URL. */
export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Returns the headers to send instead of `request.headers`, e.g. with a SigV4 `authorization` for a
 * Function URL whose auth type is `AWS_IAM`. The console itself holds no credentials: `frs console`
 * injects the CLI's signer, the local stack injects none.
 */
export type Signer = (request: UpstreamRequest) => Promise<Record<string, string>>;

/** What came back from a Function URL, reduced to what the proxy may pass on. */
export interface UpstreamResponse {
  status: number;
  contentType: 'application/json' | 'image/jpeg' | undefined;
  body: Buffer;
}

/** Options of {@link createUpstream}. */
export interface UpstreamOptions {
  signer?: Signer | undefined;
  timeoutMs?: number;
}

/** Sends one request to a Function URL. */
export type Upstream = (request: UpstreamRequest) => Promise<UpstreamResponse>;

/**
 * A Function URL client for the proxy: signs when a signer is given, bounds each call, and keeps only
 * the two content types the console renders (JSON and the enroller's JPEG thumbnails); anything else
 * becomes a 502 so the browser never receives upstream HTML or internals.
 *
 * @example
 * ```ts
 * const upstream = createUpstream({ timeoutMs: 30_000 });
 * const answer = await upstream({ method: 'GET', url: new URL('people', enrolUrl), headers: {} });
 * ```
 */
export function createUpstream(options: UpstreamOptions = {}): Upstream {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return async (request) => {
    const headers = options.signer ? await options.signer(request) : request.headers;
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw new ConsoleHttpError(502, 'upstream_unreachable', `${request.url.origin} did not answer`, {
        cause: new Error(reason(error)),
      });
    }
    const body = Buffer.from(await response.arrayBuffer());
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (response.status === 204 || body.length === 0) {
      return { status: response.status, contentType: undefined, body: Buffer.alloc(0) };
    }
    if (type === 'application/json' || type === 'image/jpeg') {
      return { status: response.status, contentType: type, body };
    }
    throw new ConsoleHttpError(
      502,
      'bad_upstream_answer',
      `${request.url.origin} answered HTTP ${response.status} with an unexpected content type`,
    );
  };
}
