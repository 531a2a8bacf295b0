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

/** Limits on what a {@link ZipReader} is willing to produce from an archive of a given size. */
export interface ZipLimits {
  /** Most members the central directory may list (default 100 000). */
  maxEntries?: number;
  /**
   * Most bytes all members together may declare and produce uncompressed (default: 64 × the archive's
   * size, at most 4 GiB). Stored members count too, so many directory entries pointing at one member
   * (the overlapping-file bomb) exhaust it.
   */
  maxUncompressedBytes?: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const U32_MAX = 0xffffffff;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
const DEFAULT_MAX_ENTRIES = 100_000;
const DEFAULT_EXPANSION = 64;
const MAX_UNCOMPRESSED = 4 * 1024 ** 3;
/** DEFLATE cannot expand more than 1032:1 (a 258-byte match per 2 bits); a size beyond that is a lie. */
const MAX_DEFLATE_RATIO = 1032;

function u64(view: DataView, offset: number): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TorchFormatError('zip offset beyond 2^53');
  return Number(value);
}

/**
 * A minimal ZIP reader: central directory (with ZIP64 sizes/offsets), stored and deflated members. It is
 * enough for `torch.save` archives, which store members uncompressed and 64-byte aligned. Every offset and
 * length is checked against the archive before it is used, and inflation is capped by the declared size
 * and by {@link ZipLimits}, so a hostile archive ends in {@link TorchFormatError}, never in exhaustion.
 *
 * @throws {@link TorchFormatError} for a malformed archive or one that exceeds its limits.
 * @example
 * ```ts
 * const zip = new ZipReader(bytes);
 * const pickle = zip.read(zip.entries.find((e) => e.name.endsWith('/data.pkl'))!);
 * ```
 */
export class ZipReader {
  readonly entries: readonly ZipEntry[];
  /** Sum of the members' declared uncompressed sizes, already checked against the limit. */
  readonly totalSize: number;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #maxEntries: number;
  readonly #maxUncompressed: number;
  #produced = 0;

