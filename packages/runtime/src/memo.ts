/**
 * Memoises an async factory (an SQS client, ONNX sessions, a gallery): the first call starts it, later
 * calls share the promise, and a rejection is evicted so the next call retries instead of caching the
 * failure for the container's lifetime.
 *
 * @example
 * ```ts
 * const pipeline = memoise(() => createFacePipeline(options));
 * const p = await pipeline(); // loads once; retries if loading failed
 * ```
 */
export function memoise<T>(factory: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending === undefined) {
      const attempt = factory();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}
