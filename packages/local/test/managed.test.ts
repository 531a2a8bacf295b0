import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { EnrolResponse, PeopleList, PersonDetail } from '@frs/contracts/enrol';
import { ErrorBody } from '@frs/contracts/errors';
import type { RecognitionResult } from '@frs/contracts/result';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GALLERY_BUCKET, type LocalStack, startLocalStack } from '../src/stack.ts';
import { facePath, photosOf } from './fixtures.ts';
import { receiveResults, sqsClient, testLogger } from './helpers.ts';

const PEOPLE = ['John_Salley', 'John_Savage', 'John_Schneider', 'bbt_sheldon', 'bbt_penny'] as const;
const PER_PERSON = 2;

// The managed gallery end to end on the real local stack: enrolment over HTTP into fauxqs S3 (kept on disk),
// recognition through the camera path, deletion seen by the running recognizer, and a restart.
describe('Function: startLocalStack() with the managed gallery', () => {
  const logger = testLogger();
  const dataDir = join(tmpdir(), `frs-managed-${randomUUID().slice(0, 8)}`);
  let stack: LocalStack;
  let sqs: SQSClient;
  let s3: S3Client;
  const results = new Map<string, RecognitionResult>();

  const start = async () => {
    stack = await startLocalStack({
      logger,
      port: 0,
      sqsPort: 0,
      enrolPort: 0,
      dataDir,
      prefix: `m${randomUUID().slice(0, 8)}`,
      responseVisibilitySeconds: 1,
    });
    sqs = sqsClient(stack.sqsEndpoint);
    s3 = new S3Client({
      endpoint: stack.s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
  };
  const stop = async () => {
    sqs?.destroy();
    s3?.destroy();
    await stack?.stop();
  };

  beforeAll(async () => {
    await mkdtemp(dataDir).catch(() => undefined);
    await start();
  }, 120_000);
  afterAll(stop);

  const enrolUrl = (path: string) => new URL(path, stack.enrolUrl).href;
  const people = (path = '') => enrolUrl(`people${path}`);
  const enc = encodeURIComponent;

  async function enrol(name: string, photo: string): Promise<Response> {
    const content = (await readFile(photo)).toString('base64');
    return fetch(people(`/${enc(name)}/photos`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content, filename: photo.split('/').at(-1) }),
    });
  }

  async function snapshotEtag(): Promise<string | undefined> {
    const out = await s3
      .send(new HeadObjectCommand({ Bucket: GALLERY_BUCKET, Key: 'gallery/snapshot.json' }))
      .catch(() => undefined);
    return out?.ETag;
  }

  async function recognise(photo: string): Promise<RecognitionResult> {
    const requestId = randomUUID();
    const content = (await readFile(photo)).toString('base64');
    const response = await fetch(stack.functionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content, request_id: requestId }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const deadline = Date.now() + 60_000;
    while (!results.has(requestId) && Date.now() < deadline) {
      await receiveResults(sqs, stack.responseQueueUrl, (result) => results.set(result.request_id, result));
    }
    const result = results.get(requestId);
    if (result === undefined) throw new Error(`no result for ${requestId}`);
    return result;
  }

  it('returns 201 with the largest face for each enrolled photo and lists every person', async () => {
    for (const person of PEOPLE) {
      for (const photo of (await photosOf(person)).slice(0, PER_PERSON)) {
        const response = await enrol(person, photo);
        expect(response.status, await response.clone().text()).toBe(201);
        const created = EnrolResponse.parse(await response.json());
        expect(created.name).toBe(person);
        expect(created.face.score).toBeGreaterThan(0.9);
      }
    }
    const list = PeopleList.parse(await (await fetch(people())).json());
    expect(list.people).toEqual([...PEOPLE].sort().map((name) => ({ name, photos: PER_PERSON })));
    const detail = PersonDetail.parse(await (await fetch(people(`/${PEOPLE[0]}`))).json());
    expect(detail.photos).toHaveLength(PER_PERSON);
    const thumb = await fetch(people(`/${PEOPLE[0]}/photos/${detail.photos[0]?.photo_id}/thumbnail`));
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).format).toBe('jpeg');
  }, 180_000);

  it('returns each enrolled name for a photo that was not enrolled, through the camera path', async () => {
    // The first enrolment is visible within one refresh interval (10 s by default).
    await new Promise((r) => setTimeout(r, 10_500));
    for (const person of PEOPLE) {
      const photo = (await photosOf(person))[PER_PERSON];
      if (photo === undefined) throw new Error(`${person} has too few photos`);
      expect((await recognise(photo)).result, person).toBe(person);
    }
  }, 180_000);

  it('returns both people when two enrolments of different people race', async () => {
    const [a, b] = await Promise.all([
      enrol('Race A', facePath('identities/carell/00.jpg')),
      enrol('Race B', facePath('identities/Nathalie_Baye/00.jpg')),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const names = PeopleList.parse(await (await fetch(people())).json()).people.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['Race A', 'Race B']));
  }, 60_000);

  describe('bad input', () => {
    const huge = async () => {
      const photo = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#888' } })
        .jpeg({ quality: 100 })
        .toBuffer();
      return photo.toString('base64');
    };
    const cases: [string, () => Promise<RequestInit & { path: string }>, number, string][] = [
      [
        'a name with markup',
        async () => ({ path: `/${enc('<b>x</b>')}/photos`, method: 'POST' }),
        400,
        'invalid_request',
      ],
      [
        'the reserved name unknown',
        async () => ({ path: '/unknown/photos', method: 'POST' }),
        400,
        'invalid_request',
      ],
      [
        'bad percent-encoding',
        async () => ({ path: '/%E0%A4%A/photos', method: 'POST' }),
        400,
        'invalid_request',
      ],
      [
        'a body that is not JSON',
        async () => ({ path: '/Ada/photos', method: 'POST', body: '{"content":' }),
        400,
        'malformed_json',
      ],
      [
        'no content',
        async () => ({ path: '/Ada/photos', method: 'POST', body: '{"filename":"a.jpg"}' }),
        400,
        'invalid_request',
      ],
      [
        'content that is not base64',
        async () => ({ path: '/Ada/photos', method: 'POST', body: '{"content":"%%%"}' }),
        400,
        'invalid_base64',
      ],
      [
        'content that is not an image',
        async () => ({
          path: '/Ada/photos',
          method: 'POST',
          body: JSON.stringify({ content: Buffer.from('hello world, not a photo').toString('base64') }),
        }),
        415,
        'not_an_image',
      ],
      [
        'a truncated JPEG',
        async () => ({
          path: '/Ada/photos',
          method: 'POST',
          body: JSON.stringify({
            content: (await readFile(facePath('identities/carell/00.jpg')))
              .subarray(0, 3000)
              .toString('base64'),
          }),
        }),
        422,
        'truncated_image',
      ],
      [
        'a photo with no face',
        async () => ({
          path: '/Ada/photos',
          method: 'POST',
          body: JSON.stringify({
            content: (await readFile(facePath('other/no-face/apple.jpg'))).toString('base64'),
          }),
        }),
        422,
        'no_face',
      ],
      [
        'a body over the limit',
        async () => ({
          path: '/Ada/photos',
          method: 'POST',
          body: JSON.stringify({ content: 'A'.repeat(6 * 1024 * 1024 + 4) }),
        }),
        413,
        'body_too_large',
      ],
      [
        'an image over the pixel limit',
        async () => ({
          path: '/Ada/photos',
          method: 'POST',
          body: JSON.stringify({ content: await huge() }),
        }),
        413,
        'image_too_large',
      ],
      ['an unknown person', async () => ({ path: '/Nobody', method: 'GET' }), 404, 'not_found'],
      ['deleting an unknown person', async () => ({ path: '/Nobody', method: 'DELETE' }), 404, 'not_found'],
      [
        'deleting an unknown photo',
        async () => ({ path: `/${PEOPLE[0]}/photos/${randomUUID()}`, method: 'DELETE' }),
        404,
        'not_found',
      ],
      [
        'a photo id that is not a UUID',
        async () => ({ path: `/${PEOPLE[0]}/photos/abc`, method: 'DELETE' }),
        400,
        'invalid_request',
      ],
      [
        'a wrong method',
        async () => ({ path: `/${PEOPLE[0]}/photos`, method: 'GET' }),
        405,
        'method_not_allowed',
      ],
      ['an unknown route', async () => ({ path: '/../admin', method: 'GET' }), 404, 'not_found'],
    ];

    it.each(cases)(
      'returns a JSON %s error and changes nothing',
      async (_what, make, status, code) => {
        const { path, ...init } = await make();
        const before = await snapshotEtag();
        const url = path === '/../admin' ? enrolUrl('admin') : people(path);
        const response = await fetch(url, { headers: { 'content-type': 'application/json' }, ...init });
        expect(response.status).toBe(status);
        expect(ErrorBody.parse(await response.json()).error.code).toBe(code);
        expect(await snapshotEtag()).toBe(before);
      },
      60_000,
    );
  });

  it('returns unknown for a deleted person within 15 s without a restart', async () => {
    const victim = PEOPLE[0];
    const photo = (await photosOf(victim))[PER_PERSON];
    if (photo === undefined) throw new Error('too few photos');
    expect((await recognise(photo)).result).toBe(victim);
    const deleted = Date.now();
    expect((await fetch(people(`/${victim}`), { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(people(`/${victim}`))).status).toBe(404);
    let result = await recognise(photo);
    while (result.result === victim && Date.now() - deleted < 20_000) result = await recognise(photo);
    expect(result.result).toBe('unknown');
    expect(Date.now() - deleted).toBeLessThan(15_000);
  }, 60_000);

  it('returns the same people after the stack restarts on the same data directory', async () => {
    const before = PeopleList.parse(await (await fetch(people())).json());
    await stop();
    await start();
    const after = PeopleList.parse(await (await fetch(people())).json());
    expect(after).toEqual(before);
    const photo = (await photosOf(PEOPLE[1]))[PER_PERSON];
    if (photo === undefined) throw new Error('too few photos');
    expect((await recognise(photo)).result).toBe(PEOPLE[1]);
  }, 180_000);
});
