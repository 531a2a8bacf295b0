import { fileURLToPath } from 'node:url';
import {
  buildError,
  codeTable,
  type ErrorClass,
  errorClassesOf,
  itBuildsEachError,
} from '@frs/test-fixtures/errors';
import { describe, expect, it } from 'vitest';
import { ConsoleError, ConsoleHttpError } from '../src/errors.ts';

// Every module of src, not a list: an error added anywhere in the console without the base fails here.
const src = fileURLToPath(new URL('../src/', import.meta.url));
const { files, classes } = await errorClassesOf(src, { load: (path) => import(path) });

const cause = new Error('root cause');
// Errors whose constructor is not `(message, options)`; every other class is built with the default.
const ARGS = { ConsoleHttpError: [403, 'forbidden_origin', 'cross-origin requests are refused', { cause }] };
const build = (cls: ErrorClass) => buildError(ConsoleError, cls, ARGS, cause);

describe('Class: ConsoleError', () => {
  it('returns the error classes of every module of src when the modules are walked', () => {
    expect(files).toContain('server.ts');
    expect(classes.map((cls) => cls.name)).toEqual(
      expect.arrayContaining(['ConsoleError', 'ConsoleHttpError']),
    );
  });

  itBuildsEachError({ base: 'ConsoleError', classes, build, cause, code: /^[a-z][a-z0-9_]*$/ });

  // ConsoleHttpError's code is its error JSON's (one per answer), so only the others must differ.
  it('returns a distinct code for every error class with a fixed code when all are built', () => {
    const fixed = classes.filter((cls) => cls !== ConsoleHttpError).map((cls) => build(cls).code);
    expect(new Set(fixed).size).toBe(fixed.length);
    expect(fixed).not.toContain('forbidden_origin');
  });

  it('returns the status and code it was given when a ConsoleHttpError is built', () => {
    expect(new ConsoleHttpError(404, 'not_found', 'no such page')).toMatchObject({
      name: 'ConsoleHttpError',
      status: 404,
      code: 'not_found',
      message: 'no such page',
    });
  });

  it('returns the stable code and the parent class of each error class when they are built', () => {
    expect(codeTable(classes, build)).toEqual({
      ConsoleError: ['error', 'CodedError'],
      ConsoleHttpError: ['forbidden_origin', 'ConsoleError'],
    });
  });
});
