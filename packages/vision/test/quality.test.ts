import { readFile } from 'node:fs/promises';
import {
  checkQuality,
  describeQualityIssues,
  ENROLMENT_QUALITY,
  type FaceQuality,
  faceQuality,
} from '@frs/vision/gallery';
import { decodeImage } from '@frs/vision/image';
import { createFaceFinder, type FaceFinder, largestFace } from '@frs/vision/pipeline';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { facePath, loadFace } from './fixtures/shared.ts';

let finder: FaceFinder;

async function qualityOf(image: Awaited<ReturnType<typeof loadFace>>): Promise<FaceQuality> {
  const face = largestFace(await finder.detectAndAlign(image));
  if (face === undefined) throw new Error('the test photo has no face');
  return faceQuality(face.detection, face);
}

// Real photos of ../shared through the real detector: the numbers the enroller judges.
describe('Function: faceQuality()', () => {
  beforeAll(async () => {
    finder = await createFaceFinder();
  }, 60_000);

  it('returns a large, sharp, frontal face when the photo is a good portrait', async () => {
    const q = await qualityOf(await loadFace('identities/carell/00.jpg'));
    expect(q.eyeDistance).toBeGreaterThan(100);
    expect(q.sharpness).toBeGreaterThan(500);
    expect(q.yaw).toBeLessThan(0.3);
    expect(q.pitch).toBeGreaterThan(0.4);
    expect(q.pitch).toBeLessThan(0.7);
    expect(checkQuality(q)).toEqual([]);
  }, 30_000);

  it('returns a lower sharpness when the same photo is blurred', async () => {
    const bytes = await readFile(facePath('identities/carell/00.jpg'));
    const sharpQuality = await qualityOf(await decodeImage(bytes));
    const blurred = await sharp(bytes).blur(12).jpeg().toBuffer();
    const blurQuality = await qualityOf(await decodeImage(new Uint8Array(blurred)));
    expect(blurQuality.sharpness).toBeLessThan(sharpQuality.sharpness / 10);
    expect(checkQuality(blurQuality).map((i) => i.kind)).toContain('blurred');
  }, 30_000);

  it('returns the nose beyond the eyes (turn > 1) when the face is in profile', async () => {
    const q = await qualityOf(await loadFace('other/pose/left_face.jpeg'));
    expect(q.yaw).toBeGreaterThan(1);
    expect(checkQuality(q).map((i) => i.kind)).toEqual(['turned']);
  }, 30_000);

  it('returns a tilt below the frontal range when the face looks up', async () => {
    const up = await qualityOf(await loadFace('other/pose/rise_face.jpeg'));
    const frontal = await qualityOf(await loadFace('identities/carell/00.jpg'));
    expect(up.pitch).toBeLessThan(frontal.pitch - 0.2);
  }, 30_000);
});

describe('Function: checkQuality()', () => {
  beforeAll(async () => {
    finder ??= await createFaceFinder();
  }, 60_000);

  it('returns a small issue when the face is a few pixels wide (a 4 MP group photo face)', async () => {
    const q = await qualityOf(await loadFace('identities/bbt_howard/04.png'));
    const issues = checkQuality(q);
    expect(issues.map((i) => i.kind)).toContain('small');
    expect(issues.find((i) => i.kind === 'small')?.limit).toBe(ENROLMENT_QUALITY.minEyeDistance);
  }, 30_000);

  it('returns every issue of a face when it misses several limits', () => {
    const issues = checkQuality({ eyeDistance: 5, sharpness: 1, yaw: 1.4, pitch: 0.05 });
    expect(issues.map((i) => i.kind)).toEqual(['small', 'blurred', 'turned', 'tilted']);
  });

  it('returns a tilted issue when the pitch cannot be measured', () => {
    expect(checkQuality({ eyeDistance: 50, sharpness: 100, yaw: 0, pitch: Number.NaN })).toEqual([
      { kind: 'tilted', value: Number.NaN, limit: ENROLMENT_QUALITY.pitch[0] },
    ]);
  });

  it('returns no issue at exactly the limits', () => {
    const { minEyeDistance, minSharpness, maxYaw, pitch } = ENROLMENT_QUALITY;
    expect(
      checkQuality({ eyeDistance: minEyeDistance, sharpness: minSharpness, yaw: maxYaw, pitch: pitch[1] }),
    ).toEqual([]);
  });
});

describe('Function: describeQualityIssues()', () => {
  it('returns one clause per issue, naming the measured value and the limit', () => {
    expect(
      describeQualityIssues([
        { kind: 'small', value: 12.4, limit: 20 },
        { kind: 'turned', value: 1.234, limit: 0.9 },
        { kind: 'tilted', value: 0.9, limit: 0.85 },
      ]),
    ).toBe(
      'the face is too small (eyes 12 px apart, at least 20 needed); the face is turned sideways (turn 1.23, at most 0.9 allowed); the head is tilted down (tilt 0.90, at most 0.85 allowed)',
    );
  });
});
