import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RecognitionJob } from '@frs/contracts/job';
import { RecognitionResult } from '@frs/contracts/result';
import { createEmfSink } from '@frs/runtime/metrics';
import { decodeChipPng } from '@frs/service/chip';
import { GalleryUnusableError } from '@frs/service/errors';
import { galleryMatcher, loadGalleryFrom } from '@frs/service/gallery';
import type { EmbedderPort } from '@frs/service/types';
import { addEmbeddings, createGallery, type Gallery, serializeGallery } from '@frs/vision/gallery';
import { defaultThreshold } from '@frs/vision/match';
import { createFacePipeline, type FacePipeline } from '@frs/vision/pipeline';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type RecognizerDeps } from '../src/app.ts';
import { parseRecognizerConfig } from '../src/config.ts';
import { SERVICE } from '../src/metrics.ts';
import { EmfLine, facePath, jobFor, makeLogger, photosOf, recordingMetrics, sqsEvent } from './fixtures.ts';

const ENROLLED = ['John_Salley', 'John_Savage', 'bbt_sheldon'] as const;

// Real models, real photos and a real gallery; the response queue is an array here (the SQS path is
// covered end to end in @frs/local's stack tests).
describe('Function: createHandler()', () => {
  let pipeline: FacePipeline;
  let gallery: Gallery;
  let embedder: EmbedderPort;
  const jobs = new Map<string, RecognitionJob>();

  beforeAll(async () => {
    pipeline = await createFacePipeline({});
    embedder = {
      modelId: pipeline.models.embedder,
      chipSize: pipeline.chipSize,
      embed: (chips) => pipeline.embed(chips),
    };
    gallery = createGallery({ id: pipeline.models.embedder, dimension: pipeline.embedder.dimension });
    for (const person of ENROLLED) {
      const photos = (await photosOf(person)).slice(0, 3);
      const vectors = [];
      for (const photo of photos) {
        const [chip] = await pipeline.detectAndAlign(await readFile(photo));
        if (!chip) continue;
        const [embedding] = await pipeline.embed([chip]);
        if (embedding) vectors.push({ vector: embedding.vector, source: photo });
      }
      gallery = addEmbeddings(gallery, person, vectors, { modelId: pipeline.models.embedder });
    }
    jobs.set('salley', await jobFor(pipeline, facePath('identities/John_Salley/05.jpg'), 'salley'));
    jobs.set('savage', await jobFor(pipeline, facePath('identities/John_Savage/05.jpg'), 'savage'));
    jobs.set('stranger', await jobFor(pipeline, facePath('identities/carell/00.jpg'), 'stranger'));
    jobs.set('empty', await jobFor(pipeline, facePath('other/no-face/apple.jpg'), 'empty'));
  });

  function job(name: string): RecognitionJob {
    const found = jobs.get(name);
    if (!found) throw new Error(`no fixture job ${name}`);
    return found;
  }

  function makeDeps(overrides: Partial<RecognizerDeps> = {}) {
    const sent: RecognitionResult[] = [];
    const { logger, lines } = makeLogger();
    const { metrics, records } = recordingMetrics();
    const matcher = galleryMatcher(gallery, defaultThreshold(pipeline.models.embedder));
    const deps: RecognizerDeps = {
      logger,
      embedder: async () => embedder,
      matcher: async () => matcher,
      decodeChip: decodeChipPng,
      sendResult: async (body) => {
        sent.push(RecognitionResult.parse(JSON.parse(body)));
      },
      metrics,
      ...overrides,
    };
    return { handler: createHandler(deps), sent, lines, records };
  }

  it('returns no failures and sends name, unknown and no_face results when given real jobs', async () => {
    const { handler, sent } = makeDeps();
    const bodies = ['salley', 'savage', 'stranger', 'empty'].map((n) => JSON.stringify(job(n)));
    expect(await handler(sqsEvent(bodies))).toEqual({ batchItemFailures: [] });
    expect(sent.map((r) => [r.request_id, r.result])).toEqual([
      ['salley', 'John_Salley'],
      ['savage', 'John_Savage'],
      ['stranger', 'unknown'],
      ['empty', 'no_face'],
    ]);
    expect(sent[0]?.faces[0]?.similarity).toBeGreaterThan(defaultThreshold(pipeline.models.embedder));
    expect(sent[2]?.faces[0]).toMatchObject({ name: 'unknown' });
    expect(sent[3]?.faces).toEqual([]);
  });

  it('returns each face with its nearest people when the matcher lists candidates, and a schema-valid result', async () => {
    const matcher = galleryMatcher(gallery, defaultThreshold(pipeline.models.embedder), { candidates: 3 });
    const { handler, sent } = makeDeps({ matcher: async () => matcher });
    await handler(sqsEvent(['salley', 'stranger'].map((n) => JSON.stringify(job(n)))));
    const [named, stranger] = sent.map((r) => r.faces[0]);
    expect(named?.candidates?.[0]).toEqual({ name: 'John_Salley', similarity: named?.similarity });
    expect(named?.candidates).toHaveLength(3);
    expect(stranger?.name).toBe('unknown');
    expect(stranger?.candidates?.[0]?.similarity).toBe(stranger?.similarity);
    const similarities = named?.candidates?.map((c) => c.similarity) ?? [];
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
  });

  it('returns no failures and emits timings, faces named and unknown and the outcome of each record when given real jobs', async () => {
    const { handler, sent, records } = makeDeps();
    const bodies = ['salley', 'stranger', 'empty'].map((n) => JSON.stringify(job(n)));
    await handler(sqsEvent(bodies));
    const expected = [
      { known: 1, unknown: 0, outcome: 'known' },
      { known: 0, unknown: 1, outcome: 'unknown' },
      { known: 0, unknown: 0, outcome: 'no_face' },
    ];
    expect(records).toEqual(
      expected.map(({ known, unknown, outcome }, i) => ({
        metrics: {
          RecognizerMs: [sent[i]?.timing.recognizer_ms, 'Milliseconds'],
          QueueMs: [sent[i]?.timing.queue_ms, 'Milliseconds'],
          FacesKnown: [known, 'Count'],
          FacesUnknown: [unknown, 'Count'],
        },
        split: { dimensions: { outcome }, metrics: { Results: [1, 'Count'] } },
      })),
    );
    expect(sent[0]?.timing.recognizer_ms).toBeGreaterThan(0);
  });

  it('returns results carrying camera_id and routes them by camera when jobs name their camera', async () => {
    const routes: unknown[] = [];
    const sent: RecognitionResult[] = [];
    const { handler } = makeDeps({
      sendResult: async (body, route) => {
        routes.push(route);
        sent.push(RecognitionResult.parse(JSON.parse(body)));
      },
    });
    const bodies = [
      JSON.stringify({ ...job('salley'), camera_id: 'cam1' }),
      JSON.stringify({ ...job('empty'), camera_id: 'cam2' }),
      JSON.stringify(job('savage')),
    ];
    expect(await handler(sqsEvent(bodies))).toEqual({ batchItemFailures: [] });
    expect(routes).toEqual([
      { requestId: 'salley', cameraId: 'cam1' },
      { requestId: 'empty', cameraId: 'cam2' },
      { requestId: 'savage', cameraId: undefined },
    ]);
    expect(sent.map((r) => [r.camera_id, r.result])).toEqual([
      ['cam1', 'John_Salley'],
      ['cam2', 'no_face'],
      [undefined, 'John_Savage'],
    ]);
    expect(sent[2]).not.toHaveProperty('camera_id');
  });

  it('returns only the bad records as batchItemFailures when a batch mixes good and poison records', async () => {
    const { handler, sent, records } = makeDeps();
    const otherModel = {
      ...job('savage'),
      models: { ...job('savage').models, embedder: 'some-other-embedder' },
    };
    const bodies = [
      JSON.stringify(job('salley')),
      'not json',
      JSON.stringify({ request_id: 'x' }),
      JSON.stringify(otherModel),
      JSON.stringify(job('empty')),
    ];
    const response = await handler(sqsEvent(bodies));
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm-1' },
      { itemIdentifier: 'm-2' },
      { itemIdentifier: 'm-3' },
    ]);
    expect(sent.map((r) => r.result)).toEqual(['John_Salley', 'no_face']);
    const poison = { split: { dimensions: { reason: 'poison' }, metrics: { FailedRecords: [1, 'Count'] } } };
    expect(records.map((r) => r.split)).toEqual([
      { dimensions: { outcome: 'known' }, metrics: { Results: [1, 'Count'] } },
      poison.split,
      poison.split,
      poison.split,
      { dimensions: { outcome: 'no_face' }, metrics: { Results: [1, 'Count'] } },
    ]);
  });

  it('returns the record as a poison failure, not a retry, when a chip is corrupt, of the wrong size or cut for another size', async () => {
    const { handler, sent, lines } = makeDeps();
    const good = job('salley');
    const face = good.faces[0];
    if (face === undefined) throw new Error('fixture has a face');
    const tiny = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const bodies = [
      { ...good, faces: [{ ...face, chip: Buffer.from('not a png').toString('base64') }] },
      { ...good, faces: [{ ...face, chip: tiny.toString('base64') }] },
      { ...good, chip_size: { width: 96, height: 96 } },
    ].map((b) => JSON.stringify(b));
    const response = await handler(sqsEvent(bodies));
    expect(response.batchItemFailures).toHaveLength(3);
    expect(sent).toEqual([]);
    const failed = lines.filter((l) => l.message === 'record failed');
    expect(failed.map((l) => l.poison)).toEqual([true, true, true]);
    expect(JSON.stringify(failed)).toMatch(
      /chip 0 is not a decodable PNG.*chip 0 is 8×8, not 112×112.*job chips are 96×96/s,
    );
  });

  it('returns the same result apart from timing when the same job is delivered twice', async () => {
    const { handler, sent } = makeDeps();
    await handler(sqsEvent([JSON.stringify(job('salley')), JSON.stringify(job('salley'))]));
    const [first, second] = sent.map(({ timing: _timing, ...rest }) => rest);
    expect(first).toEqual(second);
  });

  it('returns only the unsent record as a failure when the response queue refuses it', async () => {
    let calls = 0;
    const { handler, records } = makeDeps({
      sendResult: async () => {
        calls++;
        if (calls === 1) throw new Error('throttled');
      },
    });
    const response = await handler(sqsEvent([JSON.stringify(job('salley')), JSON.stringify(job('savage'))]));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(records[0]).toEqual({
      split: { dimensions: { reason: 'fault' }, metrics: { FailedRecords: [1, 'Count'] } },
    });
    expect(records[1]?.split?.dimensions).toEqual({ outcome: 'known' });
  });

  it('returns EMF lines CloudWatch accepts, in FRS_METRICS_NAMESPACE, for a recognised and a poison record', async () => {
    const config = parseRecognizerConfig({
      FRS_RESPONSE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q',
      FRS_GALLERY: 'g.json',
      FRS_METRICS_NAMESPACE: 'FRS/test',
    });
    const written: string[] = [];
    const metrics = createEmfSink({
      namespace: config.metricsNamespace,
      service: SERVICE,
      write: (line) => written.push(line),
    });
    const { handler } = makeDeps({ metrics });
    await handler(sqsEvent([JSON.stringify(job('stranger')), 'not json']));

    const [recognised, poison] = written.map((line) => EmfLine.parse(JSON.parse(line)));
    expect(written).toHaveLength(2);
    expect(recognised?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'FRS/test',
        Dimensions: [['service']],
        Metrics: [
          { Name: 'RecognizerMs', Unit: 'Milliseconds' },
          { Name: 'QueueMs', Unit: 'Milliseconds' },
          { Name: 'FacesKnown', Unit: 'Count' },
          { Name: 'FacesUnknown', Unit: 'Count' },
        ],
      },
      {
        Namespace: 'FRS/test',
        Dimensions: [['service'], ['service', 'outcome']],
        Metrics: [{ Name: 'Results', Unit: 'Count' }],
      },
    ]);
    expect(recognised).toMatchObject({
      service: 'frs-recognizer',
      outcome: 'unknown',
      FacesKnown: 0,
      FacesUnknown: 1,
      Results: 1,
    });
    expect(poison).toMatchObject({ service: 'frs-recognizer', reason: 'poison', FailedRecords: 1 });
  });
});

