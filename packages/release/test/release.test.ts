import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrImages } from '../src/ecr.ts';
import {
  GitError,
  ImageNotFoundError,
  ImageProvenanceError,
  ImageTagExistsError,
  NotOnMainError,
  PackageVersionError,
  TagConflictError,
} from '../src/errors.ts';
import {
  assertOnMain,
  buildTag,
  planRelease,
  publish,
  type ReleaseSource,
  resolveDigests,
  writeTfvars,
} from '../src/release.ts';
import { functionTag, readFunctions, readFunctionVersions, versionGitTag } from '../src/versions.ts';
import {
  createRepository,
  ecrClient,
  packageFiles,
  pushBuild,
  pushImage,
  recordingLogger,
  TestRepo,
  TWO_FUNCTIONS,
} from './fixtures.ts';
import { type Moto, startMoto } from './moto.ts';

// Real ECR API semantics come from moto_server on loopback (immutable tags, PutImage with a manifest) and
// real git semantics from the git binary on repositories in temporary directories; nothing is mocked.
let moto: Moto;
let client: ECRClient;

beforeAll(async () => {
  moto = await startMoto();
  client = ecrClient(moto.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

const changesetBin = fileURLToPath(new URL('../../../node_modules/@changesets/cli/bin.js', import.meta.url));

/** Runs the repository's own changesets CLI (the root devDependency) in a test repository. */
async function changeset(repo: TestRepo, command: string): Promise<void> {
  await promisify(execFile)(process.execPath, [changesetBin, command], { cwd: repo.dir });
}

/** A fresh git repository and ECR repository, released against local `main`. */
async function setup(functions = TWO_FUNCTIONS): Promise<{ repo: TestRepo; source: ReleaseSource }> {
  const repo = await TestRepo.create();
  const images = new EcrImages(client, await createRepository(client));
  return { repo, source: { git: repo.git, images, mainRef: 'main', functions } };
}

/** Tags nothing can have written: neither the ECR version tag nor the git tag exists. */
async function expectNothingReleased(source: ReleaseSource, imageTag: string, gitTag: string): Promise<void> {
  expect(await source.images.digestOf(imageTag)).toBeNull();
  expect(await source.git.tagTarget(gitTag)).toBeNull();
}

describe('Function: publish()', () => {
  it('returns tagged outcomes and tags each new version in ECR and git when the commit is on main', async () => {
    const { repo, source } = await setup();
    const commit = await repo.commit(
      'version packages',
      packageFiles({ detector: '0.2.0', recognizer: '0.3.1' }),
    );
    const build = await pushBuild(client, source.images.repository, commit);

    const outcomes = await publish(source, recordingLogger(), { commit: 'main' });

    expect(outcomes).toEqual([
      {
        fn: 'detector',
        version: '0.2.0',
        imageTag: 'detector-0.2.0',
        gitTag: '@frs/detector@0.2.0',
        action: 'tagged',
        digest: build,
        commit,
        gitTagCreated: true,
      },
      {
        fn: 'recognizer',
        version: '0.3.1',
        imageTag: 'recognizer-0.3.1',
        gitTag: '@frs/recognizer@0.3.1',
        action: 'tagged',
        digest: build,
        commit,
        gitTagCreated: true,
      },
    ]);
    expect(await source.images.digestOf('detector-0.2.0')).toBe(build);
    expect(await source.git.tagTarget('@frs/detector@0.2.0')).toBe(commit);
    expect(await source.git.tagTarget('@frs/recognizer@0.3.1')).toBe(commit);
    // Annotated, as `changeset git-tag` makes them.
    expect(await repo.sh('cat-file', '-t', 'refs/tags/@frs/detector@0.2.0')).toBe('tag');
  });

  it('returns tagged without new git tags when changesets versioned and tagged the commit (same tag names)', async () => {
    const { repo, source } = await setup();
    const changesetConfig = await readFile(
      fileURLToPath(new URL('../../../.changeset/config.json', import.meta.url)),
      'utf8',
    );
    await repo.commit('feature with a changeset', {
      'package.json': JSON.stringify({ name: 'frs', private: true }),
      'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
      '.changeset/config.json': changesetConfig,
      '.changeset/faster-detector.md': '---\n"@frs/detector": minor\n---\n\nFaster detector\n',
      ...packageFiles({ detector: '0.1.0', recognizer: '0.1.0' }),
    });
    await changeset(repo, 'version');
    const versioned = await repo.commit('Version Packages', {});
    await changeset(repo, 'git-tag');
    const build = await pushBuild(client, source.images.repository, versioned);

    const outcomes = await publish(source, recordingLogger(), { commit: versioned });

    expect(outcomes.map((o) => [o.gitTag, o.action, o.digest, o.gitTagCreated])).toEqual([
      ['@frs/detector@0.2.0', 'tagged', build, false],
      ['@frs/recognizer@0.1.0', 'tagged', build, false],
    ]);
    expect(await repo.sh('tag', '--list')).toBe('@frs/detector@0.2.0\n@frs/recognizer@0.1.0');
  });

  it('throws NotOnMainError and writes nothing when the commit is only on a side branch', async () => {
    const { repo, source } = await setup();
    await repo.commit('base', packageFiles({ detector: '0.1.0', recognizer: '0.1.0' }));
    await repo.checkout('unreviewed', 'main');
    const side = await repo.commit(
      'bump on a branch',
      packageFiles({ detector: '0.2.0', recognizer: '0.1.0' }),
    );
    await pushBuild(client, source.images.repository, side);

    await expect(publish(source, recordingLogger(), { commit: side })).rejects.toBeInstanceOf(NotOnMainError);

    await expectNothingReleased(source, 'detector-0.2.0', '@frs/detector@0.2.0');
    await expectNothingReleased(source, 'recognizer-0.1.0', '@frs/recognizer@0.1.0');
  });

  it('returns kept-existing for a version released from an earlier main commit and tags only the bump', async () => {
    const { repo, source } = await setup();
    const repository = source.images.repository;
    const first = await repo.commit('v1', packageFiles({ detector: '0.2.0', recognizer: '0.3.0' }));
    const firstBuild = await pushBuild(client, repository, first);
    await publish(source, recordingLogger(), { commit: first });
    const second = await repo.commit(
      'bump recognizer',
      packageFiles({ detector: '0.2.0', recognizer: '0.4.0' }),
    );
    const secondBuild = await pushBuild(client, repository, second);

    const outcomes = await publish(source, recordingLogger(), { commit: second });

    expect(outcomes.map((o) => [o.fn, o.action, o.digest, o.commit, o.gitTagCreated])).toEqual([
      ['detector', 'kept-existing', firstBuild, first, false],
      ['recognizer', 'tagged', secondBuild, second, true],
    ]);
    expect(await source.images.digestOf('detector-0.2.0')).toBe(firstBuild);
    expect(await source.git.tagTarget('@frs/detector@0.2.0')).toBe(first);
  });

  it('returns unchanged and creates no tag when re-run for the same commit', async () => {
    const { repo, source } = await setup();
    const commit = await repo.commit('v1', packageFiles({ detector: '1.0.0', recognizer: '1.0.0' }));
    const build = await pushBuild(client, source.images.repository, commit);
    await publish(source, recordingLogger(), { commit });

    const again = await publish(source, recordingLogger(), { commit });

    expect(again.map((o) => [o.action, o.digest, o.gitTagCreated])).toEqual([
      ['unchanged', build, false],
      ['unchanged', build, false],
    ]);
  });

  it('throws TagConflictError and writes nothing when a side-branch tag claims the version main later reaches', async () => {
    const { repo, source } = await setup();
    const repository = source.images.repository;
    const base = await repo.commit('base', packageFiles({ detector: '0.2.0', recognizer: '0.1.0' }));
    await repo.checkout('unreviewed', base);
    const side = await repo.commit('unreviewed 0.3.0', {
      ...packageFiles({ detector: '0.3.0', recognizer: '0.1.0' }),
      'packages/detector/src/backdoor.ts': 'export const backdoor = true;\n',
    });
    await repo.tag('@frs/detector@0.3.0', side);
    await repo.checkout('main');
    const reviewed = await repo.commit(
      'version packages',
      packageFiles({ detector: '0.3.0', recognizer: '0.1.0' }),
    );
    await pushBuild(client, repository, reviewed);

    const failure = publish(source, recordingLogger(), { commit: reviewed });

    await expect(failure).rejects.toBeInstanceOf(TagConflictError);
    await expect(failure).rejects.toThrow(/not on main/);
    expect(await source.images.digestOf('detector-0.3.0')).toBeNull();
    expect(await source.images.digestOf('recognizer-0.1.0')).toBeNull();
    expect(await source.git.tagTarget('@frs/detector@0.3.0')).toBe(side);
  });

  it('throws TagConflictError when a tag on main points at another commit than the one released and no image came from it', async () => {
    const { repo, source } = await setup();
    const early = await repo.commit('0.3.0', packageFiles({ detector: '0.3.0', recognizer: '0.1.0' }));
    await repo.tag('@frs/detector@0.3.0', early);
    const later = await repo.commit('more work', { 'packages/detector/src/more.ts': 'export {};\n' });
    await pushBuild(client, source.images.repository, later);

    await expect(publish(source, recordingLogger(), { commit: later })).rejects.toThrow(
      new RegExp(`@frs/detector@0\\.3\\.0 already points at ${early}, not at ${later}`),
    );
    expect(await source.images.digestOf('detector-0.3.0')).toBeNull();
  });

  it('throws TagConflictError when a tag on main points at a commit that has another version', async () => {
    const { repo, source } = await setup();
    const old = await repo.commit('0.2.0', packageFiles({ detector: '0.2.0', recognizer: '0.1.0' }));
    await repo.tag('@frs/detector@0.3.0', old);
    const bump = await repo.commit('0.3.0', packageFiles({ detector: '0.3.0', recognizer: '0.1.0' }));
    await pushBuild(client, source.images.repository, bump);

    await expect(publish(source, recordingLogger(), { commit: bump })).rejects.toThrow(
      /package\.json is @frs\/detector@0\.2\.0, not @frs\/detector@0\.3\.0/,
    );
  });

  it('throws ImageProvenanceError when the ECR version tag was built from a side-branch commit', async () => {
    const { repo, source } = await setup();
    const repository = source.images.repository;
    const base = await repo.commit('base', packageFiles({ detector: '0.2.0', recognizer: '0.1.0' }));
    await repo.checkout('unreviewed', base);
    const side = await repo.commit(
      'unreviewed 0.3.0',
      packageFiles({ detector: '0.3.0', recognizer: '0.1.0' }),
    );
    // What a tag push from any commit could do under the old trust policy: build and tag the version.
    await pushBuild(client, repository, side);
    await source.images.addTag(await source.images.manifestOf(buildTag(side)), 'detector-0.3.0');
    await repo.checkout('main');
    const reviewed = await repo.commit(
      'version packages',
      packageFiles({ detector: '0.3.0', recognizer: '0.1.0' }),
    );
    await pushBuild(client, repository, reviewed);

    await expect(publish(source, recordingLogger(), { commit: reviewed })).rejects.toBeInstanceOf(
      ImageProvenanceError,
    );
    await expect(resolveDigests(source, { commit: reviewed })).rejects.toBeInstanceOf(ImageProvenanceError);
    expect(await source.git.tagTarget('@frs/detector@0.3.0')).toBeNull();
  });

  it('throws ImageProvenanceError when the git tag is on main but the image was built from another commit', async () => {
    const { repo, source } = await setup();
    const repository = source.images.repository;
    const released = await repo.commit('0.3.0', packageFiles({ detector: '0.3.0', recognizer: '0.1.0' }));
    await repo.tag('@frs/detector@0.3.0', released);
    await pushImage(client, repository, 'unknown build', 'detector-0.3.0');
    const later = await repo.commit('later', { 'README.md': 'x\n' });
    await pushBuild(client, repository, later);

    await expect(publish(source, recordingLogger(), { commit: later })).rejects.toThrow(
      new RegExp(`detector-0\\.3\\.0 \\(sha256:[0-9a-f]{64}\\) was not built from ${released}`),
    );
  });

  it('returns kept-existing and creates the missing git tag when an earlier run tagged ECR but not git', async () => {
    const { repo, source } = await setup();
    const repository = source.images.repository;
    const first = await repo.commit('v1', packageFiles({ detector: '0.2.0', recognizer: '0.1.0' }));
    await pushBuild(client, repository, first);
    const build = await source.images.manifestOf(buildTag(first));
    await source.images.addTag(build, 'detector-0.2.0');
    await source.images.addTag(build, 'recognizer-0.1.0');
    const second = await repo.commit('docs', { 'README.md': 'docs\n' });

    const outcomes = await publish(source, recordingLogger(), { commit: second });

    expect(outcomes.map((o) => [o.action, o.commit, o.gitTagCreated])).toEqual([
      ['kept-existing', first, true],
      ['kept-existing', first, true],
    ]);
    expect(await source.git.tagTarget('@frs/detector@0.2.0')).toBe(first);
  });

  it('throws ImageNotFoundError when a version is new and sha-<commit> was never pushed', async () => {
    const { repo, source } = await setup();
    const commit = await repo.commit('v1', packageFiles({ detector: '0.1.0', recognizer: '0.1.0' }));

    await expect(publish(source, recordingLogger(), { commit })).rejects.toBeInstanceOf(ImageNotFoundError);
    expect(await source.git.tagTarget('@frs/detector@0.1.0')).toBeNull();
  });
});

describe('Function: planRelease()', () => {
  it('returns every version of a three-function list, the enroller included, without writing', async () => {
    const functions = [...TWO_FUNCTIONS, { name: 'enroller', dir: 'packages/enroller' }];
    const { repo, source } = await setup(functions);
    const commit = await repo.commit(
      'v1',
      packageFiles({ detector: '0.2.0', recognizer: '0.3.0', enroller: '0.1.0' }),
    );

    const plan = await planRelease(source, commit);

    expect(plan.versions.map((v) => [v.imageTag, v.gitTag, v.status, v.releaseCommit])).toEqual([
      ['detector-0.2.0', '@frs/detector@0.2.0', 'new', commit],
      ['recognizer-0.3.0', '@frs/recognizer@0.3.0', 'new', commit],
      ['enroller-0.1.0', '@frs/enroller@0.1.0', 'new', commit],
    ]);
    await expectNothingReleased(source, 'enroller-0.1.0', '@frs/enroller@0.1.0');
  });
});

describe('Function: assertOnMain()', () => {
  it('returns the full commit id when the commit is main or one of its ancestors', async () => {
    const { repo } = await setup();
    const first = await repo.commit('one', { a: '1' });
    const tip = await repo.commit('two', { a: '2' });

    expect(await assertOnMain(repo.git, first.slice(0, 9), 'main')).toBe(first);
    expect(await assertOnMain(repo.git, 'HEAD', 'main')).toBe(tip);
  });

  it('throws NotOnMainError when the commit was merged nowhere, even if main merged its parent', async () => {
    const { repo } = await setup();
    await repo.commit('one', { a: '1' });
    await repo.checkout('feature', 'main');
    const reviewedPart = await repo.commit('reviewed', { b: '1' });
    await repo.checkout('main');
    await repo.sh('merge', '--quiet', '--no-ff', '--message', 'merge', reviewedPart);
    await repo.checkout('feature');
    const pushedAfterMerge = await repo.commit('after merge', { b: '2' });

    await expect(assertOnMain(repo.git, pushedAfterMerge, 'main')).rejects.toBeInstanceOf(NotOnMainError);
    expect(await assertOnMain(repo.git, reviewedPart, 'main')).toBe(reviewedPart);
  });

  it('throws GitError, not NotOnMainError, when the main ref does not exist', async () => {
    const { repo } = await setup();
    await repo.commit('one', { a: '1' });

    await expect(assertOnMain(repo.git, 'HEAD', 'origin/main')).rejects.toBeInstanceOf(GitError);
  });
});

describe('Function: EcrImages.addTag()', () => {
  it('throws ImageTagExistsError when the tag already names another image', async () => {
    const repository = await createRepository(client);
    await pushImage(client, repository, 'first', 'detector-0.1.0');
    await pushImage(client, repository, 'second', 'sha-4444444');
    const images = new EcrImages(client, repository);
    const second = await images.manifestOf('sha-4444444');

    await expect(images.addTag(second, 'detector-0.1.0')).rejects.toBeInstanceOf(ImageTagExistsError);
    expect(await images.digestOf('detector-0.1.0')).not.toBe(second.digest);
  });
});

describe('Function: resolveDigests()', () => {
  it('returns <fn>_image_digest for each function, from the commit each version was released at', async () => {
    const functions = [...TWO_FUNCTIONS, { name: 'enroller', dir: 'packages/enroller' }];
    const { repo, source } = await setup(functions);
    const repository = source.images.repository;
    const first = await repo.commit(
      'v1',
      packageFiles({ detector: '0.5.0', recognizer: '0.7.2', enroller: '0.1.0' }),
    );
    const firstBuild = await pushBuild(client, repository, first);
    await publish(source, recordingLogger(), { commit: first });
    const second = await repo.commit(
      'v2',
      packageFiles({ detector: '0.6.0', recognizer: '0.7.2', enroller: '0.1.0' }),
    );
    const secondBuild = await pushBuild(client, repository, second);
    await publish(source, recordingLogger(), { commit: second });

    const variables = await resolveDigests(source, { commit: second });

    expect(variables).toEqual({
      detector_image_digest: secondBuild,
      recognizer_image_digest: firstBuild,
      enroller_image_digest: firstBuild,
    });
    expect(firstBuild).not.toBe(secondBuild);
  });

  it('throws ImageNotFoundError when a version was never released', async () => {
    const { repo, source } = await setup();
    const commit = await repo.commit('v1', packageFiles({ detector: '0.5.0', recognizer: '9.9.9' }));

    await expect(resolveDigests(source, { commit })).rejects.toThrow(
      /detector-0\.5\.0 is not in the repository/,
    );
  });

  it('returns <fn>_image_tag for unreleased versions of a pull-request commit when forPlan is set', async () => {
    const { repo, source } = await setup();
    const released = await repo.commit('v1', packageFiles({ detector: '0.5.0', recognizer: '0.1.0' }));
    const build = await pushBuild(client, source.images.repository, released);
    await publish(source, recordingLogger(), { commit: released });
    await repo.checkout('pull-request', 'main');
    const proposed = await repo.commit('bump', packageFiles({ detector: '0.6.0', recognizer: '0.1.0' }));

    await expect(resolveDigests(source, { commit: proposed })).rejects.toBeInstanceOf(NotOnMainError);
    expect(await resolveDigests(source, { commit: proposed, forPlan: true })).toEqual({
      detector_image_tag: 'detector-0.6.0',
      recognizer_image_digest: build,
    });
  });
});

describe('Function: writeTfvars()', () => {
  it('writes a tfvars JSON file Terraform variables parse from', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'frs-tfvars-')), 'release.auto.tfvars.json');
    const variables = {
      detector_image_digest: `sha256:${'a'.repeat(64)}`,
      recognizer_image_digest: `sha256:${'b'.repeat(64)}`,
    };

    await writeTfvars(out, variables);

    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(variables);
  });
});

