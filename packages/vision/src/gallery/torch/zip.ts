import { inflateRawSync } from 'node:zlib';
import { TorchFormatError } from '../errors.ts';

/** One member of a ZIP archive, located through the central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const U32_MAX = 0xffffffff;

function u64(view: DataView, offset: number): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TorchFormatError('zip offset beyond 2^53');
  return Number(value);
}

/**
 * A minimal ZIP reader: central directory (with ZIP64 sizes/offsets), stored and deflated members. It is
 * enough for `torch.save` archives, which store members uncompressed and 64-byte aligned.
 *
 * @example
 * ```ts
 * const zip = new ZipReader(bytes);
 * const pickle = zip.read(zip.entries.find((e) => e.name.endsWith('/data.pkl'))!);
 * ```
 */
export class ZipReader {
  readonly entries: readonly ZipEntry[];
  readonly #bytes: Uint8Array;
  readonly #view: DataView;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.entries = this.#readCentralDirectory();
  }

  #readCentralDirectory(): ZipEntry[] {
    const view = this.#view;
    // The end record sits in the last 22 bytes plus an optional comment of up to 64 KiB.
    let eocd = -1;
    for (let i = view.byteLength - 22; i >= Math.max(0, view.byteLength - 22 - 0xffff); i--) {
      if (view.getUint32(i, true) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new TorchFormatError('not a zip archive (no end-of-central-directory record)');
    let count = view.getUint16(eocd + 10, true);
    let offset = view.getUint32(eocd + 16, true);
    const locator = eocd - 20;
    if (locator >= 0 && view.getUint32(locator, true) === ZIP64_EOCD_LOCATOR_SIGNATURE) {
      const zip64 = u64(view, locator + 8);
      if (zip64 + 56 > view.byteLength || view.getUint32(zip64, true) !== ZIP64_EOCD_SIGNATURE) {
        throw new TorchFormatError('broken zip64 end-of-central-directory record');
      }
      count = u64(view, zip64 + 32);
      offset = u64(view, zip64 + 48);
    }
    const entries: ZipEntry[] = [];
    for (let n = 0; n < count; n++) {
      if (offset + 46 > view.byteLength || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) {
        throw new TorchFormatError(`broken zip central directory at entry ${n}`);
      }
      const method = view.getUint16(offset + 10, true);
      let compressedSize = view.getUint32(offset + 20, true);
      let size = view.getUint32(offset + 24, true);
      const nameLength = view.getUint16(offset + 28, true);
      const extraLength = view.getUint16(offset + 30, true);
      const commentLength = view.getUint16(offset + 32, true);
      let localHeaderOffset = view.getUint32(offset + 42, true);
      const name = new TextDecoder().decode(this.#bytes.subarray(offset + 46, offset + 46 + nameLength));
      // ZIP64 extra field: the 64-bit values appear only for the fields saturated at 0xFFFFFFFF, in this order.
      let extra = offset + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd) {
        const id = view.getUint16(extra, true);
        const length = view.getUint16(extra + 2, true);
        if (id === 0x0001) {
          let field = extra + 4;
          if (size === U32_MAX) {
            size = u64(view, field);
            field += 8;
          }
          if (compressedSize === U32_MAX) {
            compressedSize = u64(view, field);
            field += 8;
          }
          if (localHeaderOffset === U32_MAX) localHeaderOffset = u64(view, field);
        }
        extra += 4 + length;
      }
      entries.push({ name, method, compressedSize, size, localHeaderOffset });
      offset = extraEnd + commentLength;
    }
    return entries;
  }

  /** Finds a member by exact name. */
  find(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  /** Returns a member's bytes (a view into the archive for stored members). */
  read(entry: ZipEntry): Uint8Array {
    const view = this.#view;
    const at = entry.localHeaderOffset;
    if (at + 30 > view.byteLength || view.getUint32(at, true) !== LOCAL_SIGNATURE) {
      throw new TorchFormatError(`broken zip local header for ${entry.name}`);
    }
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const end = start + entry.compressedSize;
    if (end > view.byteLength) throw new TorchFormatError(`zip member ${entry.name} is truncated`);
    const data = this.#bytes.subarray(start, end);
    if (entry.method === 0) return data;
    if (entry.method === 8) {
      try {
        return inflateRawSync(data);
      } catch (error) {
        throw new TorchFormatError(`zip member ${entry.name} does not inflate`, { cause: error });
      }
    }
    throw new TorchFormatError(
      `zip member ${entry.name} uses unsupported compression method ${entry.method}`,
    );
  }
}
