import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ErrorBody } from '@frs/contracts/errors';
import { RecognitionJob } from '@frs/contracts/job';
import { DetectorAccepted } from '@frs/contracts/request';
import { memoise } from '@frs/runtime/memo';
import { createEmfSink, type MetricsSink } from '@frs/runtime/metrics';
import { encodeChipPng } from '@frs/service/chip';
import { decodeFrame } from '@frs/service/image';
import { DEFAULT_MAX_FACES } from '@frs/service/job';
import { loadFaceFinder } from '@frs/service/models';
import type { FaceFinderPort } from '@frs/service/types';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type DetectorDeps } from '../src/app.ts';
import { parseDetectorConfig } from '../src/config.ts';
import { DetectorConfigError } from '../src/errors.ts';
import { SERVICE } from '../src/metrics.ts';
import { EmfLine, facePath, makeEvent, makeLogger, recordingMetrics } from './fixtures.ts';

// Real models and real photos; only the queue is replaced by an array (stack tests in @frs/local use
// the real SQS server).
describe('Function: createHandler()', () => {
  let finder: () => Promise<FaceFinderPort>;

  beforeAll(async () => {
    const { logger } = makeLogger();
    const loaded = await loadFaceFinder({ modelsDir: undefined, minFaceSize: 20, logger });
    finder = async () => loaded;
  });

  function makeDeps(overrides: Partial<DetectorDeps> = {}) {
    const sent: string[] = [];
    const { logger, lines } = makeLogger();
    const { metrics, records } = recordingMetrics();
    const deps: DetectorDeps = {
      config: { maxBodyBytes: 6 * 1024 * 1024, maxPixels: 40_000_000, maxFaces: DEFAULT_MAX_FACES },
      logger,
      decodeFrame,
      faceFinder: finder,
      encodeChip: encodeChipPng,
      sendJob: async (body) => {
        sent.push(body);
      },
      metrics,
      ...overrides,
    };
    return { handler: createHandler(deps), sent, lines, records };
  }

  async function imageEvent(relative: string, requestId = 'r-1') {
    const content = (await readFile(facePath(relative))).toString('base64');
    return makeEvent({ content, request_id: requestId, filename: basename(relative) });
  }

  it('returns 200 and queues one job with an aligned PNG chip when given a portrait', async () => {
    const { handler, sent } = makeDeps();
    const response = await handler(await imageEvent('identities/John_Salley/05.jpg'));
    expect(response.statusCode).toBe(200);
    expect(DetectorAccepted.parse(JSON.parse(response.body))).toEqual({
      request_id: 'r-1',
      faces: 1,
      dropped_faces: 0,
    });
    expect(sent).toHaveLength(1);
    const job = RecognitionJob.parse(JSON.parse(sent[0] ?? ''));
    const face = job.faces[0];
    if (!face) throw new Error('no face in the job');
    expect(face.score).toBeGreaterThan(0.9);
    const chip = await sharp(Buffer.from(face.chip, 'base64')).metadata();
    expect([chip.format, chip.width, chip.height]).toEqual([
      'png',
      job.chip_size.width,
      job.chip_size.height,
    ]);
    const [x1, y1, x2, y2] = face.box;
    for (const [x, y] of face.landmarks) {
      expect(x).toBeGreaterThan(x1);
      expect(x).toBeLessThan(x2);
      expect(y).toBeGreaterThan(y1);
      expect(y).toBeLessThan(y2);
    }
  });

  it('returns 200 and emits faces per frame and the stage timings of the job when given a portrait', async () => {
    const { handler, sent, records } = makeDeps();
    await handler(await imageEvent('identities/John_Salley/05.jpg'));
    const { timing } = RecognitionJob.parse(JSON.parse(sent[0] ?? ''));
    expect(records).toEqual([
      {
        metrics: {
          Accepted: [1, 'Count'],
          FacesPerFrame: [1, 'Count'],
          DroppedFaces: [0, 'Count'],
          DetectorMs: [timing.detector_ms, 'Milliseconds'],
          DecodeMs: [timing.decode_ms, 'Milliseconds'],
          DetectMs: [timing.detect_ms, 'Milliseconds'],
          EncodeMs: [timing.encode_ms, 'Milliseconds'],
        },
      },
    ]);
    expect(timing.detect_ms).toBeGreaterThan(0);
  });

  it('returns 200 with zero faces and still queues a job when the photo has no face', async () => {
    const { handler, sent } = makeDeps();
    const response = await handler(await imageEvent('other/no-face/apple.jpg', 'apple'));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ request_id: 'apple', faces: 0 });
    expect(RecognitionJob.parse(JSON.parse(sent[0] ?? '')).faces).toEqual([]);
  });

  it('returns 200 and copies camera_id into the job when the request names its camera', async () => {
    const { handler, sent } = makeDeps();
    const content = (await readFile(facePath('other/no-face/apple.jpg'))).toString('base64');
    const response = await handler(makeEvent({ content, request_id: 'a-1', camera_id: 'front-door' }));
    expect(response.statusCode).toBe(200);
    expect(RecognitionJob.parse(JSON.parse(sent[0] ?? '')).camera_id).toBe('front-door');
  });

  it('returns 400 naming camera_id and queues nothing when camera_id has a character a queue name refuses', async () => {
    const { handler, sent } = makeDeps();
    const content = (await readFile(facePath('other/no-face/apple.jpg'))).toString('base64');
    const response = await handler(makeEvent({ content, request_id: 'a-1', camera_id: 'front.door' }));
    expect(response.statusCode).toBe(400);
    expect(ErrorBody.parse(JSON.parse(response.body)).error.message).toMatch(/camera_id/);
    expect(sent).toEqual([]);
  });

  it('returns the highest-score faces and the dropped count when a crowd exceeds FRS_MAX_FACES', async () => {
    const { handler, sent } = makeDeps({
      config: { maxBodyBytes: 6 * 1024 * 1024, maxPixels: 40_000_000, maxFaces: 2 },
    });
    const response = await handler(await imageEvent('other/multi-face-annotated/2007_007763.jpg', 'crowd'));
    const job = RecognitionJob.parse(JSON.parse(sent[0] ?? ''));
    expect(job.faces).toHaveLength(2);
    expect(job.truncated).toBe(true);
    expect(job.dropped_faces).toBeGreaterThanOrEqual(3);
    expect(job.faces[0]?.score).toBeGreaterThanOrEqual(job.faces[1]?.score ?? 1);
    expect(JSON.parse(response.body)).toMatchObject({ faces: 2, dropped_faces: job.dropped_faces });
  });

  it('returns 200 when the Function URL delivers the JSON body base64-encoded', async () => {
    const { handler, sent } = makeDeps();
    const event = await imageEvent('identities/bbt_penny/04.png');
    const response = await handler({
      ...event,
      body: Buffer.from(event.body ?? '').toString('base64'),
      isBase64Encoded: true,
    });
    expect(response.statusCode).toBe(200);
    expect(sent).toHaveLength(1);
  });

  it('returns 4xx, queues nothing, never runs the models and counts each rejection by code when the input is bad', async () => {
    const { handler, sent, records } = makeDeps({
      faceFinder: async () => {
        throw new Error('the models must not run for a rejected request');
      },
    });
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    const cases: [unknown, number, string][] = [
      [makeEvent('not json'), 400, 'malformed_json'],
      [makeEvent({ content: 'aGk=' }), 400, 'invalid_request'],
      [makeEvent({ content: '!!', request_id: 'x' }), 400, 'invalid_base64'],
      [
        makeEvent({ content: Buffer.from('plain text').toString('base64'), request_id: 'x' }),
        415,
        'not_an_image',
      ],
      [makeEvent({ content: gif.toString('base64'), request_id: 'x' }), 415, 'unsupported_format'],
    ];
    for (const [event, status, code] of cases) {
      const response = await handler(event);
      expect(response.statusCode).toBe(status);
      expect(ErrorBody.parse(JSON.parse(response.body)).error.code).toBe(code);
    }
    expect(sent).toEqual([]);
    expect(records).toEqual(
      cases.map(([, , code]) => ({ split: { dimensions: { code }, metrics: { Rejected: [1, 'Count'] } } })),
    );
  });

  it('returns 500 without internals and logs the cause with the Lambda request id when the queue refuses the job', async () => {
    const { handler, lines, records } = makeDeps({
      sendJob: async () => {
        throw new Error('AccessDenied for arn:aws:sqs:eu-west-1:123456789012:secret-queue');
      },
    });
    const response = await handler(await imageEvent('other/no-face/dog.jpg'), { awsRequestId: 'lambda-1' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/arn:|AccessDenied|secret/);
    expect(ErrorBody.parse(JSON.parse(response.body)).error.code).toBe('internal_error');
    expect(lines.find((l) => l.message === 'request failed')).toMatchObject({ aws_request_id: 'lambda-1' });
    expect(JSON.stringify(lines)).toContain('AccessDenied');
    expect(records).toEqual([{ metrics: { Failed: [1, 'Count'] } }]);
  });

  it('returns 200 to every request and loads the models once when many requests hit a cold container', async () => {
    let loads = 0;
    const { handler } = makeDeps({
      faceFinder: memoise(async () => {
        loads++;
        return finder();
      }),
    });
    const event = await imageEvent('other/no-face/dog.jpg');
    const responses = await Promise.all([handler(event), handler(event), handler(event)]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(loads).toBe(1);
  });
});

