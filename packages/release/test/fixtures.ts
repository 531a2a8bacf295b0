import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { Git } from '../src/git.ts';
import { buildTag } from '../src/release.ts';
import type { FunctionSpec } from '../src/versions.ts';

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

/** Pushes a build of `commit` under `sha-<commit12>`, as the release workflow does, and returns its digest. */
export async function pushBuild(client: ECRClient, repository: string, commit: string): Promise<string> {
  return pushImage(client, repository, `build-${commit}`, buildTag(commit));
}

/** The two functions most tests release; the enroller joins them through the same list. */
export const TWO_FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'detector', dir: 'packages/detector' },
  { name: 'recognizer', dir: 'packages/recognizer' },
];

/** package.json files giving each function package the version named. */
export function packageFiles(versions: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(versions).map(([fn, version]) => [
      `packages/${fn}/package.json`,
      `${JSON.stringify({ name: `@frs/${fn}`, version }, null, 2)}\n`,
    ]),
  );
}

const exec = promisify(execFile);

/**
 * A real git repository in a temporary directory (no git mocks): commits on `main` and side branches,
 * tags, and clones whose `origin/main` is the remote-tracking ref CI sees.
 */
export class TestRepo {
  readonly dir: string;
  readonly git: Git;

  private constructor(dir: string) {
    this.dir = dir;
    this.git = new Git(dir);
  }

  static async create(): Promise<TestRepo> {
    const repo = new TestRepo(await mkdtemp(join(tmpdir(), 'frs-release-git-')));
    await repo.sh('init', '--quiet', '--initial-branch=main');
    await repo.sh('config', 'user.name', 'FRS release test');
    await repo.sh('config', 'user.email', 'release-test@frs.invalid');
    await repo.sh('config', 'commit.gpgsign', 'false');
    await repo.sh('config', 'tag.gpgsign', 'false');
    return repo;
  }

  /** A clone of this repository, as actions/checkout with fetch-depth 0 makes it. */
  async clone(): Promise<TestRepo> {
    const dir = await mkdtemp(join(tmpdir(), 'frs-release-clone-'));
    await exec('git', ['clone', '--quiet', this.dir, dir]);
    const clone = new TestRepo(dir);
    await clone.sh('config', 'user.name', 'FRS release test');
    await clone.sh('config', 'user.email', 'release-test@frs.invalid');
    return clone;
  }

  async sh(...args: string[]): Promise<string> {
    const { stdout } = await exec('git', args, { cwd: this.dir });
    return stdout.trim();
  }

  /** Writes the files, commits them on the current branch and returns the new commit id. */
  async commit(message: string, files: Record<string, string>): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(this.dir, path)), { recursive: true });
      await writeFile(join(this.dir, path), content);
    }
    await this.sh('add', '--all');
    await this.sh('commit', '--quiet', '--allow-empty', '--message', message);
    return this.sh('rev-parse', 'HEAD');
  }

  /** Switches to `branch`, creating it at `from` when given. */
  async checkout(branch: string, from?: string): Promise<void> {
    await (from === undefined
      ? this.sh('checkout', '--quiet', branch)
      : this.sh('checkout', '--quiet', '-b', branch, from));
  }

  /** Lightweight tag, as a plain `git tag X && git push --tags` by anyone with write access makes it. */
  async tag(name: string, commit: string): Promise<void> {
    await this.sh('tag', name, commit);
  }
}
