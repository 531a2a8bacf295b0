import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RecognitionJob } from '@frs/contracts/job';
import { RecognitionResult } from '@frs/contracts/result';
import { decodeChipPng } from '@frs/service/chip';
import { galleryMatcher } from '@frs/service/gallery';
import { addEmbeddings, createGallery, type Gallery } from '@frs/vision/gallery';
import { defaultThreshold } from '@frs/vision/match';
import { createFacePipeline, type FacePipeline } from '@frs/vision/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type RecognizerDeps } from '../src/app.ts';
import { parseRecognizerConfig } from '../src/config.ts';
import { createRecognizerDeps } from '../src/deps.ts';
import { IdempotencyStoreError } from '../src/errors.ts';
import {
  createDynamoIdempotencyStore,
  createIdempotencyTable,
  type IdempotencyStore,
  idempotencyKey,
} from '../src/idempotency.ts';
import { facePath, jobFor, makeLogger, photosOf, recordingMetrics, sqsEvent } from './fixtures.ts';
import { startDynalite } from './local-dynamodb.ts';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let tables = 0;

async function freshTable(): Promise<string> {
  tables++;
  const table = `idempotency-${tables}`;
  await createIdempotencyTable(dynamo.client, table);
  return table;
}

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo?.close();
});

function minimalJob(overrides: Partial<RecognitionJob> = {}): RecognitionJob {
  return {
    version: 1,
    request_id: 'cam-1-000042',
    received_at: '2026-01-01T00:00:00.000Z',
    image: { width: 640, height: 480 },
    models: { detector: 'd', embedder: 'e' },
    chip_size: { width: 112, height: 112 },
    faces: [],
    truncated: false,
    dropped_faces: 0,
    timing: { decode_ms: 1, detect_ms: 2, encode_ms: 3, detector_ms: 6 },
    ...overrides,
  };
}

describe('Function: idempotencyKey()', () => {
  it('returns the same key when only received_at and timing differ (a camera retry)', () => {
    const retry = minimalJob({
      received_at: '2026-01-01T00:00:09.000Z',
      timing: { decode_ms: 9, detect_ms: 9, encode_ms: 9, detector_ms: 27 },
    });
    expect(idempotencyKey(retry)).toBe(idempotencyKey(minimalJob()));
    expect(idempotencyKey(retry)).toMatch(/^cam-1-000042#[0-9a-f]{64}$/);
  });

  it('returns another key when a different job reuses the request_id', () => {
    expect(idempotencyKey(minimalJob({ image: { width: 641, height: 480 } }))).not.toBe(
      idempotencyKey(minimalJob()),
    );
  });
});

describe('Function: createDynamoIdempotencyStore()', () => {
  let clock = new Date('2026-01-01T00:00:00Z');
  const advance = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };

  async function store(ttlSeconds = 3600): Promise<IdempotencyStore> {
    return createDynamoIdempotencyStore({
      client: dynamo.client,
      table: await freshTable(),
      ttlSeconds,
      now: () => clock,
    });
  }

  it('returns started, then in_progress, then completed when a key is claimed, claimed again and completed', async () => {
    const s = await store();
    expect(await s.begin('k', 60)).toBe('started');
    expect(await s.begin('k', 60)).toBe('in_progress');
    await s.complete('k');
    expect(await s.begin('k', 60)).toBe('completed');
    expect(await s.begin('other', 60)).toBe('started');
  });

  it('returns started when an in-progress claim has expired (a crashed invocation)', async () => {
    const s = await store();
    expect(await s.begin('k', 5)).toBe('started');
    advance(4);
    expect(await s.begin('k', 5)).toBe('in_progress');
    advance(2);
    expect(await s.begin('k', 5)).toBe('started');
  });

  it('returns started when the completed record is older than the window', async () => {
    const s = await store(100);
    await s.begin('k', 5);
    await s.complete('k');
    advance(99);
    expect(await s.begin('k', 5)).toBe('completed');
    advance(2);
    expect(await s.begin('k', 5)).toBe('started');
  });

  it('returns started after release of a claim but keeps a completed record on release', async () => {
    const s = await store();
    await s.begin('k', 60);
    await s.release('k');
    expect(await s.begin('k', 60)).toBe('started');
    await s.complete('k');
    await s.release('k');
    expect(await s.begin('k', 60)).toBe('completed');
  });

  it('returns exactly one started when ten callers race for the same key', async () => {
    const s = await store();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => s.begin('race', 60)));
    expect(outcomes.filter((o) => o === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'in_progress')).toHaveLength(9);
  });

  it('throws IdempotencyStoreError naming the table when the table does not exist', async () => {
    const s = createDynamoIdempotencyStore({ client: dynamo.client, table: 'missing', ttlSeconds: 60 });
    const error = await s.begin('k', 60).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyStoreError);
    expect(String(error)).toContain('missing');
  });
});

