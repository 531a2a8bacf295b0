import sharp from 'sharp';
import { VisionError } from '../errors.ts';
import type { RgbImage } from '../types.ts';
import { boxFactor } from './downscale.ts';

export { boxFactor, DownscaleInputError, downscaleBox } from './downscale.ts';

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
export class ImageInputError extends VisionError {
  override readonly code: string = 'IMAGE_INPUT';
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

// Embedded ICC profiles are ignored: the reference detector and the embedders' training pipelines read
// raw pixel values (PIL), and converting colour spaces moves MTCNN boxes by several pixels.
const SHARP_OPTIONS = { failOn: 'error', sequentialRead: true, ignoreIcc: true } as const;

interface Header {
  format: ImageFormat;
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  maxPixels: number;
}

/** Size and format checks on the header only: refuses a decompression bomb before any pixel exists. */
async function readHeader(bytes: Uint8Array, limits: ImageLimits): Promise<Header> {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length > maxBytes) throw new ImageTooLargeError('bytes', bytes.length, maxBytes);
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    throw new UnsupportedImageFormatError('unsupported image format: only JPEG, PNG and WebP are accepted');
  }
  let width: number;
  let height: number;
  let orientation: number;
  try {
    const meta = await sharp(bytes, { ...SHARP_OPTIONS, limitInputPixels: false }).metadata();
    if (meta.format !== format) {
      throw new CorruptImageError(`image content is not valid ${format}`);
    }
    width = meta.width;
    height = meta.height;
    orientation = meta.orientation ?? 1;
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    throw new CorruptImageError(`${format} image cannot be read`, { cause: error });
  }
  if (width * height > maxPixels) throw new ImageTooLargeError('pixels', width * height, maxPixels);
  // EXIF orientations 5–8 turn the image by 90°.
  return orientation >= 5
    ? { format, width: height, height: width, maxPixels }
    : { format, width, height, maxPixels };
}

/** Decodes with EXIF orientation applied, then `shape` (resize, extract) and 8-bit RGB output. */
async function decodePixels(
  bytes: Uint8Array,
  header: Header,
  shape: (image: sharp.Sharp) => sharp.Sharp = (image) => image,
): Promise<RgbImage> {
  try {
    const pipeline = sharp(bytes, { ...SHARP_OPTIONS, limitInputPixels: header.maxPixels }).rotate();
    const { data, info } = await shape(pipeline)
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
    throw new CorruptImageError(`${header.format} image cannot be decoded`, { cause: error });
  }
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
  return decodePixels(bytes, await readHeader(bytes, limits));
}

/** A decode at reduced resolution and the full (oriented) size it stands for. */
export interface ReducedImage {
  image: RgbImage;
  width: number;
  height: number;
}

/**
 * Like {@link decodeImage}, but an image above `maxPixels` comes out reduced by the smallest integer
 * factor `k` that fits (`floor(width / k) × floor(height / k)`), resampled while decoding: JPEG uses
 * libjpeg's DCT shrink-on-load, then a cubic filter, so the full-resolution RGB buffer never exists.
 * Point `(x, y)` of the result is at `(x · width / image.width, y · height / image.height)` of the full
 * image.
 *
 * @throws {UnsupportedImageFormatError | ImageTooLargeError | CorruptImageError} as {@link decodeImage}.
 * @example
 * ```ts
 * const { image, width, height } = await decodeImageWithin(bytes, 13_500_000);
 * const scale = width / image.width; // 1 for a 12 MP photo, ≈ 2 for 40 MP
 * ```
 */
export async function decodeImageWithin(
  bytes: Uint8Array,
  maxPixels: number,
  limits: ImageLimits = {},
): Promise<ReducedImage> {
  const header = await readHeader(bytes, limits);
  const { width, height } = header;
  const k = boxFactor(width, height, maxPixels);
  if (k === 1) return { image: await decodePixels(bytes, header), width, height };
  const w = Math.floor(width / k);
  const h = Math.floor(height / k);
  const image = await decodePixels(bytes, header, (p) =>
    p.resize(w, h, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true }),
  );
  return { image, width, height };
}

/**
 * Reads the header and decodes the pixels only when the image has at most `maxPixels`; a larger one comes
 * back with its (oriented) size and no pixels, for callers that hand the bytes on to a path that decodes
 * reduced (the face finder's bytes path), so nothing is decoded twice.
 *
 * @throws {UnsupportedImageFormatError | ImageTooLargeError | CorruptImageError} as {@link decodeImage}
 *   (a larger image's pixel data is not checked here).
 * @example
 * ```ts
 * const { image, width, height } = await decodeImageIfWithin(bytes, 13_500_000);
 * const faces = await finder.detectAndAlign(image ?? bytes);
 * ```
 */
export async function decodeImageIfWithin(
  bytes: Uint8Array,
  maxPixels: number,
  limits: ImageLimits = {},
): Promise<{ image: RgbImage | undefined; width: number; height: number }> {
  const header = await readHeader(bytes, limits);
  const { width, height } = header;
  return {
    image: width * height <= maxPixels ? await decodePixels(bytes, header) : undefined,
    width,
    height,
  };
}

/** A pixel rectangle of an image. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Decodes only `region` of the (oriented) image at full resolution: the decoder streams the file and keeps
 * the region's pixels, so a face of a 40 MP photo costs its own size, not the photo's.
 *
 * @throws {UnsupportedImageFormatError | ImageTooLargeError | CorruptImageError} as {@link decodeImage};
 *   a region outside the image is a `CorruptImageError`.
 * @example
 * ```ts
 * const face = await decodeImageRegion(bytes, { left: 2600, top: 1100, width: 1400, height: 1800 });
 * ```
 */
export async function decodeImageRegion(
  bytes: Uint8Array,
  region: Region,
  limits: ImageLimits = {},
): Promise<RgbImage> {
  return decodePixels(bytes, await readHeader(bytes, limits), (p) => p.extract(region));
}
