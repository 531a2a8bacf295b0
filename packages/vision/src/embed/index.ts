import { type Alignment, defaultModel, type Manifest, type ModelEntry } from '@frs/models/manifest';
import { VisionError } from '../errors.ts';
import { type LoadModelOptions, loadModel, ModelSignatureError, type OnnxModel } from '../onnx/index.ts';
import { type TensorLayout, tensorLayout } from '../onnx/layout.ts';
import type { Embedding, Logger, RgbImage } from '../types.ts';

/** Options for {@link Embedder.embed}. */
export interface EmbedOptions {
  /** Also embed each chip's mirror image and use the normalised sum of both vectors. Default false. */
  flip?: boolean;
}

/** Raised when a chip does not have the embedder's input size. */
export class EmbedInputError extends VisionError {
  override readonly code = 'EMBED_INPUT';
}

/** A face embedder bound to one manifest entry. */
export interface Embedder {
  readonly modelId: string;
  readonly dimension: number;
  /** How chips for this model must be cut from a detection (pass to `alignFace`). */
  readonly alignment: Alignment;
  /** Input size `[width, height]` every chip must have. */
  readonly inputSize: readonly [number, number];
  /** L2-normalised embeddings, one per chip, in order. Chips are run in batches. */
  embed(chips: readonly RgbImage[], options?: EmbedOptions): Promise<Embedding[]>;
}

/** Options for {@link createEmbedder}. */
export interface CreateEmbedderOptions extends Omit<LoadModelOptions, 'logger'> {
  manifest: Manifest;
  modelsDir: string;
  /** Manifest id of the embedder; default: the manifest's default embedder (`defaultModel`). */
  modelId?: string;
  logger?: Logger;
  /** Largest batch per onnxruntime call. Default 16. */
  maxBatch?: number;
}

/** What an embedder needs from its manifest entry, known before (and without) loading its session. */
export interface EmbedderSpec {
  entry: ModelEntry;
  modelId: string;
  dimension: number;
  alignment: Alignment;
  inputSize: readonly [number, number];
  /** Whether the raw output is L2-normalised here (the manifest's `embedding.normalise`). */
  normalise: boolean;
}

/**
 * Reads an embedder's chip geometry and dimension from the manifest without loading the model, so a
 * process that only cuts chips (the detector Lambda) never pays for the embedder's session.
 *
 * @example
 * ```ts
 * const { alignment, inputSize } = embedderSpec(await loadManifest());
 * const chip = alignFace(image, detection, alignment); // inputSize[0] × inputSize[1]
 * ```
 */
export function embedderSpec(manifest: Manifest, modelId?: string): EmbedderSpec {
  return specOf(defaultModel(manifest, 'embedder', modelId));
}

function specOf(entry: ModelEntry): EmbedderSpec {
  const prep = entry.preprocessing;
  if (prep.size === null || prep.alignment === null) {
    throw new ModelSignatureError(
      `embedder ${entry.id} needs a fixed input size and an alignment in the manifest`,
    );
  }
  const dimension = entry.embedding?.dimension ?? entry.outputs[0]?.shape[1];
  if (typeof dimension !== 'number') {
    throw new ModelSignatureError(`embedder ${entry.id} declares no embedding dimension`);
  }
  const normalise = entry.embedding?.normalise ?? true;
  return { entry, modelId: entry.id, dimension, alignment: prep.alignment, inputSize: prep.size, normalise };
}

/** Writes a chip (optionally mirrored) into one sample of the input tensor. */
function writeChip(
  chip: RgbImage,
  layout: TensorLayout,
  out: Float32Array,
  offset: number,
  mirror: boolean,
): void {
  const { width: w, height: h, channelOffset, pixelStride, rowStride, mean, invStd } = layout;
  const [o0, o1, o2] = channelOffset;
  const [m0, m1, m2] = mean;
  const [k0, k1, k2] = invStd;
  const src = chip.data;
  for (let y = 0; y < h; y++) {
    let p = offset + y * rowStride;
    for (let x = 0; x < w; x++) {
      const s = (y * w + (mirror ? w - 1 - x : x)) * 3;
      out[p + o0] = ((src[s] ?? 0) - m0) * k0;
      out[p + o1] = ((src[s + 1] ?? 0) - m1) * k1;
      out[p + o2] = ((src[s + 2] ?? 0) - m2) * k2;
      p += pixelStride;
    }
  }
}

class OnnxEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly alignment: Alignment;
  readonly inputSize: readonly [number, number];
  readonly #model: OnnxModel;
  readonly #layout: TensorLayout;
  readonly #maxBatch: number;
  readonly #inputName: string;
  readonly #outputName: string;
  readonly #normalise: boolean;

  // The entry comes from the caller's manifest: the memoised session may have been loaded for another copy.
  constructor(model: OnnxModel, entry: ModelEntry, maxBatch: number) {
    const spec = specOf(entry);
    const output = spec.entry.outputs[0];
    if (output === undefined) throw new ModelSignatureError(`embedder ${spec.modelId} declares no output`);
    this.modelId = spec.modelId;
    this.dimension = spec.dimension;
    this.alignment = spec.alignment;
    this.inputSize = spec.inputSize;
    this.#model = model;
    this.#layout = tensorLayout(spec.entry.preprocessing, spec.inputSize[0], spec.inputSize[1]);
    this.#maxBatch = maxBatch;
    this.#inputName = spec.entry.inputs[0]?.name ?? 'input';
    this.#outputName = output.name;
    this.#normalise = spec.normalise;
  }

  async embed(chips: readonly RgbImage[], options: EmbedOptions = {}): Promise<Embedding[]> {
    const layout = this.#layout;
    chips.forEach((chip, i) => {
      if (
        chip.width !== layout.width ||
        chip.height !== layout.height ||
        chip.data.length !== chip.width * chip.height * 3
      ) {
        throw new EmbedInputError(
          `chip ${i} is ${chip.width}×${chip.height}, embedder ${this.modelId} takes ${layout.width}×${layout.height} RGB`,
        );
      }
    });
    const flip = options.flip ?? false;
    const views = flip ? 2 : 1;
    const result: Embedding[] = [];
    for (let start = 0; start < chips.length; start += this.#maxBatch) {
      const batch = chips.slice(start, start + this.#maxBatch);
      const n = batch.length * views;
      const input = new Float32Array(n * layout.sampleSize);
      batch.forEach((chip, i) => {
        writeChip(chip, layout, input, i * views * layout.sampleSize, false);
        if (flip) writeChip(chip, layout, input, (i * views + 1) * layout.sampleSize, true);
      });
      const out = await this.#model.run({ [this.#inputName]: { data: input, dims: layout.dims(n) } });
      const t = out[this.#outputName];
      const d = this.dimension;
      if (t === undefined || t.data.length !== n * d) {
        throw new ModelSignatureError(
          `embedder ${this.modelId} returned ${t?.data.length ?? 0} values for ${n}×${d}`,
        );
      }
      for (let i = 0; i < batch.length; i++) {
        const vector = new Float32Array(d);
        for (let v = 0; v < views; v++) {
          const base = (i * views + v) * d;
          for (let k = 0; k < d; k++) vector[k] = (vector[k] ?? 0) + (t.data[base + k] ?? 0);
        }
        // A flipped pair is a sum of two vectors: it is normalised whatever the model's output is.
        if (this.#normalise || views > 1) {
          let norm = 0;
          for (let k = 0; k < d; k++) norm += (vector[k] ?? 0) ** 2;
          const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
          for (let k = 0; k < d; k++) vector[k] = (vector[k] ?? 0) * inv;
        }
        result.push({ modelId: this.modelId, vector });
      }
    }
    return result;
  }
}

/**
 * Loads an embedder from the manifest (memoised, sha256-checked session).
 *
 * @example
 * ```ts
 * const embedder = await createEmbedder({ manifest: await loadManifest(), modelsDir: modelsDir() });
 * const chips = faces.map((face) => alignFace(image, face, embedder.alignment));
 * const embeddings = await embedder.embed(chips); // [{ modelId, vector: Float32Array(dimension) }]
 * ```
 */
export async function createEmbedder(options: CreateEmbedderOptions): Promise<Embedder> {
  const { manifest, modelsDir, modelId, logger, maxBatch = 16, ...load } = options;
  const { entry } = embedderSpec(manifest, modelId);
  const model = await loadModel(entry, modelsDir, logger ? { ...load, logger } : load);
  return new OnnxEmbedder(model, entry, maxBatch);
}
