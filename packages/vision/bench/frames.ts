// The benchmarks' camera frames, composed deterministically from ../shared photos at run time (nothing is
// written to the repo), and the median they report. FRS_SHARED_DIR moves ../shared.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const shared = process.env.FRS_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared/', import.meta.url));
const faces = (relative: string) => `${shared.replace(/\/?$/, '/')}faces/${relative}`;

/**
 * A camera frame with one face: a portrait pasted onto a blurred street scene, JPEG q85. The default is
 * 1280×720 with a 360 px portrait; `oneFaceFrame(1920, 1080)` scales the scene and the portrait by 1.5
 * (the "1080p ≤ 100 ms" is about such frames with few faces, not about the group photo).
 */
export async function oneFaceFrame(width = 1280, height = 720): Promise<Uint8Array> {
  const k = width / 1280;
  const side = Math.round(360 * k);
  const background = await sharp(await readFile(faces('other/no-face/building.jpg')))
    .resize(width, height, { fit: 'cover' })
    .blur(6 * k)
    .toBuffer();
  const person = await sharp(await readFile(faces('identities/Anthony_Hopkins/00.jpg')))
    .resize(side, side)
    .toBuffer();
  return sharp(background)
    .composite([{ input: person, left: Math.round(460 * k), top: Math.round(180 * k) }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** 1920×1080: a 15-face group photo letterboxed, JPEG q85. */
export async function groupFrame(): Promise<Uint8Array> {
  return sharp(await readFile(faces('other/multi-face/group-1.jpg')))
    .resize(1920, 1080, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
