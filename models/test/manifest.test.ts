import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { RecipesSchema } from '../src/build.ts';
import {
  defaultModel,
  loadManifest,
  ManifestSchema,
  ModelSelectionError,
  modelsDir,
} from '../src/manifest.ts';
import { OnnxReexportError, reexportOnnx } from '../src/onnx-reexport.ts';
import { extractFromNpmTarball } from '../src/tar.ts';
import { encodeOnnxModel } from '../src/tflite2onnx/onnx.ts';
import { readProtoFields } from '../src/tflite2onnx/protobuf.ts';

const packageRoot = new URL('../', import.meta.url).pathname;

describe('Function: loadManifest()', () => {
  it('returns the default set (MTCNN + sirius embedder) with a build recipe for every model', async () => {
    const manifest = await loadManifest();
    const recipes = RecipesSchema.parse(
      JSON.parse(await readFile(join(packageRoot, 'sources.json'), 'utf8')),
    );
    expect(manifest.models.filter((m) => m.default).map((m) => m.id)).toEqual([
      'mtcnn-pnet',
      'mtcnn-rnet',
      'mtcnn-onet',
      'mobilefacenet-sirius-192d',
    ]);
    for (const m of manifest.models) expect(recipes.recipes[m.id], m.id).toBeDefined();
  });

  it('returns input and output specs that match what onnxruntime reads from the built files', async () => {
    const manifest = await loadManifest();
    for (const m of manifest.models.filter((e) => e.default)) {
      const session = await ort.InferenceSession.create(join(modelsDir(), m.file));
      expect(session.inputMetadata.map((i) => ({ name: i.name, shape: i.isTensor ? i.shape : [] }))).toEqual(
        m.inputs.map((i) => ({ name: i.name, shape: i.shape })),
      );
      expect(session.outputMetadata.map((o) => ({ name: o.name, shape: o.isTensor ? o.shape : [] }))).toEqual(
        m.outputs.map((o) => ({ name: o.name, shape: o.shape })),
      );
    }
  });
});

describe('Function: reexportOnnx()', () => {
  it('returns an opset-17 model with a dynamic batch when given the batch-1 opset-9 faceplugin file', async (context) => {
    const manifest = await loadManifest();
    const entry = manifest.models.find((m) => m.id === 'mobilefacenet-faceplugin-512d');
    if (entry === undefined) throw new Error('no faceplugin entry');
    const tgz = await readFile(join(packageRoot, '.cache', 'faceplugin-face-recognition-js-0.0.1.tgz')).catch(
      () => undefined,
    );
    // The optional model's tarball is fetched only by `FRS_MODELS=all pnpm models`.
    if (tgz === undefined) return context.skip();
    const source = extractFromNpmTarball(new Uint8Array(tgz), entry.source.path);
    const out = reexportOnnx(source);
    const opset = readProtoFields(out).find((f) => f.field === 8);
    expect(opset?.wireType === 2 ? readProtoFields(opset.value).at(-1) : undefined).toMatchObject({
      value: 17n,
    });
    const session = await ort.InferenceSession.create(out);
    expect(session.inputMetadata[0]).toMatchObject({ name: 'input', shape: ['N', 3, 112, 112] });
    const result = await session.run({
      input: new ort.Tensor('float32', new Float32Array(3 * 3 * 112 * 112), [3, 3, 112, 112]),
    });
    expect(result.output?.dims).toEqual([3, 512]);
  });

  it('throws OnnxReexportError when the graph uses an op whose semantics changed across opsets', () => {
    const model = encodeOnnxModel({
      irVersion: 7,
      opset: 9,
      producerName: 'test',
      producerVersion: '1',
      graph: {
        name: 'g',
        nodes: [{ name: 's', opType: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: [] }],
        initializers: [],
        inputs: [{ name: 'x', dataType: 'float32', shape: [1, 4] }],
        outputs: [{ name: 'y', dataType: 'float32', shape: [1, 4] }],
      },
    });
    expect(() => reexportOnnx(model)).toThrow(OnnxReexportError);
  });
});

describe('Function: defaultModel()', () => {
  it('returns the role default named by the shipped manifest for every role', async () => {
    const manifest = await loadManifest();
    expect(
      (['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet', 'embedder'] as const).map(
        (r) => defaultModel(manifest, r).id,
      ),
    ).toEqual(['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet', 'mobilefacenet-sirius-192d']);
  });

  it('returns the requested model when an id of that role is given', async () => {
    const manifest = await loadManifest();
    expect(defaultModel(manifest, 'embedder', 'mobilefacenet-faceplugin-512d').id).toBe(
      'mobilefacenet-faceplugin-512d',
    );
  });

  it('returns the only model of a role when roleDefaults leaves the role out', async () => {
    const manifest = await loadManifest();
    expect(defaultModel({ ...manifest, roleDefaults: {} }, 'mtcnn-onet').id).toBe('mtcnn-onet');
  });

  it('throws ModelSelectionError when several models share a role and none is named', async () => {
    const manifest = await loadManifest();
    expect(() => defaultModel({ ...manifest, roleDefaults: {} }, 'embedder')).toThrow(
      new ModelSelectionError(
        'the manifest has several embedder models (mobilefacenet-sirius-192d, mobilefacenet-faceplugin-512d) and names no default in roleDefaults',
      ),
    );
  });

  it('throws ModelSelectionError when the id names a model of another role', async () => {
    const manifest = await loadManifest();
    expect(() => defaultModel(manifest, 'embedder', 'mtcnn-pnet')).toThrow(ModelSelectionError);
  });
});

describe('Schema: ManifestSchema', () => {
  it('rejects a roleDefaults entry that names an optional model', async () => {
    const manifest = await loadManifest();
    const parsed = ManifestSchema.safeParse({
      ...manifest,
      roleDefaults: { embedder: 'mobilefacenet-faceplugin-512d' },
    });
    expect(parsed.error?.issues.map((i) => i.message)).toEqual([
      'mobilefacenet-faceplugin-512d is not an embedder model built by default',
    ]);
  });
});
