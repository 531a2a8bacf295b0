import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '@frs/local';
import { quietLogger } from '@frs/test-fixtures/logger';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enrol } from '../src/commands/enrol.ts';
import { people } from '../src/commands/people.ts';
import { createEnrolClient, EnrolApiError } from '../src/enrol-client.ts';
import { facePath, runCaptured } from './fixtures.ts';

const face = facePath;
const run = runCaptured;

// The managed gallery through the CLI: real enroller, real models, fauxqs S3 in memory.
describe('Function: frs enrol --url / frs people', () => {
  let stack: LocalStack;
  let url = '';
  beforeAll(async () => {
    stack = await startLocalStack({
      logger: quietLogger(),
      port: 0,
      sqsPort: 0,
      enrolPort: 0,
      prefix: 'peopletest',
    });
    url = stack.enrolUrl ?? '';
  }, 120_000);
  afterAll(async () => stack?.stop());

  it('returns a report with each photo enrolled or skipped when enrolling a folder through the API', async () => {
    const library = await mkdtemp(join(tmpdir(), 'frs-lib-'));
    const layout: Record<string, string[]> = {
      'Zoë Ng': ['identities/John_Salley/00.jpg', 'identities/John_Salley/01.jpg', 'other/no-face/apple.jpg'],
      John_Savage: ['identities/John_Savage/00.jpg', 'other/pose/left_face.jpeg'],
    };
    for (const [person, photos] of Object.entries(layout)) {
      await mkdir(join(library, person));
      for (const [i, photo] of photos.entries())
        await symlink(face(photo), join(library, person, `${i}.jpg`));
    }
    const { code, lines } = await run(enrol, [library, '--url', url, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(lines.join('\n'));
    expect(report.summary).toMatchObject({ photos: 5, enrolled: 3, people: 2 });
    expect(report.photos.find((p: { photo: string }) => p.photo.endsWith('2.jpg')).outcome).toBe('no_face');
    // The enroller's 422 low_quality (a profile), with its reason.
    expect(
      report.photos.find(
        (p: { person: string; photo: string }) => p.person === 'John_Savage' && p.photo.endsWith('1.jpg'),
      ),
    ).toMatchObject({
      outcome: 'low_quality',
      detail: expect.stringMatching(/^low_quality: the face is turned/),
    });
  }, 120_000);

  it('returns the people, one person and a removal through frs people', async () => {
    const list = await run(people, ['list', '--url', url, '--json']);
    expect(JSON.parse(list.lines[0] ?? '{}')).toEqual({
      people: [
        { name: 'John_Savage', photos: 1 },
        { name: 'Zoë Ng', photos: 2 },
      ],
    });
    const show = await run(people, ['show', 'Zoë Ng', '--url', url, '--json']);
    const photos = JSON.parse(show.lines[0] ?? '{}').photos;
    expect(photos).toHaveLength(2);
    expect((await run(people, ['remove', 'Zoë Ng', '--photo', photos[0].photo_id, '--url', url])).code).toBe(
      0,
    );
    expect((await run(people, ['remove', 'John_Savage', '--url', url])).code).toBe(0);
    const after = await run(people, ['list', '--url', url, '--json']);
    expect(JSON.parse(after.lines[0] ?? '{}')).toEqual({ people: [{ name: 'Zoë Ng', photos: 1 }] });
  }, 60_000);

  it('throws EnrolApiError with the API code when the person does not exist', async () => {
    const error = await createEnrolClient({ url, sign: false })
      .show('Nobody')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnrolApiError);
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('Function: createEnrolClient()', () => {
  it('returns SigV4-signed calls scoped to the region of the Function URL host when signing', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const seen: Record<string, string>[] = [];
    const fakeFetch: typeof fetch = async (_input, init) => {
      seen.push(Object.fromEntries(new Headers(init?.headers).entries()));
      return new Response(JSON.stringify({ people: [] }), { status: 200 });
    };
    try {
      const client = createEnrolClient({
        url: 'https://abc123.lambda-url.eu-west-1.on.aws/',
        sign: true,
        fetch: fakeFetch,
      });
      await client.list();
      expect(seen[0]?.authorization).toMatch(
        /Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
