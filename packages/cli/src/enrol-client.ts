import { EnrolResponse, PeopleList, PersonDetail } from '@frs/contracts/enrol';
import { ErrorBody } from '@frs/contracts/errors';
import { z } from 'zod';
import { functionUrlRegion, signedInit } from './camera.ts';
import { CliError } from './errors.ts';

/**
 * The enroller answered with an error: its status, code and message as the API gave them. `code` is the
 * API's error code (`no_face`, `not_found`, …), or `http_error` / `bad_response` when the answer is not the
 * API's error JSON.
 */
export class EnrolApiError extends CliError {
  readonly status: number;
  override readonly code: string;

  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
    this.code = code;
  }
}

/** Options of {@link createEnrolClient}. */
export interface EnrolClientOptions {
  /** The enroller's Function URL, e.g. `http://127.0.0.1:8081/`. */
  url: string;
  /** SigV4-sign every call (an `AWS_IAM` Function URL), with the region taken from the URL's host. */
  sign: boolean;
  fetch?: typeof fetch;
}

/** Typed calls to the enroller's API. */
export interface EnrolClient {
  addPhoto(name: string, photo: Uint8Array, filename?: string): Promise<EnrolResponse>;
  list(): Promise<PeopleList>;
  show(name: string): Promise<PersonDetail>;
  removePerson(name: string): Promise<void>;
  removePhoto(name: string, photoId: string): Promise<void>;
}

/**
 * A client of the enroller's Function URL: JSON in and out, errors as {@link EnrolApiError}, SigV4 when the
 * URL is `AWS_IAM`.
 *
 * @example
 * ```ts
 * const client = createEnrolClient({ url: 'http://127.0.0.1:8081/', sign: false });
 * const { photo_id } = await client.addPhoto('Ada', await readFile('ada.jpg'), 'ada.jpg');
 * ```
 */
export function createEnrolClient(options: EnrolClientOptions): EnrolClient {
  const base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
  const doFetch = options.fetch ?? fetch;
  const path = (...segments: string[]) => new URL(segments.map(encodeURIComponent).join('/'), base);

  async function call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    url: URL,
    schema: z.ZodType<T>,
    body?: string,
  ): Promise<T> {
    const init: RequestInit = options.sign
      ? await signedInit(url, body, functionUrlRegion(url), method)
      : {
          method,
          ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
        };
    const response = await doFetch(url, init);
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      throw new EnrolApiError(
        response.status,
        'bad_response',
        `HTTP ${response.status}: ${text.slice(0, 200)}`,
        {
          cause: error,
        },
      );
    }
    if (!response.ok) {
      const error = ErrorBody.safeParse(json);
      if (error.success)
        throw new EnrolApiError(response.status, error.data.error.code, error.data.error.message);
      // An AWS_IAM URL answers 403 {"Message": …} before the function runs.
      throw new EnrolApiError(
        response.status,
        'http_error',
        `HTTP ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new EnrolApiError(
        response.status,
        'bad_response',
        `unexpected answer: ${z.prettifyError(parsed.error)}`,
      );
    }
    return parsed.data;
  }

  return {
    addPhoto: (name, photo, filename) =>
      call(
        'POST',
        path('people', name, 'photos'),
        EnrolResponse,
        JSON.stringify({
          content: Buffer.from(photo).toString('base64'),
          ...(filename === undefined ? {} : { filename }),
        }),
      ),
    list: () => call('GET', path('people'), PeopleList),
    show: (name) => call('GET', path('people', name), PersonDetail),
    removePerson: (name) => call('DELETE', path('people', name), z.undefined()),
    removePhoto: (name, photoId) => call('DELETE', path('people', name, 'photos', photoId), z.undefined()),
  };
}
