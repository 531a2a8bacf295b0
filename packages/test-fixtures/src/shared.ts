// The one place that knows where the development set is: `../shared` next to the repository, or
// FRS_SHARED_DIR (CI mounts it elsewhere). Tests read it; the product never does.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/**
 * Root of the shared test data, with a trailing `/`.
 *
 * @example
 * ```ts
 * const golden = join(SHARED_DIR, 'golden', 'mtcnn_reference.jsonl');
 * ```
 */
export const SHARED_DIR: string = withSlash(
  process.env.FRS_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared/', import.meta.url)),
);

/**
 * A path below the shared test data.
 *
 * @example
 * ```ts
 * sharedPath('galleries', 'resnetV1_video_weights.pt');
 * ```
 */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

/**
 * A path below `shared/faces/`.
 *
 * @example
 * ```ts
 * facePath('identities/John_Salley/00.jpg');
 * ```
 */
export function facePath(relative: string): string {
  return join(SHARED_DIR, 'faces', relative);
}

/** `shared/faces/identities`: 142 photos of 32 people, `<Person>/NN.jpg|png`. */
export const IDENTITIES_DIR: string = facePath('identities');

/** `shared/faces/lfw-dev`: 5,145 photos of 1,847 people (gallery-scale tests). */
export const LFW_DEV_DIR: string = facePath('lfw-dev');

/**
 * The photos of one development-set identity, sorted.
 *
 * @example
 * ```ts
 * const [first] = await photosOf('John_Salley'); // …/identities/John_Salley/00.jpg
 * ```
 */
export async function photosOf(person: string): Promise<string[]> {
  const dir = join(IDENTITIES_DIR, person);
  return (await readdir(dir)).sort().map((f) => join(dir, f));
}
