import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { describeTflite } from '../src/tflite2onnx/cli.ts';
import { UnsupportedTfliteError } from '../src/tflite2onnx/graph.ts';
import {
  convertTflite,
  convertTfliteWithReport,
  readTflite,
  TfliteFormatError,
} from '../src/tflite2onnx/index.ts';
import { fb } from './fixtures/flatbuffer-builder.ts';
import { conv2d, maxAbsDiff, maxPool, type Nhwc, nchwToNhwc, nhwcToNchw } from './fixtures/reference-ops.ts';
import { buildTflite, type GraphFixture, randomFloats } from './fixtures/tflite-builder.ts';

const SAME = 0;
const VALID = 1;

async function run(onnx: Uint8Array, input: Float32Array, dims: readonly number[]) {
  const session = await ort.InferenceSession.create(onnx);
  const feeds = { input: new ort.Tensor('float32', input, dims) };
  const result = await session.run(feeds);
  return { session, result };
}

function output(
  result: ort.InferenceSession.ReturnType,
  name: string,
): { data: Float32Array; dims: readonly number[] } {
  const tensor = result[name];
  if (tensor === undefined || !(tensor.data instanceof Float32Array))
    throw new Error(`no float output ${name}`);
  return { data: tensor.data, dims: tensor.dims };
}

/** One conv (OHWI weights) from `input` to `out`, with the given Conv2DOptions. */
function convGraph(
  inputShape: readonly number[],
  weightShape: [number, number, number, number],
  outShape: readonly number[],
  options: { padding: number; strides: [number, number]; activation?: number },
): GraphFixture & { weights: Float32Array; bias: Float32Array } {
  const weights = randomFloats(
    weightShape.reduce((a, b) => a * b, 1),
    7,
  );
  const bias = randomFloats(weightShape[0], 8);
  return {
    weights,
    bias,
    tensors: [
      { name: 'input', shape: inputShape },
      { name: 'w', shape: weightShape, data: weights },
      { name: 'b', shape: [weightShape[0]], data: bias },
      { name: 'out', shape: outShape },
    ],
    inputs: ['input'],
    outputs: ['out'],
    ops: [
      {
        op: 'CONV_2D',
        inputs: ['input', 'w', 'b'],
        outputs: ['out'],
        options: [
          fb.i8(options.padding),
          fb.i32(options.strides[1]),
          fb.i32(options.strides[0]),
          fb.i8(options.activation ?? 0),
        ],
      },
    ],
  };
}

