import sharp from 'sharp';
import type { RgbImage } from './app.ts';

/**
 * Decodes a job's PNG chip back to packed RGB, exactly the pixels the detector aligned.
 *
 * @example
 * ```ts
 * const chip = await decodeChipPng(Buffer.from(face.chip, 'base64'));
 * ```
 */
export async function decodeChipPng(png: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(png, { failOn: 'error' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}
