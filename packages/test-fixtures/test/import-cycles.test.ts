import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, staticImports } from '../src/import-graph.ts';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/packages/', import.meta.url));

describe('Function: importCycles()', () => {
  it('returns no cycle among the sources of packages/*', () => {
    expect(importCycles(packagesDir)).toEqual([]);
  });

  it('returns the cycle when it runs through a type import, a package subpath and a package root', () => {
    expect(importCycles(fixtures)).toEqual([['one/src/a.ts', 'one/src/b.ts', 'two/src/index.ts']]);
  });
});

describe('Function: staticImports()', () => {
  it('returns import and re-export specifiers but not dynamic imports', () => {
    expect(staticImports(`${fixtures}three/src/index.ts`)).toEqual(['zod']);
    expect(staticImports(`${fixtures}one/src/index.ts`)).toEqual(['./a.ts']);
  });
});
