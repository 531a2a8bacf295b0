import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  CorruptImageError,
  decodeImage,
  decodeImageIfWithin,
  decodeImageRegion,
  decodeImageWithin,
  ImageTooLargeError,
  sniffImageFormat,
  UnsupportedImageFormatError,
} from '../src/image/index.ts';
import { facePath } from './fixtures/shared.ts';

const RED = { r: 200, g: 30, b: 10 };

/** A solid-colour image with a differently coloured top-left quadrant, so orientation is observable. */
async function makeImage(width: number, height: number, channels: 3 | 4 = 3, alpha = 1) {
  const background = channels === 4 ? { ...RED, alpha } : RED;
  const quadrant = await sharp({
    create: {
      width: width >> 1,
      height: height >> 1,
      channels,
      background: { r: 0, g: 0, b: 255, alpha: 1 },
    },
  })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels, background } }).composite([
    { input: quadrant, left: 0, top: 0 },
  ]);
}

function pixel(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [image.data[i] ?? -1, image.data[i + 1] ?? -1, image.data[i + 2] ?? -1];
}

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid-looking PNG whose header claims `width`×`height` but carries almost no pixel data. */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

describe('Function: decodeImage()', () => {
  it('returns packed RGB when given a JPEG', async () => {
    const bytes = await (await makeImage(64, 48)).jpeg({ quality: 95 }).toBuffer();
    const image = await decodeImage(bytes);
    expect([image.width, image.height, image.data.length]).toEqual([64, 48, 64 * 48 * 3]);
    expect(pixel(image, 60, 40)[0]).toBeGreaterThan(180);
  });

  it('returns exact pixels when given a PNG', async () => {
    const image = await decodeImage(await (await makeImage(64, 48)).png().toBuffer());
    expect(pixel(image, 60, 40)).toEqual([RED.r, RED.g, RED.b]);
    expect(pixel(image, 1, 1)).toEqual([0, 0, 255]);
  });

  it('returns exact pixels when given a lossless WebP', async () => {
    const image = await decodeImage(await (await makeImage(64, 48)).webp({ lossless: true }).toBuffer());
    expect(pixel(image, 60, 40)).toEqual([RED.r, RED.g, RED.b]);
  });

  it('returns the upright image when the JPEG carries an EXIF rotation', async () => {
    const plain = await (await makeImage(64, 48)).png().toBuffer();
    const tagged = await sharp(plain).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const image = await decodeImage(tagged);
    // Orientation 6 = rotate 90° clockwise: the blue top-left quadrant moves to the top right.
    expect([image.width, image.height]).toEqual([48, 64]);
    expect(pixel(image, 46, 2)[2]).toBeGreaterThan(200);
    expect(pixel(image, 2, 2)[0]).toBeGreaterThan(180);
  });

  it('returns three equal channels when given a grayscale PNG', async () => {
    const gray = await (await makeImage(32, 32)).removeAlpha().toColourspace('b-w').png().toBuffer();
    expect((await sharp(gray).metadata()).channels).toBe(1);
    const image = await decodeImage(gray);
    const [r, g, b] = pixel(image, 30, 30);
    expect(image.data.length).toBe(32 * 32 * 3);
    expect(r).toBe(g);
    expect(g).toBe(b);
  });

  it('returns RGB when given a palette PNG', async () => {
    const bytes = await (await makeImage(32, 32)).png({ palette: true, colours: 4 }).toBuffer();
    expect((await sharp(bytes).metadata()).isPalette).toBe(true);
    const image = await decodeImage(bytes);
    expect(pixel(image, 30, 30)).toEqual([RED.r, RED.g, RED.b]);
  });

  it('returns 8-bit RGB when given a 16-bit PNG', async () => {
    const bytes = await (await makeImage(32, 32)).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(bytes).metadata()).depth).toBe('ushort');
    const image = await decodeImage(bytes);
    expect(image.data.length).toBe(32 * 32 * 3);
    expect(pixel(image, 30, 30)).toEqual([RED.r, RED.g, RED.b]);
  });

  it('returns RGB without alpha when given an RGBA PNG', async () => {
    const image = await decodeImage(await (await makeImage(32, 32, 4, 0.5)).png().toBuffer());
    expect(image.data.length).toBe(32 * 32 * 3);
    expect(pixel(image, 30, 30)).toEqual([RED.r, RED.g, RED.b]);
  });

  it('returns RGB when given the real 32-bit RGBA PNG from the face set', async () => {
    const bytes = await readFile(facePath('other/format/32bit.png'));
    const meta = await sharp(bytes).metadata();
    const image = await decodeImage(bytes);
    expect([image.width, image.height, image.data.length]).toEqual([
      meta.width,
      meta.height,
      meta.width * meta.height * 3,
    ]);
  });

  it('throws UnsupportedImageFormatError when given an SVG that references a URL', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="http://127.0.0.1:9/x.png"/></svg>',
    );
    const error = await decodeImage(svg).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedImageFormatError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_IMAGE_FORMAT' });
  });

  it('throws UnsupportedImageFormatError when given a GIF', async () => {
    const gif = await (await makeImage(8, 8)).gif().toBuffer();
    await expect(decodeImage(gif)).rejects.toBeInstanceOf(UnsupportedImageFormatError);
  });

  it('throws ImageTooLargeError (bytes) when the input exceeds maxBytes', async () => {
    const bytes = await (await makeImage(64, 48)).png().toBuffer();
    const error = await decodeImage(bytes, { maxBytes: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect(error).toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      limit: 'bytes',
      actual: bytes.length,
      maximum: 100,
    });
  });

  it('throws ImageTooLargeError (pixels) when a tiny PNG claims 50000×50000', async () => {
    const bomb = pngClaiming(50_000, 50_000);
    expect(bomb.length).toBeLessThan(2000);
    const error = await decodeImage(bomb).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect(error).toMatchObject({ limit: 'pixels', actual: 2_500_000_000 });
  });

  it('throws ImageTooLargeError (pixels) when the image exceeds a custom maxPixels', async () => {
    const bytes = await (await makeImage(64, 48)).png().toBuffer();
    await expect(decodeImage(bytes, { maxPixels: 1000 })).rejects.toMatchObject({ limit: 'pixels' });
  });

  it('throws CorruptImageError when the JPEG is truncated', async () => {
    const bytes = await readFile(facePath('identities/Anthony_Hopkins/00.jpg'));
    const error = await decodeImage(bytes.subarray(0, bytes.length >> 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptImageError);
    expect(error).toMatchObject({ code: 'CORRUPT_IMAGE' });
  });

  it('throws CorruptImageError when JPEG magic is followed by garbage', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4000)]);
    await expect(decodeImage(bytes)).rejects.toBeInstanceOf(CorruptImageError);
  });

  it('throws UnsupportedImageFormatError when given random bytes', async () => {
    const bytes = Buffer.concat([Buffer.from('not an image'), randomBytes(4000)]);
    await expect(decodeImage(bytes)).rejects.toBeInstanceOf(UnsupportedImageFormatError);
  });

  it('throws UnsupportedImageFormatError when given no bytes', async () => {
    await expect(decodeImage(new Uint8Array(0))).rejects.toBeInstanceOf(UnsupportedImageFormatError);
  });
});

