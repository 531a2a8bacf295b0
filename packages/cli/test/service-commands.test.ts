import { mkdir, mkdtemp, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type LocalStack, startLocalStack } from '@frs/local';
import { quietLogger } from '@frs/test-fixtures/logger';
import { parseGallery } from '@frs/vision/gallery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/command.ts';
import { enrol } from '../src/commands/enrol.ts';
import { recognize } from '../src/commands/recognize.ts';
import { send } from '../src/commands/send.ts';
import { facePath, runCaptured } from './fixtures.ts';

const face = facePath;
const run = runCaptured;

/** `<dir>/<Person>/*` made of links into ../shared/faces (nothing is copied). */
async function photoLibrary(layout: Record<string, string[]>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frs-enrol-'));
  for (const [person, photos] of Object.entries(layout)) {
    await mkdir(join(dir, person));
    for (const [i, photo] of photos.entries())
      await symlink(face(photo), join(dir, person, `${i}-${photo.split('/').pop()}`));
  }
  return dir;
}

// Real models on real photos, through the same code the service runs.
describe('Function: frs enrol / recognize / send', () => {
  let gallery: string;
  let enrolReport: { summary: Record<string, unknown>; photos: { photo: string; outcome: string }[] };

  beforeAll(async () => {
    const library = await photoLibrary({
      John_Salley: [
        'identities/John_Salley/00.jpg',
        'identities/John_Salley/01.jpg',
        'identities/John_Salley/02.jpg',
      ],
      John_Savage: ['identities/John_Savage/00.jpg', 'identities/John_Savage/01.jpg'],
      bbt_penny: ['identities/bbt_penny/00.png', 'identities/bbt_penny/01.png', 'other/no-face/apple.jpg'],
      crowd: ['other/multi-face/bbt1.jpg'],
      nobody: ['other/no-face/dog.jpg'],
      profile: ['other/pose/left_face.jpeg'],
    });
    gallery = join(await mkdtemp(join(tmpdir(), 'frs-gallery-')), 'gallery.json');
    const { code, lines } = await run(enrol, [library, '--gallery', gallery, '--json']);
    expect(code).toBe(0);
    enrolReport = JSON.parse(lines.join('\n'));
  });

  it('returns a gallery with one vector per photo and reports no-face, low-quality and several-face photos when enrolling', async () => {
    const saved = parseGallery(await readFile(gallery));
    expect(Object.fromEntries(saved.people.map((p) => [p.name, p.embeddings.length]))).toEqual({
      John_Salley: 3,
      John_Savage: 2,
      bbt_penny: 2,
      crowd: 1,
    });
    const outcome = (name: string) => enrolReport.photos.find((p) => p.photo.endsWith(name))?.outcome;
    expect(outcome('apple.jpg')).toBe('no_face');
    expect(outcome('dog.jpg')).toBe('no_face');
    expect(outcome('bbt1.jpg')).toBe('several_faces');
    // The enroller's quality rule: a profile is refused with the reason, and the person is not created.
    expect(outcome('left_face.jpeg')).toBe('low_quality');
    expect(enrolReport.photos.find((p) => p.photo.endsWith('left_face.jpeg'))).toMatchObject({
      detail: expect.stringMatching(/^the face is turned sideways/),
    });
    expect(enrolReport.summary).toMatchObject({ low_quality: 1, no_face: 2 });
  });

  it('returns one result message per image when recognizing in-process', async () => {
    const { code, lines } = await run(recognize, [
      face('identities/John_Salley/05.jpg'),
      face('identities/carell/00.jpg'),
      face('other/no-face/apple.jpg'),
      '--gallery',
      gallery,
      '--json',
    ]);
    expect(code).toBe(0);
    expect(lines.map((l) => JSON.parse(l).result)).toEqual(['John_Salley', 'unknown', 'no_face']);
  });

  it('throws UsageError naming --gallery when it is missing', async () => {
    await expect(recognize.run([face('identities/carell/00.jpg')])).rejects.toThrow(UsageError);
    await expect(recognize.run([face('identities/carell/00.jpg')])).rejects.toThrow(/--gallery/);
  });

  describe('against the local stack', () => {
    let stack: LocalStack;
    beforeAll(async () => {
      const logger = quietLogger();
      stack = await startLocalStack({
        logger,
        port: 0,
        sqsPort: 0,
        prefix: 'clitest',
        gallery,
        cameraIds: ['porch'],
      });
    });
    afterAll(async () => stack?.stop());

    it('returns each frame result from the response queue when sending like a camera', async () => {
      const { code, lines } = await run(send, [
        face('identities/John_Savage/05.jpg'),
        face('other/no-face/dog.jpg'),
        '--url',
        stack.functionUrl,
        '--queue-url',
        stack.responseQueueUrl,
        '--json',
      ]);
      expect(code).toBe(0);
      const frames = lines.map((l) => JSON.parse(l)).filter((o) => o.message);
      expect(frames.map((f) => f.message.result)).toEqual(['John_Savage', 'no_face']);
    });

    it("returns only its own result, leaving another camera's message unread, when given --camera-id on the shared queue", async () => {
      const sqs = new SQSClient({
        endpoint: stack.sqsEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      try {
        // Not JSON on purpose: a camera that parsed other cameras' bodies would have to cope with it.
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: stack.responseQueueUrl,
            MessageBody: 'garage result, not for the door',
            MessageAttributes: { camera_id: { DataType: 'String', StringValue: 'garage' } },
          }),
        );
        // With the recognizer paused, the first polls can only see the garage message.
        await stack.recognizer.stop();
        const sending = run(send, [
          face('identities/John_Savage/05.jpg'),
          '--url',
          stack.functionUrl,
          '--queue-url',
          stack.responseQueueUrl,
          '--camera-id',
          'door',
          '--release-others',
          '--json',
        ]);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        stack.recognizer.start();
        const { code, lines } = await sending;
        expect(code).toBe(0);
        const frame = JSON.parse(lines[0] ?? '{}');
        expect(frame.message).toMatchObject({ camera_id: 'door', result: 'John_Savage' });
        expect(frame.skipped_by_attribute).toBeGreaterThanOrEqual(1);
        const left = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: stack.responseQueueUrl, WaitTimeSeconds: 1 }),
        );
        expect(left.Messages?.map((m) => m.Body)).toEqual(['garage result, not for the door']);
        await sqs.send(
          new DeleteMessageCommand({
            QueueUrl: stack.responseQueueUrl,
            ReceiptHandle: left.Messages?.[0]?.ReceiptHandle,
          }),
        );
      } finally {
        sqs.destroy();
      }
    });

    it("returns its result from its own queue when given --camera-id and the camera's --queue-url", async () => {
      const own = stack.cameraQueueUrls.porch ?? '';
      expect(own).toMatch(/clitest-camera-porch$/);
      const { code, lines } = await run(send, [
        face('other/no-face/dog.jpg'),
        '--url',
        stack.functionUrl,
        '--queue-url',
        own,
        '--camera-id',
        'porch',
        '--timeout',
        '20',
        '--json',
      ]);
      expect(code).toBe(0);
      expect(JSON.parse(lines[0] ?? '{}').message).toMatchObject({ camera_id: 'porch', result: 'no_face' });
    });

    it('throws UsageError naming --camera-id when it has a character a queue name refuses', async () => {
      await expect(run(send, ['x.jpg', '--camera-id', 'front door'])).rejects.toThrow(UsageError);
      await expect(run(send, ['x.jpg', '--camera-id', 'front door'])).rejects.toThrow(/--camera-id/);
    });

    it('returns exit code 1 with the HTTP error when the Function URL rejects the file', async () => {
      const { code, lines } = await run(send, [
        face('../README.md'),
        '--url',
        stack.functionUrl,
        '--queue-url',
        stack.responseQueueUrl,
        '--json',
      ]);
      expect(code).toBe(1);
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ status: 415, error: 'HTTP 415' });
    });
  });

  it('returns a gallery without the person when given --remove', async () => {
    const { code } = await run(enrol, ['--remove', 'crowd', '--gallery', gallery]);
    expect(code).toBe(0);
    const saved = parseGallery(await readFile(gallery));
    expect(saved.people.map((p) => p.name).sort()).toEqual(['John_Salley', 'John_Savage', 'bbt_penny']);
  });
});
