import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PackageVersionError } from './errors.ts';
import type { Git } from './git.ts';

// semver 2.0.0 core + optional pre-release and build, as changesets writes them.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

const PackageJsonSchema = z.object({
  name: z.string().min(1),
  version: z.string().regex(SEMVER, 'expected a semver version'),
});

/** One separately versioned Lambda function in the image. */
export interface FunctionSpec {
  /** Names the ECR tag (`<name>-<version>`) and the Terraform variables (`<name>_image_digest`). */
  name: string;
  /** The function's package directory, relative to the repository root. */
  dir: string;
}

const FunctionsFileSchema = z.object({
  functions: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z][a-z0-9]*$/, 'expected a lowercase name usable in tags and variables'),
        dir: z.string().min(1),
      }),
    )
    .min(1),
});

/** The function list this package ships with (`functions.json`, next to src/ and dist/). */
export const DEFAULT_FUNCTIONS_FILE = new URL('../functions.json', import.meta.url);

/**
 * Reads and validates a functions file; the list is data so that a new function is one entry, not code.
 *
 * @example
 * const functions = await readFunctions(DEFAULT_FUNCTIONS_FILE);
 * // [{ name: 'detector', dir: 'packages/detector' }, …]
 */
export async function readFunctions(file: URL | string = DEFAULT_FUNCTIONS_FILE): Promise<FunctionSpec[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new PackageVersionError(`cannot read the functions file ${String(file)}`, { cause });
  }
  const parsed = FunctionsFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PackageVersionError(`${String(file)}: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data.functions;
}

/** One function's released identity: its package, version, and the ECR and git tags that carry it. */
export interface FunctionVersion {
  fn: string;
  dir: string;
  packageName: string;
  version: string;
  /** ECR image tag, e.g. `detector-0.2.0`. */
  imageTag: string;
  /** Git tag in changesets' format, e.g. `@frs/detector@0.2.0`. */
  gitTag: string;
}

/**
 * The image tag of one function version. `+build` metadata is not allowed in tags, so `+` becomes `_`.
 *
 * @example
 * functionTag('detector', '0.2.0'); // 'detector-0.2.0'
 */
export function functionTag(fn: string, version: string): string {
  return `${fn}-${version.replaceAll('+', '_')}`;
}

/**
 * The git tag of one package version, named exactly as `changeset git-tag` names it in a monorepo, so tags
 * made by the release and by changesets never disagree.
 *
 * @example
 * versionGitTag('@frs/detector', '0.2.0'); // '@frs/detector@0.2.0'
 */
export function versionGitTag(packageName: string, version: string): string {
  return `${packageName}@${version}`;
}

/**
 * A package's name and version as committed at `commit` (not as the working tree has them), or null when
 * that commit has no package.json there.
 *
 * @example
 * await packageAt(git, 'HEAD', 'packages/detector'); // { name: '@frs/detector', version: '0.2.0' }
 */
export async function packageAt(
  git: Git,
  commit: string,
  dir: string,
): Promise<{ name: string; version: string } | null> {
  const path = `${dir}/package.json`;
  const text = await git.fileAt(commit, path);
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new PackageVersionError(`${path} at ${commit} is not JSON`, { cause });
  }
  const parsed = PackageJsonSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PackageVersionError(
      `${path} at ${commit}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

/**
 * Reads each function package's version at `commit`.
 *
 * @example
 * const versions = await readFunctionVersions(git, commit, await readFunctions());
 * // [{ fn: 'detector', packageName: '@frs/detector', version: '0.1.0', imageTag: 'detector-0.1.0',
 * //    gitTag: '@frs/detector@0.1.0', dir: 'packages/detector' }, …]
 */
export async function readFunctionVersions(
  git: Git,
  commit: string,
  functions: readonly FunctionSpec[],
): Promise<FunctionVersion[]> {
  return Promise.all(
    functions.map(async ({ name, dir }) => {
      const pkg = await packageAt(git, commit, dir);
      if (pkg === null) throw new PackageVersionError(`${dir}/package.json does not exist at ${commit}`);
      return {
        fn: name,
        dir,
        packageName: pkg.name,
        version: pkg.version,
        imageTag: functionTag(name, pkg.version),
        gitTag: versionGitTag(pkg.name, pkg.version),
      };
    }),
  );
}
