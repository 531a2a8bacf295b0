// How the benchmark starts the processes it measures: this Node, TypeScript sources (no build step).
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root. */
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** `execFile` as a promise of `{ stdout, stderr }`. */
export const run = promisify(execFile);

/**
 * Node and its arguments for a child that runs a workspace TypeScript file.
 *
 * @example
 * ```ts
 * await run(node, [...nodeArgs, inRepo('packages/cli/src/main.ts'), '--help']);
 * ```
 */
export const node = process.execPath;
export const nodeArgs: readonly string[] = ['--conditions=@frs/source'];

/** A path below the repository root. */
export function inRepo(path: string): string {
  return join(repo, path);
}

/** Progress on stderr, so stdout carries only the figures. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
