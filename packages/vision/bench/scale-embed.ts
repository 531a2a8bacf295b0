// Fills the `frs eval --gallery-size` embedding caches of a photo folder for both embedders, with and without
// flip averaging, in one detection pass (MTCNN dominates the cost; four separate `frs eval` runs would detect
// every face four times). Resumable: photos already in every cache are skipped. Run:
//   node --conditions=@frs/source bench/scale-embed.ts ../../../shared/faces/lfw-dev
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadManifest, modelsDir } from '@frs/models/manifest';
import { createEmbedder, type Embedder } from '../src/embed/index.ts';
import {
  type AnalyzedImage,
  datasetHash,
  type EmbeddingCacheKey,
  embeddingCachePath,
  listDataset,
  loadEmbeddingCache,
  pipelineSettings,
  saveEmbeddingCache,
} from '../src/eval/index.ts';
import { decodeImage } from '../src/image/index.ts';
import { createFaceFinder } from '../src/pipeline/index.ts';

const root = resolve(process.argv[2] ?? '../../../shared/faces/lfw-dev');
const minFaceSize = 20;
const manifest = await loadManifest();
const ids = manifest.models.filter((m) => m.role === 'embedder').map((m) => m.id);
const finder = await createFaceFinder({ manifest, modelsDir: modelsDir(), detect: { minFaceSize } });
const embedders: Embedder[] = await Promise.all(
  ids.map((modelId) => createEmbedder({ manifest, modelsDir: modelsDir(), modelId })),
);
const paths = (await listDataset(root)).flatMap((p) => p.images);
const hash = await datasetHash(root, paths);

interface Variant {
  embedder: Embedder;
  flip: boolean;
  key: EmbeddingCacheKey;
  file: string;
  images: Map<string, AnalyzedImage>;
}
const variants: Variant[] = [];
for (const embedder of embedders) {
  for (const flip of [false, true]) {
    const key = {
      modelId: embedder.modelId,
      dimension: embedder.dimension,
      settings: pipelineSettings({ border: 'zero', flip, minFaceSize }),
      datasetHash: hash,
    };
    const file = embeddingCachePath(key);
    variants.push({ embedder, flip, key, file, images: await loadEmbeddingCache(file, key, root) });
  }
}
const save = () => Promise.all(variants.map((v) => saveEmbeddingCache(v.file, v.key, root, v.images)));
const todo = paths.filter((p) => variants.some((v) => !v.images.has(p)));
console.error(
  `${paths.length} photos, ${todo.length} to embed; caches:\n  ${variants.map((v) => v.file).join('\n  ')}`,
);
const started = performance.now();
for (const [i, path] of todo.entries()) {
  try {
    const chips = await finder.detectAndAlign(await decodeImage(await readFile(path)));
    const areas = chips.map(
      ({ detection: { box } }) => Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]),
    );
    for (const v of variants) {
      const vectors = chips.length > 0 ? await v.embedder.embed(chips, { flip: v.flip }) : [];
      v.images.set(path, { faces: vectors.map((embedding, f) => ({ area: areas[f] ?? 0, embedding })) });
    }
  } catch (error) {
    for (const v of variants)
      v.images.set(path, { faces: [], error: error instanceof Error ? error.message : String(error) });
  }
  if ((i + 1) % 100 === 0 || i + 1 === todo.length) {
    const seconds = (performance.now() - started) / 1000;
    const eta = (seconds / (i + 1)) * (todo.length - i - 1);
    console.error(`${i + 1}/${todo.length} photos, ${seconds.toFixed(0)} s, about ${eta.toFixed(0)} s left`);
  }
  if ((i + 1) % 500 === 0) await save();
}
await save();
console.error('done');
