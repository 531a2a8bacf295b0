import { indexGraph, type WorkGraph, type WorkOp } from './graph.ts';

/**
 * Rewrites TensorFlow's elementwise expansions of PReLU back into one `PRELU` op, so ONNX gets a single
 * `PRelu` node instead of five. Two expansions occur in TF 1.x exports:
 * - `relu(x) + alpha * -relu(-x)` (facenet's MTCNN: `Relu`, `Neg`, `Relu`, `Neg`, `Mul`, `Add`)
 * - `relu(x) + c * (x - |x|)` with `c = alpha / 2` (slim-style PReLU in MobileFaceNet_TF)
 * Intermediate tensors must have no other consumer, or the graph is left as it is.
 *
 * @returns how many PReLUs were folded.
 * @example
 * ```ts
 * const folded = foldPrelu(graph); // 33 for MobileFaceNet
 * ```
 */
export function foldPrelu(graph: WorkGraph): number {
  const { producer, consumers } = indexGraph(graph);
  const outputs = new Set(graph.outputs);
  const single = (tensor: number) => (consumers.get(tensor)?.length ?? 0) === 1 && !outputs.has(tensor);
  const from = (tensor: number | undefined, opcode: string): WorkOp | undefined => {
    if (tensor === undefined || !single(tensor)) return undefined;
    const op = producer.get(tensor);
    return op?.opcode === opcode && fusedActivation(op) === 0 ? op : undefined;
  };
  const constant = (tensor: number | undefined) =>
    tensor === undefined ? undefined : graph.tensors[tensor]?.constant;

  const removed = new Set<WorkOp>();
  const replaced = new Map<WorkOp, WorkOp>();
  for (const add of graph.ops) {
    if (add.opcode !== 'ADD' || fusedActivation(add) !== 0 || add.inputs.length !== 2) continue;
    for (const [reluSide, mulSide] of [
      [add.inputs[0], add.inputs[1]],
      [add.inputs[1], add.inputs[0]],
    ] as const) {
      const relu = from(reluSide, 'RELU');
      const mul = from(mulSide, 'MUL');
      const x = relu?.inputs[0];
      if (relu === undefined || mul === undefined || x === undefined) continue;
      const alphaAt = mul.inputs.findIndex((t) => constant(t) instanceof Float32Array);
      const alphaTensor = mul.inputs[alphaAt];
      const other = mul.inputs[1 - alphaAt];
      const alpha = constant(alphaTensor);
      if (alphaTensor === undefined || !(alpha instanceof Float32Array)) continue;

      const expansion = matchNegReluNeg(other, x, from) ?? matchSubAbs(other, x, from);
      if (expansion === undefined) continue;
      const source = graph.tensors[alphaTensor];
      if (source === undefined) continue;
      const slope = graph.tensors.length;
      graph.tensors.push({
        index: slope,
        name: `${source.name}/prelu_slope`,
        shape: source.shape,
        type: 'float32',
        constant: alpha.map((v) => v * expansion.scale),
      });
      for (const op of [relu, mul, ...expansion.ops]) removed.add(op);
      replaced.set(add, {
        opcode: 'PRELU',
        inputs: [x, slope],
        outputs: add.outputs,
        options: undefined,
        origin: `${add.origin} (folded PReLU)`,
      });
      break;
    }
  }
  graph.ops = graph.ops.filter((op) => !removed.has(op)).map((op) => replaced.get(op) ?? op);
  return replaced.size;
}

type From = (tensor: number | undefined, opcode: string) => WorkOp | undefined;

function matchNegReluNeg(tensor: number | undefined, x: number, from: From) {
  const neg1 = from(tensor, 'NEG');
  const relu = from(neg1?.inputs[0], 'RELU');
  const neg0 = from(relu?.inputs[0], 'NEG');
  if (neg1 === undefined || relu === undefined || neg0 === undefined || neg0.inputs[0] !== x)
    return undefined;
  return { ops: [neg1, relu, neg0], scale: 1 };
}

function matchSubAbs(tensor: number | undefined, x: number, from: From) {
  const sub = from(tensor, 'SUB');
  const abs = from(sub?.inputs[1], 'ABS');
  if (sub === undefined || abs === undefined || sub.inputs[0] !== x || abs.inputs[0] !== x) return undefined;
  // x - |x| = 2 min(x, 0), so c (x - |x|) = 2c min(x, 0).
  return { ops: [sub, abs], scale: 2 };
}

/**
 * Rewrites TensorFlow's numerically-stable softmax expansion
 * `exp(x - max(x, a)) / sum(exp(x - max(x, a)), a)` into one `SOFTMAX` op over axis `a`.
 *
 * @returns how many softmaxes were folded.
 * @example
 * ```ts
 * foldSoftmax(graph); // 1 for each MTCNN network
 * ```
 */
export function foldSoftmax(graph: WorkGraph): number {
  const { producer, consumers } = indexGraph(graph);
  const outputs = new Set(graph.outputs);
  const uses = (tensor: number | undefined) =>
    tensor === undefined || outputs.has(tensor) ? -1 : (consumers.get(tensor)?.length ?? 0);
  const made = (tensor: number | undefined, opcode: string) => {
    const op = tensor === undefined ? undefined : producer.get(tensor);
    return op?.opcode === opcode && fusedActivation(op) === 0 ? op : undefined;
  };
  const reducedAxis = (op: WorkOp, rank: number): number | undefined => {
    const axes = graph.tensors[op.inputs[1] ?? -1]?.constant;
    const keepDims = op.options?.bool(0, false) ?? false;
    if (!(axes instanceof Int32Array) || axes.length !== 1 || !keepDims) return undefined;
    const axis = axes[0] ?? 0;
    return axis < 0 ? axis + rank : axis;
  };

  const removed = new Set<WorkOp>();
  const replaced = new Map<WorkOp, WorkOp>();
  for (const div of graph.ops) {
    if (div.opcode !== 'DIV' || fusedActivation(div) !== 0) continue;
    const [e, s] = div.inputs;
    const exp = made(e, 'EXP');
    const sum = made(s, 'SUM');
    const sub = made(exp?.inputs[0], 'SUB');
    const max = made(sub?.inputs[1], 'REDUCE_MAX');
    if (exp === undefined || sum === undefined || sub === undefined || max === undefined) continue;
    const x = sub.inputs[0];
    const rank = graph.tensors[x ?? -1]?.shape.length ?? 0;
    const axis = reducedAxis(max, rank);
    if (
      x === undefined ||
      max.inputs[0] !== x ||
      sum.inputs[0] !== e ||
      axis === undefined ||
      reducedAxis(sum, rank) !== axis ||
      uses(e) !== 2 ||
      uses(s) !== 1 ||
      uses(sub.outputs[0]) !== 1 ||
      uses(max.outputs[0]) !== 1
    ) {
      continue;
    }
    for (const op of [exp, sum, sub, max]) removed.add(op);
    replaced.set(div, {
      opcode: 'SOFTMAX',
      inputs: [x],
      outputs: div.outputs,
      options: undefined,
      origin: `${div.origin} (folded softmax)`,
      axis,
    });
  }
  graph.ops = graph.ops.filter((op) => !removed.has(op)).map((op) => replaced.get(op) ?? op);
  return replaced.size;
}

/** ADD/SUB/MUL/DIV keep `fused_activation_function` in options field 0. */
function fusedActivation(op: WorkOp): number {
  return ['ADD', 'SUB', 'MUL', 'DIV'].includes(op.opcode) ? (op.options?.int8(0, 0) ?? 0) : 0;
}