describe('Function: readFunctions()', () => {
  it('returns the three functions of the image from the shipped functions.json', async () => {
    expect(await readFunctions()).toEqual([
      { name: 'detector', dir: 'packages/detector' },
      { name: 'recognizer', dir: 'packages/recognizer' },
      { name: 'enroller', dir: 'packages/enroller' },
    ]);
  });

  it('throws PackageVersionError when a name cannot be part of a tag and a variable', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'frs-functions-')), 'functions.json');
    await writeFile(
      file,
      JSON.stringify({ functions: [{ name: 'Face Detector', dir: 'packages/detector' }] }),
    );

    await expect(readFunctions(file)).rejects.toBeInstanceOf(PackageVersionError);
  });
});

describe('Function: readFunctionVersions()', () => {
  it('returns the versions committed at the commit, not the working tree', async () => {
    const { repo } = await setup();
    const commit = await repo.commit('v1', packageFiles({ detector: '0.2.0', recognizer: '1.0.0-rc.1' }));
    await writeFile(
      join(repo.dir, 'packages/detector/package.json'),
      '{"name":"@frs/detector","version":"9.0.0"}',
    );

    expect(await readFunctionVersions(repo.git, commit, TWO_FUNCTIONS)).toEqual([
      {
        fn: 'detector',
        dir: 'packages/detector',
        packageName: '@frs/detector',
        version: '0.2.0',
        imageTag: 'detector-0.2.0',
        gitTag: '@frs/detector@0.2.0',
      },
      {
        fn: 'recognizer',
        dir: 'packages/recognizer',
        packageName: '@frs/recognizer',
        version: '1.0.0-rc.1',
        imageTag: 'recognizer-1.0.0-rc.1',
        gitTag: '@frs/recognizer@1.0.0-rc.1',
      },
    ]);
  });

  it('throws PackageVersionError when a version is not semver', async () => {
    const { repo } = await setup();
    const commit = await repo.commit('bad', {
      ...packageFiles({ detector: '0.2.0' }),
      'packages/recognizer/package.json': JSON.stringify({ name: '@frs/recognizer', version: 'latest' }),
    });

    await expect(readFunctionVersions(repo.git, commit, TWO_FUNCTIONS)).rejects.toBeInstanceOf(
      PackageVersionError,
    );
  });

  it('throws PackageVersionError when a listed function has no package at the commit', async () => {
    const { repo } = await setup();
    const commit = await repo.commit('two only', packageFiles({ detector: '0.2.0', recognizer: '0.1.0' }));

    await expect(
      readFunctionVersions(repo.git, commit, [
        ...TWO_FUNCTIONS,
        { name: 'enroller', dir: 'packages/enroller' },
      ]),
    ).rejects.toThrow(/packages\/enroller\/package\.json does not exist/);
  });
});

