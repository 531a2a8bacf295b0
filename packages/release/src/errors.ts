/** Base class of every release failure; the CLI prints `name: message` and exits non-zero. */
export class ReleaseError extends Error {
  override name = 'ReleaseError';
}

/** A package.json that is missing, unreadable or lacks a valid semver version. */
export class PackageVersionError extends ReleaseError {
  override name = 'PackageVersionError';
}

/** The image to tag (or a released version to deploy) is not in the repository. */
export class ImageNotFoundError extends ReleaseError {
  override name = 'ImageNotFoundError';
}

/**
 * A tag already names another image. ECR tags are immutable here, so the release never overwrites one:
 * ship the build under a new version instead.
 */
export class ImageTagExistsError extends ReleaseError {
  override name = 'ImageTagExistsError';
}

/** ECR answered with an error the release cannot interpret. */
export class RegistryError extends ReleaseError {
  override name = 'RegistryError';
}

/** Bad command-line usage. */
export class UsageError extends ReleaseError {
  override name = 'UsageError';
}

/** A git command failed for a reason other than the answer it was asked for (bad ref, not a repository). */
export class GitError extends ReleaseError {
  override name = 'GitError';
}

/**
 * The commit to release is not `main` or one of its ancestors, so it never went through review. Merge it
 * into main and release from there.
 */
export class NotOnMainError extends ReleaseError {
  override name = 'NotOnMainError';
}

/**
 * A git tag for a version (`@frs/detector@0.3.0`) already exists and does not name a reviewed release of
 * that version: it points at a commit off main, at a commit whose package.json has another version, or at
 * another commit than the one being released without an image released from it. The release never adopts
 * such a tag; delete it or bump the version.
 */
export class TagConflictError extends ReleaseError {
  override name = 'TagConflictError';
}

/**
 * An ECR version tag (`detector-0.3.0`) names an image that was not built from the commit the version was
 * released at (its `sha-<commit>` tag is missing or names an unreviewed commit), so deploying it would ship
 * unreviewed code.
 */
export class ImageProvenanceError extends ReleaseError {
  override name = 'ImageProvenanceError';
}
