import { DetectInputError } from '@frs/vision/detect';
import { CorruptImageError, ImageTooLargeError, UnsupportedImageFormatError } from '@frs/vision/image';
import { describe, expect, it } from 'vitest';
import { RequestRejectedError } from '../src/errors.ts';
import { IMAGE_REJECTIONS, toRequestError } from '../src/image.ts';

const GIF = new TextEncoder().encode('GIF89a\u0001\u0000\u0001\u0000');
const TEXT = new TextEncoder().encode('hello, this is not an image');

function rejected(error: unknown, bytes: Uint8Array) {
  const mapped = toRequestError(error, bytes);
  if (!(mapped instanceof RequestRejectedError)) throw new Error('expected a RequestRejectedError');
  return { code: mapped.code, status: mapped.status, message: mapped.message, cause: mapped.cause };
}

describe('Function: toRequestError()', () => {
  it('returns the API error and HTTP status of the table for every vision image error', () => {
    const tooLarge = new ImageTooLargeError('pixels', 50_000_000, 40_000_000);
    expect([
      rejected(new UnsupportedImageFormatError('unsupported'), GIF),
      rejected(new UnsupportedImageFormatError('unsupported'), TEXT),
      rejected(tooLarge, TEXT),
      rejected(new CorruptImageError('truncated'), TEXT),
    ]).toEqual([
      {
        code: 'unsupported_format',
        status: 415,
        message: 'GIF is not supported; send JPEG, PNG or WebP',
        cause: expect.any(UnsupportedImageFormatError),
      },
      {
        code: 'not_an_image',
        status: 415,
        message: 'content is not an image (expected JPEG, PNG or WebP)',
        cause: expect.any(UnsupportedImageFormatError),
      },
      {
        code: 'image_too_large',
        status: 413,
        message: 'image has 50000000 pixels, the limit is 40000000',
        cause: tooLarge,
      },
      {
        code: 'truncated_image',
        status: 422,
        message: 'image data is truncated or corrupt and cannot be decoded',
        cause: expect.any(CorruptImageError),
      },
    ]);
  });

  it('returns any other error unchanged, as a fault', () => {
    const detect = new DetectInputError('bad image');
    const plain = new Error('boom');
    expect(toRequestError(detect, TEXT)).toBe(detect);
    expect(toRequestError(plain, TEXT)).toBe(plain);
  });

  it('returns a table keyed by exactly the codes of the vision image errors', () => {
    const codes = [
      new UnsupportedImageFormatError('x').code,
      new ImageTooLargeError('bytes', 2, 1).code,
      new CorruptImageError('x').code,
    ];
    expect(Object.keys(IMAGE_REJECTIONS).sort()).toEqual(codes.sort());
  });
});
