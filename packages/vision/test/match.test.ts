import { addEmbeddings, createGallery, GalleryModelMismatchError } from '@frs/vision/gallery';
import {
  CALIBRATED_THRESHOLDS,
  createMatcher,
  DEFAULT_TARGET_FAR,
  defaultThreshold,
  galleryFalseAcceptRate,
  UncalibratedModelError,
} from '@frs/vision/match';
import { describe, expect, it } from 'vitest';
import { testManifest } from './fixtures/models.ts';

const MODEL = { id: 'test-embedder', dimension: 4 };

function unit(...values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (v) => v / norm);
}

/** Ada has one vector on axis 0 and one on axis 1; Bob sits between axes 0 and 2. */
function matcherFactory() {
  let gallery = createGallery(MODEL);
  gallery = addEmbeddings(gallery, 'Ada', [{ vector: [1, 0, 0, 0] }, { vector: [0, 1, 0, 0] }]);
  gallery = addEmbeddings(gallery, 'Bob', [{ vector: [1, 0, 1, 0] }]);
  gallery = addEmbeddings(gallery, 'Cy', [{ vector: [0, 0, 0, 1] }]);
  return createMatcher(gallery);
}

describe('Function: createMatcher()', () => {
  it('returns people ranked by their best cosine similarity when aggregation is max', () => {
    const candidates = matcherFactory().search(unit(1, 0, 0, 0), { topK: 3 });
    expect(candidates.map((c) => c.name)).toEqual(['Ada', 'Bob', 'Cy']);
    expect(candidates[0]?.similarity).toBeCloseTo(1, 6);
    expect(candidates[1]?.similarity).toBeCloseTo(Math.SQRT1_2, 6);
    expect(candidates[2]?.similarity).toBeCloseTo(0, 6);
  });

  it('returns people ranked by mean similarity when aggregation is mean', () => {
    const candidates = matcherFactory().search(unit(1, 0, 0, 0), { topK: 2, aggregation: 'mean' });
    expect(candidates.map((c) => c.name)).toEqual(['Bob', 'Ada']);
    expect(candidates[1]?.similarity).toBeCloseTo(0.5, 6);
  });

  it('returns people ranked by similarity to their normalised mean vector when aggregation is centroid', () => {
    const candidates = matcherFactory().search(unit(1, 1, 0, 0), { topK: 3, aggregation: 'centroid' });
    // Ada's centroid is (1, 1, 0, 0)/√2: the query itself, although neither of her vectors is.
    expect(candidates.map((c) => c.name)).toEqual(['Ada', 'Bob', 'Cy']);
    expect(candidates[0]?.similarity).toBeCloseTo(1, 6);
    expect(candidates[1]?.similarity).toBeCloseTo(0.5, 6);
    const single = matcherFactory().search(unit(1, 0, 1, 0), { aggregation: 'centroid' });
    expect(single.find((c) => c.name === 'Bob')?.similarity).toBeCloseTo(1, 6);
  });

  it('returns at most topK candidates', () => {
    expect(matcherFactory().search(unit(1, 1, 1, 1), { topK: 1 })).toHaveLength(1);
    expect(matcherFactory().search(unit(1, 1, 1, 1))).toHaveLength(3);
  });

  it('returns the same ranking for an unnormalised query as for its unit vector', () => {
    const matcher = matcherFactory();
    expect(matcher.search(Float32Array.of(10, 0, 7, 1))).toEqual(matcher.search(unit(10, 0, 7, 1)));
  });

  it('returns known with the best person when the similarity reaches the threshold', () => {
    const result = matcherFactory().match(unit(1, 0.1, 0, 0), { threshold: 0.9 });
    expect(result).toMatchObject({ kind: 'known', name: 'Ada' });
  });

  it('returns unknown with the nearest person when the best similarity is below the threshold', () => {
    const result = matcherFactory().match(unit(1, 1, 1, 1), { threshold: 0.9 });
    expect(result.kind).toBe('unknown');
    expect(result.kind === 'unknown' && result.nearest?.name).toBe('Bob');
  });

  it('returns unknown without a nearest person when the gallery is empty', () => {
    const result = createMatcher(createGallery(MODEL)).match(unit(1, 0, 0, 0), { threshold: -1 });
    expect(result).toEqual({ kind: 'unknown', nearest: undefined, candidates: [] });
  });

  it('throws GalleryModelMismatchError when the query comes from another model or dimension', () => {
    const matcher = matcherFactory();
    expect(() => matcher.search({ modelId: 'other', vector: unit(1, 0, 0, 0) })).toThrow(
      GalleryModelMismatchError,
    );
    expect(() => matcher.search(unit(1, 0, 0))).toThrow(GalleryModelMismatchError);
    expect(matcher.search({ modelId: MODEL.id, vector: unit(1, 0, 0, 0) })[0]?.name).toBe('Ada');
  });

  it('returns the same top candidate as a brute-force cosine scan on a large random gallery', () => {
    let state = 7;
    const rand = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32 - 0.5;
    };
    const dim = 64;
    let gallery = createGallery({ id: 'm', dimension: dim });
    const all: { name: string; v: Float32Array }[] = [];
    for (let p = 0; p < 200; p++) {
      const vectors = Array.from({ length: 3 }, () => Float32Array.from({ length: dim }, rand));
      gallery = addEmbeddings(
        gallery,
        `p${p}`,
        vectors.map((vector) => ({ vector })),
      );
      for (const v of vectors) all.push({ name: `p${p}`, v });
    }
    const matcher = createMatcher(gallery);
    for (let q = 0; q < 20; q++) {
      const query = Float32Array.from({ length: dim }, rand);
      const cos = (a: Float32Array, b: Float32Array) => {
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
        return dot / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
      };
      const best = all.reduce((a, b) => (cos(query, b.v) > cos(query, a.v) ? b : a));
      const [top] = matcher.search(query, { topK: 1 });
      expect(top?.name).toBe(best.name);
      expect(top?.similarity).toBeCloseTo(cos(query, best.v), 5);
    }
  });
});

describe('Function: defaultThreshold()', () => {
  it('returns a threshold in (0, 1) for every embedder the model manifest ships', async () => {
    const embedders = (await testManifest()).models.filter((m) => m.role === 'embedder');
    expect(embedders.length).toBeGreaterThan(0);
    for (const { id } of embedders) {
      expect(defaultThreshold(id), id).toBeGreaterThan(0);
      expect(defaultThreshold(id), id).toBeLessThan(1);
    }
  });

  // Two measurements that must agree: the threshold comes from the development set (K = 1 enrols 27
  // people), the impostor model from 13.8 M lfw-dev scores. At the development set's gallery size the
  // shipped threshold must name at most the target share of strangers under that model.
  it('returns a threshold that names at most 1 % of strangers in a 27-person gallery by the lfw-dev impostor model', () => {
    const modelled = Object.entries(CALIBRATED_THRESHOLDS).filter(([, c]) => c.impostors !== undefined);
    expect(modelled.length).toBeGreaterThan(0);
    for (const [id, { impostors }] of modelled) {
      if (impostors === undefined) continue;
      const far = galleryFalseAcceptRate(impostors, defaultThreshold(id), 27);
      expect(far, id).toBeLessThanOrEqual(DEFAULT_TARGET_FAR);
    }
  });

  it('throws UncalibratedModelError when the model id has no calibration', () => {
    expect(() => defaultThreshold('never-calibrated')).toThrow(UncalibratedModelError);
  });
});