// Real models, real photos, a real gallery and a real (emulated) DynamoDB; the response queue is an array.
describe('Function: createHandler() with deduplication', () => {
  let pipeline: FacePipeline;
  let gallery: Gallery;
  let salley: RecognitionJob;
  let savage: RecognitionJob;
  let empty: RecognitionJob;

  beforeAll(async () => {
    pipeline = await createFacePipeline({});
    gallery = createGallery({ id: pipeline.models.embedder, dimension: pipeline.embedder.dimension });
    for (const person of ['John_Salley', 'John_Savage']) {
      const vectors = [];
      for (const photo of (await photosOf(person)).slice(0, 3)) {
        const [chip] = await pipeline.detectAndAlign(await readFile(photo));
        if (!chip) continue;
        const [embedding] = await pipeline.embed([chip]);
        if (embedding) vectors.push({ vector: embedding.vector, source: photo });
      }
      gallery = addEmbeddings(gallery, person, vectors, { modelId: pipeline.models.embedder });
    }
    salley = await jobFor(pipeline, facePath('identities/John_Salley/05.jpg'), 'req-1');
    savage = await jobFor(pipeline, facePath('identities/John_Savage/05.jpg'), 'req-2');
    empty = await jobFor(pipeline, facePath('other/no-face/apple.jpg'), 'req-3');
  });

  async function makeDeps(overrides: Partial<RecognizerDeps> = {}, inProgressSeconds = 60) {
    const sent: RecognitionResult[] = [];
    const { logger, lines } = makeLogger();
    const matcher = galleryMatcher(gallery, defaultThreshold(pipeline.models.embedder));
    const store = createDynamoIdempotencyStore({
      client: dynamo.client,
      table: await freshTable(),
      ttlSeconds: 3600,
    });
    const deps: RecognizerDeps = {
      logger,
      embedder: async () => ({
        modelId: pipeline.models.embedder,
        chipSize: pipeline.chipSize,
        embed: (c) => pipeline.embed(c),
      }),
      matcher: async () => matcher,
      decodeChip: decodeChipPng,
      sendResult: async (body) => {
        sent.push(RecognitionResult.parse(JSON.parse(body)));
      },
      metrics: recordingMetrics().metrics,
      idempotency: { store, inProgressSeconds },
      ...overrides,
    };
    return { handler: createHandler(deps), sent, lines, store };
  }

  it('returns one result and no failures when the same job is delivered three times', async () => {
    const { handler, sent, lines } = await makeDeps();
    const body = JSON.stringify(salley);
    expect(await handler(sqsEvent([body, body]))).toEqual({ batchItemFailures: [] });
    expect(await handler(sqsEvent([body]))).toEqual({ batchItemFailures: [] });
    expect(sent.map((r) => [r.request_id, r.result])).toEqual([['req-1', 'John_Salley']]);
    expect(lines.filter((l) => l.message === 'duplicate skipped')).toHaveLength(2);
  });

  it('returns one result when a camera retry brings the same frame with a new received_at', async () => {
    const { handler, sent } = await makeDeps();
    const retry = { ...salley, received_at: new Date(Date.now() + 5000).toISOString() };
    await handler(sqsEvent([JSON.stringify(salley), JSON.stringify(retry)]));
    expect(sent).toHaveLength(1);
  });

  it('returns a result for each job when a different job reuses the request_id', async () => {
    const { handler, sent } = await makeDeps();
    const reused = { ...savage, request_id: salley.request_id };
    await handler(sqsEvent([JSON.stringify(salley), JSON.stringify(reused)]));
    expect(sent.map((r) => [r.request_id, r.result])).toEqual([
      ['req-1', 'John_Salley'],
      ['req-1', 'John_Savage'],
    ]);
  });

  it('returns a failure, then the result after the in-progress TTL when a crash left the job claimed', async () => {
    const { handler, sent, store } = await makeDeps({}, 1);
    // What a Lambda that timed out in the middle of this job leaves behind.
    expect(await store.begin(idempotencyKey(salley), 1)).toBe('started');
    const event = sqsEvent([JSON.stringify(salley)]);
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
    expect(sent).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(sent.map((r) => r.result)).toEqual(['John_Salley']);
  });

  it('returns the result on redelivery when sending failed the first time (the claim is released)', async () => {
    let calls = 0;
    const sent: string[] = [];
    const { handler } = await makeDeps({
      sendResult: async (body) => {
        calls++;
        if (calls === 1) throw new Error('throttled');
        sent.push(body);
      },
    });
    const event = sqsEvent([JSON.stringify(salley)]);
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(sent).toHaveLength(1);
  });

  it('returns every result when the idempotency store is unreachable (fails open)', async () => {
    const unreachable = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      maxAttempts: 1,
    });
    const { handler, sent, lines } = await makeDeps({
      idempotency: {
        store: createDynamoIdempotencyStore({ client: unreachable, table: 't', ttlSeconds: 60 }),
        inProgressSeconds: 60,
      },
    });
    expect(await handler(sqsEvent([JSON.stringify(empty)]))).toEqual({ batchItemFailures: [] });
    expect(sent.map((r) => r.result)).toEqual(['no_face']);
    expect(
      lines.some((l) => l.message === 'idempotency store unavailable; answering without deduplication'),
    ).toBe(true);
    unreachable.destroy();
  });
});

