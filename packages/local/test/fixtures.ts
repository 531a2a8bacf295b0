import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonLogger } from '@frs/runtime/logger';
import { embedLargestFace } from '@frs/service/enrol';
import { defaultGalleryModel, loadEmbedder, loadFaceFinder } from '@frs/service/models';
import { photosOf } from '@frs/test-fixtures/shared';
import { addEmbeddings, createGallery, saveGallery } from '@frs/vision/gallery';
import { decodeImage } from '@frs/vision/image';

export { facePath, photosOf, SHARED_DIR } from '@frs/test-fixtures/shared';

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
