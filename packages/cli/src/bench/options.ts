import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const positive = z.coerce.number().positive();

/** What `pnpm bench` measures and where it writes, from its command line. */
export const BenchOptions = z.object({
  /** `<dir>/<Person>/*` photos: enrolled into the gallery, the fps frame and the soak frames. */
  images: z.string().min(1),
  soakSeconds: positive,
  /** Soak requests started per second. */
  soakRate: positive,
  /** Frames per worker in each frames-per-second run. */
  fpsFrames: positive.int(),
  /** Warm invocations after the first, for each function's peak RSS. */
  loadIterations: positive.int(),
  skipStages: z.boolean(),
  /** The JSON report file. */
  out: z.string().min(1),
});
export type BenchOptions = z.infer<typeof BenchOptions>;

/**
 * Parses `pnpm bench`'s flags; defaults put the development set and `.frs/bench.json` relative to `repo`.
 *
 * @throws {@link z.ZodError} when a number flag is not a positive number (or integer where counted).
 * @example
 * ```ts
 * parseBenchOptions(['--soak-seconds', '20'], '/src/frs').soakSeconds; // 20
 * ```
 */
export function parseBenchOptions(argv: readonly string[], repo: string): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      images: { type: 'string', default: resolve(repo, '../shared/faces/identities') },
      'soak-seconds': { type: 'string', default: '180' },
      'soak-rate': { type: 'string', default: '2' },
      'fps-frames': { type: 'string', default: '24' },
      'load-iterations': { type: 'string', default: '40' },
      'skip-stages': { type: 'boolean', default: false },
      out: { type: 'string', default: join(repo, '.frs', 'bench.json') },
    },
  });
  return BenchOptions.parse({
    images: values.images,
    soakSeconds: values['soak-seconds'],
    soakRate: values['soak-rate'],
    fpsFrames: values['fps-frames'],
    loadIterations: values['load-iterations'],
    skipStages: values['skip-stages'],
    out: values.out,
  });
}
