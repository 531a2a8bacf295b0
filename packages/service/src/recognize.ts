import type { RecognitionJob } from '@frs/contracts/job';
import { NO_FACE, type RecognitionResult, type ResultFace, UNKNOWN } from '@frs/contracts/result';
import type { RgbImage } from '@frs/vision';
import { PoisonJobError } from './errors.ts';
import type { EmbedderPort, FaceMatcher } from './types.ts';

/** What {@link recognizeJob} needs: the recognizer Lambda's deps provide it, so does `frs recognize`. */
export interface RecognitionDeps {
  /** Memoised: the model loads once per container. */
  embedder(): Promise<EmbedderPort>;
  /** The current gallery's matcher. */
  matcher(): Promise<FaceMatcher>;
  decodeChip(png: Uint8Array): Promise<RgbImage>;
  now?: () => Date;
}

/**
 * Embeds and matches the faces of one job. Deterministic for a given job and gallery (apart from
 * `timing`), which makes redelivered jobs harmless.
 *
 * @throws {PoisonJobError} when the chips were made for another embedder or size, or do not decode.
 * @example
 * ```ts
 * const result = await recognizeJob(deps, job);
 * console.log(result.result); // 'Ada' | 'unknown' | 'no_face'
 * ```
 */
export async function recognizeJob(deps: RecognitionDeps, job: RecognitionJob): Promise<RecognitionResult> {
  const started = performance.now();
  // received_at is when detection started; the job reached the queue detector_ms later.
  const queuedAt = Date.parse(job.received_at) + job.timing.detector_ms;
  const queueMs = Math.max(0, (deps.now ?? (() => new Date()))().getTime() - queuedAt);
  const embedder = await deps.embedder();
  if (job.faces.length > 0 && job.models.embedder !== embedder.modelId) {
    throw new PoisonJobError(
      `job chips are for embedder ${job.models.embedder}, this is ${embedder.modelId}`,
    );
  }
  const { width, height } = embedder.chipSize;
  if (job.faces.length > 0 && (job.chip_size.width !== width || job.chip_size.height !== height)) {
    throw new PoisonJobError(
      `job chips are ${job.chip_size.width}×${job.chip_size.height}, the embedder takes ${width}×${height}`,
    );
  }
  const matcher = await deps.matcher();
  // A chip that does not decode, or decodes to another size, can never succeed: poison, not a retry.
  const chips = await Promise.all(
    job.faces.map(async (f, i) => {
      const chip = await deps.decodeChip(Buffer.from(f.chip, 'base64')).catch((error: unknown) => {
        throw new PoisonJobError(`chip ${i} is not a decodable PNG`, { cause: error });
      });
      if (chip.width !== width || chip.height !== height) {
        throw new PoisonJobError(`chip ${i} is ${chip.width}×${chip.height}, not ${width}×${height}`);
      }
      return chip;
    }),
  );
  const embeddings = chips.length > 0 ? await embedder.embed(chips) : [];
  const faces: ResultFace[] = job.faces.map((face, i) => {
    const embedding = embeddings[i];
    if (!embedding) throw new PoisonJobError(`embedder returned no vector for face ${i}`);
    const match = matcher.match(embedding.vector);
    return {
      box: face.box,
      score: face.score,
      name: match.name ?? UNKNOWN,
      similarity: match.similarity,
      ...(match.candidates === undefined ? {} : { candidates: match.candidates }),
    };
  });
  let best: ResultFace | undefined;
  for (const face of faces) {
    if (face.name !== UNKNOWN && (best === undefined || face.similarity > best.similarity)) best = face;
  }
  return {
    request_id: job.request_id,
    ...(job.camera_id === undefined ? {} : { camera_id: job.camera_id }),
    result: faces.length === 0 ? NO_FACE : (best?.name ?? UNKNOWN),
    faces,
    dropped_faces: job.dropped_faces,
    timing: {
      detector_ms: job.timing.detector_ms,
      recognizer_ms: performance.now() - started,
      queue_ms: queueMs,
    },
  };
}
