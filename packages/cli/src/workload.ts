import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Camera } from './camera.ts';
import { type Summary, summarize } from './util/stats.ts';

export interface WorkloadOptions {
  url: string;
  queueUrl: string;
  sqs: SQSClient;
  images: readonly { path: string; key: string }[];
  requests: number;
  /** Requests started per second. */
  rate: number;
  timeoutMs: number;
  /** Expected `result` by image key (path below the folder) or file name. */
  truth?: ReadonlyMap<string, string> | undefined;
  sign?: { region: string } | undefined;
  releaseOthers: boolean;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** One request's fate. */
export interface RequestRecord {
  requestId: string;
  image: string;
  status: number | null;
  result: string | null;
  expected: string | null;
  correct: boolean | null;
  /** POST to own result, ms. */
  latencyMs: number | null;
  httpMs: number | null;
  error: string | null;
}

export interface WorkloadReport {
  requests: number;
  rate: number;
  sent: number;
  http200: number;
  answered: number;
  failures: number;
  correct: number;
  wrong: number;
  unjudged: number;
  durationMs: number;
  latencyMs: Summary;
  httpMs: Summary;
  records: RequestRecord[];
}

/**
 * Parses a truth file in the original clients' CSV format: header `Image,Results`, one row per image.
 *
 * @example
 * ```ts
 * parseTruthCsv('Image,Results\nadams/01.jpg,adams\n').get('adams/01.jpg'); // 'adams'
 * ```
 */
export function parseTruthCsv(text: string): Map<string, string> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines
    .shift()
    ?.split(',')
    .map((h) => h.trim());
  if (header?.[0] !== 'Image' || header[1] !== 'Results') {
    throw new Error("truth file must start with the header 'Image,Results'");
  }
  const truth = new Map<string, string>();
  for (const line of lines) {
    const comma = line.lastIndexOf(',');
    if (comma < 0) throw new Error(`truth file line without a comma: ${line}`);
    truth.set(line.slice(0, comma).trim(), line.slice(comma + 1).trim());
  }
  return truth;
}

function expectedFor(truth: ReadonlyMap<string, string> | undefined, key: string): string | null {
  if (!truth) return null;
  return truth.get(key) ?? truth.get(basename(key)) ?? null;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Plays a fleet of cameras: `requests` frames at `rate` per second, each in its own task that POSTs and
 * then polls the response queue for its own `request_id`.
 *
 * @example
 * ```ts
 * const report = await runWorkload({ url, queueUrl, sqs, images, requests: 100, rate: 1, timeoutMs: 60_000, releaseOthers: true });
 * console.log(report.answered, report.latencyMs.p95);
 * ```
 */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadReport> {
  if (options.images.length === 0) throw new Error('no images to send');
  const camera = new Camera(options);
  const bytes = new Map<string, Uint8Array>();
  for (const image of options.images) bytes.set(image.path, await readFile(image.path));

  const started = performance.now();
  let done = 0;
  const one = async (index: number): Promise<RequestRecord> => {
    const image = options.images[index % options.images.length];
    if (!image) throw new Error('unreachable: image index out of range');
    const content = bytes.get(image.path) ?? new Uint8Array();
    const expected = expectedFor(options.truth, image.key);
    const record: RequestRecord = {
      requestId: '',
      image: image.key,
      status: null,
      result: null,
      expected,
      correct: null,
      latencyMs: null,
      httpMs: null,
      error: null,
    };
    const t0 = performance.now();
    try {
      const posted = await camera.post(content, image.key);
      record.requestId = posted.requestId;
      record.status = posted.status;
      record.httpMs = posted.ms;
      if (posted.status !== 200) {
        record.error = `HTTP ${posted.status}: ${posted.body.slice(0, 200)}`;
      } else {
        const outcome = await camera.awaitResult(posted.requestId, t0);
        record.result = outcome.result;
        record.latencyMs = outcome.ms;
        if (expected !== null) record.correct = outcome.result === expected;
      }
    } catch (error) {
      record.error = describe(error);
    }
    done += 1;
    options.onProgress?.(done, options.requests);
    return record;
  };

  const tasks: Promise<RequestRecord>[] = [];
  for (let i = 0; i < options.requests; i += 1) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    tasks.push(one(i));
  }
  const records = await Promise.all(tasks);
  const durationMs = performance.now() - started;

  const answered = records.filter((r) => r.result !== null);
  return {
    requests: options.requests,
    rate: options.rate,
    sent: records.length,
    http200: records.filter((r) => r.status === 200).length,
    answered: answered.length,
    failures: records.filter((r) => r.error !== null).length,
    correct: records.filter((r) => r.correct === true).length,
    wrong: records.filter((r) => r.correct === false).length,
    unjudged: answered.filter((r) => r.correct === null).length,
    durationMs: Math.round(durationMs),
    latencyMs: summarize(answered.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs]))),
    httpMs: summarize(records.flatMap((r) => (r.httpMs === null ? [] : [r.httpMs]))),
    records,
  };
}
