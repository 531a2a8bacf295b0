import { readFile } from 'node:fs/promises';
import {
  type Gallery,
  parseGallery,
  readTorchGallery,
  serializeGallery,
  TorchFormatError,
} from '@frs/vision/gallery';
import { beforeAll, describe, expect, it } from 'vitest';
import { random as seededRandom } from '../src/eval/protocol.ts';
import { galleryPtPath } from './fixtures/torch.ts';

/** Fixed so that a failure reproduces; FRS_FUZZ_SEED / FRS_FUZZ_COUNT explore further. */
const SEED = Number(process.env.FRS_FUZZ_SEED ?? 0x5eed11);
const COUNT = Number(process.env.FRS_FUZZ_COUNT ?? 3000);
const TOTAL_MS = 90_000;
const PER_INPUT_MS = 2_000;
const MiB = 1024 * 1024;
/** Peak growth allowed over the whole run; the real file is 178 KiB and its gallery about 200 KiB. */
const MAX_HEAP_GROWTH = 192 * MiB;
const MAX_RSS_GROWTH = 320 * MiB;

/** Where the interesting structures of the pristine file lie, found by reading its central directory. */
interface Layout {
  pickle: { start: number; end: number };
  /** Offsets of each central directory record, of the local headers, of the (zip64) end records. */
  centrals: number[];
  locals: number[];
  eocd: number;
  zip64: number[];
}

function layoutOf(bytes: Uint8Array): Layout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = bytes.byteLength - 22;
  expect(view.getUint32(eocd, true)).toBe(0x06054b50);
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const centrals: number[] = [];
  const locals: number[] = [];
  let pickle = { start: 0, end: 0 };
  for (let i = 0; i < count; i++) {
    centrals.push(at);
    const nameLength = view.getUint16(at + 28, true);
    const name = Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString();
    const local = view.getUint32(at + 42, true);
    locals.push(local);
    if (name.endsWith('/data.pkl')) {
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      pickle = { start, end: start + view.getUint32(at + 20, true) };
    }
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  expect(pickle.end).toBeGreaterThan(pickle.start);
  return { pickle, centrals, locals, eocd, zip64: [eocd - 20, view.getUint32(eocd - 12, true)] };
}

type Rng = () => number;
const below = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[below(rng, items.length)] as T;
/** Values that break size and offset arithmetic: zero, one, sign bits, saturation. */
const EXTREMES = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
];
/** Pickle opcodes worth dropping into a stream: containers, memo, marks, stop, and unsupported ones. */
const OPCODES = [
  0x28, 0x2e, 0x29, 0x5d, 0x7d, 0x4e, 0x61, 0x65, 0x73, 0x75, 0x74, 0x85, 0x86, 0x87, 0x52, 0x51, 0x71, 0x72,
  0x94, 0x68, 0x6a, 0x4b, 0x4d, 0x4a, 0x8a, 0x58, 0x8c, 0x8d, 0x93, 0x63, 0x95, 0x6c, 0x30, 0x31, 0x32,
];

function writeUint(out: Uint8Array, at: number, width: 1 | 2 | 4 | 8, value: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (at < 0 || at + width > out.byteLength) return;
  if (width === 1) view.setUint8(at, value & 0xff);
  else if (width === 2) view.setUint16(at, value & 0xffff, true);
  else if (width === 4) view.setUint32(at, value >>> 0, true);
  else view.setBigUint64(at, BigInt(value >>> 0) * BigInt(1 + (value & 0xff)), true);
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  return Buffer.concat([
    bytes.subarray(0, at),
    insert,
    bytes.subarray(Math.min(bytes.byteLength, at + remove)),
  ]);
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = below(rng, 256);
  return out;
}

/** Each mutator returns a changed copy and a label that says what it did (for a failure report). */
type Mutator = (rng: Rng, bytes: Uint8Array, layout: Layout) => { bytes: Uint8Array; label: string };

