import { TorchFormatError, UnsafePickleError } from '../errors.ts';

/** A reference to a raw storage in the archive (`archive/data/<key>`), produced by `BINPERSID`. */
export interface StorageRef {
  kind: 'storage';
  key: string;
  dtype: 'float32';
  numel: number;
}

/** A tensor view over a storage, produced by `torch._utils._rebuild_tensor_v2`. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}

/** An allowed global before it is called. */
export interface PickleGlobal {
  kind: 'global';
  name: string;
}

export interface PickleTuple {
  kind: 'tuple';
  items: PickleValue[];
}

export interface PickleDict {
  kind: 'dict';
  entries: [PickleValue, PickleValue][];
}

/** Everything the restricted VM can produce. Python lists are JS arrays. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | PickleGlobal
  | StorageRef
  | TensorRef;

const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const FLOAT_STORAGE = 'torch.FloatStorage';
const ORDERED_DICT = 'collections.OrderedDict';
/** Never widen this casually: a global is the only way a pickle can run code. */
const ALLOWED_GLOBALS = new Set([REBUILD_TENSOR, FLOAT_STORAGE, ORDERED_DICT]);

function isTuple(value: PickleValue | undefined): value is PickleTuple {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.kind === 'tuple';
}

function isGlobal(value: PickleValue | undefined, name: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    value.kind === 'global' &&
    value.name === name
  );
}

/** Most dimensions a tensor may have; torch itself stops at a few dozen. */
export const MAX_TENSOR_RANK = 32;

/** Sizes, strides, offsets and element counts: a non-negative safe integer (`min` 1 for strides). */
function count(value: PickleValue | undefined, what: string, min = 0): number {
  // LONG1 yields numbers for every safe integer, so a bigint here is out of range by construction.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  throw new TorchFormatError(
    `expected an integer ≥ ${min} for ${what}, got ${typeof value === 'bigint' ? 'a huge integer' : String(value)}`,
  );
}

function countTuple(value: PickleValue | undefined, what: string, min = 0): number[] {
  if (!isTuple(value)) throw new TorchFormatError(`expected a tuple for ${what}`);
  if (value.items.length > MAX_TENSOR_RANK) {
    throw new TorchFormatError(`${what} has ${value.items.length} dimensions, more than ${MAX_TENSOR_RANK}`);
  }
  return value.items.map((v) => count(v, what, min));
}

function persistentLoad(pid: PickleValue | undefined): StorageRef {
  // torch.save writes ('storage', <StorageType>, key, location, numel).
  if (!isTuple(pid) || pid.items[0] !== 'storage') throw new TorchFormatError('unsupported persistent id');
  const [, type, key, , numel] = pid.items;
  if (!isGlobal(type, FLOAT_STORAGE)) throw new TorchFormatError('only float32 storages are supported');
  if (typeof key !== 'string') throw new TorchFormatError('storage key must be a string');
  return { kind: 'storage', key, dtype: 'float32', numel: count(numel, 'storage size') };
}

function reduce(callable: PickleValue | undefined, args: PickleValue | undefined): PickleValue {
  if (!isTuple(args)) throw new TorchFormatError('REDUCE arguments must be a tuple');
  if (isGlobal(callable, REBUILD_TENSOR)) {
    const [storage, offset, size, stride] = args.items;
    if (
      typeof storage !== 'object' ||
      storage === null ||
      Array.isArray(storage) ||
      storage.kind !== 'storage'
    ) {
      throw new TorchFormatError('_rebuild_tensor_v2 expects a storage');
    }
    const tensor: TensorRef = {
      kind: 'tensor',
      storage,
      offset: count(offset, 'storage offset'),
      size: countTuple(size, 'tensor size'),
      // Stride 0 (expand) and negative strides let a few bytes describe an unbounded tensor; torch.save of
      // an ordinary tensor never writes them.
      stride: countTuple(stride, 'tensor stride', 1),
    };
    if (tensor.size.length !== tensor.stride.length)
      throw new TorchFormatError('tensor size and stride differ in rank');
    return tensor;
  }
  if (isGlobal(callable, ORDERED_DICT)) {
    if (args.items.length !== 0) throw new TorchFormatError('OrderedDict with arguments is not supported');
    return { kind: 'dict', entries: [] };
  }
  throw new UnsafePickleError('REDUCE on something other than an allowed callable');
}

/** Limits on the restricted pickle VM; every one is also bounded by the pickle's length. */
export interface PickleLimits {
  /** Most values on the VM stack at once (default 1 000 000). */
  maxStack?: number;
  /** Most memo entries (default 1 000 000). */
  maxMemo?: number;
  /** Deepest MARK nesting (default 10 000). */
  maxMarks?: number;
}

/**
 * Runs a restricted pickle VM (protocols 2–5 opcodes that `torch.save` emits for tensors, lists, tuples,
 * dicts, strings and numbers). Globals outside an allow-list of three names are refused with
 * {@link UnsafePickleError} before anything else happens; nothing is ever imported or executed. The stack,
 * memo and MARK depth are capped ({@link PickleLimits}), and invalid UTF-8 or any other malformation ends in
 * {@link TorchFormatError}.
 *
 * @example
 * ```ts
 * const value = unpickle(zip.read(zip.find('archive/data.pkl')!)); // [tensors[], names[]]
 * ```
 */
