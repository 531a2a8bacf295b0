import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PackageVersionError } from './errors.ts';

// semver 2.0.0 core + optional pre-release and build, as changesets writes them.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

const PackageJsonSchema = z.object({
  name: z.string().min(1),
  version: z.string().regex(SEMVER, 'expected a semver version'),
});

/** The two separately versioned Lambda functions the image contains. */
export const FUNCTIONS = ['detector', 'recognizer'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/** One function's released identity: its package name, version and the image tag that carries it. */
export interface FunctionVersion {
  fn: FunctionName;
  packageName: string;
  version: string;
  tag: string;
}

/**
 * The image tag of one function version. `+build` metadata is not allowed in tags, so `+` becomes `_`.
 *
 * @example
 * functionTag('detector', '0.2.0'); // 'detector-0.2.0'
 */
export function functionTag(fn: FunctionName, version: string): string {
  return `${fn}-${version.replaceAll('+', '_')}`;
}

/**
 * Reads each function package's version from `<packagesDir>/<fn>/package.json`.
 *
 * @example
 * const versions = await readFunctionVersions('packages');
 * // [{ fn: 'detector', packageName: '@frs/detector', version: '0.1.0', tag: 'detector-0.1.0' }, …]
 */
export async function readFunctionVersions(packagesDir: string): Promise<FunctionVersion[]> {
  return Promise.all(
    FUNCTIONS.map(async (fn) => {
      const path = join(packagesDir, fn, 'package.json');
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(path, 'utf8'));
      } catch (cause) {
        throw new PackageVersionError(`cannot read ${path}`, { cause });
      }
      const parsed = PackageJsonSchema.safeParse(raw);
      if (!parsed.success) {
        throw new PackageVersionError(`${path}: ${parsed.error.issues.map((i) => i.message).join('; ')}`, {
          cause: parsed.error,
        });
      }
      return {
        fn,
        packageName: parsed.data.name,
        version: parsed.data.version,
        tag: functionTag(fn, parsed.data.version),
      };
    }),
  );
}
