import sharp from 'sharp';

/**
 * A 1280×720 camera-like frame with one face: `face` (any photo) scaled to 300 px high on a neutral
 * background, left of centre. Deterministic for the same input.
 *
 * @example
 * ```ts
 * const jpeg = await oneFaceFrame(await readFile('person.jpg'));
 * ```
 */
export async function oneFaceFrame(face: Uint8Array): Promise<Buffer> {
  const scaled = await sharp(face).rotate().resize({ height: 300 }).removeAlpha().toBuffer();
  return sharp({ create: { width: 1280, height: 720, channels: 3, background: { r: 96, g: 104, b: 112 } } })
    .composite([{ input: scaled, left: 420, top: 180 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}
