import { TorchFormatError } from '../errors.ts';
import type { Gallery, GalleryModel } from '../gallery.ts';
import { addEmbeddings, createGallery } from '../gallery.ts';
import type { PickleValue, TensorRef } from './pickle.ts';
import { unpickle } from './pickle.ts';
import { ZipReader } from './zip.ts';

export type { PickleValue, StorageRef, TensorRef } from './pickle.ts';
export { unpickle } from './pickle.ts';
export type { ZipEntry } from './zip.ts';
export { ZipReader } from './zip.ts';

/** The original system's embedder: InceptionResnetV1 pretrained on VGGFace2. */
export const TORCH_GALLERY_MODEL: GalleryModel = { id: 'inception-resnet-v1-vggface2', dimension: 512 };

/** A torch.save archive opened for reading: the unpickled root object and its storages. */
export interface TorchArchive {
  root: PickleValue;
  /** Materialises a tensor as a dense row-major Float32Array, honouring offset and strides. */
  tensor(ref: TensorRef): Float32Array;
}

/**
 * Opens a `torch.save` ZIP archive without Python: unpickles `<prefix>/data.pkl` with a restricted VM and
 * reads float32 storages from `<prefix>/data/<key>`.
 *
 * @throws {@link TorchFormatError} for anything malformed or unsupported.
 * @example
 * ```ts
 * const archive = openTorchArchive(await readFile('weights.pt'));
 * ```
 */
export function openTorchArchive(bytes: Uint8Array): TorchArchive {
  const zip = new ZipReader(bytes);
  const pkl = zip.entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) throw new TorchFormatError('no data.pkl in the archive: not a torch.save zip file');
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const root = unpickle(zip.read(pkl));
  const storages = new Map<string, DataView>();
  const storage = (key: string, numel: number): DataView => {
    let view = storages.get(key);
    if (!view) {
      const entry = zip.find(`${prefix}data/${key}`);
      if (!entry) throw new TorchFormatError(`storage ${key} is missing from the archive`);
      const data = zip.read(entry);
      if (data.byteLength < numel * 4)
        throw new TorchFormatError(`storage ${key} is shorter than ${numel} floats`);
      view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      storages.set(key, view);
    }
    return view;
  };
  const tensor = (ref: TensorRef): Float32Array => {
    const { size, stride, offset } = ref;
    if (size.length !== stride.length) throw new TorchFormatError('tensor size and stride differ in rank');
    const view = storage(ref.storage.key, ref.storage.numel);
    const count = size.reduce((a, b) => a * b, 1);
    const out = new Float32Array(count);
    const index = new Array<number>(size.length).fill(0);
    for (let i = 0; i < count; i++) {
      let at = offset;
      for (let d = 0; d < size.length; d++) at += (index[d] ?? 0) * (stride[d] ?? 0);
      if (at < 0 || at >= ref.storage.numel)
        throw new TorchFormatError('tensor view reaches outside its storage');
      // torch.save writes storages little-endian on every platform we read from.
      out[i] = view.getFloat32(at * 4, true);
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

/**
 * Reads the original system's gallery, a `torch.save([embeddings, names])` file, into a {@link Gallery}.
 * `embeddings` is a list of `(1, D)`/`(D,)` tensors or one `(N, D)` tensor; duplicate names become one
 * person with several vectors, in order of first appearance.
 *
 * @param options.model - the model the vectors came from; defaults to {@link TORCH_GALLERY_MODEL}.
 * @example
 * ```ts
 * const gallery = readTorchGallery(await readFile('resnetV1_video_weights.pt'));
 * gallery.people.map((p) => p.name); // ['Bean', 'Biden', …]
 * ```
 */
export function readTorchGallery(
  bytes: Uint8Array,
  options: { model?: GalleryModel; source?: string } = {},
): Gallery {
  const archive = openTorchArchive(bytes);
  const root = archive.root;
  const pair = Array.isArray(root)
    ? root
    : typeof root === 'object' && root?.kind === 'tuple'
      ? root.items
      : null;
  if (pair?.length !== 2) throw new TorchFormatError('expected [embeddings, names] at the top level');
  const [embeddings, names] = pair;
  if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) {
    throw new TorchFormatError('names must be a list of strings');
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
  let gallery = createGallery(model);
  const byName = new Map<string, Float32Array[]>();
  names.forEach((name, i) => {
    const list = byName.get(name) ?? [];
    const vector = vectors[i];
    if (vector) list.push(vector);
    byName.set(name, list);
  });
  for (const [name, list] of byName) {
    gallery = addEmbeddings(
      gallery,
      name,
      list.map((vector) => ({ vector, ...(options.source === undefined ? {} : { source: options.source }) })),
    );
  }
  return gallery;
}
