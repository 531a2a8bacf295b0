import { readFile } from 'node:fs/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { EnrolResponse, PersonDetail } from '@frs/contracts/enrol';
import { ErrorBody } from '@frs/contracts/errors';
import { createEmfSink } from '@frs/runtime/metrics';
import { decodeImage } from '@frs/vision/image';
import { buildApp } from 'fauxqs';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../src/app.ts';
import { parseEnrollerConfig } from '../src/config.ts';
import { createEnrollerDeps } from '../src/deps.ts';
import { SERVICE } from '../src/metrics.ts';
import { EmfLine, facePath, makeEvent, makeLogger, recordingMetrics } from './fixtures.ts';

const photoBody = async (relative: string) => ({
  content: (await readFile(facePath(relative))).toString('base64'),
  filename: relative.split('/').at(-1),
});

// Real models on real photos, and a real S3 API (fauxqs on loopback) under the store.
describe('Function: createHandler()', () => {
  const app = buildApp({ logger: false });
  let s3: S3Client;
  let handler: ReturnType<typeof createHandler>;
  const { logger, lines } = makeLogger();
  const { metrics, records } = recordingMetrics();
  const config = parseEnrollerConfig({ FRS_GALLERY_STORE: 's3://frs-test/gallery/' });
  const rejected = (code: string) => ({
    split: { dimensions: { code }, metrics: { Rejected: [1, 'Count'] } },
  });

  beforeAll(async () => {
    const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
    s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'frs-test' }));
    handler = createHandler(createEnrollerDeps(config, logger, { s3, metrics }));
  }, 60_000);
  beforeEach(() => {
    records.length = 0;
  });
  afterAll(async () => {
    s3?.destroy();
    await app.close();
  });

  it('returns 201 with the largest face when a photo of several faces is enrolled', async () => {
    // A group photo whose largest face is fit to enrol (the quality rule refuses tiny faces).
    const relative = 'other/multi-face/bbt1.jpg';
    const response = await handler(makeEvent('POST', '/people/Crowd/photos', await photoBody(relative)));
    expect(response.statusCode, response.body).toBe(201);
    const created = EnrolResponse.parse(JSON.parse(response.body));
    const { createFaceFinder } = await import('@frs/vision/pipeline');
    const faces = await (await createFaceFinder()).detectAndAlign(
      await decodeImage(await readFile(facePath(relative))),
    );
    const area = (b: readonly number[]) => ((b[2] ?? 0) - (b[0] ?? 0)) * ((b[3] ?? 0) - (b[1] ?? 0));
    expect(faces.length).toBeGreaterThan(1);
    expect(area(created.face.box)).toBeCloseTo(Math.max(...faces.map((f) => area(f.detection.box))), 3);
    expect(records).toEqual([
      { metrics: { Enrolments: [1, 'Count'], EnrolMs: [expect.any(Number), 'Milliseconds'] } },
    ]);
    expect(records[0]?.metrics?.EnrolMs?.[0]).toBeGreaterThan(0);
  }, 60_000);

  it('returns the person with the photo and a JPEG thumbnail of the aligned face', async () => {
    const created = EnrolResponse.parse(
      JSON.parse(
        (await handler(makeEvent('POST', '/people/Ada/photos', await photoBody('identities/carell/00.jpg'))))
          .body,
      ),
    );
    const person = PersonDetail.parse(JSON.parse((await handler(makeEvent('GET', '/people/Ada'))).body));
    expect(person.photos).toEqual([
      expect.objectContaining({ photo_id: created.photo_id, filename: '00.jpg', box: created.face.box }),
    ]);
    const thumb = await handler(makeEvent('GET', `/people/Ada/photos/${created.photo_id}/thumbnail`));
    expect(thumb).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      headers: { 'content-type': 'image/jpeg' },
    });
    const meta = await sharp(Buffer.from(thumb.body, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 112, 112]);
  }, 60_000);

  it('returns 422 no_face and stores nothing when the photo has no face', async () => {
    const response = await handler(
      makeEvent('POST', '/people/Nobody/photos', await photoBody('other/no-face/apple.jpg')),
    );
    expect(response.statusCode).toBe(422);
    expect(ErrorBody.parse(JSON.parse(response.body)).error.code).toBe('no_face');
    expect((await handler(makeEvent('GET', '/people/Nobody'))).statusCode).toBe(404);
    expect(records).toEqual([rejected('no_face'), rejected('not_found')]);
  }, 60_000);

  it('returns 422 low_quality naming the reason and stores nothing when the face is in profile', async () => {
    const response = await handler(
      makeEvent('POST', '/people/Profile/photos', await photoBody('other/pose/left_face.jpeg')),
    );
    expect(response.statusCode).toBe(422);
    const { error } = ErrorBody.parse(JSON.parse(response.body));
    expect(error.code).toBe('low_quality');
    expect(error.message).toMatch(
      /^the face is turned sideways \(turn 1\.\d\d, at most 0\.9 allowed\); nothing was enrolled/,
    );
    expect((await handler(makeEvent('GET', '/people/Profile'))).statusCode).toBe(404);
    expect(records).toEqual([rejected('low_quality'), rejected('not_found')]);
  }, 60_000);

  it('returns 422 low_quality when the face is too small to be a good reference', async () => {
    const response = await handler(
      makeEvent('POST', '/people/Howard/photos', await photoBody('identities/bbt_howard/04.png')),
    );
    expect(response.statusCode).toBe(422);
    const { error } = ErrorBody.parse(JSON.parse(response.body));
    expect([error.code, error.message]).toEqual(['low_quality', expect.stringContaining('too small')]);
  }, 60_000);

  it('returns 422 low_quality when the photo is blurred', async () => {
    const blurred = await sharp(await readFile(facePath('identities/carell/00.jpg')))
      .blur(12)
      .jpeg()
      .toBuffer();
    const response = await handler(
      makeEvent('POST', '/people/Blur/photos', { content: blurred.toString('base64') }),
    );
    expect(response.statusCode).toBe(422);
    expect(ErrorBody.parse(JSON.parse(response.body)).error.message).toMatch(/blurred/);
  }, 60_000);

  it('returns 204 and then 404 when a person is deleted', async () => {
    expect((await handler(makeEvent('DELETE', '/people/Ada'))).statusCode).toBe(204);
    expect((await handler(makeEvent('DELETE', '/people/Ada'))).statusCode).toBe(404);
    expect(records).toEqual([
      { split: { dimensions: { target: 'person' }, metrics: { Deletions: [1, 'Count'] } } },
      rejected('not_found'),
    ]);
  });

  it('returns 204 and counts a photo deletion when one photo is deleted', async () => {
    const created = EnrolResponse.parse(
      JSON.parse(
        (
          await handler(
            makeEvent('POST', '/people/Bo/photos', await photoBody('identities/bbt_penny/04.png')),
          )
        ).body,
      ),
    );
    const response = await handler(makeEvent('DELETE', `/people/Bo/photos/${created.photo_id}`));
    expect(response.statusCode).toBe(204);
    expect(records.map((r) => r.split ?? Object.keys(r.metrics ?? {}))).toEqual([
      ['Enrolments', 'EnrolMs'],
      { dimensions: { target: 'photo' }, metrics: { Deletions: [1, 'Count'] } },
    ]);
  }, 60_000);

  it('returns a 500 without internals when the store cannot be reached', async () => {
    const dead = new S3Client({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    const broken = createHandler(createEnrollerDeps(config, logger, { s3: dead, metrics }));
    const response = await broken(makeEvent('GET', '/people'));
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'internal_error', message: 'internal error; retry later' },
    });
    expect(lines.some((l) => l.message === 'request failed')).toBe(true);
    expect(records).toEqual([{ metrics: { Failed: [1, 'Count'] } }]);
    dead.destroy();
  });

  it('returns EMF lines CloudWatch accepts, in FRS_METRICS_NAMESPACE, for a failed and a rejected request', async () => {
    const emfConfig = parseEnrollerConfig({
      FRS_GALLERY_STORE: 's3://frs-test/gallery/',
      FRS_METRICS_NAMESPACE: 'FRS/test',
    });
    const dead = new S3Client({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    const written: string[] = [];
    const emf = createEmfSink({
      namespace: emfConfig.metricsNamespace,
      service: SERVICE,
      write: (line) => written.push(line),
    });
    const broken = createHandler(createEnrollerDeps(emfConfig, logger, { s3: dead, metrics: emf }));
    await broken(makeEvent('GET', '/people'));
    await broken(makeEvent('PUT', '/people'));
    dead.destroy();

    const [failed, refused] = written.map((line) => EmfLine.parse(JSON.parse(line)));
    expect(written).toHaveLength(2);
    expect(failed?._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'FRS/test', Dimensions: [['service']], Metrics: [{ Name: 'Failed', Unit: 'Count' }] },
    ]);
    expect(failed).toMatchObject({ service: 'frs-enroller', Failed: 1 });
    expect(refused?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'FRS/test',
        Dimensions: [['service'], ['service', 'code']],
        Metrics: [{ Name: 'Rejected', Unit: 'Count' }],
      },
    ]);
    expect(refused).toMatchObject({ service: 'frs-enroller', code: 'method_not_allowed', Rejected: 1 });
  });
});