export function unpickle(bytes: Uint8Array, limits: PickleLimits = {}): PickleValue {
  const maxStack = limits.maxStack ?? 1_000_000;
  const maxMemo = limits.maxMemo ?? 1_000_000;
  const maxMarks = limits.maxMarks ?? 10_000;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;

  const need = (n: number): void => {
    if (pos + n > bytes.length) throw new TorchFormatError('pickle is truncated');
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++] ?? 0;
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const str = (n: number): string => {
    need(n);
    let s: string;
    try {
      s = text.decode(bytes.subarray(pos, pos + n));
    } catch (error) {
      throw new TorchFormatError(`pickle string at byte ${pos} is not valid UTF-8`, { cause: error });
    }
    pos += n;
    return s;
  };
  const push = (value: PickleValue): void => {
    if (stack.length >= maxStack) throw new TorchFormatError(`pickle stack exceeds ${maxStack} values`);
    stack.push(value);
  };
  const put = (key: number): void => {
    if (memo.size >= maxMemo && !memo.has(key))
      throw new TorchFormatError(`pickle memo exceeds ${maxMemo} entries`);
    memo.set(key, top());
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new TorchFormatError('pickle is truncated');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    if (stack.length === 0) throw new TorchFormatError('pickle stack underflow');
    return stack.pop() ?? null;
  };
  const top = (): PickleValue => {
    const value = stack[stack.length - 1];
    if (value === undefined) throw new TorchFormatError('pickle stack underflow');
    return value;
  };
  const popMark = (): PickleValue[] => {
    const mark = marks.pop();
    if (mark === undefined) throw new TorchFormatError('pickle MARK missing');
    return stack.splice(mark);
  };
  const get = (key: number): PickleValue => {
    const value = memo.get(key);
    if (value === undefined) throw new TorchFormatError(`pickle memo ${key} is not set`);
    return value;
  };
  const global = (name: string): PickleGlobal => {
    if (!ALLOWED_GLOBALS.has(name)) throw new UnsafePickleError(`refusing pickle global '${name}'`);
    return { kind: 'global', name };
  };
  const appendTo = (target: PickleValue, items: PickleValue[]): void => {
    if (!Array.isArray(target)) throw new TorchFormatError('APPEND target is not a list');
    // A spread passes every item as an argument and throws RangeError past ~100k items.
    for (const item of items) target.push(item);
  };
  const setItems = (target: PickleValue, items: PickleValue[]): void => {
    if (typeof target !== 'object' || target === null || Array.isArray(target) || target.kind !== 'dict') {
      throw new TorchFormatError('SETITEM target is not a dict');
    }
    for (let i = 0; i + 1 < items.length; i += 2)
      target.entries.push([items[i] ?? null, items[i + 1] ?? null]);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME: framing is only a read-ahead hint.
        need(8);
        pos += 8;
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        if (marks.length >= maxMarks) throw new TorchFormatError(`pickle MARKs nest deeper than ${maxMarks}`);
        marks.push(stack.length);
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x7d: // EMPTY_DICT
        push({ kind: 'dict', entries: [] });
        break;
      case 0x29: // EMPTY_TUPLE
        push({ kind: 'tuple', items: [] });
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x4a: // BININT
        push(u32() | 0);
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes.
        const n = u8();
        need(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[pos + i] ?? 0);
        if (n > 0 && ((bytes[pos + n - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * n);
        pos += n;
        push(
          value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(value)
            : value,
        );
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(str(u8()));
        break;
      case 0x58: // BINUNICODE
        push(str(u32()));
        break;
      case 0x8d: {
        // BINUNICODE8
        need(8);
        const n = Number(view.getBigUint64(pos, true));
        pos += 8;
        push(str(n));
        break;
      }
      case 0x71: // BINPUT
        put(u8());
        break;
      case 0x72: // LONG_BINPUT
        put(u32());
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        push(get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        push(get(u32()));
        break;
      case 0x63: {
        // GLOBAL 'module\nname\n'
        const module = line();
        push(global(`${module}.${line()}`));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw new TorchFormatError('bad STACK_GLOBAL');
        push(global(`${module}.${name}`));
        break;
      }
      case 0x51: // BINPERSID
        push(persistentLoad(pop()));
        break;
      case 0x74: // TUPLE
        push({ kind: 'tuple', items: popMark() });
        break;
      case 0x85: // TUPLE1
        push({ kind: 'tuple', items: [pop()] });
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        push({ kind: 'tuple', items: [pop(), b] });
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        push({ kind: 'tuple', items: [pop(), b, c] });
        break;
      }
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        appendTo(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendTo(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        push(reduce(pop(), args));
        break;
      }
      default:
        throw new TorchFormatError(`unsupported pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}