const mutators: Record<string, { weight: number; run: Mutator }> = {
  flip: {
    weight: 3,
    run: (rng, bytes) => {
      const out = Uint8Array.from(bytes);
      const n = 1 + below(rng, 16);
      for (let i = 0; i < n; i++) {
        const at = below(rng, out.length);
        out[at] = (out[at] ?? 0) ^ (1 << below(rng, 8));
      }
      return { bytes: out, label: `flip ${n} bits` };
    },
  },
  truncate: {
    weight: 3,
    run: (rng, bytes) => {
      const at = below(rng, bytes.byteLength);
      return { bytes: bytes.slice(0, at), label: `truncate at ${at}` };
    },
  },
  insert: {
    weight: 2,
    run: (rng, bytes) => {
      const at = below(rng, bytes.byteLength + 1);
      const n = 1 + below(rng, 64);
      return { bytes: splice(bytes, at, 0, randomBytes(rng, n)), label: `insert ${n} random bytes at ${at}` };
    },
  },
  duplicate: {
    weight: 2,
    run: (rng, bytes) => {
      const from = below(rng, bytes.byteLength);
      const n = 1 + below(rng, 4096);
      const at = below(rng, bytes.byteLength + 1);
      const chunk = bytes.slice(from, from + n);
      return {
        bytes: splice(bytes, at, 0, chunk),
        label: `copy ${chunk.length} bytes from ${from} to ${at}`,
      };
    },
  },
  remove: {
    weight: 2,
    run: (rng, bytes) => {
      const at = below(rng, bytes.byteLength);
      const n = 1 + below(rng, 512);
      return { bytes: splice(bytes, at, n, new Uint8Array()), label: `remove ${n} bytes at ${at}` };
    },
  },
  pickleByte: {
    weight: 3,
    run: (rng, bytes, { pickle }) => {
      const out = Uint8Array.from(bytes);
      const n = 1 + below(rng, 4);
      for (let i = 0; i < n; i++) out[pickle.start + below(rng, pickle.end - pickle.start)] = below(rng, 256);
      return { bytes: out, label: `set ${n} pickle bytes` };
    },
  },
  pickleInteger: {
    weight: 4,
    run: (rng, bytes, { pickle }) => {
      // Operands of BININT1/BININT2/BININT (sizes, strides, numel, offsets, string lengths) set to extremes.
      const out = Uint8Array.from(bytes);
      const ops: number[] = [];
      for (let i = pickle.start; i < pickle.end; i++) {
        const b = out[i];
        if (b === 0x4b || b === 0x4d || b === 0x4a || b === 0x58) ops.push(i);
      }
      const at = pick(rng, ops);
      const width = out[at] === 0x4b ? 1 : out[at] === 0x4d ? 2 : 4;
      const value = pick(rng, EXTREMES);
      writeUint(out, at + 1, width, value);
      return { bytes: out, label: `pickle operand at ${at} (op 0x${out[at]?.toString(16)}) := ${value}` };
    },
  },
  pickleOpcode: {
    weight: 3,
    run: (rng, bytes, { pickle }) => {
      // Inserted inside the pickle member without fixing its size, or overwriting one byte: both happen.
      const at = pickle.start + below(rng, pickle.end - pickle.start);
      const op = pick(rng, OPCODES);
      if (rng() < 0.5) {
        const out = Uint8Array.from(bytes);
        out[at] = op;
        return { bytes: out, label: `pickle opcode 0x${op.toString(16)} over byte ${at}` };
      }
      return {
        bytes: splice(bytes, at, 1, Uint8Array.of(op)),
        label: `pickle opcode 0x${op.toString(16)} at ${at}`,
      };
    },
  },
  central: {
    weight: 4,
    run: (rng, bytes, { centrals }) => {
      const out = Uint8Array.from(bytes);
      const at = pick(rng, centrals);
      // method, compressed size, size, name/extra/comment length, local header offset
      const [field, width] = pick(rng, [
        [10, 2],
        [20, 4],
        [24, 4],
        [28, 2],
        [30, 2],
        [32, 2],
        [42, 4],
      ] as const);
      const value = rng() < 0.8 ? pick(rng, EXTREMES) : below(rng, 2 ** 32);
      writeUint(out, at + field, width, value);
      return { bytes: out, label: `central record at ${at} field +${field} := ${value}` };
    },
  },
  endRecords: {
    weight: 3,
    run: (rng, bytes, { eocd, zip64 }) => {
      const out = Uint8Array.from(bytes);
      const [base, field, width] = pick(rng, [
        [eocd, 8, 2],
        [eocd, 10, 2],
        [eocd, 12, 4],
        [eocd, 16, 4],
        [eocd, 20, 2],
        [zip64[0] ?? 0, 8, 8],
        [zip64[1] ?? 0, 24, 8],
        [zip64[1] ?? 0, 32, 8],
        [zip64[1] ?? 0, 40, 8],
        [zip64[1] ?? 0, 48, 8],
      ] as const);
      const value = pick(rng, EXTREMES);
      writeUint(out, base + field, width, value);
      return { bytes: out, label: `end record at ${base} field +${field} := ${value}` };
    },
  },
  local: {
    weight: 2,
    run: (rng, bytes, { locals }) => {
      const out = Uint8Array.from(bytes);
      const at = pick(rng, locals);
      const [field, width] = pick(rng, [
        [0, 4],
        [8, 2],
        [26, 2],
        [28, 2],
      ] as const);
      const value = pick(rng, EXTREMES);
      writeUint(out, at + field, width, value);
      return { bytes: out, label: `local header at ${at} field +${field} := ${value}` };
    },
  },
};

