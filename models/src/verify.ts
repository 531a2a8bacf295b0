import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelsError } from './errors.ts';
import type { ModelEntry } from './manifest.ts';

/** Thrown when bytes do not have the hash the manifest pins: never use a silently different model. */
export class ModelIntegrityError extends ModelsError {
  override readonly code = 'MODEL_INTEGRITY';
  readonly subject: string;
  readonly expected: string;
  readonly actual: string;

  constructor(subject: string, expected: string, actual: string, options?: ErrorOptions) {
    super(`${subject}: expected ${expected}, got ${actual}`, options);
    this.subject = subject;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Thrown when a model file named by the manifest is not there (run `pnpm models`). */
export class ModelFileMissingError extends ModelsError {
  override readonly code = 'MODEL_FILE_MISSING';
}

/**
 * Lowercase hex sha256 of some bytes.
 *
 * @example
 * ```ts
 * sha256Hex(new TextEncoder().encode('abc')); // 'ba7816bf…'
 * ```
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * npm-style SRI string (`sha512-<base64>`) of some bytes, as in a registry's `dist.integrity`.
 *
 * @example
 * ```ts
 * sri512(tarball) === entry.source.integrity;
 * ```
 */
export function sri512(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/**
 * Checks that the built file of a manifest entry exists in `dir` and has the manifest's sha256.
 * Returns its path and bytes so callers can hand the same bytes to onnxruntime.
 *
 * @example
 * ```ts
 * const { path, bytes } = await verifyModelFile(entry, modelsDir());
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export async function verifyModelFile(
  entry: ModelEntry,
  dir: string,
): Promise<{ path: string; bytes: Uint8Array }> {
  const path = join(dir, entry.file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new ModelFileMissingError(
      `model ${entry.id} is not built: ${path} cannot be read (run \`pnpm models\`)`,
      {
        cause: error,
      },
    );
  }
  const actual = sha256Hex(bytes);
  if (actual !== entry.sha256)
    throw new ModelIntegrityError(`sha256 of ${path} (model ${entry.id})`, entry.sha256, actual);
  return { path, bytes };
}
