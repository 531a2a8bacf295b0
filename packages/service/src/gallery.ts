import type { S3Client } from '@aws-sdk/client-s3';
import type { JsonLogger } from '@frs/runtime/logger';
import { createGallery, type Gallery, vectorCount } from '@frs/vision/gallery';
import { createMatcher } from '@frs/vision/match';
import { fetchGallery } from '@frs/vision/store';
import { GalleryUnusableError } from './errors.ts';
import type { FaceMatcher } from './types.ts';

// Presigned URLs carry credentials in the query string; keep them out of logs and errors.
function redact(location: string): string {
  return location.replace(/\?.*$/, '?…');
}

// The one message for a gallery that cannot serve, whether at a one-off load or a live matcher's first read.
function unusable(location: string, error: unknown): GalleryUnusableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new GalleryUnusableError(`FRS_GALLERY: ${redact(location)} is not usable: ${reason}`, {
    cause: error,
  });
}

/**
 * Reads the gallery named by `FRS_GALLERY` once: `s3://bucket/key`, a path, a `file://` URL or an
 * `https://` URL (for example a presigned S3 URL), with a 30 s limit and a 256 MiB cap.
 *
 * @throws {GalleryUnusableError} when it cannot be read, is not a gallery, or belongs to another embedder.
 * @example
 * ```ts
 * const gallery = await loadGalleryFrom('s3://frs-gallery/gallery/snapshot.json', { id: 'mobilefacenet-sirius-192d' },
 *   { s3: new S3Client({}) });
 * ```
 */
export async function loadGalleryFrom(
  location: string,
  expected: { id: string },
  clients: { s3?: S3Client; fetch?: typeof fetch } = {},
): Promise<Gallery> {
  try {
    const fetched = await fetchGallery(location, { expected, ...clients });
    if (fetched.kind !== 'gallery') throw new Error('it does not exist');
    return fetched.gallery;
  } catch (error) {
    throw unusable(location, error);
  }
}

/**
 * A fixed cosine threshold, or a rule that derives it from the number of people in the gallery (applied each
 * time a gallery is loaded), such as `(people) => galleryThreshold(modelId, people)`.
 */
export type ThresholdSetting = number | ((people: number) => number);

/**
 * The threshold a setting gives for a gallery.
 *
 * @example
 * ```ts
 * effectiveThreshold((people) => galleryThreshold(modelId, people), gallery); // 0.585 for 459 people
 * ```
 */
export function effectiveThreshold(setting: ThresholdSetting, gallery: Gallery): number {
  return typeof setting === 'number' ? setting : setting(gallery.people.length);
}

// Rounding can carry a centroid similarity a hair past ±1; the result schema bounds it.
const cosine = (x: number) => Math.min(1, Math.max(-1, x));

/**
 * Wraps a gallery and a cosine threshold (or a gallery-size rule) into the recognizer's matcher. A person's
 * vectors are scored by their centroid (`aggregation: 'centroid'`), the rule the calibration measured at
 * gallery scale (packages/vision/src/match/calibration.md). With `candidates` > 0 each answer also lists that
 * many nearest people, best first, named or not.
 *
 * @example
 * ```ts
 * const matcher = galleryMatcher(gallery, (people) => galleryThreshold(gallery.model.id, people));
 * matcher.match(vector); // { name: 'Ada', similarity: 0.71 } or { name: undefined, similarity: 0.2 }
 * galleryMatcher(gallery, 0.52, { candidates: 3 }).match(vector).candidates; // [{ name: 'Ada', similarity: 0.71 }, …]
 * ```
 */
export function galleryMatcher(
  gallery: Gallery,
  threshold: ThresholdSetting,
  options: { candidates?: number } = {},
): FaceMatcher {
  const matcher = createMatcher(gallery);
  const cut = effectiveThreshold(threshold, gallery);
  const k = options.candidates ?? 0;
  return {
    match(vector) {
      const result = matcher.match(vector, { threshold: cut, topK: Math.max(1, k), aggregation: 'centroid' });
      const listed =
        k > 0
          ? { candidates: result.candidates.map((c) => ({ name: c.name, similarity: cosine(c.similarity) })) }
          : {};
      if (result.kind === 'known') {
        return { name: result.name, similarity: cosine(result.similarity), ...listed };
      }
      return { name: undefined, similarity: cosine(result.nearest?.similarity ?? -1), ...listed };
    },
  };
}

