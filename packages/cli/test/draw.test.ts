import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { drawFaces } from '../src/draw.ts';
import { SHARED_DIR } from './fixtures.ts';

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 3;
  return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
}

describe('Function: drawFaces()', () => {
  it('returns a PNG of the photo with a green box for a known face and an orange one for an unknown face', async () => {
    const photo = await readFile(join(SHARED_DIR, 'faces/other/multi-face/bbt5.jpg'));
    const png = await drawFaces(photo, [
      { box: [100, 150, 200, 275], label: 'bbt_raj 0.69', known: true },
      { box: [700, 100, 800, 210], label: 'unknown 0.21', known: false },
    ]);
    const source = await sharp(photo).metadata();
    const drawn = await sharp(png).metadata();
    expect(drawn.format).toBe('png');
    expect([drawn.width, drawn.height]).toEqual([source.width, source.height]);
    expect(await pixel(png, 150, 150)).toEqual([0x2e, 0xcc, 0x40]);
    expect(await pixel(png, 750, 100)).toEqual([0xff, 0x85, 0x1b]);
    // Inside a box the photo is untouched.
    const original = await sharp(photo).png().toBuffer();
    expect(await pixel(png, 150, 210)).toEqual(await pixel(original, 150, 210));
  });
});