function mutate(rng: Rng, bytes: Uint8Array, layout: Layout): { bytes: Uint8Array; label: string } {
  const entries = Object.values(mutators);
  const total = entries.reduce((n, m) => n + m.weight, 0);
  const choose = (): Mutator => {
    let r = rng() * total;
    for (const m of entries) {
      r -= m.weight;
      if (r < 0) return m.run;
    }
    return mutators.flip?.run ?? ((_, b) => ({ bytes: b, label: 'none' }));
  };
  // One mutation most of the time, sometimes two or three stacked (on the pristine layout: offsets may drift).
  const rounds = rng() < 0.75 ? 1 : 2 + below(rng, 2);
  let out = { bytes, label: '' };
  for (let i = 0; i < rounds; i++) {
    const next = choose()(rng, out.bytes, layout);
    out = { bytes: next.bytes, label: out.label ? `${out.label}; ${next.label}` : next.label };
  }
  return out;
}

/** A gallery the reader returns must be usable: unit vectors of the model's dimension, named, serialisable. */
function checkGallery(gallery: Gallery): void {
  expect(gallery.model.dimension).toBe(512);
  for (const person of gallery.people) {
    expect(person.name.length).toBeGreaterThan(0);
    for (const { vector } of person.embeddings) {
      expect(vector).toHaveLength(512);
      let sum = 0;
      for (const v of vector) sum += v * v;
      expect(Math.abs(sum - 1)).toBeLessThan(1e-3);
    }
  }
  expect(parseGallery(serializeGallery(gallery), gallery.model).people).toHaveLength(gallery.people.length);
}

describe('Function: readTorchGallery() under fuzzing', () => {
  let pristine: Uint8Array;
  let layout: Layout;
  beforeAll(async () => {
    pristine = await readFile(galleryPtPath());
    layout = layoutOf(pristine);
  });

  it(`returns a valid gallery or throws TorchFormatError for each of ${COUNT} mutated copies of the real .pt file, within time and memory bounds`, async ({
    annotate,
  }) => {
    const rng = seededRandom(SEED);
    const unexpected: string[] = [];
    let parsed = 0;
    let typed = 0;
    let slowest = 0;
    globalThis.gc?.();
    const base = process.memoryUsage();
    let peakHeap = 0;
    let peakRss = 0;
    const started = performance.now();
    for (let i = 0; i < COUNT; i++) {
      const { bytes, label } = mutate(rng, pristine, layout);
      const t0 = performance.now();
      try {
        const gallery = readTorchGallery(bytes);
        checkGallery(gallery);
        parsed++;
      } catch (error) {
        if (error instanceof TorchFormatError) typed++;
        else if (unexpected.length < 20) unexpected.push(`#${i} ${label}: ${String(error)}`);
        else unexpected.push(`#${i}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed + now.arrayBuffers - base.heapUsed - base.arrayBuffers);
      peakRss = Math.max(peakRss, now.rss - base.rss);
      if (performance.now() - started > TOTAL_MS) {
        unexpected.push(`time budget of ${TOTAL_MS} ms exhausted after ${i + 1} inputs`);
        break;
      }
    }
    const elapsed = performance.now() - started;
    await annotate(
      `seed 0x${SEED.toString(16)}: ${COUNT} mutated inputs, ${parsed} parsed to a valid gallery, ${typed} TorchFormatError, ${unexpected.length} other; ${Math.round(elapsed)} ms total, slowest ${Math.round(slowest)} ms, peak growth heap+arrayBuffers ${(peakHeap / MiB).toFixed(1)} MiB, RSS ${(peakRss / MiB).toFixed(1)} MiB`,
    );
    expect(unexpected).toEqual([]);
    expect(parsed + typed).toBe(COUNT);
    expect(typed).toBeGreaterThan(COUNT / 2);
    expect(slowest).toBeLessThan(PER_INPUT_MS);
    expect(peakHeap).toBeLessThan(MAX_HEAP_GROWTH);
    expect(peakRss).toBeLessThan(MAX_RSS_GROWTH);
  }, 120_000);
});
