// Messages between the detector and its P-Net worker threads (`pnet-pool.ts`, `pnet-worker.ts`).
// Both sides parse what they receive: a message is structured-cloned data, not a typed value.
import { ModelEntrySchema } from '@frs/models/manifest';
import { z } from 'zod';

const count = z.number().int().nonnegative();

export const WorkerInitSchema = z.object({
  entry: ModelEntrySchema,
  /** R-Net and O-Net, loaded by the worker on its first crop job. */
  crops: z.object({ rnet: ModelEntrySchema, onet: ModelEntrySchema }),
  modelsDir: z.string(),
  verifyChecksums: z.boolean(),
});
export type WorkerInit = z.infer<typeof WorkerInitSchema>;

export const TileJobSchema = z.object({
  level: count,
  band: count,
  w: count,
  h: count,
  ws: count,
  hs: count,
  x0: count,
  y0: count,
  tw: count,
  th: count,
  cx0: count,
  cy0: count,
  cells: z.tuple([count, count]).nullable(),
  scale: z.number().positive(),
  threshold: z.number(),
});

/**
 * The working image's summed-area table for the jobs that follow (`(width + 1)·(height + 1)·3` int32),
 * in memory shared with the detector.
 */
export const SourceMessageSchema = z.object({
  type: z.literal('source'),
  buffer: z.instanceof(SharedArrayBuffer),
  width: count,
  height: count,
});
export type SourceMessage = z.infer<typeof SourceMessageSchema>;

export const ToWorkerSchema = z.discriminatedUnion('type', [
  SourceMessageSchema,
  z.object({ type: z.literal('job'), id: count, job: TileJobSchema }),
  z.object({
    type: z.literal('crops'),
    id: count,
    model: z.enum(['rnet', 'onet']),
    /** x0, y0, w, h per crop. */
    regions: z.instanceof(Int32Array),
  }),
]);
export type ToWorker = z.infer<typeof ToWorkerSchema>;

/** A failure described across threads: the class name and code select the error class to raise. */
const FailureSchema = z.object({ name: z.string(), code: z.string(), message: z.string() });
export type Failure = z.infer<typeof FailureSchema>;

/** Fields per candidate in a result's `boxes`: x1, y1, x2, y2, score, r0–r3, level row. */
export const BOX_FIELDS = 10;

export const FromWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('load-error'), error: FailureSchema }),
  z.object({
    type: z.literal('result'),
    id: count,
    boxes: z.instanceof(Float64Array),
    resizeMs: z.number(),
    pnetMs: z.number(),
  }),
  z.object({
    type: z.literal('crops-result'),
    id: count,
    outputs: z.record(z.string(), z.instanceof(Float32Array)),
  }),
  z.object({ type: z.literal('error'), id: count, error: FailureSchema }),
]);
export type FromWorker = z.infer<typeof FromWorkerSchema>;

/** The transferable form of an error thrown in a worker. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : 'UNKNOWN';
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { name: error.name, code, message: `${error.message}${cause}` };
  }
  return { name: 'Error', code: 'UNKNOWN', message: String(error) };
}
