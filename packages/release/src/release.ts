import { writeFile } from 'node:fs/promises';
import type { EcrImages, TaggedImage } from './ecr.ts';
import {
  GitError,
  ImageNotFoundError,
  ImageProvenanceError,
  NotOnMainError,
  type ReleaseError,
  TagConflictError,
} from './errors.ts';
import type { Git } from './git.ts';
import { type FunctionSpec, type FunctionVersion, packageAt, readFunctionVersions } from './versions.ts';

/** Structured logger the release accepts (same shape as @frs/vision's Logger). */
export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** What a release reads: the git working copy, the ECR repository, which ref is main, which functions. */
export interface ReleaseSource {
  git: Git;
  images: EcrImages;
  /** The reviewed branch, e.g. `origin/main`; only its commits and their ancestors are ever released. */
  mainRef: string;
  functions: readonly FunctionSpec[];
}

const BUILD_TAG = /^sha-([0-9a-f]{7,40})$/;

/**
 * The tag CI pushes a build of `commit` under; a version tag's image carries it too, which records the
 * commit the version was built from.
 *
 * @example
 * buildTag('0123abcd4567890123abcd4567890123abcd4567'); // 'sha-0123abcd4567'
 */
export function buildTag(commit: string): string {
  return `sha-${commit.slice(0, 12)}`;
}

/**
 * Resolves `ref` and fails with NotOnMainError unless that commit is `mainRef` or one of its ancestors
 * (`git merge-base --is-ancestor`): a commit that never reached main never went through review.
 *
 * @example
 * const commit = await assertOnMain(new Git('.'), process.env.HEAD_SHA ?? 'HEAD', 'origin/main');
 */
export async function assertOnMain(git: Git, ref: string, mainRef: string): Promise<string> {
  const commit = await git.commitOf(ref);
  const main = await git.commitOf(mainRef);
  if (!(await git.isAncestor(commit, main))) {
    throw new NotOnMainError(
      `${commit} is not on ${mainRef} (${main}); only reviewed commits on main release`,
    );
  }
  return commit;
}

/** One function version and where it stands before the release writes anything. */
export interface PlannedVersion extends FunctionVersion {
  /** `new`: no image carries this version yet; `released`: an image built from `releaseCommit` does. */
  status: 'new' | 'released';
  /** The commit this version is (or is to be) released from. */
  releaseCommit: string;
  /** The released image's digest; null while the version is new. */
  digest: string | null;
  /** The version's git tag does not exist yet and is to be created on `releaseCommit`. */
  createGitTag: boolean;
}

/** Every function version at one commit, each verified against main, its git tag and its image. */
export interface ReleasePlan {
  commit: string;
  versions: PlannedVersion[];
}

type ProvenanceError = new (message: string, options?: ErrorOptions) => ReleaseError;

/**
 * Fails unless `commit` is on main and its package.json carries exactly this version: a git tag or an
 * image is trusted only when it names a reviewed commit that really has the version it claims.
 */
async function assertReviewedVersion(
  source: ReleaseSource,
  version: FunctionVersion,
  commit: string,
  what: string,
  ErrorClass: ProvenanceError,
): Promise<void> {
  if (!(await source.git.isAncestor(commit, source.mainRef))) {
    throw new ErrorClass(`${what}, which is not on ${source.mainRef}: it was never reviewed`);
  }
  const pkg = await packageAt(source.git, commit, version.dir);
  if (pkg?.name !== version.packageName || pkg.version !== version.version) {
    throw new ErrorClass(
      `${what}, where ${version.dir}/package.json is ${pkg ? `${pkg.name}@${pkg.version}` : 'absent'}, not ${version.gitTag}`,
    );
  }
}

/** The reviewed commit among an image's `sha-<commit>` tags that carries `version`, if any. */
async function reviewedBuildCommit(
  source: ReleaseSource,
  version: FunctionVersion,
  image: TaggedImage,
): Promise<string | null> {
  for (const tag of image.tags) {
    const prefix = BUILD_TAG.exec(tag)?.[1];
    if (prefix === undefined) continue;
    let commit: string;
    try {
      commit = await source.git.commitOf(prefix);
    } catch (cause) {
      // A build tag naming no commit of this clone (or an ambiguous prefix) proves nothing.
      if (cause instanceof GitError) continue;
      throw cause;
    }
    try {
      await assertReviewedVersion(source, version, commit, tag, ImageProvenanceError);
      return commit;
    } catch (cause) {
      if (cause instanceof ImageProvenanceError) continue;
      throw cause;
    }
  }
  return null;
}