  constructor(bytes: Uint8Array, limits: ZipLimits = {}) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#maxUncompressed =
      limits.maxUncompressedBytes ?? Math.min(MAX_UNCOMPRESSED, DEFAULT_EXPANSION * bytes.byteLength);
    this.entries = this.#readCentralDirectory();
    this.totalSize = this.entries.reduce((n, e) => n + e.size, 0);
  }

  #readCentralDirectory(): ZipEntry[] {
    const view = this.#view;
    const length = view.byteLength;
    // The end record sits in the last 22 bytes plus an optional comment of up to 64 KiB.
    let eocd = -1;
    for (let i = length - 22; i >= Math.max(0, length - 22 - 0xffff); i--) {
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
      if (zip64 + 56 > length || view.getUint32(zip64, true) !== ZIP64_EOCD_SIGNATURE) {
        throw new TorchFormatError('broken zip64 end-of-central-directory record');
      }
      count = u64(view, zip64 + 32);
      offset = u64(view, zip64 + 48);
    }
    if (count > this.#maxEntries) {
      throw new TorchFormatError(`zip lists ${count} members, more than the limit of ${this.#maxEntries}`);
    }
    // Each directory record takes at least 46 bytes, so a count the file cannot hold is a lie.
    if (offset > length || count * CENTRAL_HEADER_SIZE > length - offset) {
      throw new TorchFormatError(`zip central directory of ${count} members does not fit in the file`);
    }
    const entries: ZipEntry[] = [];
    let declared = 0;
    for (let n = 0; n < count; n++) {
      if (offset + CENTRAL_HEADER_SIZE > length || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) {
        throw new TorchFormatError(`broken zip central directory at entry ${n}`);
      }
      const method = view.getUint16(offset + 10, true);
      let compressedSize = view.getUint32(offset + 20, true);
      let size = view.getUint32(offset + 24, true);
      const nameLength = view.getUint16(offset + 28, true);
      const extraLength = view.getUint16(offset + 30, true);
      const commentLength = view.getUint16(offset + 32, true);
      let localHeaderOffset = view.getUint32(offset + 42, true);
      const nameStart = offset + CENTRAL_HEADER_SIZE;
      let extra = nameStart + nameLength;
      const extraEnd = extra + extraLength;
      if (extraEnd + commentLength > length) {
        throw new TorchFormatError(`zip central directory entry ${n} runs past the end of the file`);
      }
      // Member names only select members; a name that is not UTF-8 simply matches nothing.
      const name = new TextDecoder().decode(this.#bytes.subarray(nameStart, nameStart + nameLength));
      // ZIP64 extra field: the 64-bit values appear only for the fields saturated at 0xFFFFFFFF, in this order.
      while (extra + 4 <= extraEnd) {
        const id = view.getUint16(extra, true);
        const fieldLength = view.getUint16(extra + 2, true);
        const fieldEnd = extra + 4 + fieldLength;
        if (fieldEnd > extraEnd) throw new TorchFormatError(`zip extra field of ${name} is truncated`);
        if (id === 0x0001) {
          let field = extra + 4;
          const next = (): number => {
            if (field + 8 > fieldEnd) throw new TorchFormatError(`zip64 extra field of ${name} is truncated`);
            const value = u64(view, field);
            field += 8;
            return value;
          };
          if (size === U32_MAX) size = next();
          if (compressedSize === U32_MAX) compressedSize = next();
          if (localHeaderOffset === U32_MAX) localHeaderOffset = next();
        }
        extra = fieldEnd;
      }
      if (method === 0 && size !== compressedSize) {
        throw new TorchFormatError(
          `stored zip member ${name} declares ${size} bytes but holds ${compressedSize}`,
        );
      }
      if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 64) {
        throw new TorchFormatError(`zip member ${name} claims an impossible compression ratio`);
      }
      declared += size;
      if (declared > this.#maxUncompressed) {
        throw new TorchFormatError(
          `zip members declare more than ${this.#maxUncompressed} uncompressed bytes (limit for this file)`,
        );
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

  /**
   * Returns a member's bytes (a view into the archive for stored members). Inflation stops at the declared
   * size, and what all reads produce together is held to the archive's uncompressed limit.
   */
  read(entry: ZipEntry): Uint8Array {
    const view = this.#view;
    const at = entry.localHeaderOffset;
    if (at + LOCAL_HEADER_SIZE > view.byteLength || view.getUint32(at, true) !== LOCAL_SIGNATURE) {
      throw new TorchFormatError(`broken zip local header for ${entry.name}`);
    }
    const start = at + LOCAL_HEADER_SIZE + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const end = start + entry.compressedSize;
    if (end > view.byteLength) throw new TorchFormatError(`zip member ${entry.name} is truncated`);
    if (this.#produced + entry.size > this.#maxUncompressed) {
      throw new TorchFormatError(
        `reading ${entry.name} would exceed ${this.#maxUncompressed} uncompressed bytes`,
      );
    }
    const data = this.#bytes.subarray(start, end);
    let out: Uint8Array;
    if (entry.method === 0) {
      out = data;
    } else if (entry.method === 8) {
      try {
        // zlib refuses (RangeError) rather than allocate past maxOutputLength; it must be at least 1.
        out = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
      } catch (error) {
        throw new TorchFormatError(`zip member ${entry.name} does not inflate to ${entry.size} bytes`, {
          cause: error,
        });
      }
      if (out.byteLength !== entry.size) {
        throw new TorchFormatError(
          `zip member ${entry.name} inflates to ${out.byteLength} bytes, not the declared ${entry.size}`,
        );
      }
    } else {
      throw new TorchFormatError(
        `zip member ${entry.name} uses unsupported compression method ${entry.method}`,
      );
    }
    this.#produced += entry.size;
    return out;
  }
}
