import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';

export const MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

export function ecrClient(endpoint: string): ECRClient {
  return new ECRClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

const sha = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** A schema-2 image manifest whose config and layer digests derive from `seed`, so seeds differ by digest. */
export function manifestFor(seed: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1000,
      digest: sha(`config:${seed}`),
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: 2000,
        digest: sha(`layer:${seed}`),
      },
    ],
  });
}

let counter = 0;

/** A fresh immutable repository per test, so tests never see each other's tags. */
export async function createRepository(client: ECRClient): Promise<string> {
  counter += 1;
  const name = `frs-test-${process.pid}-${counter}`;
  await client.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: 'IMMUTABLE' }));
  return name;
}

/** Pushes a manifest under a tag, as `docker push` would, and returns its digest. */
export async function pushImage(
  client: ECRClient,
  repository: string,
  seed: string,
  tag: string,
): Promise<string> {
  const out = await client.send(
    new PutImageCommand({
      repositoryName: repository,
      imageManifest: manifestFor(seed),
      imageManifestMediaType: MANIFEST_MEDIA_TYPE,
      imageTag: tag,
    }),
  );
  const digest = out.image?.imageId?.imageDigest;
  if (!digest) throw new Error('moto returned no digest');
  return digest;
}

/** A packages directory holding detector/ and recognizer/ package.json files with the given versions. */
export async function packagesDir(versions: { detector: string; recognizer: string }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frs-release-'));
  for (const [fn, version] of Object.entries(versions)) {
    await mkdir(join(dir, fn));
    await writeFile(join(dir, fn, 'package.json'), JSON.stringify({ name: `@frs/${fn}`, version }));
  }
  return dir;
}

/** A logger that records what the code under test reported. */
export function recordingLogger(): {
  lines: { level: string; message: string; extra: Record<string, unknown> | undefined }[];
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
} {
  const lines: { level: string; message: string; extra: Record<string, unknown> | undefined }[] = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    lines.push({ level, message, extra });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
