import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConsoleError, ConsoleHttpError } from '../src/errors.ts';

type ErrorClass = abstract new (...args: never[]) => Error;

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && value.prototype instanceof Error;
}

// Every module of src, not a list: an error added anywhere in the console without the base fails here.
const src = fileURLToPath(new URL('../src/', import.meta.url));
const files = (await readdir(src, { recursive: true })).filter((file) => file.endsWith('.ts')).sort();
const found = new Set<ErrorClass>();
for (const file of files) {
  const exports: unknown = await import(join(src, file));
  if (typeof exports !== 'object' || exports === null) continue;
  for (const value of Object.values(exports)) if (isErrorClass(value)) found.add(value);
}
const classes = [...found].sort((a, b) => (a.name < b.name ? -1 : 1));

const cause = new Error('root cause');
// Errors whose constructor is not `(message, options)`; every other class is built with the default.
const ARGS: Readonly<Record<string, readonly unknown[]>> = {
  ConsoleHttpError: [403, 'forbidden_origin', 'cross-origin requests are refused', { cause }],
};

function build(cls: ErrorClass): ConsoleError {
  const error: unknown = Reflect.construct(cls, ARGS[cls.name] ?? ['message', { cause }]);
  if (!(error instanceof ConsoleError)) throw new Error(`${cls.name} does not extend ConsoleError`);
  return error;
}

describe('Class: ConsoleError', () => {
  it('returns the error classes of every module of src when the modules are walked', () => {
    expect(files).toContain('server.ts');
    expect(classes.map((cls) => cls.name)).toEqual(
      expect.arrayContaining(['ConsoleError', 'ConsoleHttpError']),
    );
  });

  it.each(classes.map((cls) => [cls.name, cls] as const))(
    'returns a ConsoleError with its class name, a code and the cause when %s is built',
    (name, cls) => {
      const error = build(cls);
      expect(error).toBeInstanceOf(ConsoleError);
      expect(error.name).toBe(name);
      expect(error.code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(error.cause).toBe(cause);
    },
  );

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
    const table = classes.map((cls) => [cls.name, [build(cls).code, Object.getPrototypeOf(cls).name]]);
    expect(Object.fromEntries(table)).toEqual({
      ConsoleError: ['error', 'CodedError'],
      ConsoleHttpError: ['forbidden_origin', 'ConsoleError'],
    });
  });
});