describe('Function: functionTag()', () => {
  it('returns a valid image tag when the version carries build metadata', () => {
    expect(functionTag('detector', '1.2.3+build.7')).toBe('detector-1.2.3_build.7');
  });
});

describe('Function: versionGitTag()', () => {
  it('returns the tag name changesets gives a scoped workspace package', () => {
    expect(versionGitTag('@frs/enroller', '0.1.0')).toBe('@frs/enroller@0.1.0');
  });
});

describe('Function: main() (CLI)', () => {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const run = promisify(execFile);
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'eu-west-1',
  };
  const cli = (args: string[]) => run(process.execPath, ['--conditions=@frs/source', main, ...args], { env });

  /** An origin with one commit on main and a clone of it, as the release workflow checks it out. */
  async function checkout(): Promise<{
    clone: TestRepo;
    commit: string;
    functions: string;
    repository: string;
  }> {
    const origin = await TestRepo.create();
    const commit = await origin.commit('v2', packageFiles({ detector: '2.0.0', recognizer: '2.1.0' }));
    const clone = await origin.clone();
    const functions = join(clone.dir, 'functions.json');
    await writeFile(functions, JSON.stringify({ functions: TWO_FUNCTIONS }));
    return { clone, commit, functions, repository: await createRepository(client) };
  }

  it('checks, publishes then resolves the digests into a tfvars file against origin/main', async () => {
    const { clone, commit, functions, repository } = await checkout();
    const build = await pushBuild(client, repository, commit);
    const out = join(await mkdtemp(join(tmpdir(), 'frs-cli-')), 'release.auto.tfvars.json');
    const common = ['--repository', repository, '--git-dir', clone.dir, '--functions', functions];
    const ecr = ['--endpoint', moto.endpoint, '--commit', commit];

    const checked = await cli(['check', ...common, ...ecr]);
    const published = await cli(['publish', ...common, ...ecr]);
    const rechecked = await cli(['check', ...common, ...ecr]);
    await cli(['resolve', ...common, ...ecr, '--out', out]);

    expect(JSON.parse(checked.stdout)).toMatchObject({ commit, pending: 2 });
    expect(JSON.parse(published.stdout).map((o: { action: string }) => o.action)).toEqual([
      'tagged',
      'tagged',
    ]);
    expect(JSON.parse(rechecked.stdout)).toMatchObject({ pending: 0 });
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual({
      detector_image_digest: build,
      recognizer_image_digest: build,
    });
    expect(await clone.sh('tag', '--list')).toBe('@frs/detector@2.0.0\n@frs/recognizer@2.1.0');
  });

  it('exits non-zero with NotOnMainError when the commit is not on origin/main', async () => {
    const { clone, functions, repository } = await checkout();
    const side = await clone.commit('local only', { 'x.txt': 'x\n' });
    await pushBuild(client, repository, side);

    const failure = cli([
      'publish',
      '--repository',
      repository,
      '--git-dir',
      clone.dir,
      '--functions',
      functions,
      '--endpoint',
      moto.endpoint,
      '--commit',
      side,
    ]);

    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('NotOnMainError'),
    });
    expect(await clone.sh('tag', '--list')).toBe('');
  });
});
