import type { Embedding, FaceChip, RgbImage } from '@frs/vision';
import type { FaceFinder } from '@frs/vision/pipeline';

export type { FaceChip, RgbImage };

/**
 * The part of `@frs/vision`'s `FaceFinder` that cuts a job's chips: the models' ids, the chip size and
 * `detectAndAlign`. The detector Lambda, `frs recognize` and the tests' fakes all provide this port.
 *
 * @example
 * ```ts
 * const finder: FaceFinderPort = await loadFaceFinder({ modelsDir: undefined, logger });
 * const chips = await finder.detectAndAlign(jpegBytes);
 * ```
 */
export type FaceFinderPort = Pick<FaceFinder, 'models' | 'chipSize' | 'detectAndAlign'>;

/**
 * The embedder as a job's recognition needs it: the model id (checked against the job's), its chip size and
 * `embed`. Narrower than `@frs/vision`'s `Embedder`, so tests can stand in for it.
 *
 * @example
 * ```ts
 * const embedder: EmbedderPort = await loadEmbedder({ modelsDir: undefined, logger });
 * const [embedding] = await embedder.embed([chip]);
 * ```
 */
export interface EmbedderPort {
  modelId: string;
  /** The chip size the model takes; a job cut for another size can never be embedded. */
  chipSize: { width: number; height: number };
  embed(chips: readonly RgbImage[]): Promise<readonly Pick<Embedding, 'vector'>[]>;
}

/**
 * Gallery search with the threshold applied: a name, or `undefined` for an unknown face; `candidates` (the
 * nearest people, best first) only when configured.
 *
 * @example
 * ```ts
 * const { name, similarity } = matcher.match(embedding.vector);
 * ```
 */
export interface FaceMatcher {
  match(vector: Float32Array): {
    name: string | undefined;
    similarity: number;
    /** The nearest people, best first; only when the matcher was asked for them. */
    candidates?: { name: string; similarity: number }[];
  };
}
