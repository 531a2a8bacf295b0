import { ModelsError } from '../errors.ts';
import { FlatBufferError, FlatTable } from './flatbuffer.ts';

/** Thrown when a TFLite file is readable but uses something this reader does not model. */
export class TfliteFormatError extends ModelsError {
  override readonly code = 'TFLITE_FORMAT';
}

/** TFLite `TensorType` values by their schema number. */
const TENSOR_TYPES = [
  'float32',
  'float16',
  'int32',
  'uint8',
  'int64',
  'string',
  'bool',
  'int16',
  'complex64',
  'int8',
  'float64',
] as const;
export type TfliteTensorType = (typeof TENSOR_TYPES)[number];

/**
 * TFLite `BuiltinOperator` names by number (schema v3, first 128). Numbers the converter does not know
 * still parse; they surface as `BUILTIN_<n>` in the "unsupported operator" error.
 */
export const BUILTIN_OPERATORS = [
  'ADD',
  'AVERAGE_POOL_2D',
  'CONCATENATION',
  'CONV_2D',
  'DEPTHWISE_CONV_2D',
  'DEPTH_TO_SPACE',
  'DEQUANTIZE',
  'EMBEDDING_LOOKUP',
  'FLOOR',
  'FULLY_CONNECTED',
  'HASHTABLE_LOOKUP',
  'L2_NORMALIZATION',
  'L2_POOL_2D',
  'LOCAL_RESPONSE_NORMALIZATION',
  'LOGISTIC',
  'LSH_PROJECTION',
  'LSTM',
  'MAX_POOL_2D',
  'MUL',
  'RELU',
  'RELU_N1_TO_1',
  'RELU6',
  'RESHAPE',
  'RESIZE_BILINEAR',
  'RNN',
  'SOFTMAX',
  'SPACE_TO_DEPTH',
  'SVDF',
  'TANH',
  'CONCAT_EMBEDDINGS',
  'SKIP_GRAM',
  'CALL',
  'CUSTOM',
  'EMBEDDING_LOOKUP_SPARSE',
  'PAD',
  'UNIDIRECTIONAL_SEQUENCE_RNN',
  'GATHER',
  'BATCH_TO_SPACE_ND',
  'SPACE_TO_BATCH_ND',
  'TRANSPOSE',
  'MEAN',
  'SUB',
  'DIV',
  'SQUEEZE',
  'UNIDIRECTIONAL_SEQUENCE_LSTM',
  'STRIDED_SLICE',
  'BIDIRECTIONAL_SEQUENCE_RNN',
  'EXP',
  'TOPK_V2',
  'SPLIT',
  'LOG_SOFTMAX',
  'DELEGATE',
  'BIDIRECTIONAL_SEQUENCE_LSTM',
  'CAST',
  'PRELU',
  'MAXIMUM',
  'ARG_MAX',
  'MINIMUM',
  'LESS',
  'NEG',
  'PADV2',
  'GREATER',
  'GREATER_EQUAL',
  'LESS_EQUAL',
  'SELECT',
  'SLICE',
  'SIN',
  'TRANSPOSE_CONV',
  'SPARSE_TO_DENSE',
  'TILE',
  'EXPAND_DIMS',
  'EQUAL',
  'NOT_EQUAL',
  'LOG',
  'SUM',
  'SQRT',
  'RSQRT',
  'SHAPE',
  'POW',
  'ARG_MIN',
  'FAKE_QUANT',
  'REDUCE_PROD',
  'REDUCE_MAX',
  'PACK',
  'LOGICAL_OR',
  'ONE_HOT',
  'LOGICAL_AND',
  'LOGICAL_NOT',
  'UNPACK',
  'REDUCE_MIN',
  'FLOOR_DIV',
  'REDUCE_ANY',
  'SQUARE',
  'ZEROS_LIKE',
  'FILL',
  'FLOOR_MOD',
  'RANGE',
  'RESIZE_NEAREST_NEIGHBOR',
  'LEAKY_RELU',
  'SQUARED_DIFFERENCE',
  'MIRROR_PAD',
  'ABS',
  'SPLIT_V',
  'UNIQUE',
  'CEIL',
  'REVERSE_V2',
  'ADD_N',
  'GATHER_ND',
  'COS',
  'WHERE',
  'RANK',
  'ELU',
  'REVERSE_SEQUENCE',
  'MATRIX_DIAG',
  'QUANTIZE',
  'MATRIX_SET_DIAG',
  'ROUND',
  'HARD_SWISH',
  'IF',
  'WHILE',
  'NON_MAX_SUPPRESSION_V4',
  'NON_MAX_SUPPRESSION_V5',
  'SCATTER_ND',
  'SELECT_V2',
  'DENSIFY',
  'SEGMENT_SUM',
  'BATCH_MATMUL',
] as const;

