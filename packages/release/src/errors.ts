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
