import { foldPrelu, foldSoftmax } from './fold.ts';
import {
  toWorkGraph,
  UnsupportedTfliteError,
  type WorkGraph,
  type WorkOp,
  type WorkTensor,
} from './graph.ts';
import {
  identityPerm,
  permBetween,
  permuteShape,
  sameMemoryOrder,
  samePadding,
  samePerm,
  transposeData,
} from './layout.ts';
import {
  encodeOnnxModel,
  type OnnxAttribute,
  type OnnxDim,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
  onnxTensor,
} from './onnx.ts';
import { readTflite } from './tflite.ts';

export interface ConvertOptions {
  /** ONNX name of the (single) graph input. Default: the TFLite tensor name. */
  readonly inputName?: string;
  /**
   * Graph outputs in the order wanted, as TFLite tensor name -> ONNX name. Default: the TFLite outputs
   * in their order, keeping their names.
   */
  readonly outputs?: readonly { readonly tensor: string; readonly name: string }[];
  /** Make the batch dimension symbolic (`N`). Default true. */
  readonly dynamicBatch?: boolean;
  /** Make the spatial dimensions of a 4-D input symbolic (`H`, `W`), for fully-convolutional nets. */
  readonly dynamicSpatial?: boolean;
  /**
   * The TFLite graph expects images transposed, `[N, W, H, C]` (facenet's MTCNN, ported from MATLAB's
   * column-major Caffe). The ONNX graph then still takes `[N, C, H, W]`: the swap is folded into the
   * weights and operator attributes.
   */
  readonly transposedImage?: boolean;
  readonly graphName?: string;
  readonly docString?: string;
  /** Extra `metadata_props` (key, value), written in the given order. */
  readonly metadata?: readonly (readonly [string, string])[];
}

export interface ConversionReport {
  readonly onnx: Uint8Array;
  /** ONNX op types and how often each occurs, in first-use order. */
  readonly opCounts: ReadonlyMap<string, number>;
  readonly foldedPrelu: number;
  readonly foldedSoftmax: number;
}

export const OPSET = 17;
const IR_VERSION = 8;
const PRODUCER = '@frs/models tflite2onnx';
const PRODUCER_VERSION = '1';

/**
 * Converts a float TFLite model to an ONNX model (opset 17, NCHW, dynamic batch).
 *
 * Activations stay NCHW throughout: weights are transposed at conversion time, and a layout is tracked
 * per tensor so that TFLite's NHWC axes in reshapes, reductions and concatenations are remapped instead
 * of transposing activations. TF `SAME` padding becomes explicit pads (or `SAME_UPPER` when it depends
 * on a dynamic size), and TF's PReLU and softmax expansions are folded into `PRelu` and `Softmax`.
 *
 * @example
 * ```ts
 * const onnx = convertTflite(await readFile('pnet.tflite'), {
 *   inputName: 'input',
 *   outputs: [{ tensor: 'pnet/conv4-2/BiasAdd', name: 'reg' }, { tensor: 'pnet/prob1', name: 'prob' }],
 *   dynamicSpatial: true,
 *   transposedImage: true,
 * });
 * ```
 */
export function convertTflite(bytes: Uint8Array, options: ConvertOptions = {}): Uint8Array {
  return convertTfliteWithReport(bytes, options).onnx;
}

/**
 * Like `convertTflite`, and also says what it did (op counts, folded patterns), for logs and tests.
 *
 * @example
 * ```ts
 * const { onnx, opCounts } = convertTfliteWithReport(bytes);
 * console.log([...opCounts]); // [['Conv', 35], ['PRelu', 33], ...]
 * ```
 */
export function convertTfliteWithReport(bytes: Uint8Array, options: ConvertOptions = {}): ConversionReport {
  const model = readTflite(bytes);
  const graph = toWorkGraph(model.graph);
  const foldedPrelu = foldPrelu(graph);
  const foldedSoftmax = foldSoftmax(graph);
  const converter = new Converter(graph, options);
  const onnxGraph = converter.run();
  const opCounts = new Map<string, number>();
  for (const node of onnxGraph.nodes) opCounts.set(node.opType, (opCounts.get(node.opType) ?? 0) + 1);
  const onnx = encodeOnnxModel({
    irVersion: IR_VERSION,
    opset: OPSET,
    producerName: PRODUCER,
    producerVersion: PRODUCER_VERSION,
    ...(options.docString === undefined ? {} : { docString: options.docString }),
    metadata: options.metadata ?? [],
    graph: onnxGraph,
  });
  return { onnx, opCounts, foldedPrelu, foldedSoftmax };
}

