import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const packageRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * Imports `specifier` in a fresh Node process and returns the URL of every module it loaded. A synchronous
 * `module.registerHooks` resolve hook sees every ESM import and CommonJS require, including native addons'
 * JS loaders, so a package that is merely reachable through the graph shows up here.
 */
function loadedModules(specifier: string): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(spec, context, next) { const r = next(spec, context); seen.push(r.url); return r; } });
    await import(${JSON.stringify(specifier)});
    process.stdout.write(JSON.stringify(seen));
  `;
  const child = spawnSync(
    process.execPath,
    ['--conditions=@frs/source', '--input-type=module', '-e', script],
    {
      cwd: packageRoot,
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`import of ${specifier} failed: ${child.stderr}`);
  return z.array(z.string()).parse(JSON.parse(child.stdout));
}

const heavy = /\/node_modules\/(\.pnpm\/)?(sharp|onnxruntime-node|onnxruntime-common|@img)[@/]/;

describe('Function: loadedModules()', () => {
  it('returns sharp among the loaded modules when sharp is imported (the probe can see it)', () => {
    expect(loadedModules('sharp').some((url) => heavy.test(url))).toBe(true);
  });

  it('returns no sharp or onnxruntime module when @frs/vision/match is imported', () => {
    const urls = loadedModules('@frs/vision/match');
    expect(urls.some((url) => url.endsWith('/src/match/index.ts'))).toBe(true);
    expect(urls.filter((url) => heavy.test(url))).toEqual([]);
  });

  it('returns no sharp or onnxruntime module when @frs/vision/gallery is imported', () => {
    const urls = loadedModules('@frs/vision/gallery');
    expect(urls.some((url) => url.endsWith('/src/gallery/index.ts'))).toBe(true);
    expect(urls.filter((url) => heavy.test(url))).toEqual([]);
  });
});
