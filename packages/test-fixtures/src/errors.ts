import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';

/** Any error class, abstract or not, whatever its constructor takes. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** What {@link errorClassesOf} found in a package's sources. */
export interface ErrorClasses {
  /** Every `.ts` file under the source folder, relative to it, sorted. */
  files: string[];
  /** The files read as text instead of imported (they run on import), each checked to declare no class. */
  entries: string[];
  /** Every exported `Error` subclass of the imported modules, sorted by name. */
  classes: ErrorClass[];
}

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && value.prototype instanceof Error;
}

/**
 * Imports every module of a package's `src` (not a list, so an error added anywhere without the package's
 * base is found) and collects the exported error classes. `isEntry` names files that run on import (CLI
 * scripts, worker threads): they are read as text and must declare no class at all. The import goes
 * through the caller's `load`, so it runs in the caller's module context (the test's transforms apply).
 *
 * @throws {Error} when an entry file declares a class.
 * @example
 * ```ts
 * const { classes } = await errorClassesOf(fileURLToPath(new URL('../src/', import.meta.url)), {
 *   load: (path) => import(path),
 *   isEntry: (file) => file.endsWith('-worker.ts'),
 * });
 * ```
 */
export async function errorClassesOf(
  srcDir: string,
  options: { load: (path: string) => Promise<unknown>; isEntry?: (file: string) => boolean },
): Promise<ErrorClasses> {
  const files = (await readdir(srcDir, { recursive: true })).filter((file) => file.endsWith('.ts')).sort();
  const entries: string[] = [];
  const found = new Set<ErrorClass>();
  for (const file of files) {
    if (options.isEntry?.(file)) {
      if (/\bclass\s/.test(await readFile(join(srcDir, file), 'utf8'))) {
        throw new Error(`${file} runs on import and must not declare a class`);
      }
      entries.push(file);
      continue;
    }
    const exports = await options.load(join(srcDir, file));
    if (typeof exports !== 'object' || exports === null) continue;
    for (const value of Object.values(exports)) if (isErrorClass(value)) found.add(value);
  }
  return { files, entries, classes: [...found].sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

/**
 * Builds an error class with `args[name]` when its constructor is not `(message, options)`, else with
 * `('message', { cause })`, and checks it is an instance of the package's base.
 *
 * @throws {Error} when the built error is not a `base`.
 * @example
 * ```ts
 * const error = buildError(ModelsError, ModelIntegrityError, { ModelIntegrityError: ['m.onnx', 'a', 'b'] }, cause);
 * ```
 */
export function buildError<B extends Error>(
  base: abstract new (...args: never[]) => B,
  cls: ErrorClass,
  args: Readonly<Record<string, readonly unknown[]>>,
  cause: Error,
): B {
  const error: unknown = Reflect.construct(cls, args[cls.name] ?? ['message', { cause }]);
  if (!(error instanceof base)) throw new Error(`${cls.name} does not extend ${base.name}`);
  return error;
}

/**
 * Each class's code and parent class name, keyed by class name: the table a package pins (codes are an API).
 *
 * @example
 * ```ts
 * codeTable(classes, (cls) => buildError(VisionError, cls, {}, cause)); // { VisionError: ['VISION', 'Error'], … }
 * ```
 */
export function codeTable(
  classes: readonly ErrorClass[],
  build: (cls: ErrorClass) => { code: string },
): Record<string, [code: string, parent: string]> {
  return Object.fromEntries(
    classes.map((cls) => [
      cls.name,
      [build(cls).code, String(Reflect.get(Object.getPrototypeOf(cls), 'name'))],
    ]),
  );
}

/**
 * One test per class: built (through the package's `build`, which checks the base), it carries its class
 * name as `name`, a `code` of the package's form and the `cause` it was given.
 *
 * @example
 * ```ts
 * describe('Class: VisionError', () => {
 *   itBuildsEachError({ base: 'VisionError', classes, build, cause, code: /^[A-Z][A-Z0-9_]*$/ });
 * });
 * ```
 */
export function itBuildsEachError(suite: {
  base: string;
  classes: readonly ErrorClass[];
  build: (cls: ErrorClass) => Error & { code: string };
  cause: Error;
  code: RegExp;
}): void {
  it.each(suite.classes.map((cls) => [cls.name, cls] as const))(
    `returns a ${suite.base} with its class name, a code and the cause when %s is built`,
    (name, cls) => {
      const error = suite.build(cls);
      expect(error.name).toBe(name);
      expect(error.code).toMatch(suite.code);
      expect(error.cause).toBe(suite.cause);
    },
  );
}

/**
 * The error `fn` throws, checked to be a `cls`: for tests that inspect an error's fields beyond its message.
 *
 * @throws {Error} when `fn` returns, or throws something else (rethrown).
 * @example
 * ```ts
 * expect(thrown(() => decodeBase64Content('***'), RequestRejectedError).status).toBe(400);
 * ```
 */
export function thrown<E extends Error>(fn: () => unknown, cls: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof cls) return error;
    throw error;
  }
  throw new Error(`expected a ${cls.name}`);
}