/** Options of {@link createLiveMatcher}. */
export interface LiveMatcherOptions {
  location: string;
  expected: { id: string; dimension: number };
  threshold: ThresholdSetting;
  /** Nearest people listed with each answer (`FRS_RESULT_CANDIDATES`); default 0, none. */
  candidates?: number;
  /** Seconds between conditional reads of the gallery; 0 checks before every job. */
  refreshSeconds: number;
  logger: JsonLogger;
  s3?: S3Client;
  fetch?: typeof fetch;
  /** Milliseconds clock (tests move it). */
  clock?: () => number;
}

/**
 * A matcher that follows the gallery as it changes: the first call reads it (and fails loudly, so a cold
 * start with no usable gallery fails its records); later calls make a conditional read (ETag) when
 * `refreshSeconds` have passed, which costs one 304 when nothing changed. A failed refresh logs a warning and
 * keeps the last good gallery: records never fail because a refresh did.
 *
 * @example
 * ```ts
 * const live = createLiveMatcher({ location: 's3://frs-gallery/gallery/snapshot.json', expected: { id },
 *   threshold: 0.52, refreshSeconds: 10, logger, s3 });
 * const matcher = await live(); // call before each job
 * ```
 */
export function createLiveMatcher(options: LiveMatcherOptions): () => Promise<FaceMatcher> {
  const clock = options.clock ?? (() => performance.now());
  const { logger, location, expected, threshold } = options;
  let current: { matcher: FaceMatcher; etag: string | undefined; checkedAt: number } | undefined;
  let pending: Promise<FaceMatcher> | undefined;

  const install = (gallery: Gallery, etag: string | undefined, ms: number, event: string) => {
    current = {
      matcher: galleryMatcher(gallery, threshold, { candidates: options.candidates ?? 0 }),
      etag,
      checkedAt: clock(),
    };
    logger.info(event, {
      people: gallery.people.length,
      vectors: vectorCount(gallery),
      threshold: effectiveThreshold(threshold, gallery),
      ms: Math.round(ms),
    });
    return current.matcher;
  };

  // A managed gallery nobody has enrolled into yet: every face is unknown until the first enrolment.
  const installEmpty = (ms: number) => {
    logger.warn('no gallery yet; every face is unknown until someone is enrolled', {
      location: redact(location),
    });
    return install(createGallery(expected), undefined, ms, 'gallery loaded');
  };

  const first = async (): Promise<FaceMatcher> => {
    const started = clock();
    try {
      const fetched = await fetchGallery(location, { expected, ...clientsOf(options) });
      if (fetched.kind === 'not-modified') throw new Error('unexpected not-modified answer');
      if (fetched.kind === 'missing') return installEmpty(clock() - started);
      return install(fetched.gallery, fetched.etag, clock() - started, 'gallery loaded');
    } catch (error) {
      throw unusable(location, error);
    }
  };

  const refresh = async (held: NonNullable<typeof current>): Promise<FaceMatcher> => {
    const started = clock();
    try {
      const fetched = await fetchGallery(location, { expected, etag: held.etag, ...clientsOf(options) });
      if (fetched.kind === 'missing') {
        if (held.etag !== undefined) throw new Error('the gallery object has disappeared');
        held.checkedAt = clock();
        return held.matcher;
      }
      if (fetched.kind === 'not-modified') {
        held.checkedAt = clock();
        logger.debug('gallery unchanged', { ms: Math.round(clock() - started) });
        return held.matcher;
      }
      return install(fetched.gallery, fetched.etag, clock() - started, 'gallery reloaded');
    } catch (error) {
      // Wait a full interval before the next try, so a broken store is not hammered once per job.
      held.checkedAt = clock();
      logger.warn('gallery refresh failed; keeping the last good gallery', {
        location: redact(location),
        error,
      });
      return held.matcher;
    }
  };

  return () => {
    const held = current;
    if (held !== undefined && clock() - held.checkedAt < options.refreshSeconds * 1000) {
      return Promise.resolve(held.matcher);
    }
    // One read in flight at a time, however many jobs ask.
    pending ??= (held === undefined ? first() : refresh(held)).finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

function clientsOf(options: LiveMatcherOptions): { s3?: S3Client; fetch?: typeof fetch } {
  return {
    ...(options.s3 === undefined ? {} : { s3: options.s3 }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
}
