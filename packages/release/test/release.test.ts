import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrImages } from '../src/ecr.ts';
import { ImageNotFoundError, ImageTagExistsError, PackageVersionError } from '../src/errors.ts';
import { publish, resolveDigests, writeTfvars } from '../src/release.ts';
import { functionTag, readFunctionVersions } from '../src/versions.ts';
import { createRepository, ecrClient, packagesDir, pushImage, recordingLogger } from './fixtures.ts';
import { type Moto, startMoto } from './moto.ts';

// Real ECR API semantics come from moto_server on loopback (immutable tags, PutImage with a manifest);
// nothing is mocked.
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

describe('Function: publish()', () => {
  it('returns tagged outcomes and tags both versions onto the build when neither is released', async () => {
    const repository = await createRepository(client);
    const build = await pushImage(client, repository, 'build-1', 'sha-1111111');
    const images = new EcrImages(client, repository);
    const versions = await readFunctionVersions(
      await packagesDir({ detector: '0.2.0', recognizer: '0.3.1' }),
    );

    const outcomes = await publish(images, recordingLogger(), { sourceTag: 'sha-1111111', versions });

    expect(outcomes).toEqual([
      { fn: 'detector', tag: 'detector-0.2.0', action: 'tagged', digest: build },
      { fn: 'recognizer', tag: 'recognizer-0.3.1', action: 'tagged', digest: build },
    ]);
    expect(await images.digestOf('detector-0.2.0')).toBe(build);
    expect(await images.digestOf('recognizer-0.3.1')).toBe(build);
  });

  it('returns kept-existing and leaves the released image in place when a version is already in ECR', async () => {
    const repository = await createRepository(client);
    const released = await pushImage(client, repository, 'build-old', 'detector-0.2.0');
    const build = await pushImage(client, repository, 'build-new', 'sha-2222222');
    const images = new EcrImages(client, repository);
    const versions = await readFunctionVersions(
      await packagesDir({ detector: '0.2.0', recognizer: '0.4.0' }),
    );
    const logger = recordingLogger();

    const outcomes = await publish(images, logger, { sourceTag: 'sha-2222222', versions });

    expect(outcomes[0]).toEqual({
      fn: 'detector',
      tag: 'detector-0.2.0',
      action: 'kept-existing',
      digest: released,
      buildDigest: build,
    });
    expect(outcomes[1]).toEqual({
      fn: 'recognizer',
      tag: 'recognizer-0.4.0',
      action: 'tagged',
      digest: build,
    });
    expect(await images.digestOf('detector-0.2.0')).toBe(released);
    expect(logger.lines.some((l) => l.level === 'warn' && l.extra?.fn === 'detector')).toBe(true);
  });

  it('returns unchanged when re-run for the same build', async () => {
    const repository = await createRepository(client);
    const build = await pushImage(client, repository, 'build-3', 'sha-3333333');
    const images = new EcrImages(client, repository);
    const versions = await readFunctionVersions(
      await packagesDir({ detector: '1.0.0', recognizer: '1.0.0' }),
    );
    await publish(images, recordingLogger(), { sourceTag: 'sha-3333333', versions });

    const again = await publish(images, recordingLogger(), { sourceTag: 'sha-3333333', versions });

    expect(again.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
    expect(again.map((o) => o.digest)).toEqual([build, build]);
  });

  it('throws ImageNotFoundError when the source tag was never pushed', async () => {
    const repository = await createRepository(client);
    const versions = await readFunctionVersions(
      await packagesDir({ detector: '0.1.0', recognizer: '0.1.0' }),
    );

    await expect(
      publish(new EcrImages(client, repository), recordingLogger(), { sourceTag: 'sha-missing', versions }),
    ).rejects.toBeInstanceOf(ImageNotFoundError);
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
  it('returns the digest of each current version', async () => {
    const repository = await createRepository(client);
    const detector = await pushImage(client, repository, 'd', 'detector-0.5.0');
    const recognizer = await pushImage(client, repository, 'r', 'recognizer-0.7.2');
    const versions = await readFunctionVersions(
      await packagesDir({ detector: '0.5.0', recognizer: '0.7.2' }),
    );

    const digests = await resolveDigests(new EcrImages(client, repository), versions);

    expect(digests).toEqual({ detector_image_digest: detector, recognizer_image_digest: recognizer });
    expect(detector).not.toBe(recognizer);
  });

  it('throws ImageNotFoundError when a version was never released', async () => {
    const repository = await createRepository(client);
    await pushImage(client, repository, 'd', 'detector-0.5.0');
    const versions = await readFunctionVersions(
      await packagesDir({ detector: '0.5.0', recognizer: '9.9.9' }),
    );

    await expect(resolveDigests(new EcrImages(client, repository), versions)).rejects.toThrow(
      /recognizer-9\.9\.9/,
    );
  });
});

describe('Function: writeTfvars()', () => {
  it('writes a tfvars JSON file Terraform variables parse from', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'frs-tfvars-')), 'release.auto.tfvars.json');
    const digests = {
      detector_image_digest: `sha256:${'a'.repeat(64)}`,
      recognizer_image_digest: `sha256:${'b'.repeat(64)}`,
    };

    await writeTfvars(out, digests);

    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(digests);
  });
});