describe('Function: decodeImageIfWithin()', () => {
  it('returns the pixels within the budget and only the size above it', async () => {
    const bytes = await readFile(facePath('identities/Anthony_Hopkins/00.jpg'));
    const full = await decodeImage(bytes);
    expect(await decodeImageIfWithin(bytes, full.width * full.height)).toEqual({
      image: full,
      width: full.width,
      height: full.height,
    });
    expect(await decodeImageIfWithin(bytes, full.width * full.height - 1)).toEqual({
      image: undefined,
      width: full.width,
      height: full.height,
    });
  });

  it('throws the header errors before any pixel when the bytes are not an image or over the limit', async () => {
    const bytes = await readFile(facePath('identities/Anthony_Hopkins/00.jpg'));
    await expect(decodeImageIfWithin(new Uint8Array([1, 2, 3]), 1)).rejects.toBeInstanceOf(
      UnsupportedImageFormatError,
    );
    await expect(decodeImageIfWithin(bytes, 1, { maxPixels: 100 })).rejects.toBeInstanceOf(
      ImageTooLargeError,
    );
  });
});

describe('Function: decodeImageWithin()', () => {
  it('returns the full decode when the image fits the pixel budget', async () => {
    const bytes = await readFile(facePath('identities/Anthony_Hopkins/00.jpg'));
    const full = await decodeImage(bytes);
    const reduced = await decodeImageWithin(bytes, full.width * full.height);
    expect(reduced).toEqual({ image: full, width: full.width, height: full.height });
  });

  it('returns an integer-factor reduction and the full size when the image exceeds the budget', async () => {
    const bytes = await readFile(facePath('identities/fnp_shea_whigham/00.jpg'));
    const full = await decodeImage(bytes);
    const { image, width, height } = await decodeImageWithin(bytes, 1_000_000);
    expect([width, height]).toEqual([full.width, full.height]);
    // 2048×1991 needs k = 3 to fit 1 MP.
    expect([image.width, image.height]).toEqual([Math.floor(full.width / 3), Math.floor(full.height / 3)]);
    expect(image.data.length).toBe(image.width * image.height * 3);
  });

  it('returns the upright size when the JPEG carries an EXIF rotation', async () => {
    const plain = await (await makeImage(640, 480)).png().toBuffer();
    const tagged = await sharp(plain).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const { image, width, height } = await decodeImageWithin(tagged, 100_000);
    expect([width, height]).toEqual([480, 640]);
    expect([image.width, image.height]).toEqual([240, 320]);
    // The blue quadrant (top left before rotation) is at the top right.
    expect(pixel(image, 230, 10)[2]).toBeGreaterThan(200);
  });
});

describe('Function: decodeImageRegion()', () => {
  it('returns exactly the pixels of the full decode inside the region when given a JPEG', async () => {
    const bytes = await readFile(facePath('identities/fnp_shea_whigham/00.jpg'));
    const full = await decodeImage(bytes);
    const region = { left: 601, top: 333, width: 250, height: 190 };
    const part = await decodeImageRegion(bytes, region);
    expect([part.width, part.height]).toEqual([250, 190]);
    for (let y = 0; y < region.height; y += 37) {
      for (let x = 0; x < region.width; x += 23) {
        expect(pixel(part, x, y)).toEqual(pixel(full, region.left + x, region.top + y));
      }
    }
  });

  it('throws CorruptImageError when the region lies outside the image', async () => {
    const bytes = await (await makeImage(64, 48)).png().toBuffer();
    await expect(
      decodeImageRegion(bytes, { left: 60, top: 0, width: 10, height: 10 }),
    ).rejects.toBeInstanceOf(CorruptImageError);
  });
});

describe('Function: sniffImageFormat()', () => {
  it('returns the format when given the first bytes of JPEG, PNG and WebP files', async () => {
    const image = await makeImage(8, 8);
    expect(sniffImageFormat(await image.clone().jpeg().toBuffer())).toBe('jpeg');
    expect(sniffImageFormat(await image.clone().png().toBuffer())).toBe('png');
    expect(sniffImageFormat(await image.clone().webp().toBuffer())).toBe('webp');
    expect(sniffImageFormat(Buffer.from('RIFF\0\0\0\0WAVE'))).toBeUndefined();
  });
});
