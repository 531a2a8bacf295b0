import { fileURLToPath } from 'node:url';
import {
  buildError,
  codeTable,
  type ErrorClass,
  errorClassesOf,
  itBuildsEachError,
} from '@frs/test-fixtures/errors';
import { describe, expect, it } from 'vitest';
import { VisionError } from '../src/errors.ts';

// Every module of src, not a list: an error added anywhere in the library without the base fails here.
// A worker thread's entry runs on import (and refuses the main thread), so it is read, not imported.
const src = fileURLToPath(new URL('../src/', import.meta.url));
const { files, entries, classes } = await errorClassesOf(src, {
  load: (path) => import(path),
  isEntry: (file) => file.endsWith('-worker.ts'),
});
const modules = files.filter((file) => !entries.includes(file));

const cause = new Error('root cause');
// Errors whose constructor is not `(message, options)`; every other class is built with the default.
const ARGS = {
  GalleryModelMismatchError: [{ id: 'a', dimension: 192 }, { id: 'b', dimension: 512 }, { cause }],
  ImageTooLargeError: ['bytes', 2, 1, { cause }],
  ModelChecksumError: ['m.onnx', 'aa', 'bb', { cause }],
};
const build = (cls: ErrorClass) => buildError(VisionError, cls, ARGS, cause);

describe('Class: VisionError', () => {
  it('returns the worker entries as read, not imported, when the modules are walked', () => {
    expect(entries).toEqual([expect.stringMatching(/pnet-worker\.ts$/)]);
  });

  it('returns the error classes of every module of src when the modules are walked', () => {
    expect(modules.length).toBeGreaterThan(30);
    expect(classes.map((cls) => cls.name)).toEqual(
      expect.arrayContaining(['VisionError', 'DetectInputError', 'GalleryStoreError', 'UnsafePickleError']),
    );
  });

  itBuildsEachError({ base: 'VisionError', classes, build, cause, code: /^[A-Z][A-Z0-9_]*$/ });

  it('returns a distinct code for every error class when all are built', () => {
    const codes = classes.map((cls) => build(cls).code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  // The codes are the API: logs and metrics key on them, @frs/service's IMAGE_REJECTIONS maps the image ones.
  // The parents are the families callers catch (ModelError, ImageInputError, TorchFormatError).
  it('returns the stable code and the parent class of each error class when they are built', () => {
    expect(codeTable(classes, build)).toEqual({
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
