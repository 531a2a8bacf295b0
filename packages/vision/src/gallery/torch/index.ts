import { TorchFormatError } from '../errors.ts';
import type { Gallery, GalleryModel } from '../gallery.ts';
import { addEmbeddings, createGallery } from '../gallery.ts';
import type { PickleLimits, PickleValue, TensorRef } from './pickle.ts';
import { MAX_TENSOR_RANK, unpickle } from './pickle.ts';
import type { ZipLimits } from './zip.ts';
import { ZipReader } from './zip.ts';

export type { PickleLimits, PickleValue, StorageRef, TensorRef } from './pickle.ts';
export { MAX_TENSOR_RANK, unpickle } from './pickle.ts';
export type { ZipEntry, ZipLimits } from './zip.ts';
export { ZipReader } from './zip.ts';

const FLOAT32_BYTES = 4;

/**
 * Limits of {@link openTorchArchive}: the ZIP and pickle limits, and how many bytes all tensors materialised
 * from one archive may take together (default: twice the archive's uncompressed size plus 1 MiB, so a
 * pickle that names one storage a million times through its memo cannot multiply it).
 */
export interface TorchLimits extends ZipLimits, PickleLimits {
  maxTensorBytes?: number;
}

/** The original system's embedder: InceptionResnetV1 pretrained on VGGFace2. */
export const TORCH_GALLERY_MODEL: GalleryModel = { id: 'inception-resnet-v1-vggface2', dimension: 512 };

/** A torch.save archive opened for reading: the unpickled root object and its storages. */
export interface TorchArchive {
  root: PickleValue;
  /**
   * Materialises a tensor as a dense row-major Float32Array, honouring offset and strides. The view is
   * checked against the storage member's real byte length before anything is allocated.
   *
   * @throws {@link TorchFormatError} when the view reaches outside its storage or exceeds the limits.
   */
  tensor(ref: TensorRef): Float32Array;
}

/** Element count of a view, refusing as soon as it passes `max` so the product never overflows. */
function elementCount(size: readonly number[], max: number): number {
  let n = 1;
  for (const d of size) {
    n *= d;
    if (n > max)
      throw new TorchFormatError(`tensor of ${size.join('×')} elements is larger than its storage`);
  }
  return n;
}

/**
 * Opens a `torch.save` ZIP archive without Python: unpickles `<prefix>/data.pkl` with a restricted VM and
 * reads float32 storages from `<prefix>/data/<key>`. Every size is bounded by the file: members by
 * {@link ZipLimits}, the pickle by {@link PickleLimits}, and each tensor by its storage's real length.
 *
 * @throws {@link TorchFormatError} for anything malformed, unsupported or over a limit.
 * @example
 * ```ts
 * const archive = openTorchArchive(await readFile('weights.pt'));
 * ```
 */
export function openTorchArchive(bytes: Uint8Array, limits: TorchLimits = {}): TorchArchive {
  const zip = new ZipReader(bytes, limits);
  const pkl = zip.entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) throw new TorchFormatError('no data.pkl in the archive: not a torch.save zip file');
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const root = unpickle(zip.read(pkl), limits);
  const maxTensorBytes = limits.maxTensorBytes ?? 2 * zip.totalSize + 1024 * 1024;
  let materialised = 0;
  const storages = new Map<string, DataView>();
  const storage = (key: string, numel: number): DataView => {
    let view = storages.get(key);
    if (!view) {
      const entry = zip.find(`${prefix}data/${key}`);
      if (!entry) throw new TorchFormatError(`storage ${key} is missing from the archive`);
      // Checked against the declared size first, so a lying pickle never triggers an inflate.
      if (entry.size < numel * FLOAT32_BYTES)
        throw new TorchFormatError(`storage ${key} is shorter than ${numel} floats`);
      const data = zip.read(entry);
      view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      storages.set(key, view);
    }
    if (view.byteLength < numel * FLOAT32_BYTES)
      throw new TorchFormatError(`storage ${key} is shorter than ${numel} floats`);
    return view;
  };
  const tensor = (ref: TensorRef): Float32Array => {
    const { size, stride, offset } = ref;
    if (size.length !== stride.length) throw new TorchFormatError('tensor size and stride differ in rank');
    if (size.length > MAX_TENSOR_RANK) throw new TorchFormatError(`tensor rank ${size.length} is too high`);
    if (stride.some((s) => !Number.isSafeInteger(s) || s < 1))
      throw new TorchFormatError('tensor strides must be positive integers');
    if (![offset, ...size].every((n) => Number.isSafeInteger(n) && n >= 0))
      throw new TorchFormatError('tensor offset and sizes must be non-negative integers');
    const view = storage(ref.storage.key, ref.storage.numel);
    // The storage's real length, not the pickle's claim, bounds everything below.
    const available = Math.min(ref.storage.numel, Math.floor(view.byteLength / FLOAT32_BYTES));
    // With positive strides, distinct indices of a non-overlapping view reach distinct elements, so a view
    // with more elements than its storage is an overlapping (as_strided) view: refused.
    const count = elementCount(size, available);
    if (count > 0) {
      let last = offset;
      for (let d = 0; d < size.length; d++) last += ((size[d] ?? 1) - 1) * (stride[d] ?? 1);
      if (last >= available) throw new TorchFormatError('tensor view reaches outside its storage');
    } else if (offset > available) {
      throw new TorchFormatError('tensor offset lies outside its storage');
    }
    if (materialised + count * FLOAT32_BYTES > maxTensorBytes) {
      throw new TorchFormatError(`tensors of this archive exceed ${maxTensorBytes} bytes in total`);
    }
    materialised += count * FLOAT32_BYTES;
    const out = new Float32Array(count);
    const index = new Array<number>(size.length).fill(0);
    for (let i = 0; i < count; i++) {
      let at = offset;
      for (let d = 0; d < size.length; d++) at += (index[d] ?? 0) * (stride[d] ?? 0);
      // torch.save writes storages little-endian on every platform we read from.
      out[i] = view.getFloat32(at * FLOAT32_BYTES, true);
      for (let d = size.length - 1; d >= 0; d--) {
        index[d] = (index[d] ?? 0) + 1;
        if ((index[d] ?? 0) < (size[d] ?? 0)) break;
        index[d] = 0;
      }
    }
    return out;
  };
  return { root, tensor };
}

