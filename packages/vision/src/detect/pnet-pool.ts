// A pool of worker threads, each with its own single-threaded P-Net session, that runs a pyramid's tile
// jobs in parallel. onnxruntime-node runs inference synchronously on the calling JavaScript thread, so
// only separate threads let the resize of one tile, the P-Net of another and the box generation of a
// third run at the same time.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import {
  defaultThreadCount,
  ModelConfigError,
  ModelError,
  ModelLoadError,
  ModelRunError,
  ModelSignatureError,
} from '../onnx/index.ts';
import type { Logger } from '../types.ts';
import type { Candidate } from './mtcnn.ts';
import {
  BOX_FIELDS,
  type Failure,
  type FromWorker,
  FromWorkerSchema,
  type SourceMessage,
  type ToWorker,
  type WorkerInit,
} from './pnet-protocol.ts';
import type { TileJob, TileResult } from './pnet-tiles.ts';

/**
 * A detector worker thread exited or crashed, or sent something unreadable; the detect call it served
 * fails, and the next call starts a replacement.
 *
 * @example
 * ```ts
 * const faces = await detector.detect(image).catch(async (error: unknown) => {
 *   if (error instanceof DetectWorkerError) return detector.detect(image); // served by a new worker
 *   throw error;
 * });
 * ```
 */
export class DetectWorkerError extends ModelError {
  override readonly code = 'DETECT_WORKER';
}

const WorkersSchema = z.coerce.number().int().min(0).max(64);

/**
 * Each worker holds its own P-Net session and arena (≈ 60–110 MiB at the largest accepted image): one keeps
 * the detector under 400 MiB, two measured 470 MiB. `FRS_DETECT_WORKERS` goes beyond it.
 */
const MAX_DEFAULT_WORKERS = 1;

/**
 * P-Net worker threads when the caller does not choose: `FRS_DETECT_WORKERS` when set (0 keeps P-Net
 * in the detector's thread), else one fewer than the onnxruntime thread count ({@link defaultThreadCount}),
 * so the workers and the detector's thread together use that many cores, and at most 1 (memory): 0 on
 * Lambda at 1,769 MB (1 vCPU), 1 at 3,538 MB and above.
 *
 * @throws {ModelConfigError} when `FRS_DETECT_WORKERS` is not a whole number from 0 to 64, or
 * `FRS_ONNX_THREADS` is invalid.
 * @example
 * ```ts
 * detectWorkerCount({ FRS_DETECT_WORKERS: '2' }); // 2
 * detectWorkerCount({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1769' }); // 0
 * ```
 */
