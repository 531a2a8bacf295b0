/**
 * Base of every error `@frs/vision` throws. `instanceof VisionError` answers "is it the library's error" and
 * `code` (stable SCREAMING_SNAKE, e.g. `GALLERY_FORMAT`) answers "which one", for logs, metrics and tables such
 * as the service's image rejections; `cause` keeps the underlying error. The library stands alone (no
 * `@frs/runtime`), so this is its own base rather than the runtime's `CodedError`, with the same shape.
 *
 * @example
 * ```ts
 * export class GalleryFormatError extends VisionError {
 *   override readonly code = 'GALLERY_FORMAT';
 * }
 * try { parseGallery(bytes) } catch (e) { if (e instanceof VisionError) log.warn(e.message, { code: e.code }) }
 * ```
 */
export class VisionError extends Error {
  readonly code: string = 'VISION';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // The subclass's own name, so no error class repeats it (and a renamed class cannot forget to).
    this.name = new.target.name;
  }
}
