import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelsError } from '../src/errors.ts';

type ErrorClass = abstract new (...args: never[]) => Error;

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && value.prototype instanceof Error;
}

// Every module of src, not a list: an error added anywhere in the package without the base fails here.
// build.ts and tflite2onnx/cli.ts only run their main() when started as a script.
const src = fileURLToPath(new URL('../src/', import.meta.url));
const modules = (await readdir(src, { recursive: true })).filter((file) => file.endsWith('.ts')).sort();
const found = new Set<ErrorClass>();
for (const file of modules) {
  const exports: unknown = await import(join(src, file));
  if (typeof exports !== 'object' || exports === null) continue;
  for (const value of Object.values(exports)) if (isErrorClass(value)) found.add(value);
}
const classes = [...found].sort((a, b) => (a.name < b.name ? -1 : 1));

const cause = new Error('root cause');
// Errors whose constructor is not `(message, options)`; every other class is built with the default.
const ARGS: Readonly<Record<string, readonly unknown[]>> = {
  ModelIntegrityError: ['m.onnx', 'aa', 'bb', { cause }],
};

function build(cls: ErrorClass): ModelsError {
  const error: unknown = Reflect.construct(cls, ARGS[cls.name] ?? ['message', { cause }]);
  if (!(error instanceof ModelsError)) throw new Error(`${cls.name} does not extend ModelsError`);
  return error;
}

describe('Class: ModelsError', () => {
  it('returns the error classes of every module of src when the modules are walked', () => {
    expect(modules.length).toBeGreaterThan(10);
    expect(classes.map((cls) => cls.name)).toEqual(
      expect.arrayContaining(['ModelsError', 'ModelSelectionError', 'ProtoFormatError', 'TarballFetchError']),
    );
  });

  it.each(classes.map((cls) => [cls.name, cls] as const))(
    'returns a ModelsError with its class name, a code and the cause when %s is built',
    (name, cls) => {
      const error = build(cls);
      expect(error).toBeInstanceOf(ModelsError);
      expect(error.name).toBe(name);
      expect(error.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(error.cause).toBe(cause);
    },
  );

  it('returns a distinct code for every error class when all are built', () => {
    const codes = classes.map((cls) => build(cls).code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  // The codes are the API (logs, scripts); every error is a direct child of the base.
  it('returns the stable code and the parent class of each error class when they are built', () => {
    const table = classes.map((cls) => [cls.name, [build(cls).code, Object.getPrototypeOf(cls).name]]);
    expect(Object.fromEntries(table)).toEqual({
      CliUsageError: ['CLI_USAGE', 'ModelsError'],
      FlatBufferError: ['FLAT_BUFFER', 'ModelsError'],
      ModelFileMissingError: ['MODEL_FILE_MISSING', 'ModelsError'],
      ModelIntegrityError: ['MODEL_INTEGRITY', 'ModelsError'],
      ModelRecipeError: ['MODEL_RECIPE', 'ModelsError'],
      ModelSelectionError: ['MODEL_SELECTION', 'ModelsError'],
      ModelsError: ['MODELS', 'Error'],
      OnnxReexportError: ['ONNX_REEXPORT', 'ModelsError'],
      ProtoFormatError: ['PROTO_FORMAT', 'ModelsError'],
      TarballError: ['TARBALL', 'ModelsError'],
      TarballFetchError: ['TARBALL_FETCH', 'ModelsError'],
      TfliteFormatError: ['TFLITE_FORMAT', 'ModelsError'],
      UnsupportedTfliteError: ['UNSUPPORTED_TFLITE', 'ModelsError'],
    });
  });
});