async function planVersion(
  source: ReleaseSource,
  version: FunctionVersion,
  commit: string,
): Promise<PlannedVersion> {
  const tagged = await source.git.tagTarget(version.gitTag);
  const image = await source.images.imageOf(version.imageTag);

  if (tagged !== null) {
    await assertReviewedVersion(
      source,
      version,
      tagged,
      `${version.gitTag} points at ${tagged}`,
      TagConflictError,
    );
    if (image === null) {
      // Only a tag on the very commit being released may still lack its image (a tag made by hand or
      // by `changeset git-tag` before the release ran); anywhere else it claims a version nobody released.
      if (tagged !== commit) {
        throw new TagConflictError(
          `${version.gitTag} already points at ${tagged}, not at ${commit} being released, and no ` +
            `${version.imageTag} image was released from it; delete the tag or bump ${version.packageName}`,
        );
      }
      return { ...version, status: 'new', releaseCommit: commit, digest: null, createGitTag: false };
    }
    if (!image.tags.includes(buildTag(tagged))) {
      throw new ImageProvenanceError(
        `${version.imageTag} (${image.digest}) was not built from ${tagged}, where ${version.gitTag} ` +
          `points (its tags: ${image.tags.join(', ')})`,
      );
    }
    return {
      ...version,
      status: 'released',
      releaseCommit: tagged,
      digest: image.digest,
      createGitTag: false,
    };
  }

  if (image === null) {
    return { ...version, status: 'new', releaseCommit: commit, digest: null, createGitTag: true };
  }
  // An image without its git tag: a run that tagged ECR but failed to push the git tag, or a version
  // released before git tags were kept. Its build tag says which commit it came from.
  const built = await reviewedBuildCommit(source, version, image);
  if (built === null) {
    throw new ImageProvenanceError(
      `${version.imageTag} (${image.digest}) carries no sha-<commit> tag of a commit on ${source.mainRef} ` +
        `with ${version.gitTag} (its tags: ${image.tags.join(', ')}); it was not built from reviewed code`,
    );
  }
  return { ...version, status: 'released', releaseCommit: built, digest: image.digest, createGitTag: true };
}

/**
 * Reads every function's version at `commit` and checks each against its git tag and its ECR image,
 * writing nothing. A version is `released` only when its image was built from a reviewed commit that has
 * that version (and its git tag, if any, points there); anything else fails with TagConflictError or
 * ImageProvenanceError instead of being kept and deployed.
 *
 * @example
 * const plan = await planRelease(source, await assertOnMain(source.git, 'HEAD', 'origin/main'));
 * const pending = plan.versions.filter((v) => v.status === 'new'); // build the image only if non-empty
 */
export async function planRelease(source: ReleaseSource, commit: string): Promise<ReleasePlan> {
  const versions = await readFunctionVersions(source.git, commit, source.functions);
  const planned: PlannedVersion[] = [];
  for (const version of versions) planned.push(await planVersion(source, version, commit));
  return { commit, versions: planned };
}

/** What happened to one function version. */
export interface PublishOutcome {
  fn: string;
  version: string;
  imageTag: string;
  gitTag: string;
  /**
   * `tagged`: released now from this commit; `unchanged`: already released from this commit (a re-run);
   * `kept-existing`: released earlier from the reviewed commit in `commit`, left as it was.
   */
  action: 'tagged' | 'unchanged' | 'kept-existing';
  digest: string;
  /** The commit the version's image was built from and its git tag points at. */
  commit: string;
  /** The git tag was created locally by this run and still has to be pushed. */
  gitTagCreated: boolean;
}

export interface PublishOptions {
  /** The commit to release (any ref); it must be on `source.mainRef`. */
  commit: string;
}

