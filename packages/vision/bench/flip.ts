// Does flip-averaging help? Embeds every photo in ../shared/faces/identities with and without it and
// compares same/different-person separation over all pairs. Run:
//   node --conditions=@frs/source bench/flip.ts
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { alignFace } from '../src/align/index.ts';
import { decodeImage } from '../src/image/index.ts';
import { createFacePipeline } from '../src/pipeline/index.ts';
import type { FaceChip } from '../src/types.ts';

const shared = process.env.FRS_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared/', import.meta.url));
const root = `${shared.replace(/\/?$/, '/')}faces/identities/`;
const embedderId = process.env.FRS_EMBEDDER;
const pipeline = await createFacePipeline(embedderId ? { embedderId } : {});

const chips: { person: string; chip: FaceChip }[] = [];
const people = (await readdir(root)).sort();
for (const [i, person] of people.entries()) {
  for (const file of (await readdir(`${root}${person}`)).sort()) {
    const image = await decodeImage(await readFile(`${root}${person}/${file}`), {
      maxPixels: 1e8,
      maxBytes: 1e9,
    });
    const [face] = await pipeline.detector.detect(image);
    if (face !== undefined) chips.push({ person, chip: alignFace(image, face, pipeline.alignment) });
  }
  process.stderr.write(`\r${i + 1}/${people.length} people`);
}
process.stderr.write('\n');

function separation(vectors: Float32Array[]) {
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      const a = vectors[i] ?? new Float32Array();
      const b = vectors[j] ?? new Float32Array();
      let s = 0;
      for (let k = 0; k < a.length; k++) s += (a[k] ?? 0) * (b[k] ?? 0);
      (chips[i]?.person === chips[j]?.person ? same : different).push(s);
    }
  }
  different.sort((a, b) => b - a);
  // AUC: probability that a random same pair scores above a random different pair.
  let wins = 0;
  const sortedDiff = [...different].sort((a, b) => a - b);
  for (const s of same) {
    let lo = 0;
    let hi = sortedDiff.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sortedDiff[mid] ?? 0) < s) lo = mid + 1;
      else hi = mid;
    }
    wins += lo;
  }
  const far001 = different[Math.floor(different.length * 0.001)] ?? 1;
  const tar = same.filter((s) => s > far001).length / same.length;
  const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
  return {
    pairs: `${same.length} same / ${different.length} different`,
    auc: wins / (same.length * different.length),
    tarAtFar0_1pct: tar,
    thresholdAtFar0_1pct: far001,
    meanSame: mean(same),
    meanDifferent: mean(different),
  };
}

const plain = await pipeline.embedder.embed(chips.map((c) => c.chip));
const flipped = await pipeline.embedder.embed(
  chips.map((c) => c.chip),
  { flip: true },
);
console.log(`embedder ${pipeline.embedder.modelId}, ${chips.length} faces from ${people.length} people`);
console.table({
  plain: separation(plain.map((e) => e.vector)),
  flip: separation(flipped.map((e) => e.vector)),
});
