import { readFile } from 'node:fs/promises';
import { testLogger } from '@frs/test-fixtures/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDetector, type DetectOptions, type Detector } from '../src/detect/index.ts';
import type { Box, Detection } from '../src/types.ts';
import { testManifest, testModelsDir } from './fixtures/models.ts';
import { loadFace, sharedDir } from './fixtures/shared.ts';

const log = testLogger('vision-detect-parity');

const GoldenLine = z.object({
  path: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  n_faces: z.number().int().nonnegative(),
  boxes: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
  probs: z.array(z.number()),
});
type Golden = z.infer<typeof GoldenLine>;

async function readGolden(): Promise<Golden[]> {
  const text = await readFile(`${sharedDir()}golden/mtcnn_reference.jsonl`, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => GoldenLine.parse(JSON.parse(line)));
}

const maxAbs = (a: Box, b: Box) => Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? Number.NaN))));

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/** Pairs each golden box with the closest unused detection that overlaps it (IoU ≥ 0.5). */
function pairUp(golden: Golden, found: readonly Detection[]) {
  const used = new Set<number>();
  const pairs: { boxError: number; probError: number }[] = [];
  golden.boxes.forEach((box, g) => {
    let best = -1;
    found.forEach((d, k) => {
      if (used.has(k) || iou(d.box, box) < 0.5) return;
      const current = found[best];
      if (current === undefined || maxAbs(d.box, box) < maxAbs(current.box, box)) best = k;
    });
    const match = found[best];
    if (match === undefined) return;
    used.add(best);
    pairs.push({
      boxError: maxAbs(match.box, box),
      probError: Math.abs(match.score - (golden.probs[g] ?? 0)),
    });
  });
  return pairs;
}

// 0: P-Net in the detector's thread; 1: P-Net tiles shared between it and a worker thread (the default
// on 2 vCPU), which must change nothing.
describe.each([
  { mode: 'P-Net in thread', workers: 0 },
  { mode: 'P-Net tiles shared with 1 worker', workers: 1 },
])('Function: detector.detect() parity with facenet-pytorch ($mode)', ({ workers }) => {
  let detector: Detector;
  let inThread: Detector;
  let golden: Golden[];

  beforeAll(async () => {
    const manifest = await testManifest();
    detector = await createDetector({ manifest, modelsDir: testModelsDir(), pnetWorkers: workers });
    inThread = await createDetector({ manifest, modelsDir: testModelsDir(), pnetWorkers: 0 });
    golden = await readGolden();
  });

  it('returns the reference faces on every golden image when run in reference edge mode', async () => {
    expect(golden.length).toBeGreaterThanOrEqual(235);
    let sameCount = 0;
    const boxErrors: number[] = [];
    const probErrors: number[] = [];
    const mismatches: string[] = [];
    for (const [i, g] of golden.entries()) {
      const image = await loadFace(g.path);
      expect([image.width, image.height]).toEqual([g.width, g.height]);
      const options: DetectOptions = {
        minFaceSize: 20,
        thresholds: [0.6, 0.7, 0.7],
        factor: 0.709,
        edgeMode: 'reference',
      };
      const found = await detector.detect(image, options);
      if (workers > 0) expect(found, g.path).toEqual(await inThread.detect(image, options));
      if (found.length === g.n_faces) sameCount++;
      else mismatches.push(`${g.path}: ${found.length} faces, reference ${g.n_faces}`);
      for (const p of pairUp(g, found)) {
        boxErrors.push(p.boxError);
        probErrors.push(p.probError);
      }
      if ((i + 1) % 50 === 0) log.debug('parity progress', { done: i + 1, of: golden.length });
    }
    boxErrors.sort((a, b) => a - b);
    const referenceFaces = golden.reduce((n, g) => n + g.n_faces, 0);
    const summary = {
      images: golden.length,
      sameFaceCount: sameCount,
      sameFaceCountRate: sameCount / golden.length,
      referenceFaces,
      matchedFaces: boxErrors.length,
      medianBoxErrorPx: boxErrors[boxErrors.length >> 1] ?? Number.NaN,
      maxBoxErrorPx: boxErrors[boxErrors.length - 1] ?? Number.NaN,
      maxProbError: Math.max(...probErrors),
    };
    log.info('MTCNN parity vs golden/mtcnn_reference.jsonl', { workers, ...summary, mismatches });
    expect(summary.sameFaceCountRate).toBeGreaterThanOrEqual(0.97);
    expect(summary.matchedFaces).toBeGreaterThanOrEqual(0.97 * referenceFaces);
    expect(summary.medianBoxErrorPx).toBeLessThanOrEqual(0.5);
    expect(summary.maxBoxErrorPx).toBeLessThanOrEqual(2);
    expect(summary.maxProbError).toBeLessThanOrEqual(1e-3);
  }, 900_000);
});
