// Runs in a fresh Node process: imports one Lambda handler module exactly as the runtime would, times
// the first invocation from process start, then keeps invoking to find the peak RSS under load.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const Args = z.object({
  fn: z.enum(['detector', 'recognizer']),
  /** JSON file holding the list of events to invoke, in order (cycled). */
  events: z.string().min(1),
  iterations: z.coerce.number().int().min(1),
});

const args = Args.parse({ fn: process.argv[2], events: process.argv[3], iterations: process.argv[4] });
const events = z
  .array(z.unknown())
  .min(1)
  .parse(JSON.parse(await readFile(args.events, 'utf8')));
const entry = z.object({
  handler: z.custom<(event: unknown) => Promise<unknown>>((v) => typeof v === 'function'),
});

const moduleStart = performance.now();
const loaded = entry.parse(
  args.fn === 'detector' ? await import('@frs/detector/handler') : await import('@frs/recognizer/handler'),
);
const importedMs = performance.now() - moduleStart;

const invoke = async (i: number): Promise<number> => {
  const t0 = performance.now();
  const out: unknown = await loaded.handler(events[i % events.length]);
  const failures = z.object({ batchItemFailures: z.array(z.unknown()) }).safeParse(out);
  const status = z.object({ statusCode: z.number() }).safeParse(out);
  if (
    (failures.success && failures.data.batchItemFailures.length > 0) ||
    (status.success && status.data.statusCode !== 200)
  ) {
    throw new Error(`${args.fn} invocation ${i} failed: ${JSON.stringify(out).slice(0, 300)}`);
  }
  return performance.now() - t0;
};

const firstMs = await invoke(0);
// performance.now() counts from the process's time origin, so this is process start to first result.
const coldMs = performance.now();
const warm: number[] = [];
for (let i = 1; i <= args.iterations; i += 1) warm.push(await invoke(i));
process.stdout.write(
  `${JSON.stringify({ fn: args.fn, importedMs, firstMs, coldMs, warm, maxRssKiB: process.resourceUsage().maxRSS })}\n`,
);
