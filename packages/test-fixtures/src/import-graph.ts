// A static import graph of the workspace's TypeScript sources, for the test that keeps it free of cycles.
// Every `import … from` and `export … from` counts, type-only ones too: a cycle through a type import is
// still two modules that each need the other. Dynamic `import()` does not count: it is how a module loads
// another lazily (cold-start children, optional models), not a dependency of its own evaluation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { z } from 'zod';

const Conditions = z.union([z.string(), z.record(z.string(), z.unknown())]);
const Manifest = z.object({
  name: z.string(),
  exports: z.union([z.string(), z.record(z.string(), Conditions)]).optional(),
});

interface Package {
  dir: string;
  /** Export subpath ('.', './image') → source file, through the `@frs/source` condition. */
  entries: Map<string, string>;
}

function sourceEntry(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  const conditions = z.record(z.string(), z.unknown()).safeParse(target);
  if (!conditions.success) return undefined;
  const pick = conditions.data['@frs/source'] ?? conditions.data.default;
  return typeof pick === 'string' ? pick : undefined;
}

function readPackages(packagesDir: string): Map<string, Package> {
  const packages = new Map<string, Package>();
  for (const name of readdirSync(packagesDir)) {
    const dir = join(packagesDir, name);
    let text: string;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      continue;
    }
    const manifest = Manifest.parse(JSON.parse(text));
    const exportsMap =
      typeof manifest.exports === 'string' ? { '.': manifest.exports } : (manifest.exports ?? {});
    const entries = new Map<string, string>();
    for (const [subpath, target] of Object.entries(exportsMap)) {
      const file = sourceEntry(target);
      if (file !== undefined) entries.set(subpath, resolve(dir, file));
    }
    packages.set(manifest.name, { dir, entries });
  }
  return packages;
}

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (/\.(c|m)?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** Module specifiers of the static `import`/`export … from` declarations of one file. */
export function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      specifiers.push(statement.moduleSpecifier.text);
    }
  }
  return specifiers;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function resolveSpecifier(
  specifier: string,
  from: string,
  packages: Map<string, Package>,
): string | undefined {
  if (specifier.startsWith('.')) {
    const path = resolve(dirname(from), specifier);
    return [path, path.replace(/\.js$/, '.ts'), `${path}.ts`, join(path, 'index.ts')].find(isFile);
  }
  const match = /^(@[^/]+\/[^/]+|[^@/][^/]*)(\/.*)?$/.exec(specifier);
  const pkg = match?.[1] === undefined ? undefined : packages.get(match[1]);
  if (pkg === undefined) return undefined; // node: built-ins and third-party modules are leaves
  return pkg.entries.get(`.${match?.[2] ?? ''}`);
}

/**
 * Every import cycle among the `src/` files of the packages below `packagesDir`, following relative
 * imports and imports of workspace packages (through their `@frs/source` export condition). Each cycle is
 * its files relative to `packagesDir`, starting at the smallest path; cycles are sorted.
 *
 * @example
 * ```ts
 * importCycles('packages'); // [] — or e.g. [['detector/src/app.ts', 'detector/src/image.ts']]
 * ```
 */
export function importCycles(packagesDir: string): string[][] {
  const packages = readPackages(packagesDir);
  const graph = new Map<string, string[]>();
  for (const pkg of packages.values()) {
    const src = join(pkg.dir, 'src');
    let files: string[];
    try {
      files = sourceFiles(src);
    } catch {
      continue;
    }
    for (const file of files) {
      const targets = staticImports(file)
        .map((s) => resolveSpecifier(s, file, packages))
        .filter((t): t is string => t !== undefined);
      graph.set(file, [...new Set(targets)]);
    }
  }
  // Tarjan's strongly connected components: every component with more than one file (or a file that
  // imports itself) is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) {
      cycles.push(component.map((f) => relative(packagesDir, f)).sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return cycles.sort((a, b) => (a.join() < b.join() ? -1 : 1));
}