describe('Function: readFunctionVersions()', () => {
  it('returns one tagged version per function', async () => {
    const versions = await readFunctionVersions(
      await packagesDir({ detector: '0.2.0', recognizer: '1.0.0-rc.1' }),
    );

    expect(versions).toEqual([
      { fn: 'detector', packageName: '@frs/detector', version: '0.2.0', tag: 'detector-0.2.0' },
      {
        fn: 'recognizer',
        packageName: '@frs/recognizer',
        version: '1.0.0-rc.1',
        tag: 'recognizer-1.0.0-rc.1',
      },
    ]);
  });

  it('throws PackageVersionError when a version is not semver', async () => {
    const dir = await packagesDir({ detector: '0.2.0', recognizer: '1.0.0' });
    await writeFile(
      join(dir, 'recognizer', 'package.json'),
      JSON.stringify({ name: '@frs/recognizer', version: 'latest' }),
    );

    await expect(readFunctionVersions(dir)).rejects.toBeInstanceOf(PackageVersionError);
  });
});

describe('Function: functionTag()', () => {
  it('returns a valid image tag when the version carries build metadata', () => {
    expect(functionTag('detector', '1.2.3+build.7')).toBe('detector-1.2.3_build.7');
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

  it('publishes then resolves the digests into a tfvars file when run as a command', async () => {
    const repository = await createRepository(client);
    const build = await pushImage(client, repository, 'cli', 'sha-5555555');
    const packages = await packagesDir({ detector: '2.0.0', recognizer: '2.1.0' });
    const out = join(await mkdtemp(join(tmpdir(), 'frs-cli-')), 'release.auto.tfvars.json');
    const common = ['--repository', repository, '--packages', packages, '--endpoint', moto.endpoint];

    const published = await run(
      process.execPath,
      ['--conditions=@frs/source', main, 'publish', ...common, '--source-tag', 'sha-5555555'],
      { env },
    );
    await run(process.execPath, ['--conditions=@frs/source', main, 'resolve', ...common, '--out', out], {
      env,
    });

    expect(JSON.parse(published.stdout).map((o: { action: string }) => o.action)).toEqual([
      'tagged',
      'tagged',
    ]);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual({
      detector_image_digest: build,
      recognizer_image_digest: build,
    });
  });

  it('exits non-zero with the error name when a version is missing', async () => {
    const repository = await createRepository(client);
    const packages = await packagesDir({ detector: '3.0.0', recognizer: '3.0.0' });
    const out = join(await mkdtemp(join(tmpdir(), 'frs-cli-')), 'release.auto.tfvars.json');

    const failure = run(
      process.execPath,
      [
        '--conditions=@frs/source',
        main,
        'resolve',
        '--repository',
        repository,
        '--packages',
        packages,
        '--endpoint',
        moto.endpoint,
        '--out',
        out,
      ],
      { env },
    );

    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('ImageNotFoundError'),
    });
  });
});
