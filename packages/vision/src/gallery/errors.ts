import { VisionError } from '../errors.ts';

/** A gallery file or byte buffer is not a valid `frs-gallery` document. */
export class GalleryFormatError extends VisionError {
  override readonly code = 'GALLERY_FORMAT';
}

/** A gallery (or a vector added to it) belongs to a different embedding model or dimension. */
export class GalleryModelMismatchError extends VisionError {
  override readonly code = 'GALLERY_MODEL_MISMATCH';
  readonly expected: { id: string; dimension: number };
  readonly actual: { id: string; dimension: number };

  constructor(
    expected: { id: string; dimension: number },
    actual: { id: string; dimension: number },
    options?: ErrorOptions,
  ) {
    super(
      `gallery model mismatch: expected ${expected.id} (${expected.dimension}-d), got ${actual.id} (${actual.dimension}-d)`,
      options,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** An operation named a person the gallery does not hold. */
export class PersonNotFoundError extends VisionError {
  override readonly code = 'PERSON_NOT_FOUND';
}

/** Reading or writing a gallery file failed at the file-system level. */
export class GalleryIoError extends VisionError {
  override readonly code = 'GALLERY_IO';
}

/** A `torch.save` file is malformed or uses a feature the restricted reader refuses. */
export class TorchFormatError extends VisionError {
  override readonly code: string = 'TORCH_FORMAT';
}

/** The pickle asked for a global outside the allow-list; nothing was executed. */
export class UnsafePickleError extends TorchFormatError {
  override readonly code = 'UNSAFE_PICKLE';
}
