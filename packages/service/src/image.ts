import type { ErrorCode } from '@frs/contracts/errors';
import type { RgbImage } from '@frs/vision';
import { WORKING_MAX_PIXELS } from '@frs/vision/detect';
import { decodeImageIfWithin, ImageInputError } from '@frs/vision/image';
import { RequestRejectedError } from './errors.ts';

/**
 * A decoded frame: its pixels, or (above the detector's working budget) the bytes again with the size, so
 * the pipeline decodes it reduced and the full-resolution pixels never exist.
 */
export interface DecodedFrame {
  input: RgbImage | Uint8Array;
  width: number;
  height: number;
}

// Image formats that exist but the detector does not take; everything else is "not an image".
const KNOWN_UNSUPPORTED: readonly { name: string; magic: string; offset?: number }[] = [
  { name: 'GIF', magic: 'GIF8' },
  { name: 'BMP', magic: 'BM' },
  { name: 'TIFF', magic: 'II*\u0000' },
  { name: 'TIFF', magic: 'MM\u0000*' },
  { name: 'HEIF/AVIF', magic: 'ftyp', offset: 4 },
  { name: 'SVG', magic: '<svg' },
  { name: 'SVG', magic: '<?xml' },
  { name: 'PDF', magic: '%PDF' },
  { name: 'JPEG 2000', magic: '\u0000\u0000\u0000\u000cjP' },
  { name: 'ICO', magic: '\u0000\u0000\u0001\u0000' },
];

function knownUnsupported(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 16)).toString('latin1');
  return KNOWN_UNSUPPORTED.find((f) => head.startsWith(f.magic, f.offset ?? 0))?.name;
}

/** The API error a vision image error becomes, with the message the client reads. */
type Rejection = (error: ImageInputError, bytes: Uint8Array) => { code: ErrorCode; message: string };

/**
 * Vision image error `code` → the API's error code and message; the HTTP status follows from the code
 * (`ERROR_STATUS` in `@frs/contracts/errors`: 415, 413, 422). Any other error is a server fault.
 *
 * @example
 * ```ts
 * IMAGE_REJECTIONS.CORRUPT_IMAGE?.(error, bytes); // { code: 'truncated_image', message: 'image data is …' }
 * ```
 */
export const IMAGE_REJECTIONS: Readonly<Record<string, Rejection>> = {
  UNSUPPORTED_IMAGE_FORMAT: (_error, bytes) => {
    const format = knownUnsupported(bytes);
    return format === undefined
      ? { code: 'not_an_image', message: 'content is not an image (expected JPEG, PNG or WebP)' }
      : { code: 'unsupported_format', message: `${format} is not supported; send JPEG, PNG or WebP` };
  },
  // Vision's message names the limit and both sizes, and nothing internal.
  IMAGE_TOO_LARGE: (error) => ({ code: 'image_too_large', message: error.message }),
  CORRUPT_IMAGE: () => ({
    code: 'truncated_image',
    message: 'image data is truncated or corrupt and cannot be decoded',
  }),
};

/**
 * Maps the vision library's image errors to client errors through {@link IMAGE_REJECTIONS}; anything else is
 * returned unchanged (a server fault).
 *
 * @example
 * ```ts
 * try { await decodeImage(bytes) } catch (e) { throw toRequestError(e, bytes) }
 * ```
 */
export function toRequestError(error: unknown, bytes: Uint8Array): unknown {
  if (!(error instanceof ImageInputError)) return error;
  const reject = IMAGE_REJECTIONS[error.code];
  if (reject === undefined) return error;
  const { code, message } = reject(error, bytes);
  return new RequestRejectedError(code, message, { cause: error });
}

/**
 * Decodes a frame for detection. Up to the detector's working budget (`WORKING_MAX_PIXELS`, 13.5 MP) it is
 * the pixels; above it only the header is read and the bytes go to the pipeline, which decodes them
 * reduced (and the faces' regions at full resolution), so a 40 MP photo never holds its 120 MB RGB buffer
 * and the detector stays under 400 MiB frame after frame.
 *
 * @throws the vision library's image errors (map them with {@link toRequestError}).
 * @example
 * ```ts
 * const frame = await decodeFrame(bytes, { maxBytes: 6 * 1024 * 1024, maxPixels: 40_000_000 });
 * const faces = await finder.detectAndAlign(frame.input);
 * ```
 */
export async function decodeFrame(
  bytes: Uint8Array,
  limits: { maxBytes: number; maxPixels: number },
): Promise<DecodedFrame> {
  const { image, width, height } = await decodeImageIfWithin(bytes, WORKING_MAX_PIXELS, limits);
  return { input: image ?? bytes, width, height };
}
