import { fileURLToPath } from 'node:url';
import {
  buildError,
  codeTable,
  type ErrorClass,
  errorClassesOf,
  itBuildsEachError,
} from '@frs/test-fixtures/errors';
import { describe, expect, it } from 'vitest';
import { ModelsError } from '../src/errors.ts';

// Every module of src, not a list: an error added anywhere in the package without the base fails here.
// build.ts and tflite2onnx/cli.ts only run their main() when started as a script.
const src = fileURLToPath(new URL('../src/', import.meta.url));
const { files: modules, classes } = await errorClassesOf(src, { load: (path) => import(path) });

const cause = new Error('root cause');
// Errors whose constructor is not `(message, options)`; every other class is built with the default.
const ARGS = { ModelIntegrityError: ['m.onnx', 'aa', 'bb', { cause }] };
const build = (cls: ErrorClass) => buildError(ModelsError, cls, ARGS, cause);

describe('Class: ModelsError', () => {
  it('returns the error classes of every module of src when the modules are walked', () => {
    expect(modules.length).toBeGreaterThan(10);
    expect(classes.map((cls) => cls.name)).toEqual(
      expect.arrayContaining(['ModelsError', 'ModelSelectionError', 'ProtoFormatError', 'TarballFetchError']),
    );
  });

  itBuildsEachError({ base: 'ModelsError', classes, build, cause, code: /^[A-Z][A-Z0-9_]*$/ });

  it('returns a distinct code for every error class when all are built', () => {
    const codes = classes.map((cls) => build(cls).code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  // The codes are the API (logs, scripts); every error is a direct child of the base.
  it('returns the stable code and the parent class of each error class when they are built', () => {
    expect(codeTable(classes, build)).toEqual({
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
