import { VisionError } from '../errors.ts';

/**
 * The S3 gallery store could not be read or written (network, permissions, a missing bucket). The `cause`
 * keeps the AWS SDK error; the message never holds credentials.
 *
 * @example
 * ```ts
 * throw new GalleryStoreError('could not read s3://frs-gallery/gallery/snapshot.json', { cause: error });
 * ```
 */
export class GalleryStoreError extends VisionError {
  override readonly code = 'GALLERY_STORE';
}

/**
 * Concurrent writers kept changing the snapshot between this writer's read and its conditional write, more
 * often than the retry budget allows. Nothing was written; the caller may retry later.
 *
 * @example
 * ```ts
 * if (error instanceof GalleryStoreConflictError) return json(409, { error: { code: 'conflict', … } });
 * ```
 */
export class GalleryStoreConflictError extends VisionError {
  override readonly code = 'GALLERY_STORE_CONFLICT';
}

/**
 * A photo id that the named person does not have.
 *
 * @example
 * ```ts
 * throw new PhotoNotFoundError("person 'Ada' has no photo 0b6f…");
 * ```
 */
export class PhotoNotFoundError extends VisionError {
  override readonly code = 'PHOTO_NOT_FOUND';
}

/**
 * A gallery location is not `s3://bucket/prefix/`.
 *
 * @example
 * ```ts
 * parseS3Location('https://example.com'); // throws S3LocationError
 * ```
 */
export class S3LocationError extends VisionError {
  override readonly code = 'S3_LOCATION';
}
