import { ModelsError } from '../errors.ts';

const textEncoder = new TextEncoder();

/**
 * Append-only protobuf (proto3 wire format) encoder: just enough for ONNX's `ModelProto`.
 * Fields are written in call order, so the same calls always give the same bytes.
 *
 * @example
 * ```ts
 * const w = new ProtoWriter();
 * w.int64(1, 8).string(2, 'frs');
 * const bytes = w.finish();
 * ```
 */
export class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #scratch: number[] = [];
  #length = 0;

  #flushScratch(): void {
    if (this.#scratch.length === 0) return;
    this.#push(Uint8Array.from(this.#scratch));
    this.#scratch = [];
  }

  #push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  #varint(value: bigint | number): void {
    // Negative int64 values are sent as their 64-bit two's complement, i.e. ten bytes.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.#scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#scratch.push(Number(v));
  }

  #tag(field: number, wireType: number): void {
    this.#varint((field << 3) | wireType);
  }

  /** Varint field (int32, int64, enum, bool). */
  int64(field: number, value: number | bigint): this {
    this.#tag(field, 0);
    this.#varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.#tag(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.#scratch.push(...bytes);
    return this;
  }

  /** Fixed-width field (wire type 1 or 5) given as its little-endian bytes. */
  fixed(field: number, wireType: 1 | 5, value: Uint8Array): this {
    this.#tag(field, wireType);
    this.#scratch.push(...value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, 2);
    this.#varint(value.length);
    this.#flushScratch();
    this.#push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Embedded message: `build` writes the sub-message's fields. */
  message(field: number, build: (writer: ProtoWriter) => void): this {
    const sub = new ProtoWriter();
    build(sub);
    return this.bytes(field, sub.finish());
  }

  packedInt64(field: number, values: readonly number[]): this {
    const sub = new ProtoWriter();
    for (const v of values) sub.#varint(v);
    return this.bytes(field, sub.finish());
  }

  packedFloat(field: number, values: readonly number[]): this {
    const bytes = new Uint8Array(4 * values.length);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => {
      view.setFloat32(4 * i, v, true);
    });
    return this.bytes(field, bytes);
  }

  finish(): Uint8Array {
    this.#flushScratch();
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

/** Thrown when bytes are not valid protobuf wire format. */
export class ProtoFormatError extends ModelsError {
  override readonly code = 'PROTO_FORMAT';
}

/** One decoded field; `value` is a bigint for varints, the raw bytes otherwise. */
export type ProtoField =
  | { readonly field: number; readonly wireType: 0; readonly value: bigint }
  | { readonly field: number; readonly wireType: 1 | 2 | 5; readonly value: Uint8Array };

/**
 * Splits one protobuf message into its fields, in order, without a schema. Used to read and re-write
 * ONNX files field by field, so fields this code does not know survive untouched.
 *
 * @example
 * ```ts
 * const opset = readProtoFields(bytes).filter((f) => f.field === 8);
 * ```
 */
export function readProtoFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[at++];
      if (byte === undefined) throw new ProtoFormatError('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtoFormatError('varint longer than 10 bytes');
    }
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new ProtoFormatError(`field of ${n} bytes overruns the message`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) fields.push({ field, wireType, value: varint() });
    else if (wireType === 1) fields.push({ field, wireType, value: take(8) });
    else if (wireType === 5) fields.push({ field, wireType, value: take(4) });
    else if (wireType === 2) fields.push({ field, wireType, value: take(Number(varint())) });
    else throw new ProtoFormatError(`unsupported wire type ${wireType} for field ${field}`);
  }
  return fields;
}

/**
 * Re-encodes fields read by `readProtoFields` (possibly edited) into a message.
 *
 * @example
 * ```ts
 * const same = writeProtoFields(readProtoFields(bytes)); // byte-identical for canonical input
 * ```
 */
export function writeProtoFields(fields: readonly ProtoField[]): Uint8Array {
  const w = new ProtoWriter();
  for (const f of fields) {
    if (f.wireType === 0) w.int64(f.field, f.value);
    else if (f.wireType === 2) w.bytes(f.field, f.value);
    else w.fixed(f.field, f.wireType, f.value);
  }
  return w.finish();
}