describe('Function: createHandler() time budget', () => {
  // Jobs without faces: only the time budget decides what runs.
  const noFaceDeps = (): Pick<RecognizerDeps, 'embedder' | 'matcher' | 'decodeChip'> => ({
    embedder: async () => ({ modelId: 'e', chipSize: { width: 112, height: 112 }, embed: async () => [] }),
    matcher: async () => ({ match: () => ({ name: undefined, similarity: 0 }) }),
    decodeChip: decodeChipPng,
  });

  it('returns the unstarted records as failures and processes none of them when little time is left', async () => {
    const { logger, lines } = makeLogger();
    const started: string[] = [];
    const handler = createHandler({
      ...noFaceDeps(),
      logger,
      sendResult: async (_body, route) => {
        started.push(route.requestId);
      },
      metrics: recordingMetrics().metrics,
      timeMarginMs: 10_000,
    });
    // 30 s left for the first record, then the clock jumps to 9 s: below the 10 s margin.
    const budget = [30_000, 9_000, 8_000, 7_000];
    const context = { awsRequestId: 'inv-1', getRemainingTimeInMillis: () => budget.shift() ?? 0 };
    const bodies = ['a', 'b', 'c', 'd'].map((id) => JSON.stringify(minimalJob({ request_id: id })));
    const response = await handler(sqsEvent(bodies), context);
    expect(started).toEqual(['a']);
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm-1' },
      { itemIdentifier: 'm-2' },
      { itemIdentifier: 'm-3' },
    ]);
    expect(
      lines.find((l) => l.message === 'too little time left; returning the rest of the batch to the queue'),
    ).toMatchObject({ remaining_ms: 9000, records: 3 });
  });

  it('returns the rest as failures when less than twice the slowest record so far is left', async () => {
    const { logger } = makeLogger();
    const started: string[] = [];
    const handler = createHandler({
      ...noFaceDeps(),
      logger,
      sendResult: async (_body, route) => {
        started.push(route.requestId);
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
      metrics: recordingMetrics().metrics,
      timeMarginMs: 100,
    });
    // 500 ms is above the 100 ms margin, but not above twice the ~300 ms the first record took.
    const context = { awsRequestId: 'inv-2', getRemainingTimeInMillis: () => 500 };
    const bodies = ['a', 'b', 'c'].map((id) => JSON.stringify(minimalJob({ request_id: id })));
    const response = await handler(sqsEvent(bodies), context);
    expect(started).toEqual(['a']);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
  });

  it('returns no failures when the context has no getRemainingTimeInMillis', async () => {
    const { logger } = makeLogger();
    const handler = createHandler({
      ...noFaceDeps(),
      logger,
      sendResult: async () => undefined,
      metrics: recordingMetrics().metrics,
    });
    const response = await handler(sqsEvent([JSON.stringify(minimalJob())]), { awsRequestId: 'x' });
    expect(response).toEqual({ batchItemFailures: [] });
  });
});

describe('Function: createRecognizerDeps() idempotency wiring', () => {
  const base = { FRS_RESPONSE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q', FRS_GALLERY: 'g.json' };

  it('returns no store and logs one warning when FRS_IDEMPOTENCY_TABLE is unset', () => {
    const config = parseRecognizerConfig(base);
    expect([config.idempotencyTtlSeconds, config.idempotencyInProgressSeconds, config.timeMarginMs]).toEqual([
      3600, 60, 10_000,
    ]);
    const { logger, lines } = makeLogger();
    const deps = createRecognizerDeps(config, logger);
    expect(deps.idempotency).toBeUndefined();
    expect(lines.filter((l) => String(l.message).includes('FRS_IDEMPOTENCY_TABLE'))).toHaveLength(1);
  });

  it('returns a store on the named table with the configured TTLs when FRS_IDEMPOTENCY_TABLE is set', async () => {
    const table = await freshTable();
    const config = parseRecognizerConfig({
      ...base,
      FRS_IDEMPOTENCY_TABLE: table,
      FRS_IDEMPOTENCY_TTL_SECONDS: '120',
      FRS_IDEMPOTENCY_IN_PROGRESS_SECONDS: '30',
      FRS_TIME_MARGIN_SECONDS: '5',
    });
    const { logger, lines } = makeLogger();
    const deps = createRecognizerDeps(config, logger, { dynamodb: dynamo.client });
    expect(lines).toEqual([]);
    expect([deps.idempotency?.inProgressSeconds, deps.timeMarginMs]).toEqual([30, 5000]);
    const store = deps.idempotency?.store;
    if (store === undefined) throw new Error('no store');
    expect(await store.begin('k', 30)).toBe('started');
    // The same table seen through a second store: the claim is shared, as between two containers.
    const other = createDynamoIdempotencyStore({ client: dynamo.client, table, ttlSeconds: 120 });
    expect(await other.begin('k', 30)).toBe('in_progress');
  });
});
