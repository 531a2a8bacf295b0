import { loadManifest, modelsDir } from '@frs/models/manifest';
import { createDetector } from '../src/detect/index.ts';

const n = Number(process.argv[2]);
const before = process.memoryUsage().rss;
const d = await createDetector({ manifest: await loadManifest(), modelsDir: modelsDir(), pnetWorkers: n });
await new Promise((r) => setTimeout(r, 300));
const img = { width: 1280, height: 720, data: new Uint8Array(1280 * 720 * 3).fill(100) };
const afterLoad = process.memoryUsage().rss;
for (let i = 0; i < 5; i++) await d.detect(img);
console.log(
  n,
  'rss MiB before',
  (before / 2 ** 20).toFixed(0),
  'after load',
  (afterLoad / 2 ** 20).toFixed(0),
  'after 5 detects',
  (process.memoryUsage().rss / 2 ** 20).toFixed(0),
  'peak',
  (process.resourceUsage().maxRSS / 1024).toFixed(0),
);
