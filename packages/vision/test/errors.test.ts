import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VisionError } from '../src/errors.ts';

type ErrorClass = abstract new (...args: never[]) => Error;

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && value.prototype instanceof Error;
}

// Every module of src, not a list: an error added anywhere in the library without the base fails here.
const src = fileURLToPath(new URL('../src/', import.meta.url));
const files = (await readdir(src, { recursive: true })).filter((file) => file.endsWith('.ts')).sort();
// A worker thread's entry runs on import (and refuses the main thread), so it is read, not imported.
const isWorkerEntry = (file: string) => file.endsWith('-worker.ts');
const modules = files.filter((file) => !isWorkerEntry(file));
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
  GalleryModelMismatchError: [{ id: 'a', dimension: 192 }, { id: 'b', dimension: 512 }, { cause }],
  ImageTooLargeError: ['bytes', 2, 1, { cause }],
  ModelChecksumError: ['m.onnx', 'aa', 'bb', { cause }],
};

function build(cls: ErrorClass): VisionError {
  const error: unknown = Reflect.construct(cls, ARGS[cls.name] ?? ['message', { cause }]);
  if (!(error instanceof VisionError)) throw new Error(`${cls.name} does not extend VisionError`);
  return error;
}

describe('Class: VisionError', () => {
  it('returns no error class declared in a worker entry when the entries are read', async () => {
    const entries = files.filter(isWorkerEntry);
    expect(entries.length).toBeGreaterThan(0);
    for (const file of entries) expect(await readFile(join(src, file), 'utf8')).not.toMatch(/\bclass\s/);
  });

  it('returns the error classes of every module of src when the modules are walked', () => {
    expect(modules.length).toBeGreaterThan(30);
    expect(classes.map((cls) => cls.name)).toEqual(
      expect.arrayContaining(['VisionError', 'DetectInputError', 'GalleryStoreError', 'UnsafePickleError']),
    );
  });

  it.each(classes.map((cls) => [cls.name, cls] as const))(
    'returns a VisionError with its class name, a code and the cause when %s is built',
    (name, cls) => {
      const error = build(cls);
      expect(error).toBeInstanceOf(VisionError);
      expect(error.name).toBe(name);
      expect(error.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(error.cause).toBe(cause);
    },
  );

  it('returns a distinct code for every error class when all are built', () => {
    const codes = classes.map((cls) => build(cls).code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  // The codes are the API: logs and metrics key on them, @frs/service's IMAGE_REJECTIONS maps the image ones.
  // The parents are the families callers catch (ModelError, ImageInputError, TorchFormatError).
  it('returns the stable code and the parent class of each error class when they are built', () => {
    const table = classes.map((cls) => [cls.name, [build(cls).code, Object.getPrototypeOf(cls).name]]);
    expect(Object.fromEntries(table)).toEqual({
      AlignmentError: ['ALIGNMENT', 'VisionError'],
      CorruptImageError: ['CORRUPT_IMAGE', 'ImageInputError'],
      DatasetError: ['DATASET', 'VisionError'],
      DetectInputError: ['DETECT_INPUT', 'VisionError'],
      DetectWorkerError: ['DETECT_WORKER', 'ModelError'],
      DownscaleInputError: ['DOWNSCALE_INPUT', 'VisionError'],
      EmbedInputError: ['EMBED_INPUT', 'VisionError'],
      EmbeddingCacheError: ['EMBEDDING_CACHE', 'VisionError'],
      GalleryFormatError: ['GALLERY_FORMAT', 'VisionError'],
      GalleryIoError: ['GALLERY_IO', 'VisionError'],
      GalleryModelMismatchError: ['GALLERY_MODEL_MISMATCH', 'VisionError'],
      GalleryStoreConflictError: ['GALLERY_STORE_CONFLICT', 'VisionError'],
      GalleryStoreError: ['GALLERY_STORE', 'VisionError'],
      ImageInputError: ['IMAGE_INPUT', 'VisionError'],
      ImageTooLargeError: ['IMAGE_TOO_LARGE', 'ImageInputError'],
      ModelChecksumError: ['MODEL_CHECKSUM', 'ModelError'],
      ModelConfigError: ['MODEL_CONFIG', 'ModelError'],
      ModelError: ['MODEL_ERROR', 'VisionError'],
      ModelLoadError: ['MODEL_LOAD', 'ModelError'],
      ModelRunError: ['MODEL_RUN', 'ModelError'],
      ModelSignatureError: ['MODEL_SIGNATURE', 'ModelError'],
      PersonNotFoundError: ['PERSON_NOT_FOUND', 'VisionError'],
      PhotoNotFoundError: ['PHOTO_NOT_FOUND', 'VisionError'],
      S3LocationError: ['S3_LOCATION', 'VisionError'],
      TorchFormatError: ['TORCH_FORMAT', 'VisionError'],
      UncalibratedModelError: ['UNCALIBRATED_MODEL', 'VisionError'],
      UnsafePickleError: ['UNSAFE_PICKLE', 'TorchFormatError'],
      UnsupportedImageFormatError: ['UNSUPPORTED_IMAGE_FORMAT', 'ImageInputError'],
      VisionError: ['VISION', 'Error'],
    });
  });
});
