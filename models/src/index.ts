export { ModelsError } from './errors.ts';
export {
  type Alignment,
  AlignmentSchema,
  defaultManifestPath,
  defaultModel,
  loadManifest,
  type Manifest,
  ManifestSchema,
  type ModelEntry,
  ModelEntrySchema,
  type ModelRole,
  ModelRoleSchema,
  ModelSelectionError,
  type ModelSource,
  ModelSourceSchema,
  modelsDir,
  type Preprocessing,
  PreprocessingSchema,
  type TensorSpec,
  TensorSpecSchema,
} from './manifest.ts';
export { ModelFileMissingError, ModelIntegrityError, sha256Hex, sri512, verifyModelFile } from './verify.ts';
