import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ModelEntry } from '@frs/models/manifest';
import { ModelFileMissingError, ModelIntegrityError, verifyModelFile } from '@frs/models/verify';
import ort from 'onnxruntime-node';
import { z } from 'zod';
import { VisionError } from '../errors.ts';
import type { Logger } from '../types.ts';

/** A dense float32 tensor as plain data, so no other module needs onnxruntime's types. */
export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** Options for {@link loadModel}. */
export interface LoadModelOptions {
  /** Verify the file's sha256 against the manifest before creating the session. Default true. */
  verifyChecksums?: boolean;
  /** onnxruntime intra-op threads. Default: {@link defaultThreadCount} (`FRS_ONNX_THREADS`, else from the cores). */
  intraOpNumThreads?: number;
  /**
   * Let idle onnxruntime pool threads busy-wait for the next job. Default false: on 2 cores spinning
   * starves the JavaScript stages and doubled detection time in `bench/pipeline.ts` under load.
   */
  allowSpinning?: boolean;
  /**
   * onnxruntime's memory-pattern planning (one pre-planned block per input shape). Default true. Off for
   * models fed many different shapes (the MTCNN pyramid, its tiles and crop batches): the plans of every shape stay
   * cached: off for the three MTCNN models, a 40 MP photo's detection peaked at ≈ 375 instead of ≈ 430 MiB RSS.
   */
  memoryPattern?: boolean;
  logger?: Logger;
}

const ThreadsSchema = z.coerce.number().int().min(1).max(64);
const LambdaMemorySchema = z.coerce.number().int().positive();

/** Lambda grants one vCPU of CPU time per 1,769 MB of memory. */
const LAMBDA_MB_PER_VCPU = 1769;

/**
 * Default ceiling off Lambda. MTCNN runs on 260 px tiles and 16-crop batches, which leave little work to
 * split per operator: 2 threads are only 1.1–1.4× faster than 1 on this project's 2-core machine, and
 * beyond 4 (not measured here) the per-operator synchronisation would only grow. `FRS_ONNX_THREADS` lifts it.
 */
const MAX_DEFAULT_THREADS = 4;

/**
 * onnxruntime intra-op threads when the caller does not choose: `FRS_ONNX_THREADS` when set; on Lambda
 * (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, set by the runtime) one per full vCPU the memory size buys,
 * `floor(MB / 1769)`, at least 1; else the cores this process may use (`availableParallelism()`, which
 * follows CPU affinity such as `taskset`), at most 4. Lambda shows 2 cores at 1,769 MB while granting one vCPU of
 * time, where a second thread only adds synchronisation and quota throttling.
 *
 * @throws {ModelConfigError} when `FRS_ONNX_THREADS` is not a whole number from 1 to 64.
 * @example
 * ```ts
 * defaultThreadCount({ FRS_ONNX_THREADS: '1' }); // 1
 * defaultThreadCount({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3538' }); // 2 (on a host with ≥ 2 cores)
 * defaultThreadCount({}); // min(4, availableParallelism())
 * ```
 */
