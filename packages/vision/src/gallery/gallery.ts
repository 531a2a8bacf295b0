import { GalleryModelMismatchError, PersonNotFoundError } from './errors.ts';

/**
 * Names no person may have: a result says `unknown` for a stranger and `no_face` for an empty frame, so a
 * person enrolled under either would be indistinguishable from them.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['unknown', 'no_face']);

/** JSON-compatible metadata stored with a person. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The embedding model a gallery was built with; vectors from any other model are not comparable. */
export interface GalleryModel {
  id: string;
  dimension: number;
}

/** One enrolled vector. */
export interface GalleryEmbedding {
  /** L2-normalised on insertion. */
  vector: Float32Array;
  /** Where the vector came from, e.g. an image path. */
  source?: string;
  /** ISO-8601 time the vector was added. */
  addedAt?: string;
}

/** One enrolled person. */
export interface Person {
  name: string;
  metadata: Record<string, JsonValue>;
  embeddings: GalleryEmbedding[];
}

/** People with their embeddings for one embedding model. Treat as immutable: operations return new galleries. */
export interface Gallery {
  model: GalleryModel;
  people: readonly Person[];
}

/** A vector to enrol, with optional provenance. */
export interface NewEmbedding {
  vector: Float32Array | readonly number[];
  source?: string;
  addedAt?: string;
}

/**
 * Creates an empty gallery for one embedding model.
 *
 * @example
 * ```ts
 * const gallery = createGallery({ id: 'mobilefacenet-sirius-192d', dimension: 192 });
 * ```
 */
export function createGallery(model: GalleryModel): Gallery {
  if (!Number.isInteger(model.dimension) || model.dimension <= 0) {
    throw new RangeError(`gallery dimension must be a positive integer, got ${model.dimension}`);
  }
  return { model: { id: model.id, dimension: model.dimension }, people: [] };
}

/**
 * Copies a vector into a fresh, L2-normalised Float32Array after checking its dimension and values.
 *
 * @example
 * ```ts
 * const unit = normaliseVector([3, 4], { id: 'm', dimension: 2 }); // Float32Array [0.6, 0.8]
 * ```
 */
export function normaliseVector(vector: Float32Array | readonly number[], model: GalleryModel): Float32Array {
  if (vector.length !== model.dimension) {
    throw new GalleryModelMismatchError(model, { id: model.id, dimension: vector.length });
  }
  const out = Float32Array.from(vector);
  let sum = 0;
  for (const v of out) {
    if (!Number.isFinite(v)) throw new RangeError('embedding contains a non-finite value');
    sum += v * v;
  }
  if (sum === 0) throw new RangeError('embedding is the zero vector');
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) * scale;
  return out;
}

function checkModel(gallery: Gallery, modelId: string | undefined): void {
  if (modelId !== undefined && modelId !== gallery.model.id) {
    throw new GalleryModelMismatchError(gallery.model, { id: modelId, dimension: gallery.model.dimension });
  }
}

/**
 * Adds vectors to a person, enrolling the person first when the name is new. Metadata given here is merged
 * over the person's existing metadata.
 *
 * @param options.modelId - id of the model that produced the vectors; a different id than the gallery's
 *   throws {@link GalleryModelMismatchError}.
 * @example
 * ```ts
 * const next = addEmbeddings(gallery, 'Ada', [{ vector: embedding.vector, source: 'ada/01.jpg' }], {
 *   modelId: embedding.modelId,
 *   metadata: { team: 'math' },
 * });
 * ```
 */
export function addEmbeddings(
  gallery: Gallery,
  name: string,
  embeddings: readonly NewEmbedding[],
  options: { modelId?: string; metadata?: Record<string, JsonValue>; now?: () => Date } = {},
): Gallery {
  if (name.length === 0) throw new RangeError('person name must not be empty');
  if (RESERVED_NAMES.has(name.toLowerCase())) {
    throw new RangeError(`'${name}' is reserved: results use it for a stranger or an empty frame`);
  }
  checkModel(gallery, options.modelId);
  const addedAt = (options.now ?? (() => new Date()))().toISOString();
  const fresh: GalleryEmbedding[] = embeddings.map((e) => ({
    vector: normaliseVector(e.vector, gallery.model),
    ...(e.source === undefined ? {} : { source: e.source }),
    addedAt: e.addedAt ?? addedAt,
  }));
  const index = gallery.people.findIndex((p) => p.name === name);
  const existing = gallery.people[index];
  const person: Person = existing
    ? {
        name,
        metadata: { ...existing.metadata, ...options.metadata },
        embeddings: [...existing.embeddings, ...fresh],
      }
    : { name, metadata: { ...options.metadata }, embeddings: fresh };
  const people = [...gallery.people];
  if (index >= 0) people[index] = person;
  else people.push(person);
  return { model: gallery.model, people };
}

/**
 * Removes a person and all their vectors.
 *
 * @throws {@link PersonNotFoundError} when no person has that name.
 * @example
 * ```ts
 * const next = removePerson(gallery, 'Ada');
 * ```
 */
export function removePerson(gallery: Gallery, name: string): Gallery {
  const people = gallery.people.filter((p) => p.name !== name);
  if (people.length === gallery.people.length) throw new PersonNotFoundError(`no person named '${name}'`);
  return { model: gallery.model, people };
}

/**
 * Total number of vectors over all people.
 *
 * @example
 * ```ts
 * vectorCount(gallery); // 79
 * ```
 */
export function vectorCount(gallery: Gallery): number {
  return gallery.people.reduce((n, p) => n + p.embeddings.length, 0);
}
