import { z } from 'zod';

/**
 * Axis-aligned face box `[x1, y1, x2, y2]` in original image pixels.
 *
 * @example
 * ```ts
 * BoxSchema.parse([10, 20, 110, 140]);
 * ```
 */
export const BoxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/**
 * A point `[x, y]` in original image pixels.
 *
 * @example
 * ```ts
 * PointSchema.parse([42.5, 60]);
 * ```
 */
export const PointSchema = z.tuple([z.number(), z.number()]);

/** Milliseconds, non-negative. */
export const Millis = z.number().nonnegative();
