import { ModelsError } from './errors.ts';
import { type ProtoField, ProtoWriter, readProtoFields, writeProtoFields } from './tflite2onnx/protobuf.ts';

/** Thrown when an ONNX file cannot be re-exported safely (unknown ops for the opset jump, odd reshapes). */
export class OnnxReexportError extends ModelsError {
  override readonly code = 'ONNX_REEXPORT';
}

export interface ReexportOptions {
  /** Target opset (default 17). */
  readonly opset?: number;
  /** Name of the symbolic batch dimension given to every graph input and output (default `N`). */
  readonly batchDim?: string;
  readonly docString?: string;
  readonly metadata?: readonly (readonly [string, string])[];
}

/**
 * Operators whose semantics for the attributes PyTorch emits did not change between opset 9 and 17, so
 * moving a graph to opset 17 only needs the opset number changed. Anything else is refused.
 */
const OPSET_STABLE_OPS = new Set([
  'Add',
  'AveragePool',
  'BatchNormalization',
  'Concat',
  'Conv',
  'Div',
  'Flatten',
  'Gemm',
  'GlobalAveragePool',
  'Identity',
  'MatMul',
  'MaxPool',
  'Mul',
  'PRelu',
  'Relu',
  'Reshape',
  'Sigmoid',
  'Sub',
  'Tanh',
]);

const decoder = new TextDecoder();
const text = (f: ProtoField | undefined) => (f?.wireType === 2 ? decoder.decode(f.value) : undefined);
const strings = (fields: readonly ProtoField[], n: number) =>
  fields.filter((f) => f.field === n).map((f) => text(f) ?? '');

/**
 * Re-exports an ONNX model exported with a fixed batch of 1 (and an old opset) as opset 17 with a
 * symbolic batch: graph inputs/outputs get `N` as their first dim, and constant `Reshape` shapes that
 * pin the batch get `0` ("copy from input") there. Weights and every other field are copied byte for
 * byte. Refuses graphs with ops outside a known-stable list.
 *
 * @example
 * ```ts
 * const onnx = reexportOnnx(await readFile('fr_feature.onnx'), { opset: 17 });
 * ```
 */
export function reexportOnnx(bytes: Uint8Array, options: ReexportOptions = {}): Uint8Array {
  const opset = options.opset ?? 17;
  const batchDim = options.batchDim ?? 'N';
  const model = readProtoFields(bytes);
  const graphField = model.find((f) => f.field === 7);
  if (graphField?.wireType !== 2) throw new OnnxReexportError('the file has no graph');
  const graph = readProtoFields(graphField.value);

  const nodes = graph
    .filter((f) => f.field === 1 && f.wireType === 2)
    .map((f) => readProtoFields(asBytes(f)));
  const reshapeShapes = new Set<string>();
  for (const node of nodes) {
    const opType = text(node.find((f) => f.field === 4)) ?? '';
    const domain = text(node.find((f) => f.field === 7)) ?? '';
    if (domain !== '' || !OPSET_STABLE_OPS.has(opType)) {
      throw new OnnxReexportError(
        `operator ${domain}${opType} is not known to be stable up to opset ${opset}`,
      );
    }
    if (opType === 'Reshape') reshapeShapes.add(strings(node, 1)[1] ?? '');
  }
  for (const node of nodes) {
    const opType = text(node.find((f) => f.field === 4));
    const inputs = strings(node, 1);
    if (opType !== 'Reshape' && inputs.some((i) => reshapeShapes.has(i))) {
      throw new OnnxReexportError('a reshape shape constant is shared with another operator');
    }
  }

  let rewritten = 0;
  const newGraph = graph
    // value_info holds shapes inferred for batch 1; onnxruntime re-infers them.
    .filter((f) => f.field !== 13)
    .map((f): ProtoField => {
      if (f.wireType !== 2) return f;
      if (f.field === 11 || f.field === 12) return { ...f, value: withBatchDim(f.value, batchDim) };
      if (f.field === 5) {
        const tensor = readProtoFields(f.value);
        if (!reshapeShapes.has(text(tensor.find((t) => t.field === 8)) ?? '')) return f;
        rewritten++;
        return { ...f, value: keepBatchInShape(tensor) };
      }
      return f;
    });
  if (rewritten !== reshapeShapes.size) {
    throw new OnnxReexportError('a Reshape takes its shape from something other than an initializer');
  }

  const out = model
    .filter((f) => f.field !== 8 && f.field !== 6 && f.field !== 14)
    .map((f): ProtoField => {
      if (f.field === 1 && f.wireType === 0) return { ...f, value: 8n };
      if (f.field === 7 && f.wireType === 2) return { ...f, value: writeProtoFields(newGraph) };
      return f;
    });
  const w = new ProtoWriter();
  if (options.docString !== undefined) w.string(6, options.docString);
  w.message(8, (o) => o.string(1, '').int64(2, opset));
  for (const [key, value] of options.metadata ?? []) w.message(14, (e) => e.string(1, key).string(2, value));
  return concat(writeProtoFields(out), w.finish());
}

function asBytes(f: ProtoField): Uint8Array {
  if (f.wireType !== 2) throw new OnnxReexportError(`field ${f.field} is not length-delimited`);
  return f.value;
}

/** ValueInfoProto -> TypeProto -> Tensor -> TensorShapeProto: first Dimension becomes `dim_param`. */
function withBatchDim(valueInfo: Uint8Array, batchDim: string): Uint8Array {
  const edit = (fields: ProtoField[], field: number, change: (inner: Uint8Array) => Uint8Array) =>
    writeProtoFields(
      fields.map((f) => (f.field === field && f.wireType === 2 ? { ...f, value: change(f.value) } : f)),
    );
  return edit(readProtoFields(valueInfo), 2, (type) =>
    edit(readProtoFields(type), 1, (tensor) =>
      edit(readProtoFields(tensor), 2, (shape) => {
        let first = true;
        return writeProtoFields(
          readProtoFields(shape).map((dim): ProtoField => {
            if (dim.field !== 1 || dim.wireType !== 2 || !first) return dim;
            first = false;
            return { field: 1, wireType: 2, value: new ProtoWriter().string(2, batchDim).finish() };
          }),
        );
      }),
    ),
  );
}

/** An int64 shape initializer with its leading dim set to 0 (= copy the input's batch). */
function keepBatchInShape(tensor: ProtoField[]): Uint8Array {
  const dataType = tensor.find((f) => f.field === 2);
  const raw = tensor.find((f) => f.field === 9);
  if (dataType?.wireType !== 0 || dataType.value !== 7n || raw?.wireType !== 2 || raw.value.length < 8) {
    throw new OnnxReexportError('a Reshape shape is not a raw int64 initializer');
  }
  const copy = raw.value.slice();
  const view = new DataView(copy.buffer);
  if (view.getBigInt64(0, true) !== 1n)
    throw new OnnxReexportError('a Reshape shape does not start with batch 1');
  view.setBigInt64(0, 0n, true);
  return writeProtoFields(tensor.map((f) => (f === raw ? { ...f, value: copy } : f)));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
