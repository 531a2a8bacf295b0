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
import type { FaceChip } from '../src/types.ts';

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
// Detect once, then embed variant by variant (the shipped default first) in full batches: one chip per call
// wastes most of the embedder's time, and the default's cache is usable before the others are done.
const todo = paths.filter((p) => variants.some((v) => !v.images.has(p)));
console.error(
  `${paths.length} photos, ${todo.length} to embed; caches:\n  ${variants.map((v) => v.file).join('\n  ')}`,
);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const found = new Map<string, { chips: FaceChip[]; width: number; height: number } | { error: string }>();
for (const [i, path] of todo.entries()) {
  try {
    const image = await decodeImage(await readFile(path));
    const chips = await finder.detectAndAlign(image);
    found.set(path, { chips, width: image.width, height: image.height });
  } catch (error) {
    found.set(path, { error: error instanceof Error ? error.message : String(error) });
  }
  if ((i + 1) % 250 === 0 || i + 1 === todo.length)
    console.error(`detected ${i + 1}/${todo.length} photos, ${elapsed()}`);
}
const batch = 256;
for (const v of variants) {
  const pending = todo.filter((p) => !v.images.has(p));
  for (let start = 0; start < pending.length; start += batch) {
    const slice = pending.slice(start, start + batch);
    const chips = slice.flatMap((p) => {
      const f = found.get(p);
      return f !== undefined && 'chips' in f ? f.chips : [];
    });
    const vectors = chips.length > 0 ? await v.embedder.embed(chips, { flip: v.flip }) : [];
    let at = 0;
    for (const p of slice) {
      const f = found.get(p);
      if (f === undefined || 'error' in f) {
        v.images.set(p, { faces: [], error: f?.error ?? 'not analysed' });
        continue;
      }
      const faces = f.chips.map(({ detection: { box } }, n) => ({
        area: Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]),
        box,
        embedding: vectors[at + n] ?? { modelId: v.key.modelId, vector: new Float32Array(v.key.dimension) },
      }));
      at += f.chips.length;
      v.images.set(p, { faces, width: f.width, height: f.height });
    }
  }
  await saveEmbeddingCache(v.file, v.key, root, v.images);
  console.error(`embedded ${v.key.modelId} flip=${v.flip}: ${v.file}, ${elapsed()}`);
}
console.error('done');