describe('Function: convertTflite()', () => {
  it('returns a graph matching TF SAME convolution when a stride of 2 meets odd input sizes', async () => {
    const graph = convGraph([1, 7, 9, 3], [4, 3, 3, 3], [1, 4, 5, 4], { padding: SAME, strides: [2, 2] });
    const onnx = convertTflite(buildTflite(graph), { inputName: 'input' });
    const x: Nhwc = { data: randomFloats(2 * 7 * 9 * 3, 3), shape: [2, 7, 9, 3] };
    const { result } = await run(onnx, nhwcToNchw(x), [2, 3, 7, 9]);
    const expected = conv2d(x, graph.weights, [4, 3, 3, 3], graph.bias, [2, 2], 'SAME');
    const actual = output(result, 'out');
    expect(actual.dims).toEqual([2, 4, 4, 5]);
    expect(maxAbsDiff(nchwToNhwc(actual.data, actual.dims).data, expected.data)).toBeLessThan(1e-5);
  });

  it('returns the fused activation applied when a convolution carries RELU6', async () => {
    const graph = convGraph([1, 5, 5, 3], [2, 3, 3, 3], [1, 3, 3, 2], {
      padding: VALID,
      strides: [1, 1],
      activation: 3,
    });
    const onnx = convertTflite(buildTflite(graph), { inputName: 'input' });
    const x: Nhwc = { data: randomFloats(75, 4).map((v) => v * 4), shape: [1, 5, 5, 3] };
    const { result } = await run(onnx, nhwcToNchw(x), [1, 3, 5, 5]);
    const expected = conv2d(x, graph.weights, [2, 3, 3, 3], graph.bias, [1, 1], 'VALID').data.map((v) =>
      Math.min(Math.max(v, 0), 6),
    );
    expect(maxAbsDiff(nchwToNhwc(output(result, 'out').data, [1, 2, 3, 3]).data, expected)).toBeLessThan(
      1e-5,
    );
  });

  it('returns depthwise convolution with a channel multiplier when weights are [1, H, W, C*M]', async () => {
    const weights = randomFloats(3 * 3 * 6, 11);
    const bias = randomFloats(6, 12);
    const graph: GraphFixture = {
      tensors: [
        { name: 'input', shape: [1, 6, 5, 3] },
        { name: 'w', shape: [1, 3, 3, 6], data: weights },
        { name: 'b', shape: [6], data: bias },
        { name: 'out', shape: [1, 3, 3, 6] },
      ],
      inputs: ['input'],
      outputs: ['out'],
      ops: [
        {
          op: 'DEPTHWISE_CONV_2D',
          inputs: ['input', 'w', 'b'],
          outputs: ['out'],
          options: [fb.i8(SAME), fb.i32(2), fb.i32(2), fb.i32(2), fb.i8(0)],
        },
      ],
    };
    const onnx = convertTflite(buildTflite(graph), { inputName: 'input' });
    const x: Nhwc = { data: randomFloats(90, 13), shape: [1, 6, 5, 3] };
    const { result } = await run(onnx, nhwcToNchw(x), [1, 3, 6, 5]);
    const expected = conv2d(x, weights, [1, 3, 3, 6], bias, [2, 2], 'SAME', true);
    expect(maxAbsDiff(nchwToNhwc(output(result, 'out').data, [1, 6, 3, 3]).data, expected.data)).toBeLessThan(
      1e-5,
    );
  });

  it('returns SAME pooling for any size when height and width are dynamic', async () => {
    const graph: GraphFixture = {
      tensors: [
        { name: 'input', shape: [1, 8, 8, 2] },
        { name: 'out', shape: [1, 4, 4, 2] },
      ],
      inputs: ['input'],
      outputs: ['out'],
      ops: [
        {
          op: 'MAX_POOL_2D',
          inputs: ['input'],
          outputs: ['out'],
          options: [fb.i8(SAME), fb.i32(2), fb.i32(2), fb.i32(3), fb.i32(3), fb.i8(0)],
        },
      ],
    };
    const onnx = convertTflite(buildTflite(graph), { inputName: 'input', dynamicSpatial: true });
    for (const [h, w] of [
      [9, 11],
      [10, 7],
      [8, 8],
    ] as const) {
      const x: Nhwc = { data: randomFloats(2 * h * w, h * w), shape: [1, h, w, 2] };
      const { session, result } = await run(onnx, nhwcToNchw(x), [1, 2, h, w]);
      const expected = maxPool(x, [3, 3], [2, 2], 'SAME');
      const actual = output(result, 'out');
      expect(actual.dims).toEqual([1, 2, Math.ceil(h / 2), Math.ceil(w / 2)]);
      expect(maxAbsDiff(nchwToNhwc(actual.data, actual.dims).data, expected.data)).toBe(0);
      expect(session.inputMetadata[0]).toMatchObject({ shape: ['N', 2, 'H', 'W'] });
    }
  });

  it('returns a graph taking [N, C, H, W] when the TFLite graph expects transposed [N, W, H, C] images', async () => {
    // Asymmetric kernel and strides, so swapping the wrong axes cannot pass.
    const graph = convGraph([1, 7, 5, 2], [3, 3, 2, 2], [1, 4, 5, 3], { padding: SAME, strides: [2, 1] });
    const onnx = convertTflite(buildTflite(graph), { inputName: 'input', transposedImage: true });
    const image = randomFloats(2 * 5 * 7, 21);
    const { result } = await run(onnx, image, [1, 2, 5, 7]);
    // What TF computes: the image transposed to [N, W, H, C] through the TFLite conv.
    const transposed = new Float32Array(image.length);
    for (let c = 0; c < 2; c++)
      for (let y = 0; y < 5; y++)
        for (let x = 0; x < 7; x++) transposed[(x * 5 + y) * 2 + c] = image[(c * 5 + y) * 7 + x] ?? 0;
    const tf = conv2d(
      { data: transposed, shape: [1, 7, 5, 2] },
      graph.weights,
      [3, 3, 2, 2],
      graph.bias,
      [2, 1],
      'SAME',
    );
    const actual = output(result, 'out');
    expect(actual.dims).toEqual([1, 3, 5, 4]);
    const [, tw, th, tc] = tf.shape;
    for (let o = 0; o < tc; o++)
      for (let y = 0; y < th; y++)
        for (let x = 0; x < tw; x++) {
          expect(actual.data[(o * th + y) * tw + x]).toBeCloseTo(
            tf.data[(x * th + y) * tc + o] ?? Number.NaN,
            5,
          );
        }
  });

  it('returns TF flatten order in a fully-connected layer when its input is a 4-D activation', async () => {
    const weights = randomFloats(5 * 24, 31);
    const bias = randomFloats(5, 32);
    for (const transposedImage of [false, true]) {
      const graph: GraphFixture = {
        tensors: [
          { name: 'input', shape: [1, 3, 2, 4] },
          { name: 'w', shape: [5, 24], data: weights },
          { name: 'b', shape: [5], data: bias },
          { name: 'out', shape: [1, 5] },
        ],
        inputs: ['input'],
        outputs: ['out'],
        ops: [{ op: 'FULLY_CONNECTED', inputs: ['input', 'w', 'b'], outputs: ['out'], options: [fb.i8(0)] }],
      };
      const { onnx, opCounts } = convertTfliteWithReport(buildTflite(graph), {
        inputName: 'input',
        transposedImage,
      });
      expect(opCounts.has('Transpose')).toBe(false);
      const tflite = randomFloats(24 * 3, 33); // three batches of the TFLite-layout [3, 2, 4] tensor
      // ONNX holds TFLite [N, A, B, C] as [N, C, A, B] (or [N, C, B, A] for transposed images).
      const onnxInput = new Float32Array(tflite.length);
      for (let n = 0; n < 3; n++)
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < 2; b++)
            for (let c = 0; c < 4; c++) {
              const to = transposedImage ? ((n * 4 + c) * 2 + b) * 3 + a : ((n * 4 + c) * 3 + a) * 2 + b;
              onnxInput[to] = tflite[n * 24 + (a * 2 + b) * 4 + c] ?? 0;
            }
      const dims = transposedImage ? [3, 4, 2, 3] : [3, 4, 3, 2];
      const { result } = await run(onnx, onnxInput, dims);
      const expected = Float32Array.from({ length: 15 }, (_, i) => {
        const n = Math.floor(i / 5);
        const o = i % 5;
        let sum = bias[o] ?? 0;
        for (let k = 0; k < 24; k++) sum += (tflite[n * 24 + k] ?? 0) * (weights[o * 24 + k] ?? 0);
        return sum;
      });
      expect(maxAbsDiff(output(result, 'out').data, expected)).toBeLessThan(1e-5);
    }
  });

  it('returns one PRelu when TF expanded PReLU as relu(x) - alpha relu(-x)', async () => {
    const alpha = Float32Array.from([0.25, -0.5, 2]);
    const shape = [1, 2, 2, 3];
    const graph: GraphFixture = {
      tensors: [
        { name: 'input', shape },
        { name: 'alpha', shape: [3], data: alpha },
        ...['relu', 'neg0', 'relu1', 'neg1', 'mul', 'out'].map((name) => ({ name, shape })),
      ],
      inputs: ['input'],
      outputs: ['out'],
      ops: [
        { op: 'RELU', inputs: ['input'], outputs: ['relu'] },
        { op: 'NEG', inputs: ['input'], outputs: ['neg0'] },
        { op: 'RELU', inputs: ['neg0'], outputs: ['relu1'] },
        { op: 'NEG', inputs: ['relu1'], outputs: ['neg1'] },
        { op: 'MUL', inputs: ['alpha', 'neg1'], outputs: ['mul'], options: [fb.i8(0)] },
        { op: 'ADD', inputs: ['relu', 'mul'], outputs: ['out'], options: [fb.i8(0)] },
      ],
    };
    const report = convertTfliteWithReport(buildTflite(graph), { inputName: 'input' });
    expect([...report.opCounts]).toEqual([['PRelu', 1]]);
    const x = randomFloats(12, 41);
    const { result } = await run(report.onnx, x, [1, 3, 2, 2]);
    const expected = x.map((v, i) => (v >= 0 ? v : v * (alpha[Math.floor(i / 4)] ?? 0)));
    expect(maxAbsDiff(output(result, 'out').data, expected)).toBeLessThan(1e-6);
  });

  it('returns one PRelu with slope 2c when TF expanded PReLU as relu(x) + c (x - |x|)', async () => {
    const c = Float32Array.from([0.1, 0.2]);
    const shape = [1, 1, 3, 2];
    const graph: GraphFixture = {
      tensors: [
        { name: 'input', shape },
        { name: 'c', shape: [2], data: c },
        ...['relu', 'abs', 'sub', 'mul', 'out'].map((name) => ({ name, shape })),
      ],
      inputs: ['input'],
      outputs: ['out'],
      ops: [
        { op: 'RELU', inputs: ['input'], outputs: ['relu'] },
        { op: 'ABS', inputs: ['input'], outputs: ['abs'] },
        { op: 'SUB', inputs: ['input', 'abs'], outputs: ['sub'], options: [fb.i8(0)] },
        { op: 'MUL', inputs: ['c', 'sub'], outputs: ['mul'], options: [fb.i8(0)] },
        { op: 'ADD', inputs: ['relu', 'mul'], outputs: ['out'], options: [fb.i8(0)] },
      ],
    };
    const report = convertTfliteWithReport(buildTflite(graph), { inputName: 'input' });
    expect(report.foldedPrelu).toBe(1);
    expect([...report.opCounts.keys()]).toEqual(['PRelu']);
    const x = randomFloats(6, 42);
    const { result } = await run(report.onnx, x, [1, 2, 1, 3]);
    const expected = x.map((v, i) => (v >= 0 ? v : 2 * v * (c[Math.floor(i / 3)] ?? 0)));
    expect(maxAbsDiff(output(result, 'out').data, expected)).toBeLessThan(1e-6);
  });

  it('returns elementwise ops unfolded when a PReLU intermediate has another consumer', () => {
    const alpha = Float32Array.from([0.5]);
    const shape = [1, 4];
    const graph: GraphFixture = {
      tensors: [
        { name: 'input', shape },
        { name: 'alpha', shape: [1], data: alpha },
        ...['relu', 'neg0', 'relu1', 'neg1', 'mul', 'out'].map((name) => ({ name, shape })),
      ],
      inputs: ['input'],
      outputs: ['out', 'relu1'],
      ops: [
        { op: 'RELU', inputs: ['input'], outputs: ['relu'] },
        { op: 'NEG', inputs: ['input'], outputs: ['neg0'] },
        { op: 'RELU', inputs: ['neg0'], outputs: ['relu1'] },
        { op: 'NEG', inputs: ['relu1'], outputs: ['neg1'] },
        { op: 'MUL', inputs: ['alpha', 'neg1'], outputs: ['mul'], options: [fb.i8(0)] },
        { op: 'ADD', inputs: ['relu', 'mul'], outputs: ['out'], options: [fb.i8(0)] },
      ],
    };
    const report = convertTfliteWithReport(buildTflite(graph), { inputName: 'input' });
    expect(report.foldedPrelu).toBe(0);
    expect(report.opCounts.get('Neg')).toBe(2);
  });

  it('returns one Softmax when TF expanded softmax over the channel axis', async () => {
    const shape = [1, 2, 3, 4];
    const reduced = [1, 2, 3, 1];
    const axis = Int32Array.from([3]);
    const keep: [ReturnType<typeof fb.bool>] = [fb.bool(true)];
    const graph: GraphFixture = {
      tensors: [
        { name: 'input', shape },
        { name: 'axis', shape: [1], data: axis },
        { name: 'max', shape: reduced },
        { name: 'sub', shape },
        { name: 'exp', shape },
        { name: 'sum', shape: reduced },
        { name: 'out', shape },
      ],
      inputs: ['input'],
      outputs: ['out'],
      ops: [
        { op: 'REDUCE_MAX', inputs: ['input', 'axis'], outputs: ['max'], options: keep },
        { op: 'SUB', inputs: ['input', 'max'], outputs: ['sub'], options: [fb.i8(0)] },
        { op: 'EXP', inputs: ['sub'], outputs: ['exp'] },
        { op: 'SUM', inputs: ['exp', 'axis'], outputs: ['sum'], options: keep },
        { op: 'DIV', inputs: ['exp', 'sum'], outputs: ['out'], options: [fb.i8(0)] },
      ],
    };
    const report = convertTfliteWithReport(buildTflite(graph), { inputName: 'input' });
    expect([...report.opCounts]).toEqual([['Softmax', 1]]);
    const x: Nhwc = { data: randomFloats(24, 51).map((v) => v * 5), shape: [1, 2, 3, 4] };
    const { result } = await run(report.onnx, nhwcToNchw(x), [1, 4, 2, 3]);
    const expected = new Float32Array(24);
    for (let p = 0; p < 6; p++) {
      const row = Array.from(x.data.subarray(p * 4, p * 4 + 4));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, c) => {
        expected[p * 4 + c] = v / s;
      });
    }
    expect(maxAbsDiff(nchwToNhwc(output(result, 'out').data, [1, 4, 2, 3]).data, expected)).toBeLessThan(
      1e-6,
    );
  });

  it('returns a reshape that keeps a dynamic batch when the TFLite file was exported with batch 2', async () => {
    const graph: GraphFixture = {
      tensors: [
        { name: 'input', shape: [2, 1, 1, 6] },
        { name: 'shape', shape: [2], data: Int32Array.from([2, 6]) },
        { name: 'out', shape: [2, 6] },
      ],
      inputs: ['input'],
      outputs: ['out'],
      ops: [{ op: 'RESHAPE', inputs: ['input', 'shape'], outputs: ['out'] }],
    };
    const onnx = convertTflite(buildTflite(graph), { inputName: 'input' });
    const x = randomFloats(30, 61);
    const { session, result } = await run(onnx, x, [5, 6, 1, 1]);
    expect(output(result, 'out').dims).toEqual([5, 6]);
    expect(Array.from(output(result, 'out').data)).toEqual(Array.from(x));
    expect(session.outputMetadata[0]).toMatchObject({ shape: ['N', 6] });
  });

  it('returns NHWC semantics for MEAN, CONCATENATION and PAD when activations are held as NCHW', async () => {
    const graph: GraphFixture = {
      tensors: [
        { name: 'input', shape: [1, 3, 4, 2] },
        { name: 'paddings', shape: [4, 2], data: Int32Array.from([0, 0, 1, 2, 0, 1, 0, 0]) },
        { name: 'padded', shape: [1, 6, 5, 2] },
        { name: 'relu', shape: [1, 6, 5, 2] },
        { name: 'joined', shape: [1, 6, 5, 4] },
        { name: 'axes', shape: [2], data: Int32Array.from([1, 2]) },
        { name: 'out', shape: [1, 4] },
      ],
      inputs: ['input'],
      outputs: ['out', 'joined'],
      ops: [
        { op: 'PAD', inputs: ['input', 'paddings'], outputs: ['padded'] },
        { op: 'RELU', inputs: ['padded'], outputs: ['relu'] },
        {
          op: 'CONCATENATION',
          inputs: ['padded', 'relu'],
          outputs: ['joined'],
          options: [fb.i32(3), fb.i8(0)],
        },
        { op: 'MEAN', inputs: ['joined', 'axes'], outputs: ['out'], options: [fb.bool(false)] },
      ],
    };
    const onnx = convertTflite(buildTflite(graph), { inputName: 'input' });
    const x: Nhwc = { data: randomFloats(24, 71), shape: [1, 3, 4, 2] };
    const { result } = await run(onnx, nhwcToNchw(x), [1, 2, 3, 4]);
    // Reference in NHWC: pad rows by (1, 2) and columns by (0, 1), concat [x, relu(x)] on channels, mean over H, W.
    const padded = new Float32Array(6 * 5 * 2);
    for (let y = 0; y < 3; y++)
      for (let c = 0; c < 4; c++)
        for (let ch = 0; ch < 2; ch++) padded[((y + 1) * 5 + c) * 2 + ch] = x.data[(y * 4 + c) * 2 + ch] ?? 0;
    const joined = new Float32Array(6 * 5 * 4);
    for (let p = 0; p < 30; p++)
      for (let ch = 0; ch < 2; ch++) {
        const v = padded[p * 2 + ch] ?? 0;
        joined[p * 4 + ch] = v;
        joined[p * 4 + 2 + ch] = Math.max(v, 0);
      }
    const mean = Float32Array.from({ length: 4 }, (_, ch) => {
      let sum = 0;
      for (let p = 0; p < 30; p++) sum += joined[p * 4 + ch] ?? 0;
      return sum / 30;
    });
    expect(output(result, 'out').dims).toEqual([1, 4]);
    expect(maxAbsDiff(output(result, 'out').data, mean)).toBeLessThan(1e-6);
    expect(maxAbsDiff(nchwToNhwc(output(result, 'joined').data, [1, 4, 6, 5]).data, joined)).toBeLessThan(
      1e-6,
    );
  });

  it('throws UnsupportedTfliteError naming the operator when the graph uses an op it cannot convert', () => {
    const graph: GraphFixture = {
      tensors: [
        { name: 'input', shape: [1, 4] },
        { name: 'out', shape: [1, 4] },
      ],
      inputs: ['input'],
      outputs: ['out'],
      ops: [{ op: 'LOG', inputs: ['input'], outputs: ['out'] }],
    };
    expect(() => convertTflite(buildTflite(graph))).toThrow(UnsupportedTfliteError);
    expect(() => convertTflite(buildTflite(graph))).toThrow(/operator 0 \(LOG\).*not supported/);
  });

  it('returns identical bytes when the same model is converted twice', () => {
    const graph = convGraph([1, 7, 9, 3], [4, 3, 3, 3], [1, 4, 5, 4], { padding: SAME, strides: [2, 2] });
    const bytes = buildTflite(graph);
    expect(convertTflite(bytes, { inputName: 'input' })).toEqual(
      convertTflite(bytes, { inputName: 'input' }),
    );
  });
});

