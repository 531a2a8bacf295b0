/**
 * Base of every error `@frs/models` throws (manifest selection, model verification, the build and the
 * TFLite converter); `code` is stable SCREAMING_SNAKE (`MODEL_SELECTION`, `MODEL_INTEGRITY`, …) and `cause`
 * keeps the underlying error. The package depends on nothing of the service, so this is its own base with
 * the shape of `@frs/runtime`'s `CodedError`. Not to be confused with `@frs/vision`'s `ModelError`, which is
 * about loading and running a model.
 *
 * @example
 * ```ts
 * export class TarballError extends ModelsError {
 *   override readonly code = 'TARBALL';
 * }
 * try { defaultModel(manifest, 'embedder') } catch (e) { if (e instanceof ModelsError) console.error(e.code) }
 * ```
 */
export class ModelsError extends Error {
  readonly code: string = 'MODELS';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // The subclass's own name, so no error class repeats it.
    this.name = new.target.name;
  }
}