/** An activation already emitted: its ONNX name, how its axes relate to TFLite's, which dims are dynamic. */
interface Value {
  readonly name: string;
  readonly perm: readonly number[];
  /** Per TFLite axis. */
  readonly dynamic: readonly boolean[];
}

type Pads = { kind: 'explicit'; pads: number[] } | { kind: 'same-upper' };

class Converter {
  readonly #graph: WorkGraph;
  readonly #options: ConvertOptions;
  /** Layout of every 4-D activation: NHWC held as NCHW, or `[N, W, H, C]` held as NCHW. */
  readonly #spatialPerm: readonly number[];
  readonly #values = new Map<number, Value>();
  readonly #nodes: OnnxNode[] = [];
  readonly #initializers: OnnxTensor[] = [];
  readonly #names = new Set<string>();
  readonly #constantCache = new Map<string, string>();

  constructor(graph: WorkGraph, options: ConvertOptions) {
    this.#graph = graph;
    this.#options = options;
    this.#spatialPerm = options.transposedImage === true ? [0, 3, 2, 1] : [0, 3, 1, 2];
  }

  run() {
    const wanted = this.#wantedOutputs();
    // Reserved up front so no intermediate value takes an output's name.
    for (const { name } of wanted) {
      if (this.#names.has(name)) throw new UnsupportedTfliteError(`output name "${name}" is requested twice`);
      this.#names.add(name);
    }
    const inputs = this.#graph.inputs.map((index) => this.#declareInput(index));
    for (const op of this.#graph.ops) {
      try {
        this.#convert(op);
      } catch (error) {
        if (error instanceof UnsupportedTfliteError) {
          throw new UnsupportedTfliteError(`${op.origin}: ${error.message}`, { cause: error });
        }
        throw error;
      }
    }
    const outputs = this.#declareOutputs(wanted);
    return {
      name: this.#options.graphName ?? 'main',
      nodes: this.#nodes,
      initializers: this.#initializers,
      inputs,
      outputs,
    };
  }

  // ---- names, nodes, constants -------------------------------------------------------------------

  #unique(base: string): string {
    let name = base;
    for (let i = 1; this.#names.has(name); i++) name = `${base}_${i}`;
    this.#names.add(name);
    return name;
  }

  #node(
    opType: string,
    inputs: readonly string[],
    attributes: OnnxAttribute[] = [],
    output?: string,
  ): string {
    const out = output ?? this.#unique(`${opType.toLowerCase()}_${this.#nodes.length}`);
    this.#nodes.push({
      name: this.#unique(`node_${this.#nodes.length}_${opType}`),
      opType,
      inputs,
      outputs: [out],
      attributes,
    });
    return out;
  }

  #constant(
    base: string,
    dataType: 'float32' | 'int64',
    dims: readonly number[],
    values: ArrayLike<number>,
  ): string {
    const key = `${dataType}|${dims.join(',')}|${Array.from(values).join(',')}`;
    // Small constants (shapes, axes, clip bounds) repeat; share one initializer for each.
    const shared = values.length <= 16 ? this.#constantCache.get(key) : undefined;
    if (shared !== undefined) return shared;
    const name = this.#unique(base);
    this.#initializers.push(onnxTensor(name, dataType, dims, values));
    if (values.length <= 16) this.#constantCache.set(key, name);
    return name;
  }

  #tensor(index: number | undefined): WorkTensor {
    const tensor = index === undefined || index < 0 ? undefined : this.#graph.tensors[index];
    if (tensor === undefined) throw new UnsupportedTfliteError(`missing tensor ${index}`);
    return tensor;
  }

  #floatConstant(index: number | undefined): { tensor: WorkTensor; data: Float32Array } {
    const tensor = this.#tensor(index);
    if (!(tensor.constant instanceof Float32Array)) {
      throw new UnsupportedTfliteError(`tensor "${tensor.name}" must be a float constant`);
    }
    return { tensor, data: tensor.constant };
  }

  #intConstant(index: number | undefined): number[] {
    const tensor = this.#tensor(index);
    if (!(tensor.constant instanceof Int32Array)) {
      throw new UnsupportedTfliteError(`tensor "${tensor.name}" must be an integer constant`);
    }
    return Array.from(tensor.constant);
  }

  #value(index: number | undefined): Value {
    const tensor = this.#tensor(index);
    const value = this.#values.get(tensor.index);
    if (value === undefined) {
      throw new UnsupportedTfliteError(
        `tensor "${tensor.name}" is a constant where an activation is expected`,
      );
    }
    return value;
  }

  #isConstant(index: number | undefined): boolean {
    return index !== undefined && index >= 0 && this.#tensor(index).constant !== undefined;
  }

  /** Emits a Transpose when `value` is not already held in layout `perm`. */
  #inLayout(value: Value, perm: readonly number[]): Value {
    if (samePerm(value.perm, perm)) return value;
    const name = this.#node(
      'Transpose',
      [value.name],
      [{ name: 'perm', kind: 'ints', value: permBetween(value.perm, perm) }],
    );
    return { name, perm, dynamic: value.dynamic };
  }

  #set(op: WorkOp, name: string, perm: readonly number[], dynamic: readonly boolean[]): void {
    const out = this.#tensor(op.outputs[0]);
    this.#values.set(out.index, { name, perm, dynamic });
  }

  #outputName(op: WorkOp): string {
    return this.#unique(this.#tensor(op.outputs[0]).name);
  }

  // ---- graph boundary -----------------------------------------------------------------------------

  #declareInput(index: number): OnnxValueInfo {
    const tensor = this.#tensor(index);
    if (tensor.type !== 'float32')
      throw new UnsupportedTfliteError(`input "${tensor.name}" is ${tensor.type}`);
    const rank = tensor.shape.length;
    const perm = rank === 4 ? this.#spatialPerm : identityPerm(rank);
    const dynamic = tensor.shape.map(
      (_, axis) =>
        (axis === 0 && this.#options.dynamicBatch !== false) ||
        (rank === 4 && (axis === 1 || axis === 2) && this.#options.dynamicSpatial === true),
    );
    const name = this.#unique(
      this.#graph.inputs.length === 1 ? (this.#options.inputName ?? tensor.name) : tensor.name,
    );
    this.#values.set(index, { name, perm, dynamic });
    const labels = ['N', 'C', 'H', 'W'];
    const shape = perm.map(
      (axis, i): OnnxDim => (dynamic[axis] === true ? (labels[i] ?? `d${i}`) : (tensor.shape[axis] ?? 0)),
    );
    return { name, dataType: 'float32', shape };
  }

  #wantedOutputs(): readonly { readonly tensor: string; readonly name: string }[] {
    return (
      this.#options.outputs ??
      this.#graph.outputs.map((index) => {
        const name = this.#tensor(index).name;
        return { tensor: name, name };
      })
    );
  }

  #declareOutputs(wanted: readonly { readonly tensor: string; readonly name: string }[]): OnnxValueInfo[] {
    const renames = new Map<string, string>();
    const infos = wanted.map(({ tensor: tensorName, name }): OnnxValueInfo => {
      const tensor = this.#graph.tensors.find((t) => t.name === tensorName);
      if (tensor === undefined) throw new UnsupportedTfliteError(`no tensor named "${tensorName}"`);
      const rank = tensor.shape.length;
      let value = this.#values.get(tensor.index);
      if (value === undefined)
        throw new UnsupportedTfliteError(`"${tensorName}" is not computed by the graph`);
      value = this.#inLayout(value, rank === 4 ? this.#spatialPerm : identityPerm(rank));
      const producedHere = this.#nodes.some((n) => n.outputs.includes(value.name));
      if (producedHere && !renames.has(value.name)) renames.set(value.name, name);
      else this.#node('Identity', [value.name], [], name);
      const labels = ['N', 'C', 'Ho', 'Wo'];
      const perm = value.perm;
      const shape = perm.map(
        (axis, i): OnnxDim =>
          value.dynamic[axis] === true
            ? axis === 0
              ? 'N'
              : rank === 4
                ? (labels[i] ?? `d${i}`)
                : `${name}_${i}`
            : (tensor.shape[axis] ?? 0),
      );
      return { name, dataType: 'float32', shape };
    });
    if (renames.size > 0) {
      const rename = (n: string) => renames.get(n) ?? n;
      for (let i = 0; i < this.#nodes.length; i++) {
        const node = this.#nodes[i];
        if (node === undefined) continue;
        this.#nodes[i] = { ...node, inputs: node.inputs.map(rename), outputs: node.outputs.map(rename) };
      }
    }
    return infos;
  }

  // ---- operators ----------------------------------------------------------------------------------

  readonly #handlers: Readonly<Record<string, (op: WorkOp) => void>> = {
    CONV_2D: (op) => this.#conv(op, false),
    DEPTHWISE_CONV_2D: (op) => this.#conv(op, true),
    MAX_POOL_2D: (op) => this.#pool(op, 'MaxPool'),
    AVERAGE_POOL_2D: (op) => this.#pool(op, 'AveragePool'),
    FULLY_CONNECTED: (op) => this.#fullyConnected(op),
    ADD: (op) => this.#binary(op, 'Add', 0),
    SUB: (op) => this.#binary(op, 'Sub', 0),
    MUL: (op) => this.#binary(op, 'Mul', 0),
    DIV: (op) => this.#binary(op, 'Div', 0),
    MAXIMUM: (op) => this.#binary(op, 'Max', undefined),
    MINIMUM: (op) => this.#binary(op, 'Min', undefined),
    PRELU: (op) => this.#binary(op, 'PRelu', undefined),
    RELU: (op) => this.#unary(op, 'Relu'),
    RELU6: (op) => this.#clip(op, 0, 6),
    RELU_N1_TO_1: (op) => this.#clip(op, -1, 1),
    NEG: (op) => this.#unary(op, 'Neg'),
    ABS: (op) => this.#unary(op, 'Abs'),
    EXP: (op) => this.#unary(op, 'Exp'),
    SQRT: (op) => this.#unary(op, 'Sqrt'),
    LOGISTIC: (op) => this.#unary(op, 'Sigmoid'),
    TANH: (op) => this.#unary(op, 'Tanh'),
    HARD_SWISH: (op) => this.#unary(op, 'HardSwish'),
    LEAKY_RELU: (op) =>
      this.#unary(op, 'LeakyRelu', [{ name: 'alpha', kind: 'float', value: op.options?.float32(0, 0) ?? 0 }]),
    SOFTMAX: (op) => this.#softmax(op),
    RESHAPE: (op) => this.#reshape(op),
    SQUEEZE: (op) => this.#reshape(op),
    EXPAND_DIMS: (op) => this.#reshape(op),
    REDUCE_MAX: (op) => this.#reduce(op, 'ReduceMax'),
    REDUCE_MIN: (op) => this.#reduce(op, 'ReduceMin'),
    SUM: (op) => this.#reduce(op, 'ReduceSum'),
    MEAN: (op) => this.#reduce(op, 'ReduceMean'),
    CONCATENATION: (op) => this.#concat(op),
    PAD: (op) => this.#pad(op),
    PADV2: (op) => this.#pad(op),
    TRANSPOSE: (op) => this.#transpose(op),
    DEQUANTIZE: (op) => this.#dequantize(op),
  };

  #convert(op: WorkOp): void {
    const handler = Object.hasOwn(this.#handlers, op.opcode) ? this.#handlers[op.opcode] : undefined;
    if (handler === undefined) throw new UnsupportedTfliteError(`operator ${op.opcode} is not supported`);
    handler(op);
  }

  /** Appends the op's fused activation (TFLite `ActivationFunctionType`). */
  #activate(name: string, code: number): string {
    switch (code) {
      case 0:
        return name;
      case 1:
        return this.#node('Relu', [name]);
      case 2:
        return this.#node('Clip', [
          name,
          this.#constant('clip_min', 'float32', [], [-1]),
          this.#constant('clip_max', 'float32', [], [1]),
        ]);
      case 3:
        return this.#node('Clip', [
          name,
          this.#constant('clip_min', 'float32', [], [0]),
          this.#constant('clip_max', 'float32', [], [6]),
        ]);
      case 4:
        return this.#node('Tanh', [name]);
      default:
        throw new UnsupportedTfliteError(`fused activation ${code} is not supported`);
    }
  }

  /** ONNX spatial attribute pair (axes 2, 3) from TFLite's per-axis values (axis 1 = "h", 2 = "w"). */
  #spatial(tfliteH: number, tfliteW: number): [number, number] {
    const byAxis = [0, tfliteH, tfliteW, 0];
    return [byAxis[this.#spatialPerm[2] ?? 1] ?? 1, byAxis[this.#spatialPerm[3] ?? 2] ?? 1];
  }

  #pads(
    padding: number,
    input: WorkTensor,
    value: Value,
    kernel: [number, number],
    strides: [number, number],
    dilations: [number, number],
  ): Pads {
    if (padding === 1) return { kind: 'explicit', pads: [0, 0, 0, 0] };
    if (padding !== 0) throw new UnsupportedTfliteError(`padding ${padding} is not supported`);
    const perAxis = [2, 3].map((onnxAxis, i) => {
      const axis = this.#spatialPerm[onnxAxis] ?? 1;
      return samePadding(
        input.shape[axis] ?? 1,
        value.dynamic[axis] === true,
        kernel[i] ?? 1,
        strides[i] ?? 1,
        dilations[i] ?? 1,
      );
    });
    const [a, b] = perAxis;
    if (a === undefined || b === undefined) return { kind: 'same-upper' };
    return { kind: 'explicit', pads: [a[0], b[0], a[1], b[1]] };
  }

  #padAttributes(pads: Pads): OnnxAttribute[] {
    if (pads.kind === 'same-upper') return [{ name: 'auto_pad', kind: 'string', value: 'SAME_UPPER' }];
    return pads.pads.some((p) => p !== 0) ? [{ name: 'pads', kind: 'ints', value: pads.pads }] : [];
  }

  #conv(op: WorkOp, depthwise: boolean): void {
    const inputTensor = this.#tensor(op.inputs[0]);
    const x = this.#inLayout(this.#value(op.inputs[0]), this.#spatialPerm);
    const { tensor: weightTensor, data: weightData } = this.#floatConstant(op.inputs[1]);
    const o = op.options;
    // Conv2DOptions: padding, stride_w, stride_h, activation, dilation_w, dilation_h.
    // DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, activation, dilation_w, dilation_h.
    const padding = o?.int8(0, 0) ?? 0;
    const strides = this.#spatial(o?.int32(2, 1) ?? 1, o?.int32(1, 1) ?? 1);
    const activation = o?.int8(depthwise ? 4 : 3, 0) ?? 0;
    const dilations = this.#spatial(o?.int32(depthwise ? 6 : 5, 1) ?? 1, o?.int32(depthwise ? 5 : 4, 1) ?? 1);
    const [, kh = 1, kw = 1] = weightTensor.shape;
    const kernel = this.#spatial(kh, kw);
    const inChannels = inputTensor.shape[3] ?? 1;
    // OHWI -> OIHW, and depthwise [1, H, W, C*M] -> [C*M, 1, H, W]; spatial axes follow the layout.
    const weightPerm = depthwise
      ? [3, 0, this.#spatialPerm[2] ?? 1, this.#spatialPerm[3] ?? 2]
      : [0, 3, this.#spatialPerm[2] ?? 1, this.#spatialPerm[3] ?? 2];
    const weight = this.#constant(
      `${weightTensor.name}`,
      'float32',
      permuteShape(weightTensor.shape, weightPerm),
      transposeData(weightData, weightTensor.shape, weightPerm),
    );
    const inputs = [x.name, weight];
    if (this.#isConstant(op.inputs[2])) {
      const { tensor, data } = this.#floatConstant(op.inputs[2]);
      inputs.push(this.#constant(tensor.name, 'float32', tensor.shape, data));
    }
    const weightIn = weightTensor.shape[3] ?? 1;
    const group = depthwise ? inChannels : inChannels / weightIn;
    if (!Number.isInteger(group))
      throw new UnsupportedTfliteError(`${inChannels} channels do not split into groups of ${weightIn}`);
    const attributes: OnnxAttribute[] = [
      { name: 'kernel_shape', kind: 'ints', value: kernel },
      { name: 'strides', kind: 'ints', value: strides },
      { name: 'dilations', kind: 'ints', value: dilations },
      ...this.#padAttributes(this.#pads(padding, inputTensor, x, kernel, strides, dilations)),
    ];
    if (group !== 1) attributes.push({ name: 'group', kind: 'int', value: group });
    const conv = this.#node('Conv', inputs, attributes, activation === 0 ? this.#outputName(op) : undefined);
    this.#set(op, this.#activate(conv, activation), this.#spatialPerm, x.dynamic);
  }

  #pool(op: WorkOp, opType: 'MaxPool' | 'AveragePool'): void {
    const inputTensor = this.#tensor(op.inputs[0]);
    const x = this.#inLayout(this.#value(op.inputs[0]), this.#spatialPerm);
    const o = op.options;
    // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, activation.
    const padding = o?.int8(0, 0) ?? 0;
    const strides = this.#spatial(o?.int32(2, 1) ?? 1, o?.int32(1, 1) ?? 1);
    const kernel = this.#spatial(o?.int32(4, 1) ?? 1, o?.int32(3, 1) ?? 1);
    const activation = o?.int8(5, 0) ?? 0;
    // TF's SAME average pooling divides by the number of real (unpadded) pixels: ONNX's
    // count_include_pad = 0 default. Max pooling ignores padding in both.
    const attributes: OnnxAttribute[] = [
      { name: 'kernel_shape', kind: 'ints', value: kernel },
      { name: 'strides', kind: 'ints', value: strides },
      ...this.#padAttributes(this.#pads(padding, inputTensor, x, kernel, strides, [1, 1])),
    ];
    const pool = this.#node(
      opType,
      [x.name],
      attributes,
      activation === 0 ? this.#outputName(op) : undefined,
    );
    this.#set(op, this.#activate(pool, activation), this.#spatialPerm, x.dynamic);
  }

  #fullyConnected(op: WorkOp): void {
    const inputTensor = this.#tensor(op.inputs[0]);
    const x = this.#value(op.inputs[0]);
    const { tensor: weightTensor, data } = this.#floatConstant(op.inputs[1]);
    const o = op.options;
    // FullyConnectedOptions: activation, weights_format, keep_num_dims.
    const activation = o?.int8(0, 0) ?? 0;
    if ((o?.int8(1, 0) ?? 0) !== 0) throw new UnsupportedTfliteError('shuffled weights are not supported');
    const [outFeatures = 0, inFeatures = 0] = weightTensor.shape;
    const rank = inputTensor.shape.length;
    if (rank > 2 && (o?.bool(2, false) ?? false))
      throw new UnsupportedTfliteError('keep_num_dims is not supported');
    if (x.perm[0] !== 0 || x.dynamic.slice(1).some(Boolean)) {
      throw new UnsupportedTfliteError('fully-connected input needs a leading batch and static feature dims');
    }
    let flat = x.name;
    let weights: Float32Array = data;
    if (rank !== 2) {
      // TFLite flattens in its own axis order; permute the weight columns to ONNX's order instead of
      // transposing the activation back.
      const featureShape = inputTensor.shape.slice(1);
      const onnxFeaturePerm = x.perm.slice(1).map((axis) => axis - 1);
      weights = permuteColumns(data, outFeatures, inFeatures, featureShape, onnxFeaturePerm);
      flat = this.#node('Flatten', [x.name], [{ name: 'axis', kind: 'int', value: 1 }]);
    }
    const inputs = [flat, this.#constant(weightTensor.name, 'float32', weightTensor.shape, weights)];
    if (this.#isConstant(op.inputs[2])) {
      const { tensor, data: bias } = this.#floatConstant(op.inputs[2]);
      inputs.push(this.#constant(tensor.name, 'float32', tensor.shape, bias));
    }
    const gemm = this.#node(
      'Gemm',
      inputs,
      [{ name: 'transB', kind: 'int', value: 1 }],
      activation === 0 ? this.#outputName(op) : undefined,
    );
    this.#set(op, this.#activate(gemm, activation), [0, 1], [x.dynamic[0] === true, false]);
  }

  /** Elementwise binary op; constants are broadcast in the activation's layout. */
  #binary(op: WorkOp, opType: string, activationField: number | undefined): void {
    const activation = activationField === undefined ? 0 : (op.options?.int8(activationField, 0) ?? 0);
    const [ia, ib] = op.inputs;
    const outRank = this.#tensor(op.outputs[0]).shape.length;
    let names: string[];
    let perm: readonly number[];
    let dynamic: readonly boolean[];
    if (this.#isConstant(ia) || this.#isConstant(ib)) {
      if (this.#isConstant(ia) && this.#isConstant(ib))
        throw new UnsupportedTfliteError('both operands are constants');
      const activationAt = this.#isConstant(ia) ? 1 : 0;
      const x = this.#value(op.inputs[activationAt]);
      const c = this.#broadcastConstant(op.inputs[1 - activationAt], x, outRank);
      names = activationAt === 0 ? [x.name, c] : [c, x.name];
      perm = x.perm;
      dynamic = x.dynamic;
    } else {
      const a = this.#value(ia);
      const b = this.#value(ib);
      const target =
        a.perm.length === b.perm.length && samePerm(a.perm, b.perm) ? a.perm : identityPerm(outRank);
      const aa = this.#inLayout(a, target.length === a.perm.length ? target : identityPerm(a.perm.length));
      const bb = this.#inLayout(b, target.length === b.perm.length ? target : identityPerm(b.perm.length));
      if (aa.perm.length !== bb.perm.length && !samePerm(target, identityPerm(outRank))) {
        throw new UnsupportedTfliteError('broadcast between tensors of different rank');
      }
      names = [aa.name, bb.name];
      perm = target;
      const pad = (d: readonly boolean[]) => [...new Array<boolean>(outRank - d.length).fill(false), ...d];
      const da = pad(aa.dynamic);
      const db = pad(bb.dynamic);
      dynamic = da.map((v, i) => v || db[i] === true);
    }
    const node = this.#node(opType, names, [], activation === 0 ? this.#outputName(op) : undefined);
    this.#set(op, this.#activate(node, activation), perm, dynamic);
  }

  /** A TFLite constant right-aligned against a rank-`rank` activation, then laid out like it. */
  #broadcastConstant(index: number | undefined, x: Value, rank: number): string {
    const { tensor, data } = this.#floatConstant(index);
    if (tensor.shape.length === 0 || data.length === 1) {
      return this.#constant(tensor.name, 'float32', [], [data[0] ?? 0]);
    }
    if (tensor.shape.length > rank || x.perm.length !== rank) {
      throw new UnsupportedTfliteError(`constant "${tensor.name}" has a higher rank than its operand`);
    }
    const shape = [...new Array<number>(rank - tensor.shape.length).fill(1), ...tensor.shape];
    return this.#constant(
      tensor.name,
      'float32',
      permuteShape(shape, x.perm),
      transposeData(data, shape, x.perm),
    );
  }

  #unary(op: WorkOp, opType: string, attributes: OnnxAttribute[] = []): void {
    const x = this.#value(op.inputs[0]);
    this.#set(op, this.#node(opType, [x.name], attributes, this.#outputName(op)), x.perm, x.dynamic);
  }

  #clip(op: WorkOp, min: number, max: number): void {
    const x = this.#value(op.inputs[0]);
    const lo = this.#constant('clip_min', 'float32', [], [min]);
    const hi = this.#constant('clip_max', 'float32', [], [max]);
    this.#set(op, this.#node('Clip', [x.name, lo, hi], [], this.#outputName(op)), x.perm, x.dynamic);
  }

  #softmax(op: WorkOp): void {
    const x = this.#value(op.inputs[0]);
    const rank = x.perm.length;
    const axis = op.axis ?? rank - 1;
    // SoftmaxOptions.beta; folded softmaxes carry no options and have beta 1.
    const beta = op.options === undefined ? 1 : op.options.float32(0, 0);
    let input = x.name;
    if (beta !== 1) input = this.#node('Mul', [input, this.#constant('softmax_beta', 'float32', [], [beta])]);
    const node = this.#node(
      'Softmax',
      [input],
      [{ name: 'axis', kind: 'int', value: x.perm.indexOf(axis) }],
      this.#outputName(op),
    );
    this.#set(op, node, x.perm, x.dynamic);
  }

  #reshape(op: WorkOp): void {
    const inputTensor = this.#tensor(op.inputs[0]);
    const outputTensor = this.#tensor(op.outputs[0]);
    let x = this.#value(op.inputs[0]);
    if (!sameMemoryOrder(inputTensor.shape, x.dynamic, x.perm))
      x = this.#inLayout(x, identityPerm(x.perm.length));
    const batchDynamic = x.dynamic[0] === true;
    if (x.dynamic.slice(1).some(Boolean))
      throw new UnsupportedTfliteError('reshape of a tensor with dynamic inner dims');
    const keepsBatch = batchDynamic && outputTensor.shape[0] === inputTensor.shape[0];
    if (batchDynamic && !keepsBatch)
      throw new UnsupportedTfliteError('reshape that changes a dynamic batch dimension');
    const target = outputTensor.shape.map((size, i) => (i === 0 && keepsBatch ? -1 : size));
    const shape = this.#constant('shape', 'int64', [target.length], target);
    const node = this.#node('Reshape', [x.name, shape], [], this.#outputName(op));
    const dynamic = outputTensor.shape.map((_, i) => i === 0 && keepsBatch);
    this.#set(op, node, identityPerm(outputTensor.shape.length), dynamic);
  }

  #reduce(op: WorkOp, opType: string): void {
    const x = this.#value(op.inputs[0]);
    const rank = x.perm.length;
    const axes = this.#intConstant(op.inputs[1]).map((a) => (a < 0 ? a + rank : a));
    const keepDims = op.options?.bool(0, false) ?? false;
    const onnxAxes = axes.map((a) => x.perm.indexOf(a)).sort((a, b) => a - b);
    const inputs = [x.name];
    const attributes: OnnxAttribute[] = [{ name: 'keepdims', kind: 'int', value: keepDims ? 1 : 0 }];
    // Opset 17: ReduceSum takes axes as an input, the other reductions as an attribute.
    if (opType === 'ReduceSum') inputs.push(this.#constant('axes', 'int64', [onnxAxes.length], onnxAxes));
    else attributes.push({ name: 'axes', kind: 'ints', value: onnxAxes });
    const node = this.#node(opType, inputs, attributes, this.#outputName(op));
    if (keepDims) {
      this.#set(op, node, x.perm, x.dynamic);
      return;
    }
    const kept = x.perm.filter((axis) => !axes.includes(axis));
    const order = [...kept].sort((a, b) => a - b);
    this.#set(
      op,
      node,
      kept.map((axis) => order.indexOf(axis)),
      order.map((axis) => x.dynamic[axis] === true),
    );
  }

  #concat(op: WorkOp): void {
    const values = op.inputs.map((i) => this.#value(i));
    const first = values[0];
    if (first === undefined) throw new UnsupportedTfliteError('concatenation without inputs');
    const rank = first.perm.length;
    const raw = op.options?.int32(0, 0) ?? 0;
    const axis = raw < 0 ? raw + rank : raw;
    const activation = op.options?.int8(1, 0) ?? 0;
    const aligned = values.map((v) => this.#inLayout(v, first.perm));
    const node = this.#node(
      'Concat',
      aligned.map((v) => v.name),
      [{ name: 'axis', kind: 'int', value: first.perm.indexOf(axis) }],
      activation === 0 ? this.#outputName(op) : undefined,
    );
    this.#set(op, this.#activate(node, activation), first.perm, first.dynamic);
  }

  #pad(op: WorkOp): void {
    const x = this.#value(op.inputs[0]);
    const paddings = this.#intConstant(op.inputs[1]);
    const begin = x.perm.map((axis) => paddings[2 * axis] ?? 0);
    const end = x.perm.map((axis) => paddings[2 * axis + 1] ?? 0);
    const inputs = [x.name, this.#constant('pads', 'int64', [2 * x.perm.length], [...begin, ...end])];
    if (op.opcode === 'PADV2' && this.#isConstant(op.inputs[2])) {
      inputs.push(
        this.#constant('pad_value', 'float32', [], [this.#floatConstant(op.inputs[2]).data[0] ?? 0]),
      );
    }
    this.#set(op, this.#node('Pad', inputs, [], this.#outputName(op)), x.perm, x.dynamic);
  }

  /** A TFLite transpose only relabels axes: the ONNX tensor stays where it is. */
  #transpose(op: WorkOp): void {
    const x = this.#value(op.inputs[0]);
    const q = this.#intConstant(op.inputs[1]);
    const perm = x.perm.map((axis) => q.indexOf(axis));
    const dynamic = q.map((axis) => x.dynamic[axis] === true);
    this.#set(op, x.name, perm, dynamic);
  }

  #dequantize(op: WorkOp): void {
    const input = this.#tensor(op.inputs[0]);
    const output = this.#tensor(op.outputs[0]);
    if (!(input.constant instanceof Float32Array) || input.type !== 'float16') {
      throw new UnsupportedTfliteError('only float16 constant dequantization is supported');
    }
    // Float16 weights were widened when the graph was read; the output is that same constant.
    this.#graph.tensors[output.index] = { ...output, constant: input.constant };
  }
}

/**
 * Reorders the columns of a row-major `[rows, cols]` matrix whose columns enumerate a tensor of shape
 * `featureShape` (row-major), so they enumerate `transpose(tensor, perm)` instead.
 */
export function permuteColumns(
  data: Float32Array,
  rows: number,
  cols: number,
  featureShape: readonly number[],
  perm: readonly number[],
): Float32Array {
  const count = featureShape.reduce((a, b) => a * b, 1);
  if (count !== cols)
    throw new UnsupportedTfliteError(`feature shape [${featureShape.join(',')}] is not ${cols} wide`);
  // source[j] = TFLite column feeding ONNX column j.
  const source = transposeData(
    Int32Array.from({ length: cols }, (_, i) => i),
    featureShape,
    perm,
  );
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) out[r * cols + j] = data[r * cols + (source[j] ?? 0)] ?? 0;
  }
  return out;
}
