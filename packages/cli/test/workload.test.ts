import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '@frs/local';
import { quietLogger } from '@frs/test-fixtures/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { frs, photoFolder, photosOf, SHARED_DIR, truthFile } from './fixtures.ts';

// The real chain: `frs enrol` builds a gallery with the real models, the real local stack (fauxqs SQS,
// detector behind the Function URL server, recognizer behind the event source mapping) serves it, and
// `frs workload` plays several cameras polling one response queue.
const enrolled = ['John_Salley', 'bbt_penny', 'deepface_c01_angelina'] as const;

const Report = z.object({
  requests: z.number(),
  sent: z.number(),
  http200: z.number(),
  answered: z.number(),
  failures: z.number(),
  correct: z.number(),
  wrong: z.number(),
  latencyMs: z.object({ n: z.number(), p50: z.number(), p95: z.number(), p99: z.number() }),
  records: z.array(
    z.object({ image: z.string(), result: z.string().nullable(), expected: z.string().nullable() }),
  ),
});

let stack: LocalStack;
let queries: string;
let truth: string;
let strangerKey: string;

beforeAll(async () => {
  const enrolPhotos: Record<string, string[]> = {};
  const queryPhotos: Record<string, string[]> = {};
  const rows: Record<string, string> = {};
  for (const person of enrolled) {
    const photos = await photosOf(person);
    enrolPhotos[person] = photos.slice(0, 2);
    queryPhotos[person] = photos.slice(2, 4);
    for (const p of queryPhotos[person] ?? []) rows[`${person}/${p.split('/').at(-1)}`] = person;
  }
  // A stranger who is never enrolled, and an image with no face at all.
  queryPhotos.stranger = await photosOf('lin_manuel_miranda');
  strangerKey = `stranger/${queryPhotos.stranger[0]?.split('/').at(-1)}`;
  rows[strangerKey] = 'unknown';
  queryPhotos.objects = [join(SHARED_DIR, 'faces/other/no-face/apple.jpg')];
  rows['objects/apple.jpg'] = 'no_face';

  const gallery = join(await photoFolder({}), 'gallery.json');
  const enrol = await frs(['enrol', await photoFolder(enrolPhotos), '--gallery', gallery]);
  expect(enrol.code, enrol.stderr).toBe(0);

  queries = await photoFolder(queryPhotos);
  truth = await truthFile(rows);
  stack = await startLocalStack({
    logger: quietLogger(),
    port: 0,
    sqsPort: 0,
    gallery,
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('Function: frs workload', () => {
  it('returns every result, judged against the truth file, when several cameras share one response queue', async () => {
    const out = await frs([
      'workload',
      queries,
      '--url',
      stack.functionUrl,
      '--queue-url',
      stack.responseQueueUrl,
      '--requests',
      '16',
      '--rate',
      '8',
      '--timeout',
      '90',
      '--truth',
      truth,
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const report = Report.parse(JSON.parse(out.stdout));
    expect(report.sent).toBe(16);
    expect(report.http200).toBe(16);
    expect(report.answered).toBe(16);
    expect(report.failures).toBe(0);
    expect(report.latencyMs.n).toBe(16);
    const byImage = new Map(report.records.map((r) => [r.image, r.result]));
    expect(byImage.get('objects/apple.jpg')).toBe('no_face');
    expect(byImage.get(strangerKey)).toBe('unknown');
    // 16 requests cycle over 8 images, so each image is asked twice; at most one image may be misnamed.
    expect(report.correct + report.wrong).toBe(16);
    expect(report.wrong).toBeLessThanOrEqual(2);
  });

  it('prints a readable table and exits 1 when the Function URL cannot be reached', async () => {
    const out = await frs([
      'workload',
      queries,
      '--url',
      'http://127.0.0.1:9/',
      '--queue-url',
      stack.responseQueueUrl,
      '--requests',
      '2',
      '--rate',
      '10',
      '--timeout',
      '3',
      '--no-sign',
    ]);
    expect(out.stdout).toMatch(/requests sent\s+2/);
    expect(out.stdout).toMatch(/failures\s+2/);
    expect(out.code).toBe(1);
  });

  it('exits 2 with usage when the queue URL is missing', async () => {
    const out = await frs(['workload', queries, '--url', stack.functionUrl]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--queue-url/);
  });
});
