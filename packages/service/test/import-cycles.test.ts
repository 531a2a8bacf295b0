import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const PACKAGES = new URL('../../', import.meta.url).pathname;

const PackageJson = z.object({
  name: z.string(),
  exports: z
    .record(z.string(), z.union([z.string(), z.object({ '@frs/source': z.string() }).loose()]))
    .optional(),
});

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** `@frs/<pkg>/<subpath>` → the source file its exports map names under the `@frs/source` condition. */
async function workspaceEntries(): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  for (const dir of await readdir(PACKAGES)) {
    const raw = await readFile(join(PACKAGES, dir, 'package.json'), 'utf8').catch(() => undefined);
    if (raw === undefined) continue;
    const pkg = PackageJson.parse(JSON.parse(raw));
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      if (typeof target === 'string') continue;
      const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`;
      entries.set(specifier, resolve(PACKAGES, dir, target['@frs/source']));
    }
  }
  return entries;
}

// Statements only (no `;` or quote before `from`), on source with comments removed: TSDoc examples import too.
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s+'([^']+)'|\bimport\('([^']+)'\)/g;

async function code(file: string): Promise<string> {
  return (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** Every import edge between source files of packages/*\/src, type-only imports included. */
async function importGraph(): Promise<Map<string, string[]>> {
  const entries = await workspaceEntries();
  const graph = new Map<string, string[]>();
  for (const dir of await readdir(PACKAGES)) {
    for (const file of await sourceFiles(join(PACKAGES, dir, 'src'))) {
      const text = await code(file);
      const targets: string[] = [];
      for (const match of text.matchAll(IMPORT)) {
        const specifier = match[1] ?? match[2] ?? '';
        if (specifier.startsWith('.')) targets.push(resolve(dirname(file), specifier));
        else {
          const target = entries.get(specifier);
          if (target !== undefined) targets.push(target);
        }
      }
      graph.set(file, targets);
    }
  }
  return graph;
}

/** The cycles found by a depth-first search, each as the list of files from its first to its last. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (state.get(next) === undefined && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return found.map((cycle) => cycle.map((f) => f.slice(PACKAGES.length)));
}

describe('Module graph: packages/*/src', () => {
  it('returns no import cycle between source files, across packages included', async () => {
    const graph = await importGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });

  it('returns the cycle when two modules import each other', () => {
    const graph = new Map([
      [`${PACKAGES}a/src/app.ts`, [`${PACKAGES}a/src/image.ts`]],
      [`${PACKAGES}a/src/image.ts`, [`${PACKAGES}a/src/app.ts`]],
    ]);
    expect(cycles(graph)).toEqual([['a/src/app.ts', 'a/src/image.ts']]);
  });
});

describe('Module graph: Lambda adapters', () => {
  it('returns no import of a Lambda package outside its hosting API and handler entry', async () => {
    const reached: string[] = [];
    for (const dir of await readdir(PACKAGES)) {
      for (const file of await sourceFiles(join(PACKAGES, dir, 'src'))) {
        const text = await code(file);
        for (const match of text.matchAll(IMPORT)) {
          const specifier = match[1] ?? match[2] ?? '';
          if (/^@frs\/(detector|recognizer|enroller)\/(?!handler$)/.test(specifier)) {
            reached.push(`${file.slice(PACKAGES.length)} → ${specifier}`);
          }
        }
      }
    }
    expect(reached).toEqual([]);
  });
});
