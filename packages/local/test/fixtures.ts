import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonLogger } from '@frs/runtime/logger';
import { embedLargestFace } from '@frs/service/enrol';
import { defaultGalleryModel, loadEmbedder, loadFaceFinder } from '@frs/service/models';
import { addEmbeddings, createGallery, saveGallery } from '@frs/vision/gallery';
import { decodeImage } from '@frs/vision/image';

/** Root of the shared test data (`FRS_SHARED_DIR`, default `<repo>/../shared`). */
export const SHARED_DIR =
  process.env.FRS_SHARED_DIR ?? new URL('../../../../shared/', import.meta.url).pathname;

/** Absolute path of a file below `../shared/faces`. */
export function facePath(relative: string): string {
  return join(SHARED_DIR, 'faces', relative);
}

/** The photos of one identity, sorted. */
export async function photosOf(person: string): Promise<string[]> {
  const dir = facePath(`identities/${person}`);
  return (await readdir(dir)).sort().map((f) => join(dir, f));
}

/**
 * Enrols the first `perPerson` photos of each identity into a fresh gallery file with the real models,
 * largest face per photo (what `frs enrol` does), and returns its path.
 */
export async function enrolGallery(
  people: readonly string[],
  perPerson: number,
  logger: JsonLogger,
): Promise<string> {
  const [finder, embedder, model] = await Promise.all([
    loadFaceFinder({ modelsDir: undefined, logger }),
    loadEmbedder({ modelsDir: undefined, logger }),
    defaultGalleryModel(),
  ]);
  let gallery = createGallery(model);
  for (const person of people) {
    const vectors: { vector: Float32Array; source: string }[] = [];
    for (const photo of (await photosOf(person)).slice(0, perPerson)) {
      const face = await embedLargestFace(finder, embedder, await decodeImage(await readFile(photo)));
      if (face) vectors.push({ vector: face.vector, source: photo });
    }
    gallery = addEmbeddings(gallery, person, vectors, { modelId: embedder.modelId });
  }
  const path = join(await mkdtemp(join(tmpdir(), 'frs-test-gallery-')), 'gallery.json');
  await saveGallery(path, gallery);
  return path;
}
