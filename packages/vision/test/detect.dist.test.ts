import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDetector } from '../src/detect/index.ts';
import { DetectionJson } from './fixtures/detections.ts';
import { testManifest, testModelsDir } from './fixtures/models.ts';
import { facePath, loadFace } from './fixtures/shared.ts';

const run = promisify(execFile);
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
// Inside the package's node_modules, so the build's bare imports (zod, @frs/models) resolve as in dist/.
const OUT = fileURLToPath(new URL('../node_modules/.frs-dist-test/', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/dist-child.mjs', import.meta.url));
const PHOTO = 'other/multi-face/bbt5.jpg';

const ChildResult = z.object({
  lanes: z.number(),
  faces: z.array(DetectionJson),
});

describe('Function: createDetector() from the built JavaScript', () => {
  beforeAll(async () => {
    await rm(OUT, { recursive: true, force: true });
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await run(
      process.execPath,
      [
        tsc,
        '-p',
        'tsconfig.build.json',
        '--outDir',
        OUT,
        '--declaration',
        'false',
        '--declarationMap',
        'false',
        '--sourceMap',
        'false',
      ],
      { cwd: PACKAGE, timeout: 110_000 },
    );
  }, 120_000);

  afterAll(async () => {
    await rm(OUT, { recursive: true, force: true });
  });

  it('returns the in-thread detections with P-Net on a worker loaded from pnet-worker.js', async () => {
    const { stdout } = await run(process.execPath, [CHILD, OUT, facePath(PHOTO)], { timeout: 110_000 });
    const result = ChildResult.parse(JSON.parse(stdout));
    expect(result.lanes).toBeGreaterThan(0);
    const detector = await createDetector({
      manifest: await testManifest(),
      modelsDir: testModelsDir(),
      pnetWorkers: 0,
    });
    const expected = await detector.detect(await loadFace(PHOTO));
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(result.faces).toEqual(expected);
  }, 120_000);
});
