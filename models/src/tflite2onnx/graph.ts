import { ModelsError } from '../errors.ts';
import type { FlatTable } from './flatbuffer.ts';
import type { TfliteGraph, TfliteTensorType } from './tflite.ts';

/** Thrown when a graph uses an operator, option or tensor the converter cannot express in ONNX. */
export class UnsupportedTfliteError extends ModelsError {
  override readonly code = 'UNSUPPORTED_TFLITE';
}

export interface WorkTensor {
  readonly index: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: TfliteTensorType;
  /** Decoded constant values (weights, shapes, axes); undefined for activations. */
  readonly constant: Float32Array | Int32Array | undefined;
}

export interface WorkOp {
  readonly opcode: string;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly options: FlatTable | undefined;
  /** For error messages: where the op came from. */
  readonly origin: string;
  /** Softmax axis of a folded softmax (TFLite axis). */
  readonly axis?: number;
}

/** A TFLite subgraph with decoded constants, which rewrite passes may extend. */
export interface WorkGraph {
  readonly tensors: WorkTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  ops: WorkOp[];
}

export function toWorkGraph(graph: TfliteGraph): WorkGraph {
  const tensors = graph.tensors.map((t): WorkTensor => {
    if (t.quantized && t.type !== 'float32' && t.type !== 'float16') {
      throw new UnsupportedTfliteError(
        `tensor "${t.name}" is quantized (${t.type}); only float models convert`,
      );
    }
    return { index: t.index, name: t.name, shape: t.shape, type: t.type, constant: decode(t.type, t.data) };
  });
  const ops = graph.operators.map(
    (op): WorkOp => ({
      opcode: op.opcode,
      inputs: op.inputs,
      outputs: op.outputs,
      options: op.options,
      origin: `operator ${op.index} (${op.opcode})`,
    }),
  );
  return { tensors, inputs: graph.inputs, outputs: graph.outputs, ops };
}

function decode(type: TfliteTensorType, data: Uint8Array | undefined): Float32Array | Int32Array | undefined {
  if (data === undefined || data.length === 0) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (type) {
    case 'float32':
      return Float32Array.from({ length: data.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
    case 'float16':
      return Float32Array.from({ length: data.length / 2 }, (_, i) =>
        halfToFloat(view.getUint16(2 * i, true)),
      );
    case 'int32':
      return Int32Array.from({ length: data.length / 4 }, (_, i) => view.getInt32(4 * i, true));
    case 'int64':
      return Int32Array.from({ length: data.length / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true)));
    default:
      return undefined;
  }
}

/** IEEE 754 binary16 to number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Who produces and who consumes each tensor, for pattern matching. */
export function indexGraph(graph: WorkGraph): {
  producer: Map<number, WorkOp>;
  consumers: Map<number, WorkOp[]>;
} {
  const producer = new Map<number, WorkOp>();
  const consumers = new Map<number, WorkOp[]>();
  for (const op of graph.ops) {
    for (const out of op.outputs) producer.set(out, op);
    for (const input of op.inputs) {
      if (input < 0) continue;
      const list = consumers.get(input) ?? [];
      list.push(op);
      consumers.set(input, list);
    }
  }
  return { producer, consumers };
}
