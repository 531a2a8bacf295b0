import { S3LocationError } from './errors.ts';

/** A bucket and a key (or key prefix) in it. */
export interface S3Location {
  bucket: string;
  key: string;
}

// S3's bucket naming rules (3–63 lowercase letters, digits, dots and hyphens); anything else is a typo.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Splits `s3://bucket/key` into its bucket and key. The key may be empty (the bucket's root) or a prefix
 * ending in `/`.
 *
 * @throws {S3LocationError} when the text is not an `s3://` URL with a valid bucket name.
 * @example
 * ```ts
 * parseS3Location('s3://frs-gallery/gallery/'); // { bucket: 'frs-gallery', key: 'gallery/' }
 * ```
 */
export function parseS3Location(location: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  const bucket = match?.[1];
  if (match === null || bucket === undefined || !BUCKET.test(bucket)) {
    throw new S3LocationError(`'${location}' is not an s3://bucket/key location`);
  }
  return { bucket, key: match[2] ?? '' };
}

/**
 * Whether a gallery location names S3 (`s3://…`) rather than a file or an https URL.
 *
 * @example
 * ```ts
 * isS3Location('s3://frs-gallery/gallery/snapshot.json'); // true
 * ```
 */
export function isS3Location(location: string): boolean {
  return location.startsWith('s3://');
}