describe('Function: createEmfSink()', () => {
  it('returns EMF lines CloudWatch accepts, in FRS_METRICS_NAMESPACE, when the handler accepts and rejects requests', async () => {
    const { logger } = makeLogger();
    const loaded = await loadFaceFinder({ modelsDir: undefined, minFaceSize: 20, logger });
    const config = parseDetectorConfig({
      FRS_REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
      FRS_METRICS_NAMESPACE: 'FRS/test',
    });
    const written: string[] = [];
    const metrics: MetricsSink = createEmfSink({
      namespace: config.metricsNamespace,
      service: SERVICE,
      write: (line) => written.push(line),
      now: () => 1_764_000_000_000,
    });
    const handler = createHandler({
      config,
      logger,
      decodeFrame,
      faceFinder: async () => loaded,
      encodeChip: encodeChipPng,
      sendJob: async () => {},
      metrics,
    });
    const content = (await readFile(facePath('identities/bbt_penny/04.png'))).toString('base64');
    await handler(makeEvent({ content, request_id: 'ok' }));
    await handler(makeEvent({ content: '!!', request_id: 'bad' }));

    const [accepted, rejected] = written.map((line) => EmfLine.parse(JSON.parse(line)));
    expect(written).toHaveLength(2);
    expect(accepted?._aws).toEqual({
      Timestamp: 1_764_000_000_000,
      CloudWatchMetrics: [
        {
          Namespace: 'FRS/test',
          Dimensions: [['service']],
          Metrics: expect.arrayContaining([
            { Name: 'FacesPerFrame', Unit: 'Count' },
            { Name: 'DetectorMs', Unit: 'Milliseconds' },
          ]),
        },
      ],
    });
    expect(accepted).toMatchObject({ service: 'frs-detector', Accepted: 1, FacesPerFrame: 1 });
    expect(rejected?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'FRS/test',
        Dimensions: [['service'], ['service', 'code']],
        Metrics: [{ Name: 'Rejected', Unit: 'Count' }],
      },
    ]);
    expect(rejected).toMatchObject({ service: 'frs-detector', code: 'invalid_base64', Rejected: 1 });
  });

  it('returns a line EmfLine refuses when a dimension or a metric value is missing', () => {
    const line = {
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [{ Namespace: 'FRS', Dimensions: [['service']], Metrics: [{ Name: 'X' }] }],
      },
    };
    expect(EmfLine.safeParse(line).success).toBe(false);
    expect(EmfLine.safeParse({ ...line, service: 's', X: 1 }).success).toBe(true);
  });
});