describe('Function: loadGalleryFrom()', () => {
  const model = { id: 'mobilefacenet-sirius-192d', dimension: 4 };
  const text = serializeGallery(addEmbeddings(createGallery(model), 'Ada', [{ vector: [1, 0, 0, 0] }]));

  it('returns the gallery when given a path, a file:// URL or an http(s) URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frs-gallery-'));
    const path = join(dir, 'g.json');
    await writeFile(path, text);
    const server = createServer((_req, res) => res.end(text));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      for (const location of [
        path,
        pathToFileURL(path).href,
        `http://127.0.0.1:${port}/g.json?X-Amz-Signature=s`,
      ]) {
        const gallery = await loadGalleryFrom(location, { id: model.id });
        expect(gallery.people.map((p) => p.name)).toEqual(['Ada']);
      }
    } finally {
      server.close();
    }
  });

  it('throws GalleryUnusableError without the presigned query when the gallery cannot be read', async () => {
    const error = await loadGalleryFrom('http://127.0.0.1:1/g.json?X-Amz-Signature=secret', {
      id: model.id,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GalleryUnusableError);
    expect(String(error)).not.toContain('secret');
  });

  it('throws GalleryUnusableError when the gallery was built with another embedder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frs-gallery-'));
    await writeFile(join(dir, 'g.json'), text);
    await expect(loadGalleryFrom(join(dir, 'g.json'), { id: 'another-model' })).rejects.toThrow(
      /another-model/,
    );
  });
});