/**
 * Releases every function version at a commit on main. A new version gets its ECR tag on the image CI
 * pushed as `sha-<commit>` and its changesets-style git tag on that commit (created locally; the caller
 * pushes it). A version released earlier from a reviewed commit is kept; one whose tag or image does not
 * trace back to a reviewed commit with that version fails the whole release before anything is written.
 *
 * @example
 * const outcomes = await publish(
 *   { git: new Git('.'), images: new EcrImages(client, 'frs'), mainRef: 'origin/main', functions: await readFunctions() },
 *   logger,
 *   { commit: 'HEAD' },
 * );
 */
export async function publish(
  source: ReleaseSource,
  logger: Logger,
  options: PublishOptions,
): Promise<PublishOutcome[]> {
  const commit = await assertOnMain(source.git, options.commit, source.mainRef);
  const plan = await planRelease(source, commit);
  const pending = plan.versions.filter((v) => v.status === 'new');
  const build = pending.length > 0 ? await source.images.manifestOf(buildTag(commit)) : null;

  const outcomes: PublishOutcome[] = [];
  for (const planned of plan.versions) {
    let digest: string;
    let action: PublishOutcome['action'];
    if (planned.status === 'new' && build !== null) {
      digest = await source.images.addTag(build, planned.imageTag);
      action = 'tagged';
    } else if (planned.digest !== null) {
      digest = planned.digest;
      action = planned.releaseCommit === commit ? 'unchanged' : 'kept-existing';
    } else {
      throw new ImageNotFoundError(`${planned.imageTag} has no image to release`);
    }
    // The git tag follows the ECR tag, so a failure in between leaves an image whose build tag still
    // proves where it came from, and the next run adopts it.
    if (planned.createGitTag) {
      await source.git.createTag(
        planned.gitTag,
        planned.releaseCommit,
        `${planned.packageName} ${planned.version}`,
      );
    }
    const outcome: PublishOutcome = {
      fn: planned.fn,
      version: planned.version,
      imageTag: planned.imageTag,
      gitTag: planned.gitTag,
      action,
      digest,
      commit: planned.releaseCommit,
      gitTagCreated: planned.createGitTag,
    };
    if (action === 'kept-existing') {
      logger.info('version already released from an earlier reviewed commit; keeping it', { ...outcome });
    } else {
      logger.info(action === 'tagged' ? 'released new version' : 'version already released here', {
        ...outcome,
      });
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

/** The Terraform variables a deploy needs: `<fn>_image_digest` (or `<fn>_image_tag` in a plan). */
export type DeployVariables = Record<string, string>;

export interface ResolveOptions {
  /** The commit whose function versions deploy (any ref). */
  commit: string;
  /**
   * For `terraform plan` on a pull request: the commit need not be on main yet, and a version not
   * released yet is planned by its future tag (`<fn>_image_tag`) instead of failing.
   */
  forPlan?: boolean;
}

/**
 * The digest each function's current version deploys, verified exactly as `publish` verifies it; fails
 * with ImageNotFoundError when a version was never released, so Terraform never deploys a tag that does
 * not exist, and with ImageProvenanceError/TagConflictError when an image is not from reviewed code.
 *
 * @example
 * const variables = await resolveDigests(source, { commit: 'HEAD' });
 * await writeTfvars('infra/live/release.auto.tfvars.json', variables);
 */
export async function resolveDigests(
  source: ReleaseSource,
  options: ResolveOptions,
): Promise<DeployVariables> {
  const commit = options.forPlan
    ? await source.git.commitOf(options.commit)
    : await assertOnMain(source.git, options.commit, source.mainRef);
  const plan = await planRelease(source, commit);
  const variables: DeployVariables = {};
  for (const planned of plan.versions) {
    if (planned.digest !== null) {
      variables[`${planned.fn}_image_digest`] = planned.digest;
    } else if (options.forPlan) {
      variables[`${planned.fn}_image_tag`] = planned.imageTag;
    } else {
      throw new ImageNotFoundError(`${planned.imageTag} is not in the repository; run the release first`);
    }
  }
  return variables;
}

/**
 * Writes the variables as a Terraform `*.auto.tfvars.json`, which `terraform plan/apply` in the same
 * directory loads without flags.
 *
 * @example
 * await writeTfvars('infra/live/release.auto.tfvars.json', { detector_image_digest: 'sha256:…' });
 */
export async function writeTfvars(path: string, variables: DeployVariables): Promise<void> {
  await writeFile(path, `${JSON.stringify(variables, null, 2)}\n`, 'utf8');
}
