import type { FaceChip } from '@frs/vision';
import { type FaceQuality, faceQuality } from '@frs/vision/gallery';
import { largestFace } from '@frs/vision/pipeline';
import type { EmbedderPort, FaceFinderPort } from './types.ts';

/** The face a photo is enrolled with, its embedding, and how many faces the photo had. */
export interface EnrolmentFace {
  chip: FaceChip;
  vector: Float32Array;
  /** Faces found in the photo; more than one means the largest was chosen. */
  faces: number;
  /** Size, sharpness and pose of the chosen face, for `checkQuality(quality, ENROLMENT_QUALITY)`. */
  quality: FaceQuality;
}

/**
 * Finds the face a photo enrols with (the largest, `largestFace`) and embeds it: the one rule of the enroller
 * Lambda, `frs enrol --gallery` and the tests' galleries, so a person is enrolled alike whichever enrols them.
 *
 * @returns `undefined` when the photo has no face.
 * @example
 * ```ts
 * const face = await embedLargestFace(finder, embedder, await readFile('ada.jpg'));
 * if (face) gallery = addEmbeddings(gallery, 'Ada', [{ vector: face.vector }]);
 * ```
 */
export async function embedLargestFace(
  finder: Pick<FaceFinderPort, 'detectAndAlign'>,
  embedder: Pick<EmbedderPort, 'embed'>,
  input: Parameters<FaceFinderPort['detectAndAlign']>[0],
): Promise<EnrolmentFace | undefined> {
  const faces = await finder.detectAndAlign(input);
  const chip = largestFace(faces);
  if (chip === undefined) return undefined;
  const [embedding] = await embedder.embed([chip]);
  if (embedding === undefined) return undefined;
  return { chip, vector: embedding.vector, faces: faces.length, quality: faceQuality(chip.detection, chip) };
}
