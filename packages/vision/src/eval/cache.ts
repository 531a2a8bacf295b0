import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { VisionError } from '../errors.ts';
import type { AnalyzedImage } from './evaluate.ts';

/** What an embedding cache file belongs to: a model, the pipeline settings and the exact photos. */
export interface EmbeddingCacheKey {
  modelId: string;
  dimension: number;
  /** Pipeline settings that change the vectors, e.g. `border=zero,flip=0,minFace=20`. */
  settings: string;
  /** {@link datasetHash} of the photos. */
  datasetHash: string;
}

// JSON has no NaN: an unmeasurable pitch is stored as null.
const QualitySchema = z.object({
  eyeDistance: z.number(),
  sharpness: z.number(),
  yaw: z.number(),
  pitch: z.number().nullable(),
});

const FaceSchema = z.object({
  area: z.number().nonnegative(),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  vector: z.string(),
  quality: QualitySchema.optional(),
});

const CacheFileSchema = z.object({
  version: z.literal(1),
  modelId: z.string(),
  dimension: z.number().int().positive(),
  settings: z.string(),
  datasetHash: z.string(),
  images: z.record(
    z.string(),
    z.object({
      faces: z.array(FaceSchema),
      width: z.number().optional(),
      height: z.number().optional(),
      error: z.string().optional(),
    }),
  ),
});

/** Raised when a cache file exists but is not a cache of this key (corrupt, other model, other data). */
export class EmbeddingCacheError extends VisionError {
  override readonly code = 'EMBEDDING_CACHE';
}

/**
 * A content hash of a photo set: sha256 over every photo's path relative to `root` and its bytes, in the order
 * given. Editing, adding or removing one photo changes it; moving the whole folder does not.
 *
 * @example
 * ```ts
 * const hash = await datasetHash(root, photos.map((p) => p.path)); // 'a3f1…' (64 hex digits)
 * ```
 */
export async function datasetHash(root: string, paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const path of paths) {
    const bytes = await readFile(path);
    hash.update(`${relative(root, path)}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/**
 * Where the cache for a key lives: `<dir>/<model>-<settings>-<hash prefix>.json`, with `dir` defaulting to
 * `FRS_EVAL_CACHE` or `<tmpdir>/frs-eval-cache`.
 *
 * @example
 * ```ts
 * embeddingCachePath(key); // '/tmp/frs-eval-cache/mobilefacenet-sirius-192d-border=zero,flip=0,minFace=20-a3f1….json'
 * ```
 */
export function embeddingCachePath(key: EmbeddingCacheKey, dir?: string): string {
  const base = dir ?? process.env.FRS_EVAL_CACHE ?? join(tmpdir(), 'frs-eval-cache');
  const slug = `${key.modelId}-${key.settings}-${key.datasetHash.slice(0, 16)}`.replace(/[^\w.,=-]/g, '_');
  return join(base, `${slug}.json`);
}

function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

function decodeVector(text: string, dimension: number): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== dimension * 4) {
    throw new EmbeddingCacheError(`cached vector has ${bytes.length / 4} values, expected ${dimension}`);
  }
  // Copy into a fresh, aligned buffer: Buffer.from may hand back a slice of a shared pool.
  const out = new Float32Array(dimension);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * Reads a cache written by {@link saveEmbeddingCache}, keyed by paths relative to `root`. A missing file is an
 * empty cache; a file of another model, settings or dataset is ignored (empty), so a stale cache never
 * leaks into a run.
 *
 * @throws {@link EmbeddingCacheError} when the file exists but cannot be parsed.
 * @example
 * ```ts
 * const cache = await loadEmbeddingCache(file, key, root);
 * ```
 */
export async function loadEmbeddingCache(
  file: string,
  key: EmbeddingCacheKey,
  root: string,
): Promise<Map<string, AnalyzedImage>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return new Map();
  }
  let parsed: z.infer<typeof CacheFileSchema>;
  try {
    parsed = CacheFileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new EmbeddingCacheError(`${file} is not an embedding cache; delete it`, { cause: error });
  }
  const out = new Map<string, AnalyzedImage>();
  if (
    parsed.modelId !== key.modelId ||
    parsed.dimension !== key.dimension ||
    parsed.settings !== key.settings ||
    parsed.datasetHash !== key.datasetHash
  ) {
    return out;
  }
  for (const [path, image] of Object.entries(parsed.images)) {
    out.set(join(root, path), {
      faces: image.faces.map((f) => ({
        area: f.area,
        ...(f.box === undefined ? {} : { box: f.box }),
        embedding: { modelId: key.modelId, vector: decodeVector(f.vector, key.dimension) },
        ...(f.quality === undefined
          ? {}
          : { quality: { ...f.quality, pitch: f.quality.pitch ?? Number.NaN } }),
      })),
      ...(image.width === undefined ? {} : { width: image.width }),
      ...(image.height === undefined ? {} : { height: image.height }),
      ...(image.error === undefined ? {} : { error: image.error }),
    });
  }
  return out;
}

/**
 * Writes analysed images to a cache file atomically (temporary file, then rename), paths relative to `root`.
 *
 * @example
 * ```ts
 * await saveEmbeddingCache(embeddingCachePath(key), key, root, images);
 * ```
 */
export async function saveEmbeddingCache(
  file: string,
  key: EmbeddingCacheKey,
  root: string,
  images: ReadonlyMap<string, AnalyzedImage>,
): Promise<void> {
  const entries: z.infer<typeof CacheFileSchema>['images'] = {};
  for (const [path, image] of images) {
    entries[relative(root, path)] = {
      faces: image.faces.map((f) => ({
        area: f.area,
        ...(f.box === undefined ? {} : { box: [...f.box] }),
        vector: encodeVector(f.embedding.vector),
        ...(f.quality === undefined
          ? {}
          : {
              quality: {
                ...f.quality,
                pitch: Number.isFinite(f.quality.pitch) ? f.quality.pitch : null,
              },
            }),
      })),
      ...(image.width === undefined ? {} : { width: image.width }),
      ...(image.height === undefined ? {} : { height: image.height }),
      ...(image.error === undefined ? {} : { error: image.error }),
    };
  }
  const body: z.infer<typeof CacheFileSchema> = { version: 1, ...key, images: entries };
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(body));
  await rename(temporary, file);
}

/**
 * The settings part of an {@link EmbeddingCacheKey}: everything besides the model that changes the vectors.
 *
 * @example
 * ```ts
 * pipelineSettings({ border: 'zero', flip: false, minFaceSize: 20 }); // 'border=zero,flip=0,minFace=20'
 * ```
 */
export function pipelineSettings(settings: { border: string; flip: boolean; minFaceSize: number }): string {
  return `border=${settings.border},flip=${settings.flip ? 1 : 0},minFace=${settings.minFaceSize}`;
}
