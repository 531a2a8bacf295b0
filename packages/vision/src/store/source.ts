import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { type ExpectedModel, parseGallery } from '../gallery/format.ts';
import type { Gallery } from '../gallery/gallery.ts';
import { GalleryStoreError } from './errors.ts';
import { isS3Location, parseS3Location } from './location.ts';

/** Options of {@link fetchGallery}. */
export interface FetchGalleryOptions {
  /** The model the gallery must be built for. */
  expected: ExpectedModel;
  /** Validator of the copy already held: when it is still current, the answer is `not-modified`. */
  etag?: string | undefined;
  /** Needed for `s3://` locations. */
  s3?: S3Client;
  fetch?: typeof fetch;
  /** Largest gallery accepted, in bytes (default 256 MiB). */
  maxBytes?: number;
  /** Time limit for the whole read (default 30 s). */
  timeoutMs?: number;
}

/**
 * A fresh gallery with its validator, word that the held copy is still current, or (for `s3://` only) that
 * no gallery exists yet: a fresh deployment before its first enrolment.
 */
export type FetchedGallery =
  | { kind: 'gallery'; gallery: Gallery; etag: string | undefined }
  | { kind: 'not-modified' }
  | { kind: 'missing' };

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

// Presigned URLs carry credentials in the query string; keep them out of logs and errors.
function redact(location: string): string {
  return location.replace(/\?.*$/, '?…');
}

async function readCapped(stream: ReadableStream<Uint8Array>, maxBytes: number, what: string) {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      await stream.cancel().catch(() => undefined);
      throw new GalleryStoreError(`${what} is larger than the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

async function fromS3(location: string, options: FetchGalleryOptions, signal: AbortSignal, maxBytes: number) {
  const { bucket, key } = parseS3Location(location);
  if (options.s3 === undefined) throw new GalleryStoreError(`${location} needs an S3 client`);
  try {
    const out = await options.s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(options.etag === undefined ? {} : { IfNoneMatch: options.etag }),
      }),
      { abortSignal: signal },
    );
    if ((out.ContentLength ?? 0) > maxBytes) {
      throw new GalleryStoreError(
        `${location} is ${out.ContentLength} bytes, above the ${maxBytes}-byte limit`,
      );
    }
    const body = out.Body?.transformToWebStream();
    if (body === undefined) throw new GalleryStoreError(`${location} has no body`);
    return { bytes: await readCapped(body, maxBytes, location), etag: out.ETag };
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 304) return undefined;
    // 404 only reaches a reader allowed to list the key's prefix; without that S3 answers 403 instead.
    if (
      error instanceof S3ServiceException &&
      (error.$metadata.httpStatusCode === 404 || error.name === 'NoSuchKey')
    ) {
      return 'missing' as const;
    }
    throw error;
  }
}

async function fromHttp(
  location: string,
  options: FetchGalleryOptions,
  signal: AbortSignal,
  maxBytes: number,
) {
  const response = await (options.fetch ?? fetch)(location, {
    signal,
    ...(options.etag === undefined ? {} : { headers: { 'if-none-match': options.etag } }),
  });
  if (response.status === 304) return undefined;
  if (!response.ok) throw new GalleryStoreError(`HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > maxBytes)
    throw new GalleryStoreError(`gallery is ${length} bytes, above the ${maxBytes}-byte limit`);
  if (response.body === null) throw new GalleryStoreError('gallery response has no body');
  return {
    bytes: await readCapped(response.body, maxBytes, redact(location)),
    etag: response.headers.get('etag') ?? undefined,
  };
}

async function fromFile(location: string, options: FetchGalleryOptions, maxBytes: number) {
  const path = location.startsWith('file:') ? fileURLToPath(location) : location;
  const info = await stat(path);
  // A file has no ETag; size and modification time change whenever `frs enrol --gallery` rewrites it.
  const etag = `${info.size}-${info.mtimeMs}`;
  if (etag === options.etag) return undefined;
  if (info.size > maxBytes)
    throw new GalleryStoreError(`${path} is ${info.size} bytes, above the ${maxBytes}-byte limit`);
  const handle = await open(path);
  try {
    return { bytes: await handle.readFile(), etag };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a gallery from `s3://bucket/key`, an `https://` URL (e.g. presigned) or a file, with a time limit
 * and a byte cap. With `etag` it is a conditional read: an unchanged gallery costs one 304 and no parsing.
 * An `s3://` key that does not exist (yet) answers `missing` rather than failing.
 *
 * @throws {GalleryStoreError} when it cannot be read in time or is too large (the `cause` says why);
 *   {@link parseGallery}'s errors when the bytes are not a gallery for `expected`.
 * @example
 * ```ts
 * const first = await fetchGallery('s3://frs-gallery/gallery/snapshot.json', { s3, expected: { id: model } });
 * const again = await fetchGallery('s3://frs-gallery/gallery/snapshot.json', { s3, expected: { id: model },
 *   etag: first.kind === 'gallery' ? first.etag : undefined }); // { kind: 'not-modified' }
 * ```
 */
export async function fetchGallery(location: string, options: FetchGalleryOptions): Promise<FetchedGallery> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  let read: { bytes: Uint8Array; etag: string | undefined } | 'missing' | undefined;
  try {
    if (isS3Location(location)) read = await fromS3(location, options, signal, maxBytes);
    else if (/^https?:\/\//i.test(location)) read = await fromHttp(location, options, signal, maxBytes);
    else read = await fromFile(location, options, maxBytes);
  } catch (error) {
    if (error instanceof GalleryStoreError && error.cause === undefined) {
      throw new GalleryStoreError(`cannot read gallery from ${redact(location)}: ${error.message}`, {
        cause: error,
      });
    }
    const reason = signal.aborted ? `no answer within ${options.timeoutMs ?? 30_000} ms` : 'read failed';
    throw new GalleryStoreError(`cannot read gallery from ${redact(location)}: ${reason}`, { cause: error });
  }
  if (read === undefined) return { kind: 'not-modified' };
  if (read === 'missing') return { kind: 'missing' };
  return { kind: 'gallery', gallery: parseGallery(read.bytes, options.expected), etag: read.etag };
}
