import sharp from 'sharp';
import type { RgbImage } from '../types.ts';

/** Limits applied before and while decoding; both guard against memory exhaustion. */
export interface ImageLimits {
  /** Largest accepted encoded size in bytes. Default 20 MiB. */
  maxBytes?: number;
  /** Largest accepted `width * height` after decoding the header. Default 40 megapixels. */
  maxPixels?: number;
}

/** The encoded formats accepted; anything else (SVG, PDF, TIFF, GIF, HEIF, …) is refused by sniffing. */
export type ImageFormat = 'jpeg' | 'png' | 'webp';

export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** Base class of every image input failure; `code` is stable and safe to show to clients. */
export class ImageInputError extends Error {
  readonly code: string = 'IMAGE_INPUT';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The bytes are not JPEG, PNG or WebP (maps to HTTP 415). */
export class UnsupportedImageFormatError extends ImageInputError {
  override readonly code = 'UNSUPPORTED_IMAGE_FORMAT';
}

/** The encoded bytes or the decoded pixel count exceed the limits (maps to HTTP 413). */
export class ImageTooLargeError extends ImageInputError {
  override readonly code = 'IMAGE_TOO_LARGE';
  readonly limit: 'bytes' | 'pixels';
  readonly actual: number;
  readonly maximum: number;
  constructor(limit: 'bytes' | 'pixels', actual: number, maximum: number, options?: ErrorOptions) {
    super(`image has ${actual} ${limit}, the limit is ${maximum}`, options);
    this.limit = limit;
    this.actual = actual;
    this.maximum = maximum;
  }
}

/** The bytes claim a supported format but cannot be decoded: truncated, garbage or empty (HTTP 422). */
export class CorruptImageError extends ImageInputError {
  override readonly code = 'CORRUPT_IMAGE';
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, magic: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + magic.length) return false;
  return magic.every((b, i) => bytes[offset + i] === b);
}

/**
 * Identifies the encoded format from its magic bytes; never trusts a file name or content type.
 *
 * @example
 * ```ts
 * sniffImageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // 'jpeg'
 * ```
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, PNG_MAGIC)) return 'png';
  // RIFF....WEBP
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) {
    return 'webp';
  }
  return undefined;
}

/**
 * Decodes JPEG, PNG or WebP bytes to packed 8-bit RGB with EXIF orientation applied.
 *
 * Grayscale, palette, 16-bit and alpha images come out as plain RGB (alpha is dropped, like PIL's
 * `convert('RGB')`, which the reference detector used). The format is sniffed first, so SVG and other
 * formats that can reference external resources never reach a decoder.
 *
 * @throws {UnsupportedImageFormatError} not JPEG/PNG/WebP.
 * @throws {ImageTooLargeError} more than `maxBytes` bytes or `maxPixels` pixels.
 * @throws {CorruptImageError} undecodable (truncated, garbage).
 * @example
 * ```ts
 * const image = await decodeImage(await readFile('photo.jpg'), { maxPixels: 20e6 });
 * console.log(image.width, image.height, image.data.length); // w, h, w*h*3
 * ```
 */
export async function decodeImage(bytes: Uint8Array, limits: ImageLimits = {}): Promise<RgbImage> {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length > maxBytes) throw new ImageTooLargeError('bytes', bytes.length, maxBytes);
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    throw new UnsupportedImageFormatError('unsupported image format: only JPEG, PNG and WebP are accepted');
  }
  // Embedded ICC profiles are ignored: the reference detector and the embedders' training pipelines read
  // raw pixel values (PIL), and converting colour spaces moves MTCNN boxes by several pixels.
  const options = {
    failOn: 'error',
    limitInputPixels: maxPixels,
    sequentialRead: true,
    ignoreIcc: true,
  } as const;
  let width: number;
  let height: number;
  try {
    // Header only: refuses a decompression bomb before any pixel buffer is allocated.
    const meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
    if (meta.format !== format) {
      throw new CorruptImageError(`image content is not valid ${format}`);
    }
    width = meta.width;
    height = meta.height;
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    throw new CorruptImageError(`${format} image cannot be read`, { cause: error });
  }
  if (width * height > maxPixels) throw new ImageTooLargeError('pixels', width * height, maxPixels);
  try {
    const { data, info } = await sharp(bytes, options)
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new CorruptImageError(`decoder returned ${info.channels} channels, expected 3`);
    }
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    throw new CorruptImageError(`${format} image cannot be decoded`, { cause: error });
  }
}