describe('Function: parseRecognizerConfig()', () => {
  it('throws RecognizerConfigError explaining FRS_GALLERY when it is missing', () => {
    expect(() =>
      parseRecognizerConfig({ FRS_RESPONSE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q' }),
    ).toThrow(/FRS_GALLERY is required/);
  });

  it('returns the camera queue prefix when FRS_CAMERA_QUEUE_PREFIX is set and undefined when it is not', () => {
    const base = { FRS_RESPONSE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q', FRS_GALLERY: 'g.json' };
    const prefix = 'https://sqs.us-east-1.amazonaws.com/1/frs-resp-';
    expect(parseRecognizerConfig({ ...base, FRS_CAMERA_QUEUE_PREFIX: prefix }).cameraQueuePrefix).toBe(
      prefix,
    );
    expect(parseRecognizerConfig(base).cameraQueuePrefix).toBeUndefined();
    expect(() => parseRecognizerConfig({ ...base, FRS_CAMERA_QUEUE_PREFIX: 'frs-resp-' })).toThrow(
      /FRS_CAMERA_QUEUE_PREFIX/,
    );
  });

  it('returns 0 result candidates unless FRS_RESULT_CANDIDATES asks for 1-10', () => {
    const base = { FRS_RESPONSE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q', FRS_GALLERY: 'g.json' };
    expect(parseRecognizerConfig(base).resultCandidates).toBe(0);
    expect(parseRecognizerConfig({ ...base, FRS_RESULT_CANDIDATES: '3' }).resultCandidates).toBe(3);
    expect(() => parseRecognizerConfig({ ...base, FRS_RESULT_CANDIDATES: '11' })).toThrow(
      /FRS_RESULT_CANDIDATES/,
    );
  });

  it('returns an undefined threshold (use the calibrated default) when FRS_MATCH_THRESHOLD is unset', () => {
    const config = parseRecognizerConfig({
      FRS_RESPONSE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q',
      FRS_GALLERY: 'g.json',
    });
    expect(config.matchThreshold).toBeUndefined();
    expect(config.metricsNamespace).toBe('FRS');
  });

  it('throws RecognizerConfigError when FRS_METRICS_NAMESPACE is reserved by AWS', () => {
    expect(() =>
      parseRecognizerConfig({
        FRS_RESPONSE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q',
        FRS_GALLERY: 'g.json',
        FRS_METRICS_NAMESPACE: 'AWS/SQS',
      }),
    ).toThrow(/FRS_METRICS_NAMESPACE/);
  });
});
