import { GalleryModelMismatchError } from '../gallery/errors.ts';
import type { Gallery, GalleryModel } from '../gallery/gallery.ts';
import type { Embedding } from '../types.ts';

/**
 * How a person's several vectors combine into one score: the best one (`max`), the mean of their similarities
 * (`mean`), or the similarity to their normalised mean vector (`centroid`). With one vector each they agree.
 * `centroid` names known people at a lower false-accept rate than `max` once galleries grow (see
 * calibration.md, "Gallery scale"): one odd enrolment photo cannot carry a stranger past the threshold alone.
 */
export type Aggregation = 'max' | 'mean' | 'centroid';

/** One person's score for a query. */
export interface Candidate {
  name: string;
  /** Cosine similarity in [-1, 1] after aggregation. */
  similarity: number;
}

/** Options for {@link Matcher.search}. */
export interface SearchOptions {
  /** How many people to return, best first. Default 5. */
  topK?: number;
  /** Default `'max'`. */
  aggregation?: Aggregation;
}

/** Options for {@link Matcher.match}. */
export interface MatchOptions extends SearchOptions {
  /** Cosine similarity at or above which the best person is accepted; below it the answer is `unknown`. */
  threshold: number;
}

/** The answer for one face: a named person, or `unknown` with the nearest person for context. */
export type MatchResult =
  | { kind: 'known'; name: string; similarity: number; candidates: Candidate[] }
  | { kind: 'unknown'; nearest: Candidate | undefined; candidates: Candidate[] };

/** A search index over one gallery. */
export interface Matcher {
  readonly model: GalleryModel;
  /** Number of people. */
  readonly size: number;
  /** Aggregated cosine similarity per person, best first, at most `topK` entries. */
  search(query: Embedding | Float32Array, options?: SearchOptions): Candidate[];
  /** Search plus threshold: the best person if their similarity reaches `threshold`, else `unknown`. */
  match(query: Embedding | Float32Array, options: MatchOptions): MatchResult;
}

function unitQuery(query: Embedding | Float32Array, model: GalleryModel): Float32Array {
  const vector = query instanceof Float32Array ? query : query.vector;
  if (!(query instanceof Float32Array) && query.modelId !== model.id) {
    throw new GalleryModelMismatchError(model, { id: query.modelId, dimension: vector.length });
  }
  if (vector.length !== model.dimension) {
    throw new GalleryModelMismatchError(model, { id: model.id, dimension: vector.length });
  }
  let sum = 0;
  for (const v of vector) sum += v * v;
  if (!(sum > 0) || !Number.isFinite(sum)) throw new RangeError('query embedding is zero or not finite');
  const scale = 1 / Math.sqrt(sum);
  return Float32Array.from(vector, (v) => v * scale);
}

/**
 * Builds a cosine search index over a gallery: one packed, row-normalised Float32Array matrix and a row→person
 * table, so a search is a single dot-product pass over contiguous memory.
 *
 * @example
 * ```ts
 * const matcher = createMatcher(gallery);
 * const result = matcher.match(embedding, { threshold: defaultThreshold(embedding.modelId) });
 * if (result.kind === 'known') console.log(result.name, result.similarity.toFixed(3));
 * ```
 */
export function createMatcher(gallery: Gallery): Matcher {
  const { model } = gallery;
  const dim = model.dimension;
  const rows = gallery.people.reduce((n, p) => n + p.embeddings.length, 0);
  const matrix = new Float32Array(rows * dim);
  const rowPerson = new Int32Array(rows);
  const rowsPerPerson = new Int32Array(gallery.people.length);
  // |Σ unit vectors| per person: the similarity to the normalised centroid is Σ(v·q) / |Σv|.
  const centroidNorm = new Float64Array(gallery.people.length);
  const names = gallery.people.map((p) => p.name);
  let row = 0;
  gallery.people.forEach((person, p) => {
    rowsPerPerson[p] = person.embeddings.length;
    const first = row;
    for (const e of person.embeddings) {
      if (e.vector.length !== dim) {
        throw new GalleryModelMismatchError(model, { id: model.id, dimension: e.vector.length });
      }
      let sum = 0;
      for (const v of e.vector) sum += v * v;
      const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
      const base = row * dim;
      for (let i = 0; i < dim; i++) matrix[base + i] = (e.vector[i] ?? 0) * scale;
      rowPerson[row] = p;
      row++;
    }
    const sum = new Float64Array(dim);
    for (let r = first; r < row; r++) {
      for (let i = 0; i < dim; i++) sum[i] = (sum[i] ?? 0) + (matrix[r * dim + i] ?? 0);
    }
    let norm = 0;
    for (const v of sum) norm += v * v;
    centroidNorm[p] = Math.sqrt(norm);
  });

  const search = (query: Embedding | Float32Array, options: SearchOptions = {}): Candidate[] => {
    const q = unitQuery(query, model);
    const aggregation = options.aggregation ?? 'max';
    const topK = options.topK ?? 5;
    const scores = new Float64Array(names.length).fill(aggregation === 'max' ? Number.NEGATIVE_INFINITY : 0);
    for (let r = 0; r < rows; r++) {
      const base = r * dim;
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += (matrix[base + i] ?? 0) * (q[i] ?? 0);
      const p = rowPerson[r] ?? 0;
      if (aggregation === 'max') {
        if (dot > (scores[p] ?? Number.NEGATIVE_INFINITY)) scores[p] = dot;
      } else {
        scores[p] = (scores[p] ?? 0) + dot;
      }
    }
    // Keep only the best topK while scanning: a full sort of every person would dominate large galleries.
    const k = Math.max(0, Math.min(topK, names.length));
    const best: Candidate[] = [];
    for (let p = 0; p < names.length; p++) {
      const count = rowsPerPerson[p] ?? 0;
      if (count === 0) continue;
      const total = scores[p] ?? 0;
      const similarity =
        aggregation === 'max'
          ? total
          : aggregation === 'mean'
            ? total / count
            : (centroidNorm[p] ?? 0) > 0
              ? total / (centroidNorm[p] ?? 1)
              : 0;
      if (
        best.length === k &&
        (k === 0 || similarity <= (best[k - 1]?.similarity ?? Number.POSITIVE_INFINITY))
      ) {
        continue;
      }
      let at = best.length;
      while (at > 0 && (best[at - 1]?.similarity ?? 0) < similarity) at--;
      best.splice(at, 0, { name: names[p] ?? '', similarity });
      if (best.length > k) best.pop();
    }
    return best;
  };

  const match = (query: Embedding | Float32Array, options: MatchOptions): MatchResult => {
    const candidates = search(query, { ...options, topK: Math.max(1, options.topK ?? 5) });
    const best = candidates[0];
    if (best !== undefined && best.similarity >= options.threshold) {
      return { kind: 'known', name: best.name, similarity: best.similarity, candidates };
    }
    return { kind: 'unknown', nearest: best, candidates };
  };

  return { model, size: names.length, search, match };
}
