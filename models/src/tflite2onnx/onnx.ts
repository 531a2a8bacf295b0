import { ProtoWriter } from './protobuf.ts';

/** ONNX `TensorProto.DataType` numbers for the element types the converter emits. */
export const ONNX_DATA_TYPE = { float32: 1, int32: 6, int64: 7 } as const;
export type OnnxDataType = keyof typeof ONNX_DATA_TYPE;

/** A dimension: a fixed size, or a symbolic name (`'N'`) for a dynamic one. */
export type OnnxDim = number | string;

export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  /** Little-endian element bytes (`raw_data`). */
  readonly raw: Uint8Array;
}

export type OnnxAttribute =
  | { readonly name: string; readonly kind: 'int'; readonly value: number }
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'floats'; readonly value: readonly number[] };

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly shape: readonly OnnxDim[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  /** ONNX IR version; 8 is the one that goes with opset 17. */
  readonly irVersion: number;
  readonly opset: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly metadata?: readonly (readonly [string, string])[];
  readonly graph: OnnxGraph;
}

// Field numbers from onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto, StringStringEntryProto).
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

/**
 * Serialises an ONNX model to protobuf bytes. The output depends only on the input: no timestamps,
 * fields in schema order, repeated fields in the given order.
 *
 * @example
 * ```ts
 * const bytes = encodeOnnxModel({ irVersion: 8, opset: 17, producerName: 'x', producerVersion: '1', graph });
 * await writeFile('model.onnx', bytes);
 * ```
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int64(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  if (model.docString !== undefined) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  w.message(8, (o) => o.string(1, '').int64(2, model.opset));
  for (const [key, value] of model.metadata ?? []) w.message(14, (e) => e.string(1, key).string(2, value));
  return w.finish();
}

function writeGraph(w: ProtoWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) w.message(1, (n) => writeNode(n, node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, (t) => writeTensor(t, tensor));
  for (const input of graph.inputs) w.message(11, (v) => writeValueInfo(v, input));
  for (const output of graph.outputs) w.message(12, (v) => writeValueInfo(v, output));
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const attribute of node.attributes) w.message(5, (a) => writeAttribute(a, attribute));
}

function writeAttribute(w: ProtoWriter, attribute: OnnxAttribute): void {
  w.string(1, attribute.name);
  switch (attribute.kind) {
    case 'float':
      w.float(2, attribute.value);
      break;
    case 'int':
      w.int64(3, attribute.value);
      break;
    case 'string':
      w.string(4, attribute.value);
      break;
    case 'floats':
      w.packedFloat(7, attribute.value);
      break;
    case 'ints':
      w.packedInt64(8, attribute.value);
      break;
  }
  w.int64(20, ATTRIBUTE_TYPE[attribute.kind]);
}

export function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  for (const dim of tensor.dims) w.int64(1, dim);
  w.int64(2, ONNX_DATA_TYPE[tensor.dataType]);
  w.string(8, tensor.name);
  w.bytes(9, tensor.raw);
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int64(1, ONNX_DATA_TYPE[info.dataType]);
      tensorType.message(2, (shape) => {
        for (const dim of info.shape) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.int64(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

/**
 * Builds an initializer from typed values.
 *
 * @example
 * ```ts
 * const shape = onnxTensor('shape', 'int64', [2], [-1, 192]);
 * ```
 */
export function onnxTensor(
  name: string,
  dataType: OnnxDataType,
  dims: readonly number[],
  values: ArrayLike<number>,
): OnnxTensor {
  const size = dataType === 'int64' ? 8 : 4;
  const raw = new Uint8Array(values.length * size);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (dataType === 'float32') view.setFloat32(i * 4, v, true);
    else if (dataType === 'int32') view.setInt32(i * 4, v, true);
    else view.setBigInt64(i * 8, BigInt(v), true);
  }
  return { name, dataType, dims, raw };
}