export function defaultThreadCount(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const cores = availableParallelism();
  const raw = env.FRS_ONNX_THREADS;
  if (raw !== undefined && raw.trim() !== '') {
    const parsed = ThreadsSchema.safeParse(raw.trim());
    if (!parsed.success) {
      throw new ModelConfigError(`FRS_ONNX_THREADS must be a whole number from 1 to 64, got "${raw}"`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
  const memory = LambdaMemorySchema.safeParse(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  if (memory.success) return Math.min(cores, Math.max(1, Math.floor(memory.data / LAMBDA_MB_PER_VCPU)));
  return Math.min(cores, MAX_DEFAULT_THREADS);
}

/** Base class of model loading and inference failures. */
export class ModelError extends VisionError {
  override readonly code: string = 'MODEL_ERROR';
}

/** Invalid model runtime configuration (`FRS_ONNX_THREADS`). */
export class ModelConfigError extends ModelError {
  override readonly code = 'MODEL_CONFIG';
}

/** The model file's sha256 differs from the manifest. */
export class ModelChecksumError extends ModelError {
  override readonly code = 'MODEL_CHECKSUM';
  readonly expected: string;
  readonly actual: string;
  constructor(file: string, expected: string, actual: string, options?: ErrorOptions) {
    super(`model file ${file} has sha256 ${actual}, the manifest expects ${expected}`, options);
    this.expected = expected;
    this.actual = actual;
  }
}

/** The file is missing or onnxruntime cannot create a session from it. */
export class ModelLoadError extends ModelError {
  override readonly code = 'MODEL_LOAD';
}

/** The session's inputs/outputs or a call's feeds do not match the manifest entry. */
export class ModelSignatureError extends ModelError {
  override readonly code = 'MODEL_SIGNATURE';
}

/** onnxruntime failed while running the model. */
export class ModelRunError extends ModelError {
  override readonly code = 'MODEL_RUN';
}

/**
 * One onnxruntime session for one manifest entry. The only place in the codebase that touches onnxruntime.
 *
 * @example
 * ```ts
 * const pnet = await loadModel(entry, modelsDir());
 * const out = await pnet.run({ input: { data, dims: [1, 3, h, w] } });
 * console.log(out.prob?.dims);
 * ```
 */
export class OnnxModel {
  readonly entry: ModelEntry;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #session: ort.InferenceSession;

  constructor(entry: ModelEntry, session: ort.InferenceSession) {
    this.entry = entry;
    this.#session = session;
    this.inputNames = [...session.inputNames];
    this.outputNames = [...session.outputNames];
  }

  /** Runs the model; every session input must be fed and nothing else. Outputs must be float32. */
  async run(feeds: Readonly<Record<string, FloatTensor>>): Promise<Record<string, FloatTensor>> {
    const names = Object.keys(feeds);
    const unknown = names.filter((n) => !this.inputNames.includes(n));
    const missing = this.inputNames.filter((n) => !names.includes(n));
    if (unknown.length > 0 || missing.length > 0) {
      throw new ModelSignatureError(
        `model ${this.entry.id} takes inputs [${this.inputNames.join(', ')}]; ` +
          `got [${names.join(', ')}] (unknown: ${unknown.join(', ') || '-'}, missing: ${missing.join(', ') || '-'})`,
      );
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await this.#session.run(ortFeeds);
    } catch (error) {
      throw new ModelRunError(`model ${this.entry.id} failed to run`, { cause: error });
    }
    const out: Record<string, FloatTensor> = {};
    for (const name of this.outputNames) {
      const value = result[name];
      if (value === undefined) throw new ModelRunError(`model ${this.entry.id} returned no output ${name}`);
      const data = value.data;
      if (!(data instanceof Float32Array)) {
        throw new ModelSignatureError(
          `model ${this.entry.id} output ${name} is ${value.type}, expected float32`,
        );
      }
      out[name] = { data, dims: value.dims };
    }
    return out;
  }

  /** Releases the native session. Only for models created with {@link createModel}; cached ones are shared. */
  async release(): Promise<void> {
    await this.#session.release();
  }
}

/** The file's bytes, checked against the manifest's sha256 by `@frs/models` unless `verify` is false. */
async function readModelFile(entry: ModelEntry, dir: string, verify: boolean): Promise<Uint8Array> {
  const path = join(dir, entry.file);
  try {
    if (verify) return (await verifyModelFile(entry, dir)).bytes;
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof ModelIntegrityError) {
      throw new ModelChecksumError(path, error.expected, error.actual, { cause: error });
    }
    const reason =
      error instanceof ModelFileMissingError ? error.message : `model file ${path} cannot be read`;
    throw new ModelLoadError(reason, { cause: error });
  }
}

/**
 * Creates a new, uncached session for a manifest entry: checks the sha256 (unless disabled) and that the
 * session's input and output names are the ones the manifest declares.
 *
 * @example
 * ```ts
 * const model = await createModel(entry, '/opt/models', { verifyChecksums: true });
 * ```
 */
export async function createModel(
  entry: ModelEntry,
  dir: string,
  options: LoadModelOptions = {},
): Promise<OnnxModel> {
  const path = join(dir, entry.file);
  // The verified bytes go straight to onnxruntime, so the file cannot change between check and load.
  const threads = options.intraOpNumThreads ?? defaultThreadCount();
  const bytes = await readModelFile(entry, dir, options.verifyChecksums ?? true);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      enableMemPattern: options.memoryPattern ?? true,
      extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
    });
  } catch (error) {
    throw new ModelLoadError(`onnxruntime cannot load ${path}`, { cause: error });
  }
  const model = new OnnxModel(entry, session);
  const check = (kind: string, declared: readonly { name: string }[], actual: readonly string[]) => {
    const absent = declared.map((t) => t.name).filter((n) => !actual.includes(n));
    if (absent.length > 0) {
      throw new ModelSignatureError(
        `model ${entry.id} (${path}) lacks ${kind} [${absent.join(', ')}] declared in the manifest; ` +
          `it has [${actual.join(', ')}]`,
      );
    }
  };
  try {
    check('inputs', entry.inputs, model.inputNames);
    check('outputs', entry.outputs, model.outputNames);
  } catch (error) {
    await session.release();
    throw error;
  }
  options.logger?.debug('model loaded', { id: entry.id, file: path, inputs: model.inputNames });
  return model;
}

const cache = new Map<string, Promise<OnnxModel>>();

/**
 * Memoised {@link createModel}: one session per (file, sha256, options) per process; a failed load is
 * evicted so the next call retries.
 *
 * @example
 * ```ts
 * const onet = await loadModel(manifest.models.find((m) => m.role === 'mtcnn-onet')!, modelsDir());
 * ```
 */
export function loadModel(
  entry: ModelEntry,
  dir: string,
  options: LoadModelOptions = {},
): Promise<OnnxModel> {
  const key = JSON.stringify([
    join(dir, entry.file),
    entry.id,
    entry.sha256,
    options.verifyChecksums ?? true,
    options.intraOpNumThreads ?? defaultThreadCount(),
    options.allowSpinning ?? false,
    options.memoryPattern ?? true,
  ]);
  const hit = cache.get(key);
  if (hit) return hit;
  const pending = createModel(entry, dir, options);
  cache.set(key, pending);
  pending.catch(() => {
    if (cache.get(key) === pending) cache.delete(key);
  });
  return pending;
}

/**
 * Forgets every memoised session (they are released once no caller holds them).
 *
 * @example
 * ```ts
 * clearModelCache();
 * ```
 */
export function clearModelCache(): void {
  cache.clear();
}

export { type TensorLayout, tensorLayout } from './layout.ts';