export function detectWorkerCount(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.FRS_DETECT_WORKERS;
  if (raw === undefined || raw.trim() === '')
    return Math.min(MAX_DEFAULT_WORKERS, defaultThreadCount(env) - 1);
  const parsed = WorkersSchema.safeParse(raw.trim());
  if (!parsed.success) {
    throw new ModelConfigError(`FRS_DETECT_WORKERS must be a whole number from 0 to 64, got "${raw}"`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

// The worker is a sibling module with this module's extension: `.ts` when running from sources (Node's
// type stripping; the worker needs the source export condition too), `.js` from the built `dist`.
const here = fileURLToPath(import.meta.url);
const extension = extname(here);
const workerUrl = new URL(`./pnet-worker${extension}`, import.meta.url);
const workerExecArgv =
  extension === '.ts' && !process.execArgv.some((a) => a.includes('@frs/source'))
    ? [...process.execArgv, '--conditions=@frs/source']
    : process.execArgv;

function failureError(failure: Failure, context: string): ModelError {
  const cause = new Error(failure.message);
  cause.name = failure.name;
  const message = `${context}: ${failure.message}`;
  switch (failure.code) {
    case 'MODEL_SIGNATURE':
      return new ModelSignatureError(message, { cause });
    case 'MODEL_LOAD':
      return new ModelLoadError(message, { cause });
    case 'MODEL_CHECKSUM':
      return new ModelLoadError(message, { cause });
    case 'MODEL_RUN':
      return new ModelRunError(message, { cause });
    default:
      return new DetectWorkerError(message, { cause });
  }
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  dead: boolean;
}

type ResultMessage = Extract<FromWorker, { type: 'result' | 'crops-result' }>;
type JobMessage = Extract<ToWorker, { type: 'job' | 'crops' }>;

/** One batch of jobs in flight; typed per kind by the closures `#runNow` builds. */
interface Run {
  count: number;
  /** The message for job `index` under message id `id`. */
  message: (index: number, id: number) => JobMessage;
  /** Decodes and stores a worker's result of job `index`. */
  store: (index: number, message: ResultMessage) => void;
  /** Runs job `index` in the calling thread and stores its result. */
  local: ((index: number) => Promise<void>) | undefined;
  /** Job index of each message id in flight, and the slot running it. */
  inflight: Map<number, { index: number; slot: Slot }>;
  next: number;
  done: number;
  resizeMs: number;
  pnetMs: number;
  resolve: () => void;
  reject: (error: ModelError) => void;
}

/** Jobs each worker holds at once: one running and one queued, so it never waits for the main thread. */
const DEPTH = 2;

/** Runs P-Net tile jobs on `size` worker threads. */
export class PnetPool {
  readonly size: number;
  readonly #init: WorkerInit;
  readonly #logger: Logger | undefined;
  readonly #slots: Slot[] = [];
  #run: Run | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closing = false;
  #nextId = 0;
  /** Milliseconds the workers (not `local`) spent resizing and in P-Net during the latest run, summed. */
  resizeMs = 0;
  pnetMs = 0;

  private constructor(size: number, init: WorkerInit, logger?: Logger) {
    this.size = size;
    this.#init = init;
    this.#logger = logger;
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn(i));
  }

  /** Starts `size` workers and waits until each has loaded its session (the load error if one fails). */
  static async create(size: number, init: WorkerInit, logger?: Logger): Promise<PnetPool> {
    const pool = new PnetPool(size, init, logger);
    try {
      await Promise.all(pool.#slots.map((s) => s.ready));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  #spawn(index: number): Slot {
    const worker = new Worker(workerUrl, { workerData: this.#init, execArgv: workerExecArgv });
    // Idle workers must not keep the process alive; `run` holds them while jobs are in flight.
    worker.unref();
    let settle: { resolve: () => void; reject: (e: ModelError) => void } | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // A failed start is reported by `create` or the next `run`; never as an unhandled rejection.
    ready.catch(() => undefined);
    const slot: Slot = { worker, ready, dead: false };
    worker.on('message', (raw: unknown) => {
      const parsed = FromWorkerSchema.safeParse(raw);
      if (!parsed.success) {
        this.#fail(
          new DetectWorkerError(`P-Net worker ${index} sent an invalid message`, { cause: parsed.error }),
        );
        return;
      }
      const message = parsed.data;
      if (message.type === 'ready') settle?.resolve();
      else if (message.type === 'load-error')
        settle?.reject(failureError(message.error, `P-Net worker ${index}`));
      else this.#onMessage(slot, message);
    });
    const die = (cause: unknown) => {
      if (slot.dead) return;
      slot.dead = true;
      if (this.#closing) return;
      const error = new DetectWorkerError(`P-Net worker ${index} stopped`, { cause });
      settle?.reject(error);
      if (this.#run !== undefined && [...this.#run.inflight.values()].some((j) => j.slot === slot)) {
        this.#fail(error);
      }
      this.#logger?.warn('P-Net worker stopped', { index, cause: String(cause) });
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`exit code ${code}`)));
    return slot;
  }

  #onMessage(slot: Slot, message: Exclude<FromWorker, { type: 'ready' | 'load-error' }>): void {
    const run = this.#run;
    const job = run?.inflight.get(message.id);
    // Results of a failed run's remaining jobs arrive after it ended: ignore them.
    if (run === undefined || job === undefined) return;
    run.inflight.delete(message.id);
    if (message.type === 'error') {
      this.#fail(failureError(message.error, 'P-Net worker job'));
      return;
    }
    try {
      run.store(job.index, message);
    } catch (error) {
      this.#fail(new DetectWorkerError('P-Net worker sent a result of the wrong kind', { cause: error }));
      return;
    }
    if (message.type === 'result') {
      run.resizeMs += message.resizeMs;
      run.pnetMs += message.pnetMs;
    }
    if (!this.#complete(run)) this.#dispatch(run, slot);
  }

  #dispatch(run: Run, slot: Slot): void {
    const index = run.next;
    if (index >= run.count) return;
    run.next++;
    const id = this.#nextId++;
    run.inflight.set(id, { index, slot });
    slot.worker.postMessage(run.message(index, id));
  }

  #finish(): void {
    this.#run = undefined;
    for (const s of this.#slots) s.worker.unref();
  }

  #fail(error: ModelError): void {
    const run = this.#run;
    if (run === undefined) return;
    this.#finish();
    run.reject(error);
  }

  /**
   * Runs P-Net `jobs` against `source` and returns each job's candidates, `results[i]` for `jobs[i]`.
   * Dead workers are replaced first. Calls are serialised (detectors built on the same models share a
   * pool). `local`, when given, runs jobs in the calling thread too, between the workers' results: the
   * caller would otherwise only wait, and one worker fewer saves its memory and start-up.
   *
   * @throws {DetectWorkerError} when a worker running one of the jobs stops.
   * @throws {ModelRunError | ModelSignatureError} when P-Net fails on a tile.
   */
  run(
    source: Omit<SourceMessage, 'type'>,
    jobs: readonly TileJob[],
    local?: (job: TileJob) => Promise<TileResult>,
  ): Promise<TileResult[]> {
    return this.#enqueue<TileResult>(
      source,
      jobs.length,
      (index, id) => ({ type: 'job', id, job: jobs[index] ?? jobs[0] ?? emptyJob }),
      (message) => {
        if (message.type !== 'result') throw new Error(`expected a P-Net result, got ${message.type}`);
        return unpack(message.boxes);
      },
      local === undefined ? undefined : (index) => local(jobs[index] ?? emptyJob),
    );
  }

  /**
   * Runs R-Net or O-Net over batches of crops (`batches[i]`: x0, y0, w, h per crop) and returns each
   * batch's outputs by name. Same rules as {@link PnetPool.run}.
   *
   * @throws {DetectWorkerError} when a worker running one of the batches stops.
   * @throws {ModelRunError | ModelSignatureError | ModelLoadError} when the model fails in a worker.
   */
  runCrops(
    source: Omit<SourceMessage, 'type'>,
    model: 'rnet' | 'onet',
    batches: readonly Int32Array<ArrayBuffer>[],
    local?: (regions: Int32Array<ArrayBuffer>) => Promise<Record<string, Float32Array>>,
  ): Promise<Record<string, Float32Array>[]> {
    const none = new Int32Array(0);
    return this.#enqueue<Record<string, Float32Array>>(
      source,
      batches.length,
      (index, id) => ({ type: 'crops', id, model, regions: batches[index] ?? none }),
      (message) => {
        if (message.type !== 'crops-result') throw new Error(`expected crop outputs, got ${message.type}`);
        return message.outputs;
      },
      local === undefined ? undefined : (index) => local(batches[index] ?? none),
    );
  }

  #enqueue<R>(
    source: Omit<SourceMessage, 'type'>,
    count: number,
    message: (index: number, id: number) => JobMessage,
    decode: (message: ResultMessage) => R,
    local: ((index: number) => Promise<R>) | undefined,
  ): Promise<R[]> {
    const run = this.#queue.then(() => this.#runNow(source, count, message, decode, local));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Runs jobs in the calling thread until none is left or the run ended. */
  async #local(run: Run, local: (index: number) => Promise<void>): Promise<void> {
    while (this.#run === run && run.next < run.count) {
      const index = run.next;
      run.next++;
      try {
        await local(index);
      } catch (error) {
        const typed =
          error instanceof ModelError ? error : new ModelRunError('P-Net lane job failed', { cause: error });
        if (this.#run === run) this.#fail(typed);
        return;
      }
      if (this.#run !== run) return;
      this.#complete(run);
    }
  }

  /** Counts one finished job; resolves the run after the last. */
  #complete(run: Run): boolean {
    run.done++;
    if (run.done < run.count) return false;
    this.#finish();
    this.resizeMs = run.resizeMs;
    this.pnetMs = run.pnetMs;
    run.resolve();
    return true;
  }

  async #runNow<R>(
    source: Omit<SourceMessage, 'type'>,
    count: number,
    message: (index: number, id: number) => JobMessage,
    decode: (message: ResultMessage) => R,
    local: ((index: number) => Promise<R>) | undefined,
  ): Promise<R[]> {
    this.#slots.forEach((s, i) => {
      if (s.dead) this.#slots[i] = this.#spawn(i);
    });
    await Promise.all(this.#slots.map((s) => s.ready));
    this.resizeMs = 0;
    this.pnetMs = 0;
    if (count === 0) return [];
    const results: R[] = [];
    await new Promise<void>((resolve, reject) => {
      const run: Run = {
        count,
        message,
        store: (index, m) => {
          results[index] = decode(m);
        },
        local:
          local === undefined
            ? undefined
            : async (index) => {
                const r = await local(index);
                results[index] = r;
              },
        inflight: new Map(),
        next: 0,
        done: 0,
        resizeMs: 0,
        pnetMs: 0,
        resolve,
        reject,
      };
      this.#run = run;
      const sourceMessage: ToWorker = { type: 'source', ...source };
      for (const s of this.#slots) {
        s.worker.ref();
        s.worker.postMessage(sourceMessage);
      }
      for (let d = 0; d < DEPTH; d++) for (const s of this.#slots) this.#dispatch(run, s);
      if (run.local !== undefined) void this.#local(run, run.local);
    });
    return results;
  }

  /** The live worker threads (for diagnostics and tests). */
  get threads(): readonly Worker[] {
    return this.#slots.map((s) => s.worker);
  }

  /** Stops every worker; a pyramid in flight fails with {@link DetectWorkerError}. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#fail(new DetectWorkerError('P-Net pool closed'));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

const emptyJob: TileJob = {
  level: 0,
  band: 0,
  w: 0,
  h: 0,
  ws: 0,
  hs: 0,
  x0: 0,
  y0: 0,
  tw: 0,
  th: 0,
  cx0: 0,
  cy0: 0,
  cells: null,
  scale: 1,
  threshold: 1,
};

function unpack(boxes: Float64Array): TileResult {
  const candidates: Candidate[] = [];
  const rows: number[] = [];
  for (let k = 0; k + BOX_FIELDS <= boxes.length; k += BOX_FIELDS) {
    candidates.push({
      x1: boxes[k] ?? 0,
      y1: boxes[k + 1] ?? 0,
      x2: boxes[k + 2] ?? 0,
      y2: boxes[k + 3] ?? 0,
      score: boxes[k + 4] ?? 0,
      r0: boxes[k + 5] ?? 0,
      r1: boxes[k + 6] ?? 0,
      r2: boxes[k + 7] ?? 0,
      r3: boxes[k + 8] ?? 0,
    });
    rows.push(boxes[k + 9] ?? 0);
  }
  return { candidates, rows };
}

const pools = new Map<string, Promise<PnetPool>>();

/**
 * Memoised {@link PnetPool.create}: one pool per (model file, options, size) per process, shared by the
 * detectors built on it; a failed start is evicted so the next call retries.
 *
 * @example
 * ```ts
 * const pool = await pnetPool(2, { entry, modelsDir: modelsDir(), verifyChecksums: true });
 * ```
 */
export function pnetPool(size: number, init: WorkerInit, logger?: Logger): Promise<PnetPool> {
  const models = [init.entry, init.crops.rnet, init.crops.onet].map((e) => [e.file, e.sha256]);
  const key = JSON.stringify([size, init.modelsDir, models, init.verifyChecksums]);
  const hit = pools.get(key);
  if (hit) return hit;
  const pending = PnetPool.create(size, init, logger);
  pools.set(key, pending);
  pending.catch(() => {
    if (pools.get(key) === pending) pools.delete(key);
  });
  return pending;
}