describe('Function: parseDetectorConfig()', () => {
  it('returns the documented defaults when only the queue URL is set', () => {
    const config = parseDetectorConfig({ FRS_REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' });
    expect(config).toMatchObject({
      maxBodyBytes: 6 * 1024 * 1024,
      maxPixels: 40_000_000,
      minFaceSize: 20,
      metricsNamespace: 'FRS',
    });
  });

  it('throws DetectorConfigError when FRS_METRICS_NAMESPACE is not a namespace CloudWatch accepts', () => {
    for (const bad of ['AWS/Lambda', '', ' ', 'frs;drop', 'x'.repeat(256)]) {
      expect(() =>
        parseDetectorConfig({
          FRS_REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
          FRS_METRICS_NAMESPACE: bad,
        }),
      ).toThrow(/FRS_METRICS_NAMESPACE/);
    }
  });

  it('throws DetectorConfigError naming every bad variable when the environment is invalid', () => {
    expect(() => parseDetectorConfig({ FRS_MAX_PIXELS: 'lots' })).toThrow(DetectorConfigError);
    expect(() => parseDetectorConfig({ FRS_MAX_PIXELS: 'lots' })).toThrow(
      /FRS_REQUEST_QUEUE_URL.*FRS_MAX_PIXELS/,
    );
  });

  it('throws DetectorConfigError when LOG_LEVEL is not a level, and accepts any case', () => {
    const queue = { FRS_REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' };
    expect(() => parseDetectorConfig({ ...queue, LOG_LEVEL: 'verbose' })).toThrow(
      /LOG_LEVEL: LOG_LEVEL must be one of debug, info, warn, error/,
    );
    expect(parseDetectorConfig({ ...queue, LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
  });
});
