import { defaultModel, type Manifest, ModelSelectionError } from '@frs/models/manifest';
import { testLogger } from '@frs/test-fixtures/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignFace } from '../src/align/index.ts';
import { createDetector, type Detector } from '../src/detect/index.ts';
import { createEmbedder, type Embedder, EmbedInputError } from '../src/embed/index.ts';
import type { FaceChip } from '../src/types.ts';
import { mirrorImage } from './fixtures/images.ts';
import { testManifest, testModelsDir } from './fixtures/models.ts';
import { loadFace } from './fixtures/shared.ts';

const log = testLogger('vision-embed');

const PEOPLE: Record<string, string[]> = {
  Anthony_Hopkins: ['00.jpg', '01.jpg'],
  John_Salley: ['00.jpg', '01.jpg', '02.jpg'],
  John_Savage: ['00.jpg', '01.jpg', '02.jpg'],
  John_Schneider: ['00.jpg', '01.jpg', '02.jpg'],
  kit_harington: ['00.jpeg', '01.jpeg', '02.jpg'],
  deepface_c01_angelina: ['00.jpg', '01.jpg', '02.jpg'],
};

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);

describe('Function: embedder.embed()', () => {
  let manifest: Manifest;
  let detector: Detector;
  let embedder: Embedder;
  const chips: { person: string; chip: FaceChip }[] = [];

  beforeAll(async () => {
    manifest = await testManifest();
    detector = await createDetector({ manifest, modelsDir: testModelsDir() });
    embedder = await createEmbedder({ manifest, modelsDir: testModelsDir() });
    for (const [person, files] of Object.entries(PEOPLE)) {
      for (const file of files) {
        const image = await loadFace(`identities/${person}/${file}`);
        const [face] = await detector.detect(image);
        if (face === undefined) throw new Error(`no face in ${person}/${file}`);
        chips.push({ person, chip: alignFace(image, face, embedder.alignment) });
      }
    }
  });

  it('returns unit vectors of the manifest dimension tagged with the model id', async () => {
    const [e] = await embedder.embed([
      chips[0]?.chip ?? mirrorImage({ width: 0, height: 0, data: new Uint8Array() }),
    ]);
    const entry = manifest.models.find((m) => m.id === embedder.modelId);
    expect(e?.modelId).toBe(embedder.modelId);
    expect(e?.vector.length).toBe(entry?.embedding?.dimension);
    expect(Math.sqrt(dot(e?.vector ?? new Float32Array(), e?.vector ?? new Float32Array()))).toBeCloseTo(
      1,
      5,
    );
  });

  it('returns a higher cosine for the same person than for different people on real photos', async () => {
    const vectors = await embedder.embed(chips.map((c) => c.chip));
    let minSame = 1;
    let maxDifferent = -1;
    for (let i = 0; i < chips.length; i++) {
      for (let j = i + 1; j < chips.length; j++) {
        const s = dot(vectors[i]?.vector ?? new Float32Array(), vectors[j]?.vector ?? new Float32Array());
        if (chips[i]?.person === chips[j]?.person) minSame = Math.min(minSame, s);
        else maxDifferent = Math.max(maxDifferent, s);
      }
    }
    log.info('cosine of same and different people', { lowestSame: minSame, highestDifferent: maxDifferent });
    expect(minSame).toBeGreaterThan(maxDifferent);
  });

  it('returns the same vectors when chips are embedded in one batch or one by one', async () => {
    const batch = await embedder.embed(chips.map((c) => c.chip));
    for (const [i, { chip }] of chips.entries()) {
      const [single] = await embedder.embed([chip]);
      const b = batch[i]?.vector ?? new Float32Array();
      const s = single?.vector ?? new Float32Array();
      expect(Math.max(...b.map((v, k) => Math.abs(v - (s[k] ?? 0))))).toBeLessThan(1e-4);
    }
  });

  it('returns mirror-invariant unit vectors when flip averaging is on', async () => {
    const chip = chips[2]?.chip;
    if (chip === undefined) throw new Error('no chip');
    const [flipped] = await embedder.embed([chip], { flip: true });
    const [ofMirror] = await embedder.embed([mirrorImage(chip)], { flip: true });
    const [plain] = await embedder.embed([chip]);
    const f = flipped?.vector ?? new Float32Array();
    expect(dot(f, f)).toBeCloseTo(1, 5);
    expect(dot(f, ofMirror?.vector ?? new Float32Array())).toBeCloseTo(1, 5);
    expect(dot(f, plain?.vector ?? new Float32Array())).toBeGreaterThan(0.8);
  });

  it('returns an empty list when given no chips', async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  it('throws EmbedInputError when a chip has the wrong size', async () => {
    const wrong = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 3) };
    await expect(embedder.embed([wrong])).rejects.toBeInstanceOf(EmbedInputError);
  });

  it('returns the embedder named by modelId and throws when the id is unknown', async () => {
    // Optional (non-default) models are only built with FRS_MODELS=all, so select a default one by id.
    const entry = defaultModel(manifest, 'embedder');
    const named = await createEmbedder({ manifest, modelsDir: testModelsDir(), modelId: entry.id });
    expect(named.modelId).toBe(entry.id);
    expect(named.dimension).toBe(entry.embedding?.dimension);
    await expect(
      createEmbedder({ manifest, modelsDir: testModelsDir(), modelId: 'no-such-model' }),
    ).rejects.toBeInstanceOf(ModelSelectionError);
  });

  it('returns the raw network output when the manifest says embedding.normalise is false', async () => {
    const entry = defaultModel(manifest, 'embedder');
    const embedding = entry.embedding;
    if (embedding === undefined) throw new Error('the default embedder declares no embedding');
    const raw = await createEmbedder({
      manifest: { ...manifest, models: [{ ...entry, embedding: { ...embedding, normalise: false } }] },
      modelsDir: testModelsDir(),
    });
    const chip = chips[0]?.chip ?? mirrorImage({ width: 0, height: 0, data: new Uint8Array() });
    const [unit] = await embedder.embed([chip]);
    const [plain] = await raw.embed([chip]);
    const norm = Math.sqrt(dot(plain?.vector ?? new Float32Array(), plain?.vector ?? new Float32Array()));
    expect(Math.abs(norm - 1)).toBeGreaterThan(0.01);
    expect(dot(plain?.vector ?? new Float32Array(), unit?.vector ?? new Float32Array()) / norm).toBeCloseTo(
      1,
      5,
    );
  });
});
