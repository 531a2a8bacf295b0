import { ModelsError } from '../errors.ts';

/** Thrown when bytes are not a well-formed FlatBuffer (offsets out of range, truncated vectors). */
export class FlatBufferError extends ModelsError {
  override readonly code = 'FLAT_BUFFER';
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Read-only view of one FlatBuffer table: fields are addressed by their index in the schema
 * (`field 0` is the first field declared), and absent fields fall back to the schema default.
 *
 * Only what the TFLite schema needs is implemented: scalars, strings, sub-tables, and vectors of
 * scalars, bytes and tables. Every offset is bounds-checked, so a corrupt file fails with
 * `FlatBufferError` instead of reading garbage.
 *
 * @example
 * ```ts
 * const model = FlatTable.root(bytes, 'TFL3');
 * const version = model.uint32(0, 0);
 * ```
 */
export class FlatTable {
  readonly #view: DataView;
  readonly #pos: number;
  readonly #vtable: number;
  readonly #vtableSize: number;

  private constructor(view: DataView, pos: number) {
    this.#view = view;
    this.#pos = pos;
    checkRange(view, pos, 4);
    const vtable = pos - view.getInt32(pos, true);
    checkRange(view, vtable, 4);
    this.#vtable = vtable;
    this.#vtableSize = view.getUint16(vtable, true);
    checkRange(view, vtable, this.#vtableSize);
  }

  /**
   * Opens the root table of a buffer, optionally checking its 4-byte file identifier.
   *
   * @example
   * ```ts
   * const model = FlatTable.root(new Uint8Array(await readFile('pnet.tflite')), 'TFL3');
   * ```
   */
  static root(bytes: Uint8Array, fileIdentifier?: string): FlatTable {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkRange(view, 0, 8);
    if (fileIdentifier !== undefined) {
      const actual = String.fromCharCode(...bytes.subarray(4, 8));
      if (actual !== fileIdentifier) {
        throw new FlatBufferError(`expected file identifier "${fileIdentifier}", found "${actual}"`);
      }
    }
    return new FlatTable(view, view.getUint32(0, true));
  }

  /** Absolute position of field `index`, or 0 when the field is absent. */
  #field(index: number): number {
    const slot = 4 + 2 * index;
    if (slot + 2 > this.#vtableSize) return 0;
    const rel = this.#view.getUint16(this.#vtable + slot, true);
    return rel === 0 ? 0 : this.#pos + rel;
  }

  /** Follows the uoffset stored at `at`. */
  #deref(at: number): number {
    checkRange(this.#view, at, 4);
    return at + this.#view.getUint32(at, true);
  }

  has(index: number): boolean {
    return this.#field(index) !== 0;
  }

  uint8(index: number, fallback: number): number {
    const at = this.#field(index);
    return at === 0 ? fallback : this.#view.getUint8(at);
  }

  int8(index: number, fallback: number): number {
    const at = this.#field(index);
    return at === 0 ? fallback : this.#view.getInt8(at);
  }

  bool(index: number, fallback: boolean): boolean {
    const at = this.#field(index);
    return at === 0 ? fallback : this.#view.getUint8(at) !== 0;
  }

  int32(index: number, fallback: number): number {
    const at = this.#field(index);
    return at === 0 ? fallback : this.#view.getInt32(at, true);
  }

  uint32(index: number, fallback: number): number {
    const at = this.#field(index);
    return at === 0 ? fallback : this.#view.getUint32(at, true);
  }

  uint64(index: number, fallback: bigint): bigint {
    const at = this.#field(index);
    return at === 0 ? fallback : this.#view.getBigUint64(at, true);
  }

  float32(index: number, fallback: number): number {
    const at = this.#field(index);
    return at === 0 ? fallback : this.#view.getFloat32(at, true);
  }

  string(index: number): string | undefined {
    const bytes = this.bytes(index);
    return bytes === undefined ? undefined : textDecoder.decode(bytes);
  }

  table(index: number): FlatTable | undefined {
    const at = this.#field(index);
    return at === 0 ? undefined : new FlatTable(this.#view, this.#deref(at));
  }

  /** A `[ubyte]` vector (or string) as a zero-copy view. */
  bytes(index: number): Uint8Array | undefined {
    const vec = this.#vector(index, 1);
    if (vec === undefined) return undefined;
    return new Uint8Array(this.#view.buffer, this.#view.byteOffset + vec.start, vec.length);
  }

  int32s(index: number): number[] | undefined {
    const vec = this.#vector(index, 4);
    if (vec === undefined) return undefined;
    const out: number[] = [];
    for (let i = 0; i < vec.length; i++) out.push(this.#view.getInt32(vec.start + 4 * i, true));
    return out;
  }

  tables(index: number): FlatTable[] {
    const vec = this.#vector(index, 4);
    if (vec === undefined) return [];
    const out: FlatTable[] = [];
    for (let i = 0; i < vec.length; i++) out.push(new FlatTable(this.#view, this.#deref(vec.start + 4 * i)));
    return out;
  }

  #vector(index: number, elementSize: number): { start: number; length: number } | undefined {
    const at = this.#field(index);
    if (at === 0) return undefined;
    const header = this.#deref(at);
    checkRange(this.#view, header, 4);
    const length = this.#view.getUint32(header, true);
    checkRange(this.#view, header + 4, length * elementSize);
    return { start: header + 4, length };
  }
}

function checkRange(view: DataView, start: number, length: number): void {
  if (start < 0 || length < 0 || start + length > view.byteLength) {
    throw new FlatBufferError(`offset ${start}+${length} is outside the ${view.byteLength}-byte buffer`);
  }
}