export interface TfliteTensor {
  readonly index: number;
  readonly name: string;
  /** Static shape; dynamic dimensions are listed as -1 in `shapeSignature`. */
  readonly shape: readonly number[];
  readonly shapeSignature: readonly number[] | undefined;
  readonly type: TfliteTensorType;
  /** Constant data (weights), or undefined for activations. */
  readonly data: Uint8Array | undefined;
  readonly quantized: boolean;
}

export interface TfliteOperator {
  readonly index: number;
  /** Builtin operator name (`CONV_2D`), `CUSTOM:<code>` or `BUILTIN_<n>`. */
  readonly opcode: string;
  /** Tensor indices; -1 marks an omitted optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** The builtin options table; read it with the accessor for `opcode`'s options type. */
  readonly options: FlatTable | undefined;
}

export interface TfliteGraph {
  readonly tensors: readonly TfliteTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly operators: readonly TfliteOperator[];
}

export interface TfliteModel {
  readonly version: number;
  readonly description: string | undefined;
  readonly graph: TfliteGraph;
}

/**
 * Parses the first subgraph of a TFLite flatbuffer (schema v3) into plain objects. Tensor data are
 * zero-copy views into `bytes`.
 *
 * @example
 * ```ts
 * const model = readTflite(new Uint8Array(await readFile('pnet.tflite')));
 * console.log(model.graph.operators.map((op) => op.opcode));
 * ```
 */
export function readTflite(bytes: Uint8Array): TfliteModel {
  try {
    return parse(bytes);
  } catch (error) {
    if (error instanceof FlatBufferError || error instanceof RangeError) {
      throw new TfliteFormatError('not a readable TFLite flatbuffer', { cause: error });
    }
    throw error;
  }
}

function parse(bytes: Uint8Array): TfliteModel {
  const root = FlatTable.root(bytes, 'TFL3');
  const opcodes = root.tables(1).map((code) => {
    const builtin = Math.max(code.int8(0, 0), code.int32(3, 0));
    if (builtin === 32) return `CUSTOM:${code.string(1) ?? ''}`;
    return BUILTIN_OPERATORS[builtin] ?? `BUILTIN_${builtin}`;
  });
  const buffers = root.tables(4).map((buffer) => {
    const inline = buffer.bytes(0);
    if (inline !== undefined && inline.length > 0) return inline;
    // Files over 2 GiB keep buffers after the flatbuffer, addressed from the start of the file.
    const offset = Number(buffer.uint64(1, 0n));
    const size = Number(buffer.uint64(2, 0n));
    if (offset > 1 && size > 0) {
      if (offset + size > bytes.length) throw new TfliteFormatError(`buffer at ${offset} overruns the file`);
      return bytes.subarray(offset, offset + size);
    }
    return undefined;
  });
  const subgraphs = root.tables(2);
  const main = subgraphs[0];
  if (main === undefined) throw new TfliteFormatError('the model has no subgraph');
  if (subgraphs.length > 1) throw new TfliteFormatError('models with several subgraphs are not supported');

  const tensors = main.tables(0).map((tensor, index): TfliteTensor => {
    const typeNumber = tensor.int8(1, 0);
    const type = TENSOR_TYPES[typeNumber];
    if (type === undefined) throw new TfliteFormatError(`tensor ${index} has unknown type ${typeNumber}`);
    const quantization = tensor.table(4);
    return {
      index,
      name: tensor.string(3) ?? `tensor_${index}`,
      shape: tensor.int32s(0) ?? [],
      shapeSignature: tensor.int32s(7),
      type,
      data: buffers[tensor.uint32(2, 0)],
      quantized: quantization !== undefined && (quantization.bytes(2)?.length ?? 0) > 0,
    };
  });
  const operators = main.tables(3).map((op, index): TfliteOperator => {
    const opcodeIndex = op.uint32(0, 0);
    const opcode = opcodes[opcodeIndex];
    if (opcode === undefined)
      throw new TfliteFormatError(`operator ${index} uses unknown opcode ${opcodeIndex}`);
    return {
      index,
      opcode,
      inputs: op.int32s(1) ?? [],
      outputs: op.int32s(2) ?? [],
      options: op.table(4),
    };
  });
  return {
    version: root.uint32(0, 0),
    description: root.string(3),
    graph: { tensors, inputs: main.int32s(1) ?? [], outputs: main.int32s(2) ?? [], operators },
  };
}
