import { type JobFace, MAX_JOB_BYTES, type RecognitionJob } from '@frs/contracts/job';

/**
 * Packs faces into a job by descending score until `maxFaces` or the message byte budget is reached,
 * so a crowded frame degrades to its most confident faces instead of failing to send.
 *
 * @example
 * ```ts
 * const job = packJob({ ...jobWithoutFaces }, faces, { maxFaces: 32 });
 * if (job.truncated) log.warn('faces dropped', { dropped: job.dropped_faces });
 * ```
 */
export function packJob(
  base: Omit<RecognitionJob, 'faces' | 'truncated' | 'dropped_faces'>,
  faces: readonly JobFace[],
  options: { maxFaces: number; maxBytes?: number },
): RecognitionJob {
  const maxBytes = options.maxBytes ?? MAX_JOB_BYTES;
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  // Worst-case envelope: the count field may grow by a few digits and `truncated` by one letter.
  const envelope =
    Buffer.byteLength(
      JSON.stringify({ ...base, faces: [], truncated: false, dropped_faces: sorted.length }),
    ) + 8;
  const kept: JobFace[] = [];
  let size = envelope;
  for (const face of sorted) {
    if (kept.length >= options.maxFaces) break;
    const next = Buffer.byteLength(JSON.stringify(face)) + 1;
    if (size + next > maxBytes) break;
    kept.push(face);
    size += next;
  }
  const dropped = sorted.length - kept.length;
  return { ...base, faces: kept, truncated: dropped > 0, dropped_faces: dropped };
}