describe('Function: readTflite()', () => {
  it('returns operators, shapes and constants when given a TFLite flatbuffer', () => {
    const graph = convGraph([1, 7, 9, 3], [4, 3, 3, 3], [1, 4, 5, 4], { padding: SAME, strides: [2, 2] });
    const model = readTflite(buildTflite(graph));
    expect(model.version).toBe(3);
    expect(model.description).toBe('test fixture');
    expect(model.graph.operators.map((op) => op.opcode)).toEqual(['CONV_2D']);
    expect(model.graph.tensors.map((t) => t.shape)).toEqual([[1, 7, 9, 3], [4, 3, 3, 3], [4], [1, 4, 5, 4]]);
    const w = model.graph.tensors[1]?.data;
    expect(w === undefined ? [] : Array.from(new Float32Array(w.slice().buffer))).toEqual(
      Array.from(graph.weights),
    );
    expect(model.graph.operators[0]?.options?.int32(1, 0)).toBe(2);
  });

  it('throws TfliteFormatError when the bytes are not a TFLite file or are truncated', () => {
    const graph = convGraph([1, 7, 9, 3], [4, 3, 3, 3], [1, 4, 5, 4], { padding: SAME, strides: [2, 2] });
    const bytes = buildTflite(graph);
    const wrongId = bytes.slice();
    wrongId[4] = 'X'.charCodeAt(0);
    expect(() => readTflite(wrongId)).toThrow(TfliteFormatError);
    expect(() => readTflite(bytes.subarray(0, 200))).toThrow(TfliteFormatError);
    expect(() => readTflite(new Uint8Array(3))).toThrow(TfliteFormatError);
  });
});

describe('Function: describeTflite()', () => {
  it('returns one line per operator with tensor names and shapes when given a model', () => {
    const graph = convGraph([1, 7, 9, 3], [4, 3, 3, 3], [1, 4, 5, 4], { padding: SAME, strides: [2, 2] });
    const lines = describeTflite(buildTflite(graph));
    expect(lines).toContain('inputs: input[1,7,9,3]');
    expect(lines).toContain('0 CONV_2D input[1,7,9,3], w[4,3,3,3](const), b[4](const) -> out[1,4,5,4]');
  });
});
