import { z } from 'zod';
import { GalleryFormatError, GalleryModelMismatchError } from './errors.ts';
import type { Gallery, GalleryEmbedding, GalleryModel, JsonValue, Person } from './gallery.ts';
import { normaliseVector } from './gallery.ts';

/** Current on-disk format version. Bump it, and keep reading the old one, when the layout changes. */
export const GALLERY_FORMAT_VERSION = 1;

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);

const EmbeddingSchema = z.object({
  /** Base64 of little-endian float32 (compact), or a plain number array. */
  vector: z.union([z.string().base64(), z.array(z.number())]),
  source: z.string().optional(),
  addedAt: z.iso.datetime({ offset: true }).optional(),
});

/** zod schema of a gallery file (`format: 'frs-gallery', version: 1`). */
export const GalleryFileSchema = z.object({
  format: z.literal('frs-gallery'),
  version: z.literal(GALLERY_FORMAT_VERSION),
  model: z.object({ id: z.string().min(1), dimension: z.number().int().positive() }),
  people: z.array(
    z.object({
      name: z.string().min(1),
      metadata: z.record(z.string(), jsonValue).default({}),
      embeddings: z.array(EmbeddingSchema),
    }),
  ),
});

export type GalleryFile = z.infer<typeof GalleryFileSchema>;

/**
 * Encodes float32 values as base64 of their little-endian bytes, whatever the host byte order.
 *
 * @example
 * ```ts
 * encodeVector(new Float32Array([1])); // 'AACAPw=='
 * ```
 */
export function encodeVector(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] ?? 0, true);
  return Buffer.from(bytes).toString('base64');
}

/**
 * Decodes {@link encodeVector}'s output.
 *
 * @example
 * ```ts
 * decodeVector('AACAPw=='); // Float32Array [1]
 * ```
 */
export function decodeVector(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 4 !== 0)
    throw new GalleryFormatError(`vector byte length ${bytes.length} is not a multiple of 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * Serialises a gallery to the versioned JSON format (vectors as base64 float32 LE).
 *
 * @example
 * ```ts
 * await writeFile('gallery.json', serializeGallery(gallery));
 * ```
 */
export function serializeGallery(gallery: Gallery): string {
  const file: GalleryFile = {
    format: 'frs-gallery',
    version: GALLERY_FORMAT_VERSION,
    model: { id: gallery.model.id, dimension: gallery.model.dimension },
    people: gallery.people.map((p) => ({
      name: p.name,
      metadata: p.metadata,
      embeddings: p.embeddings.map((e) => ({
        vector: encodeVector(e.vector),
        ...(e.source === undefined ? {} : { source: e.source }),
        ...(e.addedAt === undefined ? {} : { addedAt: e.addedAt }),
      })),
    })),
  };
  return `${JSON.stringify(file)}\n`;
}

/** What the caller expects the gallery to be built with; any difference is a {@link GalleryModelMismatchError}. */
export interface ExpectedModel {
  id?: string;
  dimension?: number;
}

/**
 * Parses and validates a gallery from bytes or text, e.g. an S3 object body.
 *
 * @throws {@link GalleryFormatError} when the document is not a valid version-1 gallery.
 * @throws {@link GalleryModelMismatchError} when it was built for another model or dimension than `expected`.
 * @example
 * ```ts
 * const gallery = parseGallery(await body.transformToByteArray(), { id: embedder.id, dimension: 192 });
 * ```
 */
export function parseGallery(input: Uint8Array | string, expected: ExpectedModel = {}): Gallery {
  let raw: unknown;
  try {
    raw = JSON.parse(
      typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input),
    );
  } catch (error) {
    // TextDecoder's TypeError (invalid UTF-8) and JSON.parse's SyntaxError alike: the bytes are not a gallery.
    throw new GalleryFormatError('gallery is not valid UTF-8 JSON', { cause: error });
  }
  const parsed = GalleryFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new GalleryFormatError(
      `gallery does not match the frs-gallery v1 schema: ${z.prettifyError(parsed.error)}`,
      {
        cause: parsed.error,
      },
    );
  }
  const file = parsed.data;
  const model: GalleryModel = file.model;
  if (
    (expected.id !== undefined && expected.id !== model.id) ||
    (expected.dimension !== undefined && expected.dimension !== model.dimension)
  ) {
    throw new GalleryModelMismatchError(
      { id: expected.id ?? model.id, dimension: expected.dimension ?? model.dimension },
      model,
    );
  }
  const seen = new Set<string>();
  const people: Person[] = file.people.map((p) => {
    if (seen.has(p.name)) throw new GalleryFormatError(`person '${p.name}' appears twice`);
    seen.add(p.name);
    return {
      name: p.name,
      metadata: p.metadata,
      embeddings: p.embeddings.map((e, i): GalleryEmbedding => {
        const vector = typeof e.vector === 'string' ? decodeVector(e.vector) : e.vector;
        if (vector.length !== model.dimension) {
          throw new GalleryModelMismatchError(
            model,
            { id: model.id, dimension: vector.length },
            {
              cause: new GalleryFormatError(`vector ${i} of '${p.name}' has ${vector.length} values`),
            },
          );
        }
        let unit: Float32Array;
        try {
          unit = normaliseVector(vector, model);
        } catch (error) {
          throw new GalleryFormatError(`vector ${i} of '${p.name}' is invalid`, { cause: error });
        }
        return {
          vector: unit,
          ...(e.source === undefined ? {} : { source: e.source }),
          ...(e.addedAt === undefined ? {} : { addedAt: e.addedAt }),
        };
      }),
    };
  });
  return { model, people };
}
