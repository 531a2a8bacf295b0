import { describe, expect, it } from 'vitest';
import { DownscaleInputError, downscaleBox } from '../src/image/downscale.ts';
import type { RgbImage } from '../src/types.ts';

/** Pixel (x, y) has R = x, G = y, B = (x + y) mod 256. */
function ramp(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x;
      data[i + 1] = y;
      data[i + 2] = (x + y) % 256;
    }
  }
  return { width, height, data };
}

describe('Function: downscaleBox()', () => {
  it('returns the rounded mean of each k×k block and drops the remainder when the size is not a multiple of k', () => {
    const image = ramp(11, 7);
    const small = downscaleBox(image, 3);
    expect([small.width, small.height]).toEqual([3, 2]);
    // Block (1, 1) covers x 3–5 and y 3–5: means 4, 4 and 8.
    const i = (1 * 3 + 1) * 3;
    expect([...small.data.subarray(i, i + 3)]).toEqual([4, 4, 8]);
    // Block (2, 0) covers x 6–8, y 0–2: R 7, G 1, B mean of 6..10 over the block = 8.
    expect([...small.data.subarray(6, 9)]).toEqual([7, 1, 8]);
  });

  it('returns a mean that rounds half up when a block mean is fractional', () => {
    const image: RgbImage = {
      width: 2,
      height: 2,
      data: new Uint8Array([0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1]),
    };
    // Means 0.5, 0.5, 0.75.
    expect([...downscaleBox(image, 2).data]).toEqual([1, 1, 1]);
  });

  it('returns the same image when k is 1', () => {
    const image = ramp(5, 4);
    expect(downscaleBox(image, 1)).toBe(image);
  });

  it('throws DownscaleInputError when the factor, the data or the size is unusable', () => {
    const image = ramp(5, 4);
    expect(() => downscaleBox(image, 1.5)).toThrow(DownscaleInputError);
    expect(() => downscaleBox(image, 0)).toThrow(DownscaleInputError);
    expect(() => downscaleBox(image, 5)).toThrow(DownscaleInputError);
    expect(() => downscaleBox({ width: 5, height: 4, data: new Uint8Array(3) }, 2)).toThrow(
      DownscaleInputError,
    );
  });
});
