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

function int(value: PickleValue | undefined, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= 0n)
    return Number(value);
  throw new TorchFormatError(`expected an integer for ${what}`);
}

function intTuple(value: PickleValue | undefined, what: string): number[] {
  if (!isTuple(value)) throw new TorchFormatError(`expected a tuple for ${what}`);
  return value.items.map((v) => int(v, what));
}

function persistentLoad(pid: PickleValue | undefined): StorageRef {
  // torch.save writes ('storage', <StorageType>, key, location, numel).
  if (!isTuple(pid) || pid.items[0] !== 'storage') throw new TorchFormatError('unsupported persistent id');
  const [, type, key, , numel] = pid.items;
  if (!isGlobal(type, FLOAT_STORAGE)) throw new TorchFormatError('only float32 storages are supported');
  if (typeof key !== 'string') throw new TorchFormatError('storage key must be a string');
  return { kind: 'storage', key, dtype: 'float32', numel: int(numel, 'storage size') };
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
    return {
      kind: 'tensor',
      storage,
      offset: int(offset, 'storage offset'),
      size: intTuple(size, 'tensor size'),
      stride: intTuple(stride, 'tensor stride'),
    };
  }
  if (isGlobal(callable, ORDERED_DICT)) {
    if (args.items.length !== 0) throw new TorchFormatError('OrderedDict with arguments is not supported');
    return { kind: 'dict', entries: [] };
  }
  throw new UnsafePickleError('REDUCE on something other than an allowed callable');
}

/**
 * Runs a restricted pickle VM (protocols 2–5 opcodes that `torch.save` emits for tensors, lists, tuples,
 * dicts, strings and numbers). Globals outside an allow-list of three names are refused with
 * {@link UnsafePickleError} before anything else happens; nothing is ever imported or executed.
 *
 * @example
 * ```ts
 * const value = unpickle(zip.read(zip.find('archive/data.pkl')!)); // [tensors[], names[]]
 * ```
 */
export function unpickle(bytes: Uint8Array): PickleValue {
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
    const s = text.decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
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
    target.push(...items);
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
        marks.push(stack.length);
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: 'dict', entries: [] });
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: 'tuple', items: [] });
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(u32() | 0);
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes.
        const n = u8();
        need(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[pos + i] ?? 0);
        if (n > 0 && ((bytes[pos + n - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(
          value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(value)
            : value,
        );
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8()));
        break;
      case 0x58: // BINUNICODE
        stack.push(str(u32()));
        break;
      case 0x8d: {
        // BINUNICODE8
        need(8);
        const n = Number(view.getBigUint64(pos, true));
        pos += 8;
        stack.push(str(n));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(u32()));
        break;
      case 0x63: {
        // GLOBAL 'module\nname\n'
        const module = line();
        stack.push(global(`${module}.${line()}`));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw new TorchFormatError('bad STACK_GLOBAL');
        stack.push(global(`${module}.${name}`));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistentLoad(pop()));
        break;
      case 0x74: // TUPLE
        stack.push({ kind: 'tuple', items: popMark() });
        break;
      case 0x85: // TUPLE1
        stack.push({ kind: 'tuple', items: [pop()] });
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push({ kind: 'tuple', items: [pop(), b] });
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push({ kind: 'tuple', items: [pop(), b, c] });
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
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
        stack.push(reduce(pop(), args));
        break;
      }
      default:
        throw new TorchFormatError(`unsupported pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}
