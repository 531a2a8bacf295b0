import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Gallery, parseGallery } from '@frs/vision/gallery';
import { createMatcher } from '@frs/vision/match';
import type { FaceMatcher } from './app.ts';
import { RecognizerConfigError } from './errors.ts';

/**
 * Reads the gallery named by `FRS_GALLERY`: a path, a `file://` URL or an `https://` URL (for example a
 * presigned S3 URL). Called once per container.
 *
 * @throws {RecognizerConfigError} when it cannot be read, is not a gallery, or belongs to another embedder.
 * @example
 * ```ts
 * const gallery = await loadGalleryFrom('https://bucket.s3.amazonaws.com/gallery.json?X-Amz-…', {
 *   id: 'mobilefacenet-sirius-192d',
 * });
 * ```
 */
export async function loadGalleryFrom(
  location: string,
  expected: { id: string },
  fetchImpl: typeof fetch = fetch,
): Promise<Gallery> {
  let bytes: Uint8Array;
  try {
    if (/^https?:\/\//i.test(location)) {
      const response = await fetchImpl(location);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } else {
      bytes = await readFile(location.startsWith('file:') ? fileURLToPath(location) : location);
    }
  } catch (error) {
    throw new RecognizerConfigError(`FRS_GALLERY: cannot read gallery from ${redact(location)}`, {
      cause: error,
    });
  }
  try {
    return parseGallery(bytes, expected);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RecognizerConfigError(`FRS_GALLERY: ${redact(location)} is not usable: ${reason}`, {
      cause: error,
    });
  }
}

// Presigned URLs carry credentials in the query string; keep them out of logs and errors.
function redact(location: string): string {
  return location.replace(/\?.*$/, '?…');
}

/**
 * Wraps a gallery and a cosine threshold into the recognizer's matcher.
 *
 * @example
 * ```ts
 * const matcher = galleryMatcher(gallery, 0.55);
 * matcher.match(vector); // { name: 'Ada', similarity: 0.71 } or { name: undefined, similarity: 0.2 }
 * ```
 */
export function galleryMatcher(gallery: Gallery, threshold: number): FaceMatcher {
  const matcher = createMatcher(gallery);
  return {
    match(vector) {
      const result = matcher.match(vector, { threshold, topK: 1 });
      if (result.kind === 'known') return { name: result.name, similarity: result.similarity };
      return { name: undefined, similarity: result.nearest?.similarity ?? -1 };
    },
  };
}
