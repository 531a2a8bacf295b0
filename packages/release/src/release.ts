import { writeFile } from 'node:fs/promises';
import type { EcrImages } from './ecr.ts';
import { ImageNotFoundError } from './errors.ts';
import type { FunctionName, FunctionVersion } from './versions.ts';

/** Structured logger the release accepts (same shape as @frs/vision's Logger). */
export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** What happened to one function's version tag. */
export type PublishOutcome =
  | { fn: FunctionName; tag: string; action: 'tagged'; digest: string }
  | { fn: FunctionName; tag: string; action: 'unchanged'; digest: string }
  | { fn: FunctionName; tag: string; action: 'kept-existing'; digest: string; buildDigest: string };

export interface PublishOptions {
  /** Tag the CI pushed the freshly built image under, e.g. `sha-<commit>`. */
  sourceTag: string;
  versions: readonly FunctionVersion[];
}

/**
 * Gives each function's version tag to the freshly pushed image, unless that version is already in ECR.
 * An existing version is never moved: its function keeps the image it was released with, so an
 * unchanged package is not redeployed and a changed one must bump its version (changeset) to ship.
 *
 * @example
 * const outcomes = await publish(new EcrImages(client, 'frs'), logger, {
 *   sourceTag: 'sha-0123abc',
 *   versions: await readFunctionVersions('packages'),
 * });
 */
export async function publish(
  images: EcrImages,
  logger: Logger,
  options: PublishOptions,
): Promise<PublishOutcome[]> {
  const build = await images.manifestOf(options.sourceTag);
  const outcomes: PublishOutcome[] = [];
  for (const { fn, tag, version } of options.versions) {
    const existing = await images.digestOf(tag);
    if (existing === build.digest) {
      logger.info('version already points at this build', { fn, version, tag, digest: existing });
      outcomes.push({ fn, tag, action: 'unchanged', digest: existing });
    } else if (existing !== null) {
      logger.warn('version already released; keeping it (bump the version to ship this build)', {
        fn,
        version,
        tag,
        digest: existing,
        buildDigest: build.digest,
      });
      outcomes.push({ fn, tag, action: 'kept-existing', digest: existing, buildDigest: build.digest });
    } else {
      const digest = await images.addTag(build, tag);
      logger.info('tagged new version', { fn, version, tag, digest });
      outcomes.push({ fn, tag, action: 'tagged', digest });
    }
  }
  return outcomes;
}

/** The Terraform variables a deploy needs: one digest per function. */
export interface DeployDigests {
  detector_image_digest: string;
  recognizer_image_digest: string;
}

/**
 * Looks up the digest of each function's current version; fails with ImageNotFoundError when a version
 * was never released, so Terraform never deploys a tag that does not exist.
 *
 * @example
 * const digests = await resolveDigests(images, await readFunctionVersions('packages'));
 * await writeTfvars('infra/live/release.auto.tfvars.json', digests);
 */
export async function resolveDigests(
  images: EcrImages,
  versions: readonly FunctionVersion[],
): Promise<DeployDigests> {
  const digests = new Map<FunctionName, string>();
  for (const { fn, tag } of versions) {
    const digest = await images.digestOf(tag);
    if (digest === null)
      throw new ImageNotFoundError(`${tag} is not in the repository; run the release first`);
    digests.set(fn, digest);
  }
  const detector = digests.get('detector');
  const recognizer = digests.get('recognizer');
  if (detector === undefined || recognizer === undefined) {
    throw new ImageNotFoundError('both detector and recognizer versions are needed to deploy');
  }
  return { detector_image_digest: detector, recognizer_image_digest: recognizer };
}

/**
 * Writes the digests as a Terraform `*.auto.tfvars.json`, which `terraform plan/apply` in the same
 * directory loads without flags.
 *
 * @example
 * await writeTfvars('infra/live/release.auto.tfvars.json', { detector_image_digest: 'sha256:…', recognizer_image_digest: 'sha256:…' });
 */
export async function writeTfvars(path: string, digests: DeployDigests): Promise<void> {
  await writeFile(path, `${JSON.stringify(digests, null, 2)}\n`, 'utf8');
}