function isTensor(value: PickleValue | undefined): value is TensorRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.kind === 'tensor';
}

function isTuple(value: PickleValue | undefined): value is { kind: 'tuple'; items: PickleValue[] } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.kind === 'tuple';
}

/** Options of {@link readTorchGallery}. */
export interface ReadTorchGalleryOptions {
  /** The model the vectors came from; defaults to {@link TORCH_GALLERY_MODEL}. */
  model?: GalleryModel;
  /** Recorded as every vector's `source`. */
  source?: string;
  /**
   * One name per embedding, in the file's order, used instead of the names stored in the file (which may
   * then be absent: the root may be the embeddings alone). The count must match.
   */
  names?: readonly string[];
  limits?: TorchLimits;
}

/**
 * Reads the original system's gallery, a `torch.save([embeddings, names])` file, into a {@link Gallery}.
 * `embeddings` is a list of `(1, D)`/`(D,)` tensors or one `(N, D)` tensor; duplicate names become one
 * person with several vectors, in order of first appearance.
 *
 * @throws {@link TorchFormatError} (with the underlying error as `cause`) for anything malformed,
 *   unsupported or over a limit, including vectors of the wrong dimension or non-finite values.
 * @example
 * ```ts
 * const gallery = readTorchGallery(await readFile('resnetV1_video_weights.pt'));
 * gallery.people.map((p) => p.name); // ['Bean', 'Biden', …]
 * ```
 */
export function readTorchGallery(bytes: Uint8Array, options: ReadTorchGalleryOptions = {}): Gallery {
  const archive = openTorchArchive(bytes, options.limits);
  const root = archive.root;
  const items = Array.isArray(root) ? root : isTuple(root) ? root.items : null;
  let embeddings: PickleValue | undefined;
  let names: readonly string[];
  if (options.names !== undefined && (isTensor(root) || items?.length !== 2)) {
    embeddings = root;
    names = options.names;
  } else {
    if (items?.length !== 2) throw new TorchFormatError('expected [embeddings, names] at the top level');
    const [first, stored] = items;
    embeddings = first;
    if (options.names !== undefined) {
      names = options.names;
    } else {
      if (!Array.isArray(stored) || !stored.every((n): n is string => typeof n === 'string')) {
        throw new TorchFormatError('names must be a list of strings');
      }
      names = stored;
    }
  }
  const vectors: Float32Array[] = [];
  if (isTensor(embeddings)) {
    const [rows, cols] = embeddings.size;
    if (embeddings.size.length !== 2 || rows === undefined || cols === undefined) {
      throw new TorchFormatError('an embeddings tensor must be 2-D');
    }
    const dense = archive.tensor(embeddings);
    for (let r = 0; r < rows; r++) vectors.push(dense.subarray(r * cols, (r + 1) * cols));
  } else if (Array.isArray(embeddings)) {
    for (const item of embeddings) {
      if (!isTensor(item)) throw new TorchFormatError('embeddings must be tensors');
      const rows = item.size.length === 2 ? item.size[0] : 1;
      if (item.size.length > 2 || rows !== 1)
        throw new TorchFormatError('each embedding must be (1, D) or (D,)');
      vectors.push(archive.tensor(item));
    }
  } else {
    throw new TorchFormatError('embeddings must be a tensor or a list of tensors');
  }
  if (vectors.length !== names.length) {
    throw new TorchFormatError(`${vectors.length} embeddings but ${names.length} names`);
  }
  const model = options.model ?? TORCH_GALLERY_MODEL;
  const byName = new Map<string, Float32Array[]>();
  names.forEach((name, i) => {
    const list = byName.get(name) ?? [];
    const vector = vectors[i];
    if (vector) list.push(vector);
    byName.set(name, list);
  });
  try {
    let gallery = createGallery(model);
    for (const [name, list] of byName) {
      gallery = addEmbeddings(
        gallery,
        name,
        list.map((vector) => ({
          vector,
          ...(options.source === undefined ? {} : { source: options.source }),
        })),
      );
    }
    return gallery;
  } catch (error) {
    // A wrong dimension, an empty name or a zero/non-finite vector is a property of the file here.
    const reason = error instanceof Error ? error.message : String(error);
    throw new TorchFormatError(`the file does not hold a valid gallery: ${reason}`, { cause: error });
  }
}
