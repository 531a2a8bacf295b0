/** A gallery file or byte buffer is not a valid `frs-gallery` document. */
export class GalleryFormatError extends Error {
  override name = 'GalleryFormatError';
}

/** A gallery (or a vector added to it) belongs to a different embedding model or dimension. */
export class GalleryModelMismatchError extends Error {
  override name = 'GalleryModelMismatchError';
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
export class PersonNotFoundError extends Error {
  override name = 'PersonNotFoundError';
}

/** Reading or writing a gallery file failed at the file-system level. */
export class GalleryIoError extends Error {
  override name = 'GalleryIoError';
}

/** A `torch.save` file is malformed or uses a feature the restricted reader refuses. */
export class TorchFormatError extends Error {
  override name = 'TorchFormatError';
}

/** The pickle asked for a global outside the allow-list; nothing was executed. */
export class UnsafePickleError extends TorchFormatError {
  override name = 'UnsafePickleError';
}
